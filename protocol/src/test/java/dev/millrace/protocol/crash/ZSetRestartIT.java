package dev.millrace.protocol.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.args.SortedSetOption;
import redis.clients.jedis.params.ZParams;
import redis.clients.jedis.params.ZRangeParams;
import redis.clients.jedis.resps.Tuple;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sorted sets, listpack and skiplist, across a clean SHUTDOWN and across kill -9 of a child-JVM
 * server on Chronicle storage: every acknowledged write comes back (appendfsync always), including
 * the pops and stores whose effects are rewritten for the log (ZMPOP as ZPOPMIN, ZINCRBY's doubles),
 * and the skiplist's pages come back with its record.
 */
class ZSetRestartIT {
    private static final int LARGE = 5000;

    @TempDir
    Path tmp;

    @Test
    void cleanShutdownKeepsSortedSets() throws Exception {
        Path dir = tmp.resolve("data");
        try (ServerProcess server = new ServerProcess(dir).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
            writeSample(jedis);
            try {
                jedis.shutdown();
            } catch (RuntimeException connectionClosedByShutdown) {
                // SHUTDOWN closes the connection instead of replying
            }
            assertEquals(0, server.awaitExit());
        }
        try (ServerProcess server = new ServerProcess(dir).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
            checkSample(jedis);
        }
    }

    @Test
    void killNineKeepsEveryAcknowledgedSortedSetWrite() throws Exception {
        Path dir = tmp.resolve("data");
        try (ServerProcess server = new ServerProcess(dir, "--appendfsync", "always").start();
             Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
            writeSample(jedis);
            server.kill();
        }
        try (ServerProcess server = new ServerProcess(dir).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
            checkSample(jedis);
        }
    }

    private static Map<String, Double> large() {
        Map<String, Double> members = new HashMap<>();
        for (int i = 0; i < LARGE; i++) {
            members.put("member:" + i, i / 4.0);
        }
        return members;
    }

    private static void writeSample(Jedis jedis) {
        jedis.zadd("small", Map.of("a", 1.0, "b", 2.0, "c", 3.0));
        jedis.zincrby("small", 0.1, "a");
        jedis.zincrby("small", 0.2, "a");
        jedis.zrem("small", "b");
        Pipeline pipeline = jedis.pipelined();
        large().forEach((member, score) -> pipeline.zadd("large", score, member));
        pipeline.sync();
        jedis.zpopmin("large", 2);
        jedis.zmpop(SortedSetOption.MAX, "missing", "large");
        jedis.zincrby("large", -100, "member:2");
        jedis.zremrangeByScore("large", "(10", "20");
        jedis.zunionstore("union", new ZParams().weights(2, 3), "small", "large");
        jedis.zrangestore("range", "large", ZRangeParams.zrangeByScoreParams(100, 101));
    }

    private static void checkSample(Jedis jedis) {
        assertEquals(List.of(new Tuple("a", 1.0 + 0.1 + 0.2), new Tuple("c", 3.0)), jedis.zrangeWithScores("small", 0, -1));
        Map<String, Double> expected = large();
        expected.remove("member:0");
        expected.remove("member:1");
        expected.remove("member:" + (LARGE - 1));
        expected.put("member:2", 0.5 - 100);
        expected.values().removeIf(score -> score > 10 && score <= 20);
        assertEquals("skiplist", jedis.objectEncoding("large"));
        assertEquals(expected.size(), jedis.zcard("large"));
        Map<String, Double> back = new HashMap<>();
        jedis.zrangeWithScores("large", 0, -1).forEach(t -> back.put(t.getElement(), t.getScore()));
        assertEquals(expected, back);
        assertEquals(0L, jedis.zrank("large", "member:2"));
        assertEquals(expected.size() + 2, jedis.zcard("union"));
        assertEquals(3 * 100.0, jedis.zscore("union", "member:400"));
        assertEquals(List.of("member:400", "member:401", "member:402", "member:403", "member:404"),
                jedis.zrange("range", 0, -1));
    }
}
