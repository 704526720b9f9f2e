package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A script's writes wake blocked clients only once the whole script has run (Redis serves ready keys
 * after the top-level command), and the served client's effects join the script's record.
 */
class ScriptWakeTest {
    private final EngineHarness h = new EngineHarness();

    private static List<Object> list(Object... elements) {
        return Arrays.asList(elements);
    }

    private OtherClient blocked(String... command) {
        OtherClient c = new OtherClient(h, "127.0.0.1:" + (41000 + h.engine.clients().count()), 2);
        c.run(command);
        assertTrue(c.session.blocked(), "blocked: " + String.join(" ", command));
        return c;
    }

    @Test
    void entriesAScriptAddsWakeXreadOnlyAfterTheScriptAndItSeesThemAll() {
        h.run("XADD", "s", "1-0", "f", "old");
        OtherClient reader = blocked("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        assertEquals(3L, h.run("EVAL", """
                redis.call('XADD', KEYS[1], '2-0', 'f', 'one')
                redis.call('XADD', KEYS[1], '3-0', 'f', 'two')
                return redis.call('XLEN', KEYS[1])""", "1", "s"));
        assertEquals(List.of(List.of(List.of("s", List.of(
                List.of("2-0", List.of("f", "one")),
                List.of("3-0", List.of("f", "two")))))), reader.replies());
    }

    @Test
    void aScriptThatPushesAndPopsLeavesABlockedPopWhatRemainsAndOneRecord() {
        OtherClient popper = blocked("BLPOP", "q", "0");
        h.logged.clear();
        assertEquals("a", h.run("EVAL", """
                redis.call('RPUSH', KEYS[1], 'a')
                local first = redis.call('LPOP', KEYS[1])
                redis.call('RPUSH', KEYS[1], 'b')
                return first""", "1", "q"));
        assertEquals(List.of(list("q", "b")), popper.replies());
        assertEquals(List.of("0:RPUSH q a", "0:LPOP q", "0:RPUSH q b", "0:LPOP q"), h.effects());
        assertEquals(1, h.logged.size(), "the script and the pop it made possible: one record");
    }
}
