package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.RespEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WATCH with two clients of one engine: the harness's client watches and runs the transaction,
 * {@link OtherClient}s write in between. Expected outcomes are redis-server 7.0.15's (checked against
 * it), including its handling of keys that were already expired when watched.
 */
class WatchTest {
    private final EngineHarness h = new EngineHarness();
    private final OtherClient other = new OtherClient(h, "127.0.0.1:40001", 2);

    /** MULTI, PING, EXEC on the harness's client: whether the transaction ran. */
    private boolean transactionRuns() {
        h.run("MULTI");
        h.run("PING");
        Object reply = h.run("EXEC");
        return reply != null;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void aWriteByAnotherClientFailsTheExecWithANullArray(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        OtherClient other = new OtherClient(h, "127.0.0.1:40001", protocol);
        h.run("SET", "a", "1");
        h.run("WATCH", "a");
        other.run("SET", "a", "2");
        h.run("MULTI");
        h.run("SET", "a", "3");
        RespEncoder out = new RespEncoder(protocol);
        h.engine.execute(h.session, new byte[][]{"EXEC".getBytes(StandardCharsets.ISO_8859_1)}, out);
        assertEquals(protocol == 2 ? "*-1\\r\\n" : "_\\r\\n", out.escaped());
        assertEquals("2", h.run("GET", "a"), "the transaction did not run");
        assertTrue(transactionRuns(), "EXEC forgot the watches");
    }

    @Test
    void writesToOtherKeysOrDatabasesLeaveTheWatchAlone() {
        h.run("WATCH", "a");
        other.run("SET", "b", "1");
        other.run("SELECT", "1");
        other.run("SET", "a", "1");
        assertTrue(transactionRuns());
    }

    @Test
    void theWatchersOwnWriteBreaksTheWatchToo() {
        h.run("WATCH", "a");
        h.run("SET", "a", "1");
        assertFalse(transactionRuns());
    }

    @Test
    void aCommandThatChangesNothingLeavesTheWatchAlone() {
        h.run("WATCH", "a");
        other.run("DEL", "a"); // nothing to delete
        other.run("GET", "a");
        assertTrue(transactionRuns());
        h.run("WATCH", "list");
        other.run("RPUSH", "list", "1");
        assertFalse(transactionRuns());
    }

    @Test
    void unwatchAndDiscardForgetTheWatches() {
        h.run("WATCH", "a");
        other.run("SET", "a", "1");
        assertEquals("OK", h.run("UNWATCH"));
        assertTrue(transactionRuns(), "UNWATCH also clears the broken mark");
        h.run("WATCH", "a");
        other.run("SET", "a", "2");
        h.run("MULTI");
        assertEquals("OK", h.run("DISCARD"));
        assertTrue(transactionRuns());
    }

    @Test
    void aBrokenWatchShowsAsTheDFlagInClientList() {
        h.run("WATCH", "a", "b");
        assertEquals(2, h.engine.watchedKeys().watching(h.session));
        other.run("SET", "b", "1");
        String line = (String) other.run("CLIENT", "LIST", "ID", Long.toString(h.session.id()));
        assertTrue(line.contains(" flags=d "), line);
        assertEquals(0, h.engine.watchedKeys().watching(h.session), "a broken client stops watching at once");
        assertFalse(transactionRuns());
    }

    @Test
    void aKeyThatExpiresBetweenWatchAndExecFailsItEvenIfNothingDeletedIt() {
        h.engine.setActiveExpireEnabled(false);
        h.run("SET", "a", "1", "PX", "100");
        h.run("WATCH", "a");
        h.advance(101);
        assertFalse(transactionRuns());
        assertEquals(1L, h.run("DBSIZE"), "still stored: only logically expired");
    }

    @Test
    void activeExpiryOfAWatchedKeyBreaksTheWatch() {
        h.run("SET", "a", "1", "PX", "100");
        h.run("WATCH", "a");
        h.advance(101);
        h.engine.cron();
        assertFalse(transactionRuns());
    }

    @Test
    void aKeyAlreadyExpiredWhenWatchedBreaksOnlyWhenItGetsANewValue() {
        h.engine.setActiveExpireEnabled(false);
        h.run("SET", "a", "1", "PX", "1");
        h.advance(2);
        h.run("WATCH", "a");
        assertTrue(transactionRuns(), "it was already expired: nothing changed since WATCH");

        h.run("SET", "b", "1", "PX", "1");
        h.advance(2);
        h.run("WATCH", "b");
        assertNull(other.run("GET", "b"), "deletes it lazily");
        assertTrue(transactionRuns(), "deleting an expired key changes nothing anyone could see");

        h.run("SET", "c", "1", "PX", "1");
        h.advance(2);
        h.run("WATCH", "c");
        other.run("SET", "c", "2");
        assertFalse(transactionRuns());
    }

    @Test
    void flushesBreakTheWatchesOfKeysThatExisted() {
        h.run("SET", "a", "1");
        h.run("WATCH", "a");
        other.run("FLUSHDB");
        assertFalse(transactionRuns());

        h.run("WATCH", "missing");
        other.run("FLUSHALL");
        assertTrue(transactionRuns(), "a flush removes nothing that was not there");

        other.run("SELECT", "3");
        other.run("SET", "a", "1");
        h.run("WATCH", "a");
        other.run("FLUSHALL");
        assertTrue(transactionRuns(), "the watched key was in db 0, which held nothing");

        h.run("SET", "a", "1");
        h.run("WATCH", "a");
        other.run("FLUSHALL");
        assertFalse(transactionRuns());
    }

    @Test
    void debugReloadBreaksTheWatchesOfExistingKeysAsItsFlushDoesInRedis() {
        h.config.set("enable-debug-command", "yes", true);
        h.run("SET", "a", "1");
        h.run("WATCH", "a");
        other.run("DEBUG", "RELOAD", "NOSAVE");
        assertFalse(transactionRuns());
        h.run("WATCH", "a");
        other.run("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH");
        assertTrue(transactionRuns());
        h.run("WATCH", "missing");
        other.run("DEBUG", "RELOAD", "NOSAVE");
        assertTrue(transactionRuns());
    }

    @Test
    void aFlushOfAnAlreadyExpiredKeyChangesNothing() {
        h.engine.setActiveExpireEnabled(false);
        h.run("SET", "f", "v", "PX", "1");
        h.advance(2);
        h.run("WATCH", "f");
        other.run("FLUSHALL");
        assertTrue(transactionRuns());
    }

    @Test
    void swapdbBreaksTheWatchWhenEitherDatabaseHoldsTheKey() {
        other.run("SELECT", "1");
        other.run("SET", "a", "1");
        h.run("WATCH", "a");
        other.run("SWAPDB", "0", "1");
        assertFalse(transactionRuns(), "the key arrived from db 1");

        h.run("WATCH", "nowhere");
        other.run("SWAPDB", "0", "1");
        assertTrue(transactionRuns());

        h.run("SELECT", "1");
        h.run("SET", "b", "1");
        h.run("WATCH", "b");
        other.run("SWAPDB", "1", "1");
        assertTrue(transactionRuns(), "a database swapped with itself does not change");
        h.run("WATCH", "b");
        other.run("SWAPDB", "1", "0");
        assertFalse(transactionRuns(), "the key left db 1");
    }

    @Test
    void swapdbBringingAnExpiredKeyWhereNoneWasChangesNothing() {
        h.engine.setActiveExpireEnabled(false);
        other.run("SELECT", "1");
        other.run("SET", "k", "v", "PX", "1");
        h.advance(2);
        h.run("WATCH", "k");
        other.run("SWAPDB", "0", "1");
        assertTrue(transactionRuns(), "as in Redis 7.0.15: the key arrives already expired");
    }

    @Test
    void ltrimBreaksTheWatchEvenWhenItTrimsNothingAsInRedis() {
        h.run("RPUSH", "l", "a");
        h.run("WATCH", "l");
        other.run("LTRIM", "l", "0", "-1");
        assertFalse(transactionRuns());
    }

    /** Redis 7.0.15 signals no change for a stream's group state or last ID: checked against it. */
    @Test
    void consumerGroupBookkeepingLeavesAWatchedStreamAlone() {
        other.run("XADD", "s", "1-0", "f", "v");
        for (String[] command : new String[][]{
                {"XGROUP", "CREATE", "s", "g", "0"},
                {"XGROUP", "CREATECONSUMER", "s", "g", "c"},
                {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"},
                {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"},
                {"XCLAIM", "s", "g", "c2", "0", "1-0"},
                {"XAUTOCLAIM", "s", "g", "c", "0", "0"},
                {"XACK", "s", "g", "1-0"},
                {"XGROUP", "SETID", "s", "g", "0"},
                {"XGROUP", "DELCONSUMER", "s", "g", "c2"},
                {"XGROUP", "DESTROY", "s", "g"},
                {"XSETID", "s", "5-0"}}) {
            h.run("WATCH", "s");
            other.run(command);
            assertTrue(transactionRuns(), String.join(" ", command));
        }
        h.run("WATCH", "s");
        other.run("XADD", "s", "6-0", "f", "v");
        assertFalse(transactionRuns(), "new entries are a change");
        h.run("WATCH", "new");
        other.run("XGROUP", "CREATE", "new", "g", "$", "MKSTREAM");
        assertFalse(transactionRuns(), "so is a stream XGROUP CREATE ... MKSTREAM creates");
    }

    @Test
    void anotherClientsTransactionBreaksTheWatch() {
        h.run("WATCH", "a");
        other.run("MULTI");
        other.run("INCR", "a");
        other.run("EXEC");
        assertFalse(transactionRuns());
    }

    @Test
    void keysAreWatchedOncePerClientAndPerClient() {
        OtherClient third = new OtherClient(h, "127.0.0.1:40002", 2);
        h.run("WATCH", "a", "a");
        third.run("WATCH", "a");
        assertEquals(1, h.engine.watchedKeys().watching(h.session));
        other.run("SET", "a", "1");
        assertFalse(transactionRuns());
        third.run("MULTI");
        third.run("PING");
        assertNull(third.run("EXEC"), "every watcher of the key is told");
    }

    /**
     * Optimistic locking with interleavings chosen at random: clients increment one counter with
     * WATCH, GET, MULTI, SET, EXEC, each step of each client at a random turn, retrying failed EXECs.
     * Whatever the interleaving, the counter ends at the number of EXECs that succeeded (no lost
     * update), and an EXEC succeeds exactly when no other EXEC wrote the counter since its WATCH.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void optimisticLockingLosesNoUpdateWhateverTheInterleaving(long seed) {
        Random random = new Random(seed);
        h.run("SET", "counter", "0");
        List<OtherClient> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(new OtherClient(h, "127.0.0.1:" + (41000 + i), 2 + random.nextInt(2)));
        }
        int[] step = new int[clients.size()];
        long[] seen = new long[clients.size()];
        long[] writesAtWatch = new long[clients.size()];
        long writes = 0;
        int succeeded = 0;
        for (int turn = 0; turn < 2000; turn++) {
            int i = random.nextInt(clients.size());
            OtherClient c = clients.get(i);
            switch (step[i]) {
                case 0 -> {
                    c.run("WATCH", "counter");
                    writesAtWatch[i] = writes;
                }
                case 1 -> seen[i] = Long.parseLong((String) c.run("GET", "counter"));
                case 2 -> c.run("MULTI");
                case 3 -> c.run("SET", "counter", Long.toString(seen[i] + 1));
                default -> {
                    Object reply = c.run("EXEC");
                    boolean expectSuccess = writes == writesAtWatch[i];
                    assertEquals(expectSuccess, reply != null, "client " + i + " at turn " + turn);
                    if (reply != null) {
                        writes++;
                        succeeded++;
                    }
                }
            }
            step[i] = (step[i] + 1) % 5;
        }
        assertTrue(succeeded > 10, "some transactions went through: " + succeeded);
        assertEquals(Integer.toString(succeeded), h.run("GET", "counter"));
    }
}
