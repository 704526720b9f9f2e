package dev.millrace.protocol.server;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HyperLogLogs through real clients: Jedis (RESP2) and Lettuce (RESP3) add, count, merge, move the
 * bytes of a HyperLogLog that redis-server 7.0.15 wrote (GET/SET) and see Redis's errors.
 */
class HyperLogLogIT extends ClientsFixture {
    /** GET after {@code PFADD h a b c} on redis-server 7.0.15: header, stale cache, sparse opcodes. */
    private static final byte[] WRITTEN_BY_REDIS = {'H', 'Y', 'L', 'L', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80,
            0x60, (byte) 0xf3, (byte) 0x80, 0x50, (byte) 0xb1, (byte) 0x84, 0x4b, (byte) 0xfb, (byte) 0x80, 0x42, 0x5a};

    @Test
    void jedisAddsCountsMergesAndMovesRedisBytes() {
        try (Jedis jedis = jedis()) {
            assertEquals(1, jedis.pfadd("jedis:a", "x", "y", "z"));
            assertEquals(0, jedis.pfadd("jedis:a", "x"));
            assertEquals(3, jedis.pfcount("jedis:a"));
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < 10_000; i++) {
                pipeline.pfadd("jedis:b", "member:" + i);
            }
            pipeline.sync();
            long estimate = jedis.pfcount("jedis:b");
            assertTrue(Math.abs(estimate - 10_000) < 10_000 * 3 * 0.0081, "estimate " + estimate);
            assertEquals("OK", jedis.pfmerge("jedis:c", "jedis:a", "jedis:b"));
            assertEquals(jedis.pfcount("jedis:a", "jedis:b"), jedis.pfcount("jedis:c"));

            jedis.set("jedis:redis".getBytes(StandardCharsets.US_ASCII), WRITTEN_BY_REDIS);
            assertEquals(3, jedis.pfcount("jedis:redis"));
            assertEquals(0, jedis.pfadd("jedis:redis", "a", "b", "c"), "the same registers as Redis's a, b, c");

            jedis.set("jedis:text", "not a hyperloglog");
            JedisDataException e = assertThrows(JedisDataException.class, () -> jedis.pfadd("jedis:text", "x"));
            assertEquals("WRONGTYPE Key is not a valid HyperLogLog string value.", e.getMessage());
        }
    }

    @Test
    void lettuceOverResp3() {
        try (StatefulRedisConnection<byte[], byte[]> connection = lettuce.connect(ByteArrayCodec.INSTANCE)) {
            RedisCommands<byte[], byte[]> sync = connection.sync();
            assertEquals(1L, sync.pfadd(bytes("lettuce:h"), bytes("a"), bytes("b"), bytes("c")));
            assertArrayEquals(WRITTEN_BY_REDIS, sync.get(bytes("lettuce:h")), "the bytes Redis keeps for the same PFADD");
            assertEquals(3L, sync.pfcount(bytes("lettuce:h")));
            assertEquals(1L, sync.pfadd(bytes("lettuce:g"), bytes("c"), bytes("d")));
            assertEquals(4L, sync.pfcount(bytes("lettuce:h"), bytes("lettuce:g")));
            assertEquals("OK", sync.pfmerge(bytes("lettuce:m"), bytes("lettuce:h"), bytes("lettuce:g")));
            assertEquals(4L, sync.pfcount(bytes("lettuce:m")));

            sync.set(bytes("lettuce:bad"), bytes("HYLL\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0080~\u007f"));
            RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class,
                    () -> sync.pfcount(bytes("lettuce:bad")));
            assertEquals("INVALIDOBJ Corrupted HLL object detected", e.getMessage());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
