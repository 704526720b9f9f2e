package dev.millrace.engine.config;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** client-output-buffer-limit through CONFIG SET/GET, with the replies redis-server 7.0.15 gives. */
class OutputBufferLimitsTest {
    private final EngineHarness h = new EngineHarness();

    private Object get() {
        return h.run("CONFIG", "GET", "client-output-buffer-limit");
    }

    private static Map<Object, Object> value(String limits) {
        return Map.of("client-output-buffer-limit", limits);
    }

    private static Object failed(String reason) {
        return err("ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - " + reason);
    }

    @Test
    void defaultIsRedis70s() {
        assertEquals(value("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"), get());
        OutputBufferLimits limits = h.config.outputBufferLimits();
        assertEquals(new OutputBufferLimits.Limit(32L << 20, 8L << 20, 60), limits.pubsub());
        assertEquals(new OutputBufferLimits.Limit(0, 0, 0), limits.normal());
    }

    @Test
    void aSetChangesOnlyTheClassesItNamesWithMemoryUnits() {
        assertEquals("OK", h.run("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 10"));
        assertEquals(value("normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 10"), get());
        assertEquals("OK", h.run("CONFIG", "SET", "client-output-buffer-limit", "normal 1 2 3 replica 4 5 6"));
        assertEquals(value("normal 1 2 3 slave 4 5 6 pubsub 1048576 524288 10"), get());
        assertEquals("OK", h.run("CONFIG", "SET", "client-output-buffer-limit", "PUBSUB 1k 2 3"));
        assertEquals(value("normal 1 2 3 slave 4 5 6 pubsub 1000 2 3"), get());
        assertEquals("OK", h.run("CONFIG", "SET", "client-output-buffer-limit", ""));
        assertEquals("OK", h.run("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 0 0 pubsub 5 5 5"));
        assertEquals(value("normal 1 2 3 slave 4 5 6 pubsub 5 5 5"), get(), "the last group of a class wins");
    }

    @Test
    void invalidValuesAreRefusedWithRedisReasonsAndChangeNothing() {
        assertEquals(failed("Wrong number of arguments in buffer limit configuration."),
                h.run("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb"));
        assertEquals(failed("Invalid client class specified in buffer limit configuration."),
                h.run("CONFIG", "SET", "client-output-buffer-limit", "foo 1 2 3"));
        assertEquals(failed("Invalid client class specified in buffer limit configuration."),
                h.run("CONFIG", "SET", "client-output-buffer-limit", "master 1 2 3"));
        for (String bad : new String[] {"pubsub x 1 1", "pubsub 1 2 x", "pubsub 1 2 -1", "pubsub -1 0 0",
                "normal 1 1 1 pubsub 1 1 x"}) {
            assertEquals(failed("Error in hard, soft or soft_seconds setting in buffer limit configuration."),
                    h.run("CONFIG", "SET", "client-output-buffer-limit", bad), bad);
        }
        assertEquals(value(OutputBufferLimits.DEFAULT), get());
    }
}
