package dev.millrace.protocol.server;

import dev.millrace.engine.Clock;
import dev.millrace.engine.Engine;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.persistence.Snapshots;
import dev.millrace.storage.ChronicleStorage;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScoredValueScanCursor;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.ZAggregateArgs;
import io.lettuce.core.ZPopArgs;
import io.lettuce.core.ZStoreArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.args.SortedSetOption;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.params.ZParams;
import redis.clients.jedis.params.ZRangeParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;
import redis.clients.jedis.util.KeyValue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sorted-set commands through real clients on a server wired as Main wires it (Chronicle storage
 * in a temp dir, so skiplists live in store pages): Jedis (RESP2, flat score lists, scores as bulk
 * strings) and Lettuce (RESP3, [member, score] pairs and doubles), on small sets (listpack) and
 * 20,000-member sets (skiplist), full ZSCANs through each client's cursor type, blocked BZPOPMIN and
 * BZMPOP clients served by another client's ZADD, and sets coming back after the server is closed and
 * reopened on the same directory.
 */
class ZSetIT {
    @TempDir
    Path dir;
    private Server server;
    private RedisClient lettuce;

    /** Storage, engine and RESP server over {@code dir}; closing stops the server, then the storage. */
    private static final class Server implements AutoCloseable {
        final ChronicleStorage storage;
        final RespServer resp;

        Server(Path dir) throws IOException {
            ServerConfig config = new ServerConfig();
            config.set("bind", "127.0.0.1", true);
            config.set("port", "0", true);
            config.set("save", "", true);
            storage = ChronicleStorage.open(dir, config, store -> new Engine(config, store, EffectLog.NONE,
                    Snapshots.none(System.currentTimeMillis() / 1000), Clock.SYSTEM)::replay);
            Engine engine = new Engine(config, storage.keyStore(), storage.effectLog(), storage.snapshots(), Clock.SYSTEM);
            storage.recover(engine::replay);
            resp = new RespServer(engine);
            resp.start();
        }

        @Override
        public void close() {
            resp.close();
            storage.close();
        }
    }

    @BeforeEach
    void start() throws IOException {
        server = new Server(dir);
        lettuce = RedisClient.create(RedisURI.create("127.0.0.1", server.resp.port()));
        lettuce.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
    }

    @AfterEach
    void stop() {
        lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        if (server != null) {
            server.close();
        }
    }

    private Jedis jedis() {
        return new Jedis("127.0.0.1", server.resp.port(), 10_000);
    }

