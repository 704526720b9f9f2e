package dev.millrace.engine.commands;

import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.millrace.engine.commands.KeyFixtures.contents;
import static dev.millrace.engine.commands.KeyFixtures.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The effects key commands log are enough to rebuild the keyspace: replaying them (Engine.replay, the
 * AOF's path) into an engine that started from the same keyspace gives the same keys, values and TTLs,
 * even when replayed long after the TTLs passed.
 */
class KeyEffectsReplayTest {

    /** The same starting keyspace in both engines (put directly: key tests do not use the string family). */
    private static EngineHarness seeded(long time) {
        EngineHarness h = new EngineHarness();
        h.time.set(time);
        for (String key : List.of("a", "b", "c", "d", "e", "f", "g", "h", "n")) {
            put(h, key, "value-" + key);
        }
        put(h, 0, "ttl", "v", time + 30_000);
        put(h, 0, "short", "v", time + 1_000);
        put(h, 1, "x", "in-db-1", time + 90_000);
        return h;
    }

    @Test
    void replayedEffectsRebuildTheSameKeyspaceWithTtls() {
        long t0 = 1_700_000_000_000L;
        EngineHarness live = seeded(t0);
        live.run("EXPIRE", "a", "100");
        live.run("PEXPIRE", "b", "5000", "NX");
        live.run("EXPIREAT", "c", "1");
        live.run("PERSIST", "ttl");
        live.run("RENAME", "e", "e2");
        live.run("RENAMENX", "f", "g");
        live.run("RENAMENX", "f", "f2");
        live.run("COPY", "g", "g2", "DB", "2");
        live.run("COPY", "h", "g", "REPLACE");
        live.run("MOVE", "a", "3");
        live.run("EXPIRE", "d", "10", "GT");
        live.run("EXPIRE", "d", "10", "LT");
        live.run("UNLINK", "n", "nokey");
        live.advance(2_000 + 1);
        live.run("EXISTS", "short");
        live.run("TOUCH", "b");
        live.advance(20_000 + 1);
        live.run("SCAN", "0", "COUNT", "1000");
        live.run("PEXPIREAT", "e2", Long.toString(live.time.get() + 500));
        live.run("DEL", "g2");

        List<String> effects = live.effects();
        assertTrue(effects.contains("0:DEL c"), "a past EXPIREAT is logged as DEL");
        assertTrue(effects.contains("0:DEL short"), "a lazy expiry is logged as DEL");
        assertTrue(effects.contains("0:PEXPIREAT d " + (t0 + 10_000)), "LT's condition dropped once decided");
        assertTrue(effects.contains("0:DEL d"), "SCAN deletes the expired keys it meets");

        EngineHarness replayed = seeded(t0);
        replayed.time.set(live.time.get() + 3_600_000);
        List<Effect> flat = new ArrayList<>();
        live.logged.forEach(flat::addAll);
        replayed.engine.replay(flat);

        assertEquals(contents(live), contents(replayed));
        assertEquals(List.of(), replayed.effects(), "replay logs nothing again");
    }

    @Test
    void aTimeThatPassedBeforeReplayStillArrivesAsAnExpiryNotADeletion() {
        long t0 = 1_700_000_000_000L;
        EngineHarness live = seeded(t0);
        live.run("EXPIRE", "a", "10");
        EngineHarness replayed = seeded(t0);
        replayed.time.set(t0 + 60_000);
        List<Effect> flat = new ArrayList<>();
        live.logged.forEach(flat::addAll);
        replayed.engine.replay(flat);
        assertEquals(contents(live), contents(replayed), "the key is kept, with its TTL, while loading");
        assertEquals(-2L, replayed.run("TTL", "a"), "and expires on first access after loading");
        assertEquals(List.of("0:DEL a"), replayed.effects());
    }
}
