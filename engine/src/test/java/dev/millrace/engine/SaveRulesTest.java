package dev.millrace.engine;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The {@code save <seconds> <changes>} rules trigger a background snapshot from cron. */
class SaveRulesTest {
    private final EngineHarness h = new EngineHarness();

    @Test
    void aSnapshotStartsOnceEnoughChangesAreOldEnough() {
        assertEquals("OK", h.run("CONFIG", "SET", "save", "10 2"));
        long before = (Long) h.run("LASTSAVE");
        h.run("SET", "a", "1");
        h.advance(11_000);
        h.engine.cron();
        assertEquals(before, h.run("LASTSAVE"), "one change is below the rule's two");
        assertEquals(1, h.engine.keyspace().dirty());
        h.run("SET", "b", "2");
        h.engine.cron();
        assertEquals(0, h.engine.keyspace().dirty(), "the snapshot took the changes");
    }

    @Test
    void noRulesNoSnapshots() {
        assertEquals("OK", h.run("CONFIG", "SET", "save", ""));
        h.run("SET", "a", "1");
        h.advance(100_000_000);
        h.engine.cron();
        assertEquals(1, h.engine.keyspace().dirty());
    }
}
