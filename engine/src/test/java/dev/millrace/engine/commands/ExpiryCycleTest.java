package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.millrace.engine.commands.KeyFixtures.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Active expiry through Engine.cron: reclaims expired keys nobody reads, within its time budget. */
class ExpiryCycleTest {
    private static final int TTL_KEYS = 100_000;

    private final EngineHarness h = new EngineHarness();

    private void putTtlKeys(EngineHarness h, int db, int n, long ttlMillis) {
        long expireAt = h.time.get() + ttlMillis;
        for (int i = 0; i < n; i++) {
            put(h, db, "ttl:" + i, "v", expireAt);
        }
    }

    /** Runs cron until the predicate holds; fails after a generous number of calls. */
    private static int cronUntil(EngineHarness h, java.util.function.BooleanSupplier done) {
        int calls = 0;
        while (!done.getAsBoolean()) {
            assertTrue(++calls <= 10_000, "active expiry made no progress");
            h.engine.cron();
        }
        return calls;
    }

    @Test
    void reclaimsEveryExpiredKeyWithoutAnyReadAndLeavesTheOthers() {
        putTtlKeys(h, 0, TTL_KEYS, 1_000);
        for (int i = 0; i < 1_000; i++) {
            put(h, "persistent:" + i, "v");
            put(h, 0, "later:" + i, "v", h.time.get() + 60_000);
        }
        h.engine.cron();
        assertEquals(TTL_KEYS + 2_000, h.store().size(0), "nothing has expired yet");

        h.advance(1_000 + 1);
        cronUntil(h, () -> h.store().size(0) == 2_000);

        assertEquals(TTL_KEYS, h.engine.keyspace().expiredKeys());
        List<String> effects = h.effects();
        assertEquals(TTL_KEYS, effects.size());
        assertTrue(effects.stream().allMatch(e -> e.matches("0:DEL ttl:\\d+")));
        assertTrue(h.logged.size() > 1, "DELs are appended step by step, not as one huge record");
        assertEquals(1L, h.run("EXISTS", "persistent:7"));
        assertEquals(59L, h.run("TTL", "later:7"), "set 60 s ahead, 1 s ago");
        assertEquals(0, h.engine.keyspace().keyspaceHits() - 2, "only this test's own two reads");
    }

    @Test
    void walksEveryDatabase() {
        putTtlKeys(h, 0, 500, 10);
        putTtlKeys(h, 5, 500, 10);
        putTtlKeys(h, 15, 500, 10);
        h.advance(10 + 1);
        cronUntil(h, () -> h.store().size(0) + h.store().size(5) + h.store().size(15) == 0);
        assertTrue(h.effects().contains("15:DEL ttl:3"));
    }

    @Test
    void aRunStopsAtItsTimeBudgetAndTheNextResumes() {
        ServerConfig config = new ServerConfig();
        config.set("hz", "500", true); // a 2 ms period: a budget of 0.5 ms
        EngineHarness fast = new EngineHarness(2, config);
        putTtlKeys(fast, 0, TTL_KEYS, 1);
        fast.advance(1 + 1);
        fast.engine.cron();
        long left = fast.store().size(0);
        assertTrue(left < TTL_KEYS, "a run deletes something");
        assertTrue(left > 0, "but not 100,000 keys in half a millisecond");
        cronUntil(fast, () -> fast.store().size(0) == 0);
    }

    @Test
    void aStepOverASparseDatabaseMakesAtMost25ScanCalls() {
        // A store whose scan calls look at one bucket each, as the Chronicle store's bounded steps
        // answer for a small database beside a big one: a pass over its 64 buckets takes 64 calls.
        h.store().limitScanCalls(1);
        put(h, 0, "k", "v", h.time.get() + 1_000);
        long before = h.store().scans(0);
        h.engine.cron();
        long calls = h.store().scans(0) - before;
        assertEquals(25, calls, "one step, capped: the one key was sampled, nothing expired");
        h.advance(1_001);
        cronUntil(h, () -> h.store().size(0) == 0); // the next runs carry the pass on to the key
    }

    @Test
    void aDatabaseWithFewExpiredKeysIsLeftAfterAStep() {
        for (int i = 0; i < 10_000; i++) {
            put(h, 0, "k" + i, "v", i % 100 == 0 ? h.time.get() + 1 : h.time.get() + 60_000);
        }
        h.advance(1 + 1);
        h.engine.cron();
        long deleted = h.engine.keyspace().expiredKeys();
        assertTrue(deleted < 100, "1% expired is below the 10% that keeps a database's turn going: " + deleted);
        cronUntil(h, () -> h.engine.keyspace().expiredKeys() == 100);
        assertEquals(9_900, h.store().size(0));
    }

