package dev.millrace.protocol.server;

import io.lettuce.core.KeyValue;
import io.lettuce.core.LMPopArgs;
import io.lettuce.core.LMoveArgs;
import io.lettuce.core.LPosArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.args.ListPosition;
import redis.clients.jedis.params.LPosParams;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The list family through real clients: Jedis (RESP2) and Lettuce (RESP3), small lists and a large
 * one (paged), and a blocking pop each client waits in until another connection pushes.
 */
class ListIT extends ClientsFixture {
    /** INFO's blocked_clients. */
    static long blockedClients(String info) {
        int at = info.indexOf("blocked_clients:") + "blocked_clients:".length();
        return Long.parseLong(info.substring(at, info.indexOf('\r', at)));
    }

    @Test
    void jedisDrivesEveryListCommand() {
        try (Jedis jedis = jedis()) {
            jedis.del("j", "j2");
            assertEquals(3, jedis.rpush("j", "a", "b", "c"));
            assertEquals(4, jedis.lpush("j", "z"));
            assertEquals(0, jedis.lpushx("j-missing", "x"));
            assertEquals(List.of("z", "a", "b", "c"), jedis.lrange("j", 0, -1));
            assertEquals(4, jedis.llen("j"));
            assertEquals("c", jedis.lindex("j", -1));
            assertEquals("OK", jedis.lset("j", 0, "y"));
            assertEquals(5, jedis.linsert("j", ListPosition.AFTER, "a", "a2"));
            assertEquals(1, jedis.lrem("j", 0, "a2"));
            assertEquals(Long.valueOf(2), jedis.lpos("j", "b"));
            assertEquals(List.of(1L), jedis.lpos("j", "a", LPosParams.lPosParams().rank(1), 5));
            assertEquals("y", jedis.lpop("j"));
            assertEquals(List.of("c"), jedis.rpop("j", 1));
            assertEquals("b", jedis.lmove("j", "j2", ListDirection.RIGHT, ListDirection.LEFT));
            assertEquals("a", jedis.rpoplpush("j", "j2"));
            assertEquals(0, jedis.exists("j") ? 1 : 0);
            redis.clients.jedis.util.KeyValue<String, List<String>> popped = jedis.lmpop(ListDirection.LEFT, 5, "j", "j2");
            assertEquals("j2", popped.getKey());
            assertEquals(List.of("a", "b"), popped.getValue());
            assertNull(jedis.lpop("j2"));
            assertEquals("OK", jedis.ltrim("nothing", 0, 1));
        }
    }

    @Test
    void aLargeListAnswersNearBothEnds() {
        try (Jedis jedis = jedis()) {
            jedis.del("big");
            Pipeline pipeline = jedis.pipelined();
            int n = 100_000;
            for (int i = 0; i < n; i += 1000) {
                String[] batch = new String[1000];
                for (int j = 0; j < 1000; j++) {
                    batch[j] = "e" + (i + j);
                }
                pipeline.rpush("big", batch);
            }
            pipeline.sync();
            assertEquals(n, jedis.llen("big"));
            assertEquals("quicklist", jedis.objectEncoding("big"));
            assertEquals("e0", jedis.lindex("big", 0));
            assertEquals("e99999", jedis.lindex("big", -1));
            assertEquals("e50000", jedis.lindex("big", 50_000));
            assertEquals(List.of("e99997", "e99998", "e99999"), jedis.lrange("big", -3, -1));
            assertEquals(List.of("e0", "e1"), jedis.lrange("big", 0, 1));
            assertEquals(List.of("e0"), jedis.lpop("big", 1));
            assertEquals(n, jedis.lpush("big", "e0"));
            assertEquals("e99999", jedis.rpop("big"));
            assertEquals(Long.valueOf(4242), jedis.lpos("big", "e4242"));
            assertEquals("OK", jedis.ltrim("big", 10, -11));
            assertEquals(n - 21, jedis.llen("big"));
            assertEquals("e10", jedis.lindex("big", 0));
            jedis.del("big");
        }
    }

    @Test
    void jedisBlocksUntilAnotherConnectionPushes() throws Exception {
        try (Jedis waiter = jedis(); Jedis pusher = jedis()) {
            pusher.del("jq");
            long blockedBefore = blockedClients(pusher.info("clients"));
            CompletableFuture<List<String>> popped = CompletableFuture.supplyAsync(() -> waiter.blpop(0, "jq"));
            await().atMost(10, TimeUnit.SECONDS).until(() -> blockedClients(pusher.info("clients")) == blockedBefore + 1);
            pusher.rpush("jq", "hello");
            assertEquals(List.of("jq", "hello"), popped.get(10, TimeUnit.SECONDS));
            assertNull(waiter.brpop(0.05, "jq"), "a short timeout ends in nil");
            assertEquals("PONG", waiter.ping());
        }
    }

    @Test
    void lettuceSpeaksResp3() throws Exception {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect();
             StatefulRedisConnection<String, String> other = lettuce.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            redis.del("t", "t2");
            assertEquals(3L, redis.rpush("t", "a", "b", "a"));
            assertEquals(List.of("a", "b", "a"), redis.lrange("t", 0, -1));
            assertEquals(List.of(0L, 2L), redis.lpos("t", "a", 0));
            assertEquals(2L, redis.lpos("t", "a", LPosArgs.Builder.rank(-1)));
            assertNull(redis.lpos("t", "nope"));
            assertEquals("a", redis.lmove("t", "t2", LMoveArgs.Builder.leftRight()));
            KeyValue<String, List<String>> popped = redis.lmpop(LMPopArgs.Builder.right().count(10), "missing", "t");
            assertEquals("t", popped.getKey());
            assertEquals(List.of("a", "b"), popped.getValue());
            assertNull(redis.lpop("t"));
            assertEquals(List.of(), redis.lpop("t2", 0));

            CompletableFuture<KeyValue<String, String>> served = connection.async().blpop(0, "lq").toCompletableFuture();
            await().atMost(10, TimeUnit.SECONDS).until(() -> blockedClients(other.sync().info("clients")) == 1);
            other.sync().lpush("lq", "v");
            assertEquals(KeyValue.just("lq", "v"), served.get(10, TimeUnit.SECONDS));
            assertNull(redis.blpop(0.05, "lq"), "a timeout is RESP3's null");
            assertEquals("x", blmoveServed(connection, other));
        }
    }

    /** BLMOVE waits for its source, then answers with the element it moved. */
    private static String blmoveServed(StatefulRedisConnection<String, String> waiting,
                                       StatefulRedisConnection<String, String> pusher) throws Exception {
        CompletableFuture<String> moved = waiting.async().blmove("src", "dst", LMoveArgs.Builder.rightLeft(), 5.0)
                .toCompletableFuture();
        await().atMost(10, TimeUnit.SECONDS).until(() -> blockedClients(pusher.sync().info("clients")) == 1);
        pusher.sync().rpush("src", "x");
        String element = moved.get(10, TimeUnit.SECONDS);
        List<String> destination = new ArrayList<>(pusher.sync().lrange("dst", 0, -1));
        assertEquals(List.of("x"), destination);
        return element;
    }
}
