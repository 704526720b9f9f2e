package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** XREAD BLOCK: woken by XADD, {@code $} resolved when blocking, timeouts. */
class StreamBlockingTest {
    private final EngineHarness h = new EngineHarness();

    private OtherClient blocked(String... command) {
        OtherClient c = new OtherClient(h, "127.0.0.1:" + (40000 + h.engine.clients().count()), 2);
        c.run(command);
        assertTrue(c.replies().isEmpty(), "blocked: no reply yet to " + String.join(" ", command));
        assertTrue(c.session.blocked());
        return c;
    }

    private static List<Object> entry(String id, String... fieldsAndValues) {
        return List.of(id, Arrays.asList((Object[]) fieldsAndValues));
    }

    @Test
    void everyWaiterOfAStreamGetsTheNewEntry() {
        h.run("XADD", "s", "1-0", "f", "old");
        OtherClient first = blocked("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        OtherClient second = blocked("XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "other", "s", "0", "1-0");
        h.run("XADD", "s", "2-0", "f", "new");
        List<Object> expected = List.of(List.of("s", List.of(entry("2-0", "f", "new"))));
        assertEquals(expected, first.replies().get(0));
        assertEquals(expected, second.replies().get(0));
        assertFalse(first.session.blocked());
        assertFalse(second.session.blocked());
    }

    @Test
    void aDollarWaiterIgnoresEntriesOlderThanItsBlock() {
        h.run("XADD", "s", "5-0", "f", "v");
        OtherClient c = blocked("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        h.run("XADD", "other", "1-0", "f", "v");
        assertTrue(c.session.blocked());
        h.run("XADD", "s", "6-0", "f", "w");
        assertEquals(List.of(List.of("s", List.of(entry("6-0", "f", "w")))), c.replies().get(0));
    }

    @Test
    void timesOutWithANullArray() {
        OtherClient c = blocked("XREAD", "BLOCK", "100", "STREAMS", "s", "$");
        h.advance(101);
        h.engine.cron();
        assertEquals(1, c.replies().size());
        assertNull(c.replies().get(0));
        assertFalse(c.session.blocked());
    }

    @Test
    void refusesBadTimeouts() {
        assertEquals(EngineHarness.err("ERR timeout is negative"), h.run("XREAD", "BLOCK", "-1", "STREAMS", "s", "$"));
        assertEquals(EngineHarness.err("ERR timeout is not an integer or out of range"),
                h.run("XREAD", "BLOCK", "1.5", "STREAMS", "s", "$"));
    }
}
