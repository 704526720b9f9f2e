package dev.millrace.engine.commands;

import dev.millrace.engine.keyspace.Keyspace;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.millrace.engine.commands.StoredRecords.replayed;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Millrace's stream retention: MILLRACE.XRETENTION, the server defaults, and the background trim by
 * age and by size, with an injected clock; undelivered entries kept unless the policy drops them;
 * trims logged as exact XTRIMs that replay to the same stream.
 */
class StreamRetentionTest {
    private final EngineHarness h = new EngineHarness();
    private final long t0 = h.time.get();

    private void add(String key, long ms, String value) {
        h.run("XADD", key, ms + "-0", "f", value);
    }

    private void cron() {
        for (int i = 0; i < 3; i++) {
            h.engine.cron();
        }
    }

    @Test
    void trimsEntriesOlderThanMaxAge() {
        add("s", t0 - 10_000, "a");
        add("s", t0 - 5_000, "b");
        add("s", t0 - 100, "c");
        assertEquals("OK", h.run("MILLRACE.XRETENTION", "SET", "s", "MAXAGE", "3000"));
        cron();
        assertEquals(1L, h.run("XLEN", "s"));
        assertTrue(h.effects().contains("0:XTRIM s MAXLEN = 1"), h.effects().toString());
        h.advance(3_000);
        cron();
        assertEquals(0L, h.run("XLEN", "s"));
        assertEquals(1L, h.run("EXISTS", "s"), "an emptied stream stays, as after XTRIM");
        EngineHarness again = replayed(h, 0);
        assertEquals(0L, again.run("XLEN", "s"));
        assertEquals(h.run("XINFO", "STREAM", "s"), again.run("XINFO", "STREAM", "s"));
    }

    /** As XTRIM: a retention trim that would drop only deleted entries changes nothing (see StreamCommandsTest). */
    @Test
    void aTrimOfOnlyDeletedEntriesChangesNothing() {
        add("s", t0 - 40_000, "a");
        add("s", t0 - 30_000, "b");
        add("s", t0 - 20_000, "c");
        add("s", t0 - 100, "d");
        h.run("XDEL", "s", (t0 - 20_000) + "-0");
        assertEquals(2L, h.run("XTRIM", "s", "MAXLEN", "1")); // a and b: the stream now starts at c, deleted
        List<String> effects = h.effects();
        h.run("MILLRACE.XRETENTION", "SET", "s", "MAXAGE", "3000");
        cron();
        assertEquals(1L, h.run("XLEN", "s"));
        assertEquals(1, ((List<?>) h.run("XRANGE", "s", "-", "+")).size());
        assertEquals(effects.size() + 1, h.effects().size(), "the policy only: " + h.effects());
    }

    @Test
    void keepsTheNewestMaxBytesOfLog() {
        for (int i = 1; i <= 50; i++) {
            add("s", i, "x".repeat(100));
        }
        // An entry takes 4 + 1 ("f") + 4 + 100 bytes: 1000 bytes hold the newest 9.
        h.run("MILLRACE.XRETENTION", "SET", "s", "MAXBYTES", "1000");
        cron();
        assertEquals(9L, h.run("XLEN", "s"));
        assertEquals("42-0", ((List<?>) ((List<?>) h.run("XRANGE", "s", "-", "+", "COUNT", "1")).get(0)).get(0));
    }

    @Test
    void neverTrimsWhatAGroupWasNotDeliveredUnlessToldTo() {
        for (int i = 1; i <= 5; i++) {
            add("s", i, "v");
        }
        h.run("XGROUP", "CREATE", "s", "g", "0");
        h.run("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s", ">");
        h.run("MILLRACE.XRETENTION", "SET", "s", "MAXAGE", "1000");
        cron();
        assertEquals(3L, h.run("XLEN", "s"), "entries 3..5 were never delivered to g");
        h.run("MILLRACE.XRETENTION", "SET", "s", "MAXAGE", "1000", "UNDELIVERED", "DROP");
        cron();
        assertEquals(0L, h.run("XLEN", "s"));
    }

    @Test
    void afterARestartTheWalkFindsAnIdleStreamWithAPolicy() {
        add("s", t0 - 10_000, "a");
        add("s", t0 - 100, "b");
        h.run("MILLRACE.XRETENTION", "SET", "s", "MAXAGE", "3000");
        h.run("SET", "other", "v");
        EngineHarness restarted = EngineHarness.restartedOn(h);
        assertEquals(2L, restarted.run("XLEN", "s"));
        // Nothing was written since the start: only the walk can find the stream, one database a run.
        for (int i = 0; i < 40; i++) {
            restarted.engine.cron();
        }
        assertEquals(1L, restarted.run("XLEN", "s"));
    }

