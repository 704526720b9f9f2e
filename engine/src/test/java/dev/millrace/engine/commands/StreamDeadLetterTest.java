package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.millrace.engine.commands.StoredRecords.replayed;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Millrace's dead letters: MILLRACE.XDEADLETTER, and XCLAIM/XAUTOCLAIM moving an entry delivered as
 * often as its group allows to the dead-letter stream (acknowledged in the group) instead of
 * delivering it again; the effects replay to the same two streams and PEL.
 */
class StreamDeadLetterTest {
    private final EngineHarness h = new EngineHarness();

    private void setUp() {
        h.run("XADD", "jobs", "1-0", "task", "a");
        h.run("XADD", "jobs", "2-0", "task", "b");
        h.run("XGROUP", "CREATE", "jobs", "workers", "0");
        h.run("XREADGROUP", "GROUP", "workers", "w1", "STREAMS", "jobs", ">");
        assertEquals("OK", h.run("MILLRACE.XDEADLETTER", "SET", "jobs", "workers", "MAXDELIVERIES", "2", "STREAM", "jobs:dead"));
    }

    @Test
    void xautoclaimMovesAnEntryPastItsDeliveryLimit() {
        setUp();
        // Second delivery: allowed (the limit counts deliveries made).
        List<?> first = (List<?>) h.run("XAUTOCLAIM", "jobs", "workers", "w2", "0", "0", "COUNT", "1");
        assertEquals(1, ((List<?>) first.get(1)).size());
        // 1-0 was delivered twice: next time it goes to the dead letters; 2-0 (once) is claimed.
        List<?> second = (List<?>) h.run("XAUTOCLAIM", "jobs", "workers", "w3", "0", "0");
        List<?> claimed = (List<?>) second.get(1);
        assertEquals(1, claimed.size());
        assertEquals("2-0", ((List<?>) claimed.get(0)).get(0));
        List<?> dead = (List<?>) h.run("XRANGE", "jobs:dead", "-", "+");
        assertEquals(1, dead.size());
        assertEquals(List.of("task", "a", "dead-letter-stream", "jobs", "dead-letter-id", "1-0",
                "dead-letter-group", "workers", "dead-letter-deliveries", "2"), ((List<?>) dead.get(0)).get(1));
        List<?> summary = (List<?>) h.run("XPENDING", "jobs", "workers");
        assertEquals(1L, summary.get(0), "1-0 was acknowledged in the group");
        assertTrue(h.effects().stream().anyMatch(e -> e.startsWith("0:XACK jobs workers 1-0")), h.effects().toString());
        EngineHarness again = replayed(h, 0);
        assertEquals(h.run("XRANGE", "jobs:dead", "-", "+"), again.run("XRANGE", "jobs:dead", "-", "+"));
        assertEquals(h.run("XPENDING", "jobs", "workers", "-", "+", "10"), again.run("XPENDING", "jobs", "workers", "-", "+", "10"));
    }

    @Test
    void xclaimMovesItToo() {
        setUp();
        h.run("XCLAIM", "jobs", "workers", "w2", "0", "1-0");
        assertEquals(List.of(), h.run("XCLAIM", "jobs", "workers", "w3", "0", "1-0"));
        assertEquals(1L, h.run("XLEN", "jobs:dead"));
    }

    @Test
    void theCommandShowsSetsAndResets() {
        setUp();
        assertEquals(Map.of("max-deliveries", 2L, "stream", "jobs:dead"),
                EngineHarness.asMap(h.run("MILLRACE.XDEADLETTER", "GET", "jobs", "workers")));
        assertEquals("OK", h.run("MILLRACE.XDEADLETTER", "RESET", "jobs", "workers"));
        assertNull(h.run("MILLRACE.XDEADLETTER", "GET", "jobs", "workers"));
        for (int i = 0; i < 4; i++) {
            h.run("XCLAIM", "jobs", "workers", "w2", "0", "1-0");
        }
        assertEquals(0L, h.run("EXISTS", "jobs:dead"));
        assertEquals(err("NOGROUP No such consumer group 'nope' for key name 'jobs'"),
                h.run("MILLRACE.XDEADLETTER", "GET", "jobs", "nope"));
        assertEquals(err("ERR value is out of range, must be positive"),
                h.run("MILLRACE.XDEADLETTER", "SET", "jobs", "workers", "MAXDELIVERIES", "0", "STREAM", "d"));
        assertEquals(err("ERR the dead-letter stream must be another key than the stream"),
                h.run("MILLRACE.XDEADLETTER", "SET", "jobs", "workers", "MAXDELIVERIES", "3", "STREAM", "jobs"));
        assertEquals(err("ERR wrong number of arguments for 'millrace.xdeadletter|set' command"),
                h.run("MILLRACE.XDEADLETTER", "SET", "jobs", "workers", "MAXDELIVERIES", "3"));
    }
}