    private static Map<String, Double> scores(int n, String prefix) {
        Map<String, Double> scores = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            scores.put(prefix + i, i * 1.5);
        }
        return scores;
    }

    @Test
    void jedisSmallSets() {
        try (Jedis jedis = jedis()) {
            assertEquals(3, jedis.zadd("j:z", Map.of("a", 1.0, "b", 2.0, "c", 3.0)));
            assertEquals(0, jedis.zadd("j:z", 10, "a", ZAddParams.zAddParams().nx()));
            assertEquals(1, jedis.zadd("j:z", 0.5, "a", ZAddParams.zAddParams().xx().ch()));
            assertEquals(4.5, jedis.zincrby("j:z", 4, "a"));
            assertEquals(List.of("b", "c", "a"), jedis.zrange("j:z", 0, -1));
            assertEquals(List.of(new Tuple("a", 4.5), new Tuple("c", 3.0)), jedis.zrevrangeWithScores("j:z", 0, 1));
            assertEquals(2L, jedis.zrank("j:z", "a"));
            assertEquals(new KeyValue<>(0L, 2.0), jedis.zrankWithScore("j:z", "b"));
            assertEquals(List.of(2.0, 3.0), jedis.zmscore("j:z", "b", "c"));
            assertNull(jedis.zscore("j:z", "nosuch"));
            assertEquals(2, jedis.zcount("j:z", "(2", "+inf"));
            assertEquals(List.of("c", "a"), jedis.zrange("j:z", ZRangeParams.zrangeByScoreParams(2.5, 10)));
            assertEquals(new Tuple("b", 2.0), jedis.zpopmin("j:z"));
            KeyValue<String, List<Tuple>> popped = jedis.zmpop(SortedSetOption.MAX, "j:missing", "j:z");
            assertEquals("j:z", popped.getKey());
            assertEquals(List.of(new Tuple("a", 4.5)), popped.getValue());
            assertEquals(1, jedis.zcard("j:z"));

            jedis.zadd("j:u1", Map.of("x", 1.0, "y", 2.0));
            jedis.zadd("j:u2", Map.of("y", 10.0, "w", 20.0));
            assertEquals(List.of("x", "y", "w"), jedis.zunion(new ZParams().weights(1, 1), "j:u1", "j:u2"));
            assertEquals(1, jedis.zinterstore("j:i", new ZParams().aggregate(ZParams.Aggregate.MAX), "j:u1", "j:u2"));
            assertEquals(10.0, jedis.zscore("j:i", "y"));
            assertEquals(1, jedis.zintercard("j:u1", "j:u2"));
            assertEquals(List.of("x"), jedis.zdiff("j:u1", "j:u2"));
            assertEquals(2, jedis.zrangestore("j:r", "j:u2", ZRangeParams.zrangeParams(0, -1)));
            assertEquals(3, jedis.zrandmemberWithScores("j:u2", -3).size());
            jedis.zadd("j:lex", Map.of("a", 0.0, "b", 0.0, "c", 0.0));
            assertEquals(2, jedis.zlexcount("j:lex", "[b", "+"));
            assertEquals(List.of("a", "b"), jedis.zrangeByLex("j:lex", "-", "(c"));
            assertEquals(1, jedis.zremrangeByLex("j:lex", "[a", "[a"));
        }
    }

    @Test
    void jedisLargeSetAndItsScan() {
        try (Jedis jedis = jedis()) {
            Pipeline pipeline = jedis.pipelined();
            Map<String, Double> all = scores(20_000, "member:");
            List<Response<Long>> added = new ArrayList<>();
            for (Map.Entry<String, Double> e : all.entrySet()) {
                added.add(pipeline.zadd("j:big", e.getValue(), e.getKey()));
            }
            pipeline.sync();
            assertTrue(added.stream().allMatch(r -> r.get() == 1L));
            assertEquals("skiplist", jedis.objectEncoding("j:big"));
            assertEquals(20_000, jedis.zcard("j:big"));
            assertEquals(12_345L, jedis.zrank("j:big", "member:12345"));
            assertEquals(List.of("member:10001", "member:10002"),
                    jedis.zrangeByScore("j:big", "(15000", "+inf", 0, 2));
            assertEquals(1000, jedis.zcount("j:big", 0, 1498.5));

            Map<String, Double> seen = new HashMap<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<Tuple> page = jedis.zscan("j:big", cursor, new ScanParams().count(500));
                page.getResult().forEach(t -> seen.put(t.getElement(), t.getScore()));
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(all, seen);
            assertEquals(10_000, jedis.zremrangeByRank("j:big", 0, 9_999));
            assertEquals(new Tuple("member:10000", 15000.0), jedis.zpopmin("j:big"));
        }
    }

    @Test
    void lettuceSmallSetsInResp3() {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            assertEquals(3L, redis.zadd("l:z", 1.0, "a", 2.0, "b", 3.0, "c"));
            assertEquals(0L, redis.zadd("l:z", ZAddArgs.Builder.gt(), 0.5, "a"));
            assertEquals(5.5, redis.zaddincr("l:z", 4.5, "a"));
            assertEquals(List.of(ScoredValue.just(2.0, "b"), ScoredValue.just(3.0, "c"), ScoredValue.just(5.5, "a")),
                    redis.zrangeWithScores("l:z", 0, -1));
            assertEquals(ScoredValue.just(5.5, 2L), redis.zrankWithScore("l:z", "a"));
            assertEquals(List.of("c"), redis.zrangebyscore("l:z", Range.create(2.5, 4.0), Limit.create(0, 5)));
            assertEquals(Double.valueOf(2.0), redis.zscore("l:z", "b"));
            assertEquals(List.of(ScoredValue.just(2.0, "b")), redis.zpopmin("l:z", 1));
            assertEquals("l:z", redis.zmpop(new ZPopArgs().max(), "l:none", "l:z").getKey());

            redis.zadd("l:u1", 1.0, "x", 2.0, "y");
            redis.zadd("l:u2", 10.0, "y", 20.0, "w");
            assertEquals(List.of(ScoredValue.just(1.0, "x"), ScoredValue.just(22.0, "y"), ScoredValue.just(40.0, "w")),
                    redis.zunionWithScores(new ZAggregateArgs().weights(1, 2).sum(), "l:u1", "l:u2"));
            assertEquals(1L, redis.zinterstore("l:i", ZStoreArgs.Builder.min(), "l:u1", "l:u2"));
            assertEquals(Double.valueOf(2.0), redis.zscore("l:i", "y"));
            assertEquals(List.of(ScoredValue.just(1.0, "x")), redis.zdiffWithScores("l:u1", "l:u2"));
            assertEquals(1L, redis.zrangestorebyscore("l:r", "l:u2", Range.create(15, 25), Limit.unlimited()));
            List<ScoredValue<String>> random = redis.zrandmemberWithScores("l:u2", 5);
            assertEquals(Set.of(ScoredValue.just(10.0, "y"), ScoredValue.just(20.0, "w")), new HashSet<>(random));
        }
    }

    @Test
    void lettuceLargeSetAndItsScan() {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            Map<String, Double> all = scores(20_000, "m:");
            List<Object> pairs = new ArrayList<>();
            all.forEach((member, score) -> {
                pairs.add(score);
                pairs.add(member);
            });
            assertEquals(20_000L, redis.zadd("l:big", pairs.toArray()));
            assertEquals("skiplist", redis.objectEncoding("l:big"));
            assertEquals(List.of(ScoredValue.just(29998.5, "m:19999")), redis.zrevrangeWithScores("l:big", 0, 0));
            assertEquals(Long.valueOf(19_999 - 4321), redis.zrevrank("l:big", "m:4321"));

            Map<String, Double> seen = new HashMap<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                ScoredValueScanCursor<String> page = redis.zscan("l:big", cursor, ScanArgs.Builder.limit(700));
                page.getValues().forEach(v -> seen.put(v.getValue(), v.getScore()));
                cursor = page;
            } while (!cursor.isFinished());
            assertEquals(all, seen);
            assertEquals(5_000L, redis.zremrangebyscore("l:big", Range.create(0, 7_498.5)));
            assertEquals(ScoredValue.just(7_500.0, "m:5000"), redis.zpopmin("l:big"));
        }
    }

    @Test
    void setsComeBackAfterTheServerIsReopened() throws IOException {
        Map<String, Double> all = scores(10_000, "r:");
        try (Jedis jedis = jedis()) {
            Pipeline pipeline = jedis.pipelined();
            all.forEach((member, score) -> pipeline.zadd("big", score, member));
            pipeline.sync();
            jedis.zadd("small", Map.of("a", 1.0, "b", -0.5));
            jedis.zrem("big", "r:0", "r:1");
            jedis.zincrby("big", 0.25, "r:2");
        }
        all.remove("r:0");
        all.remove("r:1");
        all.put("r:2", 3.25);
        server.close();
        server = new Server(dir);
        try (Jedis jedis = jedis()) {
            assertEquals("skiplist", jedis.objectEncoding("big"));
            assertEquals(all.size(), jedis.zcard("big"));
            Map<String, Double> back = new HashMap<>();
            jedis.zrangeWithScores("big", 0, -1).forEach(t -> back.put(t.getElement(), t.getScore()));
            assertEquals(all, back);
            assertEquals(0L, jedis.zrank("big", "r:2"));
            assertEquals("listpack", jedis.objectEncoding("small"));
            assertEquals(List.of(new Tuple("b", -0.5), new Tuple("a", 1.0)), jedis.zrangeWithScores("small", 0, -1));
        }
    }

    private long blocked(Jedis jedis) {
        return ListIT.blockedClients(jedis.info("clients"));
    }

    @Test
    void blockedClientsAreServedByAWriteFromAnotherClient() throws Exception {
        try (Jedis control = jedis(); Jedis waiter = jedis();
             StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            CompletableFuture<KeyValue<String, Tuple>> jedisPop =
                    CompletableFuture.supplyAsync(() -> waiter.bzpopmin(10, "b:none", "b:q"));
            await().atMost(10, TimeUnit.SECONDS).until(() -> blocked(control) == 1);
            RedisFuture<io.lettuce.core.KeyValue<String, List<ScoredValue<String>>>> lettucePop =
                    connection.async().bzmpop(10L, 2L, new ZPopArgs().max(), "b:q");
            await().atMost(10, TimeUnit.SECONDS).until(() -> blocked(control) == 2);
            assertEquals(3, control.zadd("b:q", Map.of("a", 1.0, "b", 2.0, "c", 3.0)));
            assertEquals(new KeyValue<>("b:q", new Tuple("a", 1.0)), jedisPop.get(10, TimeUnit.SECONDS));
            io.lettuce.core.KeyValue<String, List<ScoredValue<String>>> popped = lettucePop.get(10, TimeUnit.SECONDS);
            assertEquals("b:q", popped.getKey());
            assertEquals(List.of(ScoredValue.just(3.0, "c"), ScoredValue.just(2.0, "b")), popped.getValue());
            assertFalse(control.exists("b:q"));
            assertNull(waiter.bzpopmax(0.2, "b:none"), "a timeout is a null reply");
        }
    }
}
