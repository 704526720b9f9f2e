package dev.millrace.protocol.server;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SortArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SortingParams;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SORT and SORT_RO through real clients: Jedis's SortingParams (RESP2) and Lettuce's SortArgs (RESP3),
 * on a list, a set and a sorted set, with BY, GET, LIMIT, DESC, ALPHA and STORE, and the errors as the
 * clients surface them.
 */
class SortIT {

    @Test
    void jedisSortsWithEveryOption() throws IOException {
        try (TestServer server = TestServer.start(); Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
            jedis.rpush("ids", "3", "1", "2");
            jedis.mset("w_1", "30", "w_2", "10", "w_3", "20");
            jedis.hset("user_1", "name", "ann");
            jedis.hset("user_2", "name", "bob");
            assertEquals(List.of("1", "2", "3"), jedis.sort("ids"));
            assertEquals(List.of("2", "3", "1"), jedis.sort("ids", new SortingParams().by("w_*")));
            assertEquals(Arrays.asList("bob", "2", null, "3"),
                    jedis.sort("ids", new SortingParams().by("w_*").limit(0, 2).get("user_*->name", "#")));
            assertEquals(List.of("2", "1"), jedis.sort("ids", new SortingParams().nosort().desc().limit(0, 2)));
            assertEquals(List.of("3", "2", "1"), jedis.sortReadonly("ids", new SortingParams().desc()));
            assertEquals(3, jedis.sort("ids", new SortingParams().by("w_*").desc(), "sorted"));
            assertEquals(List.of("1", "3", "2"), jedis.lrange("sorted", 0, -1));

            jedis.sadd("fruits", "pear", "apple", "fig");
            assertEquals(List.of("apple", "fig", "pear"), jedis.sort("fruits", new SortingParams().alpha()));
            assertEquals(3, jedis.sort("fruits", new SortingParams().nosort(), "fruit-list"));
            assertEquals(List.of("apple", "fig", "pear"), jedis.lrange("fruit-list", 0, -1));
            jedis.zadd("z", 2, "b");
            jedis.zadd("z", 1, "c");
            assertEquals(List.of("c", "b"), jedis.sort("z", new SortingParams().nosort()));
            assertEquals(0, jedis.sort("missing", new SortingParams(), "fruit-list"));
            assertFalse(jedis.exists("fruit-list"));

            Exception notNumbers = assertThrows(Exception.class, () -> jedis.sort("fruits"));
            assertEquals("ERR One or more scores can't be converted into double", notNumbers.getMessage());
            jedis.set("text", "x");
            Exception wrongType = assertThrows(Exception.class, () -> jedis.sort("text"));
            assertTrue(wrongType.getMessage().startsWith("WRONGTYPE"));
        }
    }

    @Test
    void lettuceSortsInResp3() throws IOException {
        try (TestServer server = TestServer.start()) {
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> redis = connection.sync();
                redis.rpush("ids", "3", "1", "2");
                redis.mset(java.util.Map.of("w_1", "30", "w_2", "10", "w_3", "20"));
                redis.hset("user_3", "name", "cy");
                assertEquals(List.of("1", "2", "3"), redis.sort("ids"));
                assertEquals(List.of("1", "3"), redis.sort("ids", SortArgs.Builder.by("w_*").desc().limit(0, 2)));
                assertEquals(Arrays.asList("2", null, "3", "cy"),
                        redis.sort("ids", SortArgs.Builder.by("w_*").get("#").get("user_*->name").limit(0, 2)));
                assertEquals(List.of("3", "2", "1"), redis.sortReadOnly("ids", SortArgs.Builder.desc()));
                assertEquals(3L, redis.sortStore("ids", SortArgs.Builder.alpha().desc(), "stored"));
                assertEquals(List.of("3", "2", "1"), redis.lrange("stored", 0, -1));
                redis.zadd("z", 2.0, "b", 1.0, "c", 3.0, "a");
                assertEquals(List.of("b", "a"), redis.sort("z", SortArgs.Builder.by("nosort").limit(1, 2)));
                assertEquals(List.of("a", "b", "c"), redis.sort("z", SortArgs.Builder.alpha()));
                assertEquals(Arrays.asList(null, null), redis.sort("ids", SortArgs.Builder.by("constant").get("no-star").limit(1, 2)));
                redis.rpush("words", "b", "a");
                Exception notNumbers = assertThrows(RedisCommandExecutionException.class, () -> redis.sort("words"));
                assertEquals("ERR One or more scores can't be converted into double", notNumbers.getMessage());
            } finally {
                client.shutdown();
            }
        }
    }
}
