package dev.millrace.protocol.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hashes, small and large, with field expiries, across a clean SHUTDOWN and across kill -9 of a
 * child-JVM server on Chronicle storage: every acknowledged write comes back (appendfsync always),
 * field TTLs keep counting down, and the large hash's pages come back with its record.
 */
class HashRestartIT {
    private static final int LARGE = 5000;

    @TempDir
    Path tmp;

    @Test
    void cleanShutdownKeepsHashesAndFieldTtls() throws Exception {
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
    void killNineKeepsEveryAcknowledgedHashWrite() throws Exception {
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

    private static Map<String, String> large() {
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i < LARGE; i++) {
            fields.put("field:" + i, "value:" + i);
        }
        return fields;
    }

    private static void writeSample(Jedis jedis) {
        jedis.hset("small", Map.of("a", "1", "b", "2", "c", "3"));
        jedis.hincrBy("small", "a", 41);
        jedis.hincrByFloat("small", "f", 0.5);
        jedis.hdel("small", "b");
        Map<String, String> chunk = new HashMap<>();
        for (Map.Entry<String, String> field : large().entrySet()) {
            chunk.put(field.getKey(), field.getValue());
            if (chunk.size() == 500) {
                jedis.hset("large", chunk);
                chunk.clear();
            }
        }
        jedis.hdel("large", "field:0", "field:1");
        jedis.hincrBy("large", "counter", 7);
        for (String key : List.of("small", "large")) {
            jedis.hexpire(key, 1000, key.equals("small") ? "c" : "field:2");
            jedis.hpexpire(key, 1500, key.equals("small") ? "f" : "field:3");
        }
    }

    private static void checkSample(Jedis jedis) {
        // the short field TTLs still run out after the restart
        await().atMost(Duration.ofSeconds(10)).until(() -> !jedis.hexists("small", "f"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !jedis.hexists("large", "field:3"));
        assertEquals(Map.of("a", "42", "c", "3"), jedis.hgetAll("small"));
        assertEquals("listpackex", jedis.objectEncoding("small"));
        Map<String, String> expected = large();
        expected.keySet().removeAll(List.of("field:0", "field:1", "field:3"));
        expected.put("counter", "7");
        assertEquals("hashtable", jedis.objectEncoding("large"));
        assertEquals(expected.size(), jedis.hlen("large"));
        assertEquals(expected, jedis.hgetAll("large"));
        for (String key : List.of("small", "large")) {
            long ttl = jedis.httl(key, key.equals("small") ? "c" : "field:2").get(0);
            assertTrue(ttl > 900 && ttl <= 1000, key + " ttl " + ttl);
        }
    }
}