    @Test
    void theWalkSkipsDatabasesThatCannotHoldAStream() {
        Keyspace keyspace = h.engine.keyspace();
        h.run("SET", "k", "v");
        assertFalse(keyspace.mayHoldStreams(0), "no stream was ever written");
        add("s", 1, "v");
        assertTrue(keyspace.mayHoldStreams(0));
        h.run("DEL", "s");
        assertTrue(keyspace.mayHoldStreams(0), "conservative until a walk has looked");
        for (int i = 0; i < 40; i++) {
            h.engine.cron();
        }
        assertFalse(keyspace.mayHoldStreams(0), "a whole pass met no stream");

        add("s", 1, "v");
        h.run("MOVE", "s", "1");
        assertTrue(keyspace.mayHoldStreams(1), "MOVE carries the stream along");
        h.run("SWAPDB", "1", "2");
        assertTrue(keyspace.mayHoldStreams(2));
        h.run("SELECT", "2");
        h.run("FLUSHDB");
        assertFalse(keyspace.mayHoldStreams(2));
    }

    @Test
    void theWalkRestsOnceEveryStreamIsNotedAndWakesWhenOneMayHaveArrivedUnnoted() {
        add("s", t0 - 10_000, "a");
        add("s", t0 - 100, "b");
        add("plain", t0 - 10_000, "a");
        add("plain", t0 - 100, "b");
        runCron(40); // a whole cycle over the 16 databases
        long scans = h.store().scans(0);
        for (int i = 0; i < 40; i++) {
            add("s", t0 + i, "c");
            h.engine.cron();
        }
        assertEquals(scans, h.store().scans(0), "XADD notes its stream: nothing for the walk to find");

        h.run("MILLRACE.XRETENTION", "SET", "s", "MAXAGE", "3000");
        h.run("RENAME", "s", "t"); // the stream with a policy is noted under its old name only
        runCron(40);
        assertTrue(h.store().scans(0) > scans, "walked again");
        assertEquals(41L, h.run("XLEN", "t"), "found under its new name and trimmed");

        scans = h.store().scans(0);
        runCron(40);
        assertEquals(scans, h.store().scans(0), "at rest again");
        h.run("CONFIG", "SET", "stream-retention-max-age-ms", "3000");
        runCron(40);
        assertEquals(1L, h.run("XLEN", "plain"), "the new defaults reach a stream no write noted");
    }

    private void runCron(int runs) {
        for (int i = 0; i < runs; i++) {
            h.engine.cron();
        }
    }

    @Test
    void serverDefaultsApplyToStreamsWithoutTheirOwnPolicy() {
        add("old", t0 - 60_000, "a");
        add("old", t0, "b");
        add("mine", t0 - 60_000, "a");
        h.run("MILLRACE.XRETENTION", "SET", "mine", "MAXAGE", "0");
        // Set after the writes: the background walk over the keyspace finds the stream.
        h.run("CONFIG", "SET", "stream-retention-max-age-ms", "10000");
        cron();
        assertEquals(1L, h.run("XLEN", "old"));
        assertEquals(1L, h.run("XLEN", "mine"), "its own policy (no limit) wins over the defaults");
        assertEquals(Map.of("max-age-ms", 10000L, "max-bytes", 0L, "undelivered", "keep", "source", "server"),
                EngineHarness.asMap(h.run("MILLRACE.XRETENTION", "GET", "old")));
        assertEquals("stream", EngineHarness.asMap(h.run("MILLRACE.XRETENTION", "GET", "mine")).get("source"));
        Map<Object, Object> info = EngineHarness.asMap(h.run("XINFO", "STREAM", "old"));
        assertEquals(10000L, info.get("retention-max-age-ms"));
        assertEquals("keep", info.get("retention-undelivered"));
        assertTrue(!EngineHarness.asMap(h.run("XINFO", "STREAM", "mine")).containsKey("retention-max-age-ms"));
        assertEquals("OK", h.run("MILLRACE.XRETENTION", "RESET", "mine"));
        cron();
        assertEquals(0L, h.run("XLEN", "mine"));
    }

    @Test
    void refusesBadArguments() {
        add("s", 1, "a");
        h.run("SET", "str", "x");
        assertEquals(err("ERR no such key"), h.run("MILLRACE.XRETENTION", "GET", "missing"));
        assertEquals(err(SetCommandsTest.WRONGTYPE), h.run("MILLRACE.XRETENTION", "GET", "str"));
        assertEquals(err("ERR value is out of range, must be positive"),
                h.run("MILLRACE.XRETENTION", "SET", "s", "MAXAGE", "-1"));
        assertEquals(err("ERR syntax error"), h.run("MILLRACE.XRETENTION", "SET", "s", "UNDELIVERED", "maybe"));
        assertEquals(err("ERR syntax error"), h.run("MILLRACE.XRETENTION", "SET", "s", "MAXAGE"));
    }
}
