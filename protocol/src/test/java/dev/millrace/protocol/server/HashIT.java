package dev.millrace.protocol.server;

import io.lettuce.core.ExpireArgs;
import io.lettuce.core.KeyValue;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hash commands through real clients against a real server: Jedis (RESP2) and Lettuce (RESP3,
 * where HGETALL is a map and HRANDFIELD WITHVALUES pairs nest), on small and large hashes,
 * including HSCAN cursors over a large hash and Redis 7.4's field expiry as both clients expose it.
 */
class HashIT extends ClientsFixture {
    private static Map<String, String> fields(String prefix, int n) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            fields.put(prefix + i, "value-" + i);
        }
        return fields;
    }

    @Test
    void jedisReadsAndWritesSmallAndLargeHashes() {
        try (Jedis jedis = jedis()) {
            for (int size : new int[]{10, 2000}) {
                String key = "jedis:" + size;
                Map<String, String> expected = fields("f", size);
                assertEquals(size, jedis.hset(key, expected));
                assertEquals(size < 512 ? "listpack" : "hashtable", jedis.objectEncoding(key));
                assertEquals(expected, jedis.hgetAll(key));
                assertEquals(expected.keySet(), jedis.hkeys(key));
                assertEquals(size, jedis.hlen(key));
                assertEquals("value-7", jedis.hget(key, "f7"));
                assertEquals(java.util.Arrays.asList("value-1", null), jedis.hmget(key, "f1", "nope"));
                assertTrue(jedis.hexists(key, "f3"));
                assertEquals(0, jedis.hsetnx(key, "f3", "x"));
                assertEquals(15, jedis.hincrBy(key, "counter", 15));
                assertEquals(2.5, jedis.hincrByFloat(key, "float", 2.5));
                assertEquals(7, jedis.hstrlen(key, "f2"));
                assertEquals(3, jedis.hdel(key, "counter", "float", "f0", "nope"));
                List<Map.Entry<String, String>> random = jedis.hrandfieldWithValues(key, 5);
                assertEquals(5, random.size());
                random.forEach(e -> assertEquals(expected.get(e.getKey()), e.getValue()));
                assertEquals(20, jedis.hrandfield(key, -20).size());
                assertTrue(expected.containsKey(jedis.hrandfield(key)));
            }
            jedis.set("string", "v");
            JedisDataException wrongType = assertThrows(JedisDataException.class, () -> jedis.hget("string", "f"));
            assertTrue(wrongType.getMessage().startsWith("WRONGTYPE"));
            assertEquals("ERR hash value is not an integer",
                    assertThrows(JedisDataException.class, () -> jedis.hincrBy("jedis:10", "f1", 1)).getMessage());
        }
    }

    @Test
    void jedisScansALargeHashInSteps() {
        try (Jedis jedis = jedis()) {
            Map<String, String> expected = fields("scan", 3000);
            jedis.hset("scanned", expected);
            Map<String, String> seen = new HashMap<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int steps = 0;
            do {
                ScanResult<Map.Entry<String, String>> step = jedis.hscan("scanned", cursor, new ScanParams().count(100));
                step.getResult().forEach(e -> assertNull(seen.put(e.getKey(), e.getValue()), "once: " + e.getKey()));
                cursor = step.getCursor();
                steps++;
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(expected, seen);
            assertTrue(steps >= 30, "steps " + steps);
        }
    }

    @Test
    void jedisFieldExpiry() {
        try (Jedis jedis = jedis()) {
            jedis.hset("session", Map.of("user", "ada", "token", "t", "csrf", "c"));
            assertEquals(List.of(1L, -2L), jedis.hexpire("session", 100, "token", "nope"));
            assertEquals(List.of(0L), jedis.hexpire("session", 50, ExpiryOption.GT, "token"));
            assertEquals(List.of(1L), jedis.hpexpire("session", 200, "csrf"));
            List<Long> ttl = jedis.httl("session", "user", "token");
            assertEquals(-1L, ttl.get(0));
            assertTrue(ttl.get(1) > 90 && ttl.get(1) <= 100);
            assertTrue(jedis.hpexpireTime("session", "token").get(0) > System.currentTimeMillis());
            await().atMost(Duration.ofSeconds(10)).until(() -> jedis.hget("session", "csrf") == null);
            assertEquals(List.of(1L), jedis.hpersist("session", "token"));
            assertEquals(Map.of("user", "ada", "token", "t"), jedis.hgetAll("session"));
            assertEquals("listpackex", jedis.objectEncoding("session"));
        }
    }

    @Test
    void lettuceSeesResp3MapsAndPairs() {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            for (int size : new int[]{5, 1500}) {
                String key = "lettuce:" + size;
                Map<String, String> expected = fields("g", size);
                assertEquals(size, redis.hset(key, expected));
                assertEquals(expected, redis.hgetall(key));
                assertEquals(size, redis.hvals(key).size());
                List<KeyValue<String, String>> pairs = redis.hrandfieldWithvalues(key, -7);
                assertEquals(7, pairs.size());
                pairs.forEach(kv -> assertEquals(expected.get(kv.getKey()), kv.getValue()));
                assertEquals("1.5", redis.hincrbyfloat(key, "float", 1.5).toString());
                Set<String> scanned = new HashSet<>();
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    MapScanCursor<String, String> step = redis.hscan(key, cursor, ScanArgs.Builder.limit(64).match("g1*"));
                    step.getMap().keySet().forEach(k -> assertTrue(scanned.add(k)));
                    cursor = step;
                } while (!cursor.isFinished());
                assertEquals(expected.keySet().stream().filter(k -> k.startsWith("g1")).collect(java.util.stream.Collectors.toSet()),
                        scanned);
            }
            assertEquals(Map.of(), redis.hgetall("missing"));
        }
    }

    @Test
    void lettuceFieldExpiry() {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            redis.hset("cart", Map.of("a", "1", "b", "2"));
            assertEquals(List.of(1L), redis.hpexpire("cart", 150, "a"));
            assertEquals(List.of(0L), redis.hexpire("cart", 10, ExpireArgs.Builder.nx(), "a"));
            assertEquals(List.of(-1L, -2L), redis.httl("cart", "b", "c"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !redis.hexists("cart", "a"));
            assertEquals(1L, redis.hlen("cart"));
            assertFalse(redis.hgetall("cart").containsKey("a"));
        }
    }
}
