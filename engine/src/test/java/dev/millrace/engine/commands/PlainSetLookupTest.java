package dev.millrace.engine.commands;

import dev.millrace.engine.keyspace.Keyspace;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A plain SET replaces its key without the lookup Redis makes first while no key of the database can
 * have expired ({@link Keyspace#mayHoldExpiringKeys}); where one can, the lookup still expires the old
 * key first, with its DEL effect and its count, as in Redis.
 */
class PlainSetLookupTest {
    private final EngineHarness h = new EngineHarness();
    private final Keyspace keyspace = h.engine.keyspace();

    @Test
    void aPlainSetOverAnExpiredKeyExpiresItFirst() {
        h.run("SET", "k", "old", "PX", "10");
        h.advance(20);
        assertEquals("OK", h.run("SET", "k", "new"));
        assertEquals(List.of("0:SET k old PXAT " + (h.time.get() - 10), "0:DEL k", "0:SET k new"), h.effects());
        assertEquals(1L, keyspace.expiredKeys());
        assertEquals("new", h.run("GET", "k"));
    }

    @Test
    void theLookupIsSkippedOnlyWhileNoKeyOfTheDatabaseHasAnExpiry() {
        assertFalse(keyspace.mayHoldExpiringKeys(0));
        h.run("SET", "a", "1");
        h.run("MSET", "b", "2", "c", "3");
        assertFalse(keyspace.mayHoldExpiringKeys(0), "no key has an expiry");

        h.run("EXPIRE", "a", "100");
        assertTrue(keyspace.mayHoldExpiringKeys(0));
        h.run("PERSIST", "a");
        assertTrue(keyspace.mayHoldExpiringKeys(0), "conservative: only an empty database clears it");
        h.run("DEL", "a", "b", "c");
        assertFalse(keyspace.mayHoldExpiringKeys(0), "an empty database");

        h.run("SET", "t", "v", "EX", "100");
        assertTrue(keyspace.mayHoldExpiringKeys(0));
        h.run("MOVE", "t", "1");
        assertTrue(keyspace.mayHoldExpiringKeys(1), "MOVE carries the expiry along");
        h.run("SWAPDB", "0", "1");
        assertTrue(keyspace.mayHoldExpiringKeys(0));
        assertFalse(keyspace.mayHoldExpiringKeys(1));
        h.run("SET", "x", "v");
        h.run("FLUSHDB");
        assertFalse(keyspace.mayHoldExpiringKeys(0));

        h.run("HSET", "h", "f", "v");
        h.run("PEXPIRE", "h", "5");
        assertTrue(keyspace.mayHoldExpiringKeys(0), "a collection's record with an expiry");
        h.advance(10);
        h.run("SET", "h", "string now");
        assertEquals(1L, keyspace.expiredKeys(), "the hash expired before the SET replaced it");
    }
}
