package dev.millrace.engine.scripting;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scripts users copy from tutorials: a sliding-window rate limiter and a BullMQ-style job queue. Their
 * effects, replayed into a fresh engine (the AOF's path), rebuild the same dataset.
 */
class ScriptPatternsTest {
    /** Allows ARGV[3] requests per ARGV[2] ms window; ARGV[1] is now (ms), ARGV[4] the request id. */
    static final String RATE_LIMITER = """
            local key = KEYS[1]
            local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
            redis.call('ZREMRANGEBYSCORE', key, 0, now - window)
            local count = redis.call('ZCARD', key)
            if count >= limit then
              return 0
            end
            redis.call('ZADD', key, now, ARGV[4])
            redis.call('PEXPIRE', key, window)
            return limit - redis.call('ZCARD', key) + 1
            """;

    /** BullMQ's addJob, reduced: a job id from a counter, the job hash, the wait list, an event. */
    static final String ADD_JOB = """
            local id = redis.call('INCR', KEYS[1] .. ':id')
            local jobKey = KEYS[1] .. ':' .. id
            redis.call('HSET', jobKey, 'name', ARGV[1], 'data', ARGV[2], 'timestamp', ARGV[3], 'attemptsMade', 0)
            redis.call('LPUSH', KEYS[1] .. ':wait', id)
            redis.call('XADD', KEYS[1] .. ':events', '*', 'event', 'waiting', 'jobId', id)
            return id
            """;

    /** moveToActive: the oldest waiting job goes to active with its processedOn time and a lock. */
    static final String MOVE_TO_ACTIVE = """
            local id = redis.call('RPOPLPUSH', KEYS[1] .. ':wait', KEYS[1] .. ':active')
            if not id then
              return false
            end
            local jobKey = KEYS[1] .. ':' .. id
            redis.call('SET', jobKey .. ':lock', ARGV[1], 'PX', ARGV[2])
            redis.call('HSET', jobKey, 'processedOn', ARGV[3])
            redis.call('HINCRBY', jobKey, 'attemptsMade', 1)
            return {id, redis.call('HGET', jobKey, 'data')}
            """;

    /** moveToCompleted: checks the lock, then active to the completed set with the job's result. */
    static final String MOVE_TO_COMPLETED = """
            local jobKey = KEYS[1] .. ':' .. ARGV[1]
            if redis.call('GET', jobKey .. ':lock') ~= ARGV[2] then
              return redis.error_reply('ERR job lock lost')
            end
            redis.call('DEL', jobKey .. ':lock')
            redis.call('LREM', KEYS[1] .. ':active', -1, ARGV[1])
            redis.call('ZADD', KEYS[1] .. ':completed', ARGV[3], ARGV[1])
            redis.call('HSET', jobKey, 'finishedOn', ARGV[3], 'returnvalue', ARGV[4])
            redis.call('XADD', KEYS[1] .. ':events', '*', 'event', 'completed', 'jobId', ARGV[1])
            return 1
            """;

    private static EngineHarness harness() {
        ServerConfig config = new ServerConfig();
        config.set("enable-debug-command", "yes", true);
        return new EngineHarness(2, config);
    }

    private static void assertReplayRebuilds(EngineHarness live) {
        EngineHarness replayed = harness();
        replayed.time.set(live.time.get());
        List<Effect> flat = new ArrayList<>();
        live.logged.forEach(flat::addAll);
        replayed.engine.replay(flat);
        assertEquals(live.run("DEBUG", "DIGEST"), replayed.run("DEBUG", "DIGEST"));
        for (String effect : live.effects()) {
            assertTrue(!effect.contains("EVAL"), "a script is logged as its effects: " + effect);
        }
    }

    @Test
    void theRateLimiterAdmitsUpToItsLimitPerWindow() {
        EngineHarness h = harness();
        String sha = (String) h.run("SCRIPT", "LOAD", RATE_LIMITER);
        long now = 1_000_000;
        List<Object> admitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            admitted.add(h.run("EVALSHA", sha, "1", "rl:user", Long.toString(now + i), "1000", "3", "req" + i));
        }
        assertEquals(List.of(3L, 2L, 1L, 0L, 0L), admitted);
        assertEquals(3L, h.run("ZCARD", "rl:user"));
        assertEquals(1L, h.run("EVALSHA", sha, "1", "rl:user", Long.toString(now + 1000), "1000", "3", "late"),
                "the first request left the window");
        assertEquals(List.of("req1", "req2", "late"), h.run("ZRANGE", "rl:user", "0", "-1"));
        assertTrue((Long) h.run("PTTL", "rl:user") > 0);
        assertReplayRebuilds(h);
    }

    @Test
    void aJobQueueMovesJobsThroughItsStates() {
        EngineHarness h = harness();
        String add = (String) h.run("SCRIPT", "LOAD", ADD_JOB);
        String activate = (String) h.run("SCRIPT", "LOAD", MOVE_TO_ACTIVE);
        String complete = (String) h.run("SCRIPT", "LOAD", MOVE_TO_COMPLETED);
        for (int i = 1; i <= 3; i++) {
            assertEquals((long) i, h.run("EVALSHA", add, "1", "bull:q", "email", "{\"to\":" + i + "}", "100" + i));
        }
        assertEquals(List.of("1", "{\"to\":1}"), h.run("EVALSHA", activate, "1", "bull:q", "token-a", "30000", "2000"));
        assertEquals(List.of("2", "{\"to\":2}"), h.run("EVALSHA", activate, "1", "bull:q", "token-b", "30000", "2001"));
        assertEquals(1L, h.run("EVALSHA", complete, "1", "bull:q", "1", "token-a", "3000", "sent"));
        assertEquals(EngineHarness.err("ERR job lock lost"), h.run("EVALSHA", complete, "1", "bull:q", "2", "wrong", "3001", "x"));
        assertEquals(List.of("3"), h.run("LRANGE", "bull:q:wait", "0", "-1"));
        assertEquals(List.of("2"), h.run("LRANGE", "bull:q:active", "0", "-1"));
        assertEquals(List.of("1"), h.run("ZRANGE", "bull:q:completed", "0", "-1"));
        assertEquals("1", h.run("HGET", "bull:q:1", "attemptsMade"));
        assertEquals("sent", h.run("HGET", "bull:q:1", "returnvalue"));
        assertEquals(4L, h.run("XLEN", "bull:q:events"));
        assertReplayRebuilds(h);
    }
}
