package dev.millrace.protocol.server;

import dev.millrace.engine.Clock;
import dev.millrace.engine.Engine;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.persistence.Snapshots;
import dev.millrace.storage.ChronicleStorage;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The set family through real clients on a server wired as Main wires it (Chronicle storage in a
 * temp dir, so large sets live in store pages): Jedis in RESP2, Lettuce in RESP3 (set replies as
 * RESP3 sets), SSCAN over a large set with each client's cursor API, and a large set and an intset
 * coming back after the server is closed and reopened on the same directory.
 */
class SetIT {
    @TempDir
    Path dir;

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

        int port() {
            return resp.port();
        }

        @Override
        public void close() {
            resp.close();
            storage.close();
        }
    }

    private static Set<String> range(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> prefix + i).collect(Collectors.toSet());
    }

    /** Adds {@code members} to {@code key} in pipelined batches of 500. */
    private static void addAll(Jedis jedis, String key, Set<String> members) {
        Pipeline pipeline = jedis.pipelined();
        List<String> all = List.copyOf(members);
        for (int i = 0; i < all.size(); i += 500) {
            pipeline.sadd(key, all.subList(i, Math.min(i + 500, all.size())).toArray(String[]::new));
        }
        pipeline.sync();
    }

    @Test
    void jedisDrivesEverySetCommand() throws IOException {
        try (Server server = new Server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
            assertEquals(3, jedis.sadd("ints", "3", "1", "2"));
            assertEquals("intset", jedis.objectEncoding("ints"));
            assertEquals(Set.of("1", "2", "3"), jedis.smembers("ints"));
            assertEquals(2, jedis.sadd("words", "a", "b", "a"));
            assertEquals("hashtable", jedis.objectEncoding("words"));
            assertTrue(jedis.sismember("words", "a"));
            assertEquals(List.of(true, false), jedis.smismember("ints", "1", "9"));
            assertEquals(3, jedis.scard("ints"));
            assertEquals(1, jedis.srem("ints", "3", "9"));
            assertEquals(1, jedis.smove("words", "ints", "a"));
            assertEquals("hashtable", jedis.objectEncoding("ints"));
            assertEquals(Set.of("1", "2", "a"), jedis.smembers("ints"));
            assertEquals(Set.of("1", "2", "a"), jedis.sdiff("ints", "words", "missing"));
            assertEquals(Set.of("1", "2", "a", "b"), jedis.sunion("ints", "words"));
            assertEquals(1, jedis.sunionstore("u", "words"));
            assertEquals(Set.of(), jedis.sinter("ints", "words"));
            jedis.sadd("words", "1");
            assertEquals(Set.of("1"), jedis.sinter("ints", "words"));
            assertEquals(1, jedis.sinterstore("i", "ints", "words"));
            assertEquals("intset", jedis.objectEncoding("i"));
            assertEquals(1, jedis.sintercard("ints", "words"));
            assertEquals(1, jedis.sintercard(1, "ints", "words"));
            assertEquals(1, jedis.sdiffstore("d", "words", "ints"));

            String popped = jedis.spop("u");
            assertEquals("b", popped);
            assertFalse(jedis.exists("u"));
            Set<String> poppedTwo = jedis.spop("ints", 2);
            assertEquals(2, poppedTwo.size());
            assertEquals(1, jedis.scard("ints"));
            assertTrue(Set.of("1", "b").contains(jedis.srandmember("words")));
            assertEquals(2, new HashSet<>(jedis.srandmember("words", 5)).size());
            assertEquals(6, jedis.srandmember("words", -6).size());

            byte[] binary = {0, (byte) 0xff, '\r', '\n', 'x'};
            assertEquals(1, jedis.sadd("binary".getBytes(), binary));
            assertTrue(jedis.sismember("binary".getBytes(), binary));
            assertEquals(1, jedis.smembers("binary".getBytes()).size());
        }
    }

    @Test
    void jedisScansALargeSetAndPopsFromIt() throws IOException {
        try (Server server = new Server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
            Set<String> members = range("member:", 0, 20_000);
            addAll(jedis, "big", members);
            assertEquals(20_000, jedis.scard("big"));
            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int steps = 0;
            do {
                ScanResult<String> page = jedis.sscan("big", cursor, new ScanParams().count(500));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
                steps++;
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(members, seen);
            assertTrue(steps >= 40, "about COUNT members per step: " + steps);
            ScanResult<String> matched = jedis.sscan("big", "0", new ScanParams().match("member:1999?").count(100_000));
            assertEquals(range("member:1999", 0, 10), new HashSet<>(matched.getResult()));

            Set<String> popped = jedis.spop("big", 5_000);
            assertEquals(5_000, popped.size());
            assertTrue(members.containsAll(popped));
            assertEquals(15_000, jedis.scard("big"));
            for (String member : List.copyOf(popped).subList(0, 100)) {
                assertFalse(jedis.sismember("big", member));
            }
            assertEquals(15_000, jedis.sunionstore("copy", "big"));
            assertEquals(0, jedis.sdiff("copy", "big").size());
        }
    }

    @Test
    void lettuceGetsResp3Sets() throws IOException {
        try (Server server = new Server(dir)) {
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
            client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> redis = connection.sync();
                assertEquals(4L, redis.sadd("s", "4", "3", "x", "y"));
                assertEquals(Set.of("3", "4", "x", "y"), redis.smembers("s"));
                assertEquals(List.of(true, false), redis.smismember("s", "x", "z"));
                assertEquals(Set.of(), redis.sinter("s", "missing"));
                redis.sadd("letters", "x", "y", "q");
                assertEquals(Set.of("3", "4"), redis.sdiff("s", "letters"));
                assertEquals(Set.of("x", "y"), redis.sinter("s", "letters"));
                assertEquals(2L, redis.sintercard("s", "letters"));
                assertEquals(1L, redis.sintercard(1, "s", "letters"));
                Set<String> popped = redis.spop("s", 2);
                assertEquals(2, popped.size());
                assertEquals(2L, redis.scard("s"));
                assertEquals(2, redis.srandmember("s", 10).size());

                Set<String> members = range("m", 0, 3_000);
                redis.sadd("big", members.toArray(String[]::new));
                Set<String> seen = new HashSet<>();
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    ValueScanCursor<String> page = redis.sscan("big", cursor, ScanArgs.Builder.limit(200));
                    seen.addAll(page.getValues());
                    cursor = page;
                } while (!cursor.isFinished());
                assertEquals(members, seen);
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void setsComeBackAfterTheServerIsReopened() throws IOException {
        Set<String> members = range("k", 0, 10_000);
        try (Server server = new Server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
            addAll(jedis, "big", members);
            jedis.sadd("ints", "5", "-1", "3");
            jedis.srem("big", "k0", "k1");
        }
        members.removeAll(Set.of("k0", "k1"));
        try (Server server = new Server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
            assertEquals(members.size(), jedis.scard("big"));
            assertEquals(members, jedis.smembers("big"));
            assertEquals("hashtable", jedis.objectEncoding("big"));
            assertEquals(Set.of("-1", "3", "5"), jedis.smembers("ints"));
            assertEquals("intset", jedis.objectEncoding("ints"));
        }
    }
}