    @Test
    void aDatabaseWithoutExpiriesIsNotWalked() {
        for (int i = 0; i < 10_000; i++) {
            put(h, "persistent:" + i, "v");
        }
        h.run("HSET", "hash", "f", "v");
        ExpiryCycle cycle = new ExpiryCycle(h.engine);
        long before = h.store().scans(0);
        cycle.run(h.time.get());
        assertEquals(before, h.store().scans(0), "no key has an expiry: nothing to sample");

        h.run("HPEXPIRE", "hash", "10", "FIELDS", "1", "f");
        h.advance(20);
        cycle.run(h.time.get());
        assertTrue(h.store().scans(0) > before, "a hash field's expiry is walked for");
        cronUntil(h, () -> h.store().size(0) == 10_000);
    }

    @Test
    void aPassThatMeetsNoExpiringKeyLetsTheDatabaseAlone() {
        for (int i = 0; i < 3_000; i++) {
            put(h, "persistent:" + i, "v");
        }
        h.run("SET", "k", "v", "EX", "100");
        assertTrue(h.engine.keyspace().mayHoldExpiringKeys(0));
        h.run("PERSIST", "k");
        cronUntil(h, () -> !h.engine.keyspace().mayHoldExpiringKeys(0));
        ExpiryCycle cycle = new ExpiryCycle(h.engine);
        long scans = h.store().scans(0);
        cycle.run(h.time.get());
        assertEquals(scans, h.store().scans(0), "the database is left alone");

        // A pass cannot vouch for a database when a key may have gained a TTL since the pass began
        // (it may be behind the pass's cursor).
        long passStart = h.engine.keyspace().expiryWrites();
        h.run("SET", "late", "v", "PX", "5");
        h.engine.keyspace().noExpiringKeysFound(0, passStart);
        assertTrue(h.engine.keyspace().mayHoldExpiringKeys(0));
        h.advance(10);
        cronUntil(h, () -> h.store().size(0) == 3_001); // the persistent keys and k
    }

    @Test
    void doesNothingWhileLoadingOrWhenDisabled() {
        putTtlKeys(h, 0, 100, 1);
        h.advance(1 + 1);
        h.engine.keyspace().setLoading(true);
        h.engine.cron();
        h.engine.keyspace().setLoading(false);
        assertEquals(100, h.store().size(0));
        h.engine.setActiveExpireEnabled(false);
        h.engine.cron();
        assertEquals(100, h.store().size(0));
        h.engine.setActiveExpireEnabled(true);
        cronUntil(h, () -> h.store().size(0) == 0);
    }

    /** Runs cron until the walk has completed a pass over database 0 and then stays off it. */
    private void cronUntilIdle() {
        long scans;
        do {
            scans = h.store().scans(0);
            for (int i = 0; i < 5; i++) {
                h.engine.cron();
            }
        } while (h.store().scans(0) != scans);
    }

    @Test
    void aDatabaseFoundWithoutTtlsIsNotWalkedAgainUntilAKeyMayHaveGainedOne() {
        for (int i = 0; i < 1_000; i++) {
            put(h, "persistent:" + i, "v");
        }
        cronUntilIdle();
        h.run("SET", "plain", "v");
        h.run("LPUSH", "list", "a", "b");
        long scans = h.store().scans(0);
        h.engine.cron();
        assertEquals(scans, h.store().scans(0), "writes without a TTL leave an idle database idle");

        // Every way a key can come to expire in database 0 wakes the walk, which reclaims it unread.
        // A key that gets its TTL elsewhere first is given it before database 0 goes idle.
        record Case(Runnable before, Runnable gain) {
        }
        Runnable nothing = () -> { };
        List<Case> cases = List.of(
                new Case(nothing, () -> h.run("SET", "gains", "v", "PX", "5")),
                new Case(nothing, () -> h.run("PEXPIRE", "persistent:1", "5")),
                new Case(() -> {
                    h.run("SELECT", "1");
                    h.run("SET", "gains", "v", "PX", "5");
                    h.run("SELECT", "0");
                }, () -> {
                    h.run("SELECT", "1");
                    h.run("MOVE", "gains", "0");
                    h.run("SELECT", "0");
                }),
                new Case(() -> {
                    h.run("SELECT", "2");
                    h.run("SET", "gains", "v", "PX", "5");
                    h.run("SELECT", "0");
                }, () -> {
                    h.run("SWAPDB", "0", "2");
                }),
                new Case(nothing, () -> {
                    h.run("HSET", "gains", "f", "v");
                    h.run("HPEXPIRE", "gains", "5", "FIELDS", "1", "f");
                }));
        for (Case c : cases) {
            c.before().run();
            cronUntilIdle();
            c.gain().run();
            long size = h.store().size(0);
            h.advance(5 + 1);
            cronUntil(h, () -> h.store().size(0) < size);
        }
    }
}
