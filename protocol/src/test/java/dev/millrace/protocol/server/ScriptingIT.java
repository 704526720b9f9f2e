package dev.millrace.protocol.server;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EVAL, EVALSHA and SCRIPT through Jedis (RESP2) and Lettuce (RESP3) against a real server. */
class ScriptingIT extends ClientsFixture {
    private static final String RATE_LIMITER = """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, tonumber(ARGV[1]) - tonumber(ARGV[2]))
            if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
            redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 1
            """;

    @Test
    void jedisEvalsAndCachesScripts() {
        try (Jedis jedis = jedis()) {
            assertEquals("OK", jedis.eval("return redis.call('set', KEYS[1], ARGV[1])", List.of("j:k"), List.of("v")));
            assertEquals("v", jedis.eval("return redis.call('get', KEYS[1])", List.of("j:k"), List.of()));
            assertEquals(List.of(1L, "two", List.of(3L)), jedis.eval("return {1, 'two', {3}}"));
            String sha = jedis.scriptLoad(RATE_LIMITER);
            assertEquals(List.of(true, false), jedis.scriptExists(sha, "0000000000000000000000000000000000000000"));
            for (int i = 0; i < 3; i++) {
                assertEquals(1L, jedis.evalsha(sha, List.of("j:rl"), List.of(Integer.toString(1000 + i), "1000", "3", "r" + i)));
            }
            assertEquals(0L, jedis.evalsha(sha, List.of("j:rl"), List.of("1003", "1000", "3", "r3")));
            byte[] binary = new byte[256];
            for (int i = 0; i < binary.length; i++) {
                binary[i] = (byte) i;
            }
            assertArrayEquals(binary, (byte[]) jedis.eval("return ARGV[1]".getBytes(), 0, binary));
            JedisDataException error = assertThrows(JedisDataException.class, () -> jedis.eval("return redis.call('incr', 'j:k')"));
            assertTrue(error.getMessage().startsWith("ERR value is not an integer or out of range script: "), error.getMessage());
            assertThrows(JedisNoScriptException.class, () -> jedis.evalsha("ffffffffffffffffffffffffffffffffffffffff"));
            assertEquals("OK", jedis.scriptFlush());
            assertEquals(false, jedis.scriptExists(sha));
        }
    }

    @Test
    void lettuceEvalsInResp3() {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            redis.hset("l:h", "f", "v");
            List<Object> pairs = redis.eval("return redis.call('hgetall', KEYS[1])", ScriptOutputType.MULTI, "l:h");
            assertEquals(List.of("f", "v"), pairs);
            String sha = redis.scriptLoad(RATE_LIMITER);
            Long admitted = redis.evalsha(sha, ScriptOutputType.INTEGER, new String[] {"l:rl"}, "1000", "1000", "1", "a");
            assertEquals(1L, admitted);
            assertEquals(0L, (Long) redis.evalsha(sha, ScriptOutputType.INTEGER, new String[] {"l:rl"}, "1001", "1000", "1", "b"));
            assertEquals(Boolean.TRUE, redis.eval("redis.setresp(3) return true", ScriptOutputType.BOOLEAN));
            assertEquals(List.of("f", "v"), redis.eval("redis.setresp(3) local t = redis.call('hgetall', KEYS[1]).map"
                    + " return {'f', t.f}", ScriptOutputType.MULTI, "l:h"));
            assertEquals("x", redis.evalReadOnly("return ARGV[1]".getBytes(), ScriptOutputType.VALUE, new String[0], "x"));
            RedisCommandExecutionException error = assertThrows(RedisCommandExecutionException.class,
                    () -> redis.evalReadOnly("return redis.call('del', KEYS[1])".getBytes(), ScriptOutputType.INTEGER, new String[] {"l:h"}));
            assertTrue(error.getMessage().startsWith("ERR Write commands are not allowed from read-only scripts."), error.getMessage());
        }
    }

    private static final String LIBRARY = """
            #!lua name=counters
            redis.register_function('bump', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)
            redis.register_function{function_name='peek', callback=function(keys) return redis.call('GET', keys[1]) end,
              flags={'no-writes'}}
            """;

    @Test
    void jedisAndLettuceCallFunctions() {
        try (Jedis jedis = jedis()) {
            jedis.functionFlush();
            assertEquals("counters", jedis.functionLoad(LIBRARY));
            assertEquals(5L, jedis.fcall("bump", List.of("f:n"), List.of("5")));
            assertEquals("5", jedis.fcallReadonly("peek", List.of("f:n"), List.of()));
            JedisDataException error = assertThrows(JedisDataException.class, () -> jedis.fcall("nosuch", List.of(), List.of()));
            assertEquals("ERR Function not found", error.getMessage());
        }
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            assertEquals(7L, (Long) redis.fcall("bump", ScriptOutputType.INTEGER, new String[] {"f:n"}, "2"));
            assertEquals("7", redis.fcallReadOnly("peek", ScriptOutputType.VALUE, "f:n"));
            assertEquals("counters", redis.functionLoad(LIBRARY, true));
        }
    }
}
