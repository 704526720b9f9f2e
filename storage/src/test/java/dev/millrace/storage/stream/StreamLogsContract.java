package dev.millrace.storage.stream;

import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.stream.StreamLog;
import dev.millrace.engine.stream.StreamLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link StreamLog} contract, run on every implementation: the heap logs the engine tests use
 * and the Chronicle logs. Where the port lets deletion be deferred (released entries, retired logs),
 * the scenarios call {@link #performDeletions} and assert what holds for both.
 */
abstract class StreamLogsContract {
    /** The logs under test (a new instance after {@link #reopen}). */
    abstract StreamLogs logs();

    /** Closes the logs and opens them again from what they stored (the heap logs keep their instance). */
    abstract void reopen();

    /** Performs deferred deletions, as the storage owner does after a snapshot. */
    abstract void performDeletions();

    /** Moves time into the next cycle file (nothing for the heap logs). */
    abstract void nextCycle();

    @AfterEach
    void closeLogs() {
        logs().close();
    }

    static StreamId id(long number) {
        return new StreamId(1_000 + number, number % 3);
    }

    static byte[][] fields(long number) {
        byte[][] fv = new byte[2 * (int) (1 + number % 3)][];
        for (int i = 0; i < fv.length; i++) {
            fv[i] = ("f" + i + ":" + number + "x".repeat((int) (number * 7 % 40))).getBytes(StandardCharsets.UTF_8);
        }
        return fv;
    }

    static void appendRange(StreamLog log, long from, long to) {
        for (long n = from; n <= to; n++) {
            log.append(n, id(n), fields(n));
        }
    }

    static void assertEntry(StreamLog log, long number) {
        StreamEntry entry = log.read(number);
        assertEquals(id(number), entry.id(), "id of entry " + number);
        assertEquals(id(number), log.id(number), "id() of entry " + number);
        byte[][] expected = fields(number);
        assertEquals(expected.length, entry.fieldsAndValues().length, "elements of entry " + number);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], entry.fieldsAndValues()[i], "element " + i + " of entry " + number);
        }
    }

    /** The total size of the entries {@link #fields} makes for numbers {@code from} to {@code to - 1}. */
    static long sizes(long from, long to) {
        long total = 0;
        for (long n = from; n < to; n++) {
            total += StreamEntry.size(fields(n));
        }
        return total;
    }

    static void assertEntries(StreamLog log, long first, long last) {
        assertEquals(first, log.firstNumber(), "first number");
        assertEquals(last, log.lastNumber(), "last number");
        for (long n = first; n <= last; n++) {
            assertEntry(log, n);
        }
    }

    @Test
    void aNewLogIsEmptyAndStartsAtOne() {
        StreamLog log = logs().open(1);
        assertEquals(1, log.firstNumber());
        assertEquals(0, log.lastNumber());
        assertThrows(IndexOutOfBoundsException.class, () -> log.read(1));
    }

    @Test
    void appendedEntriesReadBackByNumber() {
        StreamLog log = logs().open(1);
        appendRange(log, 1, 50);
        assertEntries(log, 1, 50);
        for (long n = 1; n <= 51; n++) {
            assertEquals(sizes(1, n), log.bytesBefore(n), "bytes before " + n);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> log.read(51));
        assertThrows(IndexOutOfBoundsException.class, () -> log.read(0));
    }

    @Test
    void readsInAnyOrderSeeTheSameEntries() {
        StreamLog log = logs().open(1);
        appendRange(log, 1, 30);
        for (long n = 30; n >= 1; n--) {
            assertEntry(log, n);
        }
        for (long n : new long[]{5, 6, 7, 6, 5, 4, 20, 19, 21, 22, 1, 30, 29}) {
            assertEntry(log, n);
        }
        // An entry and fields of every shape: none, empty, binary.
        log.append(31, StreamId.MAX, new byte[0][]);
        log.append(32, StreamId.MIN, new byte[][]{new byte[0], {0, -1, 10, 13}});
        assertEquals(0, log.read(31).fieldsAndValues().length);
        assertEquals(StreamId.MAX, log.id(31));
        assertArrayEquals(new byte[]{0, -1, 10, 13}, log.read(32).fieldsAndValues()[1]);
    }

    @Test
    void appendingANumberTheLogHoldsWritesNothing() {
        StreamLog log = logs().open(1);
        appendRange(log, 1, 5);
        log.append(3, new StreamId(9, 9), new byte[][]{"other".getBytes(StandardCharsets.UTF_8)});
        log.append(5, new StreamId(9, 9), new byte[0][]);
        assertEntries(log, 1, 5);
    }

    @Test
    void aGapIsRefused() {
        StreamLog log = logs().open(1);
        appendRange(log, 1, 5);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> log.append(7, id(7), fields(7)));
        assertEquals("stream log gap: appending 7 after 5", e.getMessage());
        assertEntries(log, 1, 5);
    }

    @Test
    void anEmptyLogStartsAtAnyNumber() {
        StreamLog log = logs().open(1);
        appendRange(log, 42, 45);
        assertEntries(log, 42, 45);
        assertEquals(0, log.bytesBefore(42));
        reopen();
        assertEntries(logs().open(1), 42, 45);
        assertEquals(sizes(42, 46), logs().open(1).bytesBefore(46));
    }

    @Test
    void truncatedEntriesAreGoneAndNumberingContinues() {
        StreamLog log = logs().open(1);
        appendRange(log, 1, 10);
        log.truncateAfter(6);
        assertEntries(log, 1, 6);
        log.truncateAfter(8);
        assertEquals(6, log.lastNumber(), "truncating above the end changes nothing");
        assertEquals(sizes(1, 7), log.bytesBefore(7));
        log.append(7, new StreamId(7, 7), fields(70));
        assertArrayEquals(fields(70)[0], log.read(7).fieldsAndValues()[0]);
        assertEquals(sizes(1, 7) + StreamEntry.size(fields(70)), log.bytesBefore(8));
        reopen();
        StreamLog reopened = logs().open(1);
        assertEquals(7, reopened.lastNumber());
        assertEquals(new StreamId(7, 7), reopened.id(7));
        for (long n = 1; n <= 6; n++) {
            assertEntry(reopened, n);
        }
        appendRange(reopened, 8, 12);
        for (long n = 8; n <= 12; n++) {
            assertEntry(reopened, n);
        }
        assertEquals(sizes(1, 7) + StreamEntry.size(fields(70)) + sizes(8, 13), reopened.bytesBefore(13));
    }

    @Test
    void truncatingEverythingKeepsTheFirstNumber() {
        StreamLog log = logs().open(1);
        appendRange(log, 20, 30);
        log.truncateAfter(5);
        assertEquals(20, log.firstNumber());
        assertEquals(19, log.lastNumber());
        assertEquals(0, log.bytesBefore(20));
        log.append(12, id(12), fields(12));
        assertEquals(19, log.lastNumber(), "numbers below the first are held already");
        reopen();
        log = logs().open(1);
        assertEquals(20, log.firstNumber());
        assertEquals(19, log.lastNumber());
        assertEquals(0, log.bytesBefore(20));
        appendRange(log, 20, 22);
        assertEntries(log, 20, 22);
        assertEquals(sizes(20, 23), log.bytesBefore(23));
    }

    @Test
    void releasedEntriesGoWithWholeCyclesOnceDeletionsArePerformed() {
        StreamLog log = logs().open(1);
        appendRange(log, 1, 4);
        nextCycle();
        appendRange(log, 5, 8);
        nextCycle();
        appendRange(log, 9, 10);
        log.releaseBelow(6);
        performDeletions();
        long first = log.firstNumber();
        assertTrue(first >= 5 && first <= 6, "the cycle holding 5..8 stays, the one below goes: first " + first);
        assertEntries(log, first, 10);
        assertEquals(sizes(1, 6), log.bytesBefore(6), "counted from the first entry ever");
        reopen();
        log = logs().open(1);
        assertEquals(first, log.firstNumber());
        assertEntries(log, first, 10);
        log.append(11, id(11), fields(11));
        assertEntry(log, 11);
    }

    @Test
    void releasingEverythingLeavesAnEmptyLogThatContinuesNumbering() {
        StreamLog log = logs().open(1);
        appendRange(log, 1, 4);
        nextCycle();
        appendRange(log, 5, 10);
        log.releaseBelow(11);
        performDeletions();
        assertEquals(11, log.firstNumber());
        assertEquals(10, log.lastNumber());
        assertEquals(sizes(1, 11), log.bytesBefore(11));
        reopen();
        log = logs().open(1);
        assertEquals(11, log.firstNumber());
        assertEquals(10, log.lastNumber());
        assertEquals(sizes(1, 11), log.bytesBefore(11));
        log.append(9, id(9), fields(9));
        assertEquals(10, log.lastNumber());
        appendRange(log, 11, 12);
        assertEntries(log, 11, 12);
        assertEquals(sizes(1, 13), log.bytesBefore(13));
    }

    @Test
    void aRetiredLogIsGoneOnceDeletionsArePerformed() {
        appendRange(logs().open(7), 1, 5);
        appendRange(logs().open(8), 1, 3);
        logs().retire(7);
        performDeletions();
        StreamLog again = logs().open(7);
        assertEquals(1, again.firstNumber());
        assertEquals(0, again.lastNumber());
        assertEntries(logs().open(8), 1, 3);
        reopen();
        assertEquals(0, logs().open(7).lastNumber());
        assertEntries(logs().open(8), 1, 3);
    }

    @Test
    void everythingSurvivesReopen() {
        for (long logId = 1; logId <= 6; logId++) {
            appendRange(logs().open(logId), logId, logId * 10);
            nextCycle();
        }
        logs().open(3).truncateAfter(20);
        reopen();
        for (long logId = 1; logId <= 6; logId++) {
            assertEntries(logs().open(logId), logId, logId == 3 ? 20 : logId * 10);
        }
    }

    @Test
    void seekFindsTheFirstEntryAtOrAboveAnIdAcrossCycles() {
        StreamLog log = logs().open(20);
        for (long n = 1; n <= 120; n++) {
            log.append(n, id(n), fields(n));
            if (n % 25 == 0) {
                nextCycle();
            }
        }
        log.truncateAfter(100);
        appendRange(log, 101, 110);
        for (long from = 1; from <= 110; from += 13) {
            for (long to = from; to <= 110; to += 17) {
                for (long target = 990; target <= 1_125; target += 3) {
                    StreamId wanted = new StreamId(target, target % 2);
                    long expected = from;
                    while (expected <= to && id(expected).isBefore(wanted)) {
                        expected++;
                    }
                    assertEquals(expected, log.seek(wanted, from, to), "seek " + wanted + " in " + from + ".." + to);
                }
            }
        }
        // A consumer's pattern: read an entry, then seek just after it, and read on from there.
        for (long n = 1; n < 110; n++) {
            assertEquals(id(n), log.read(n).id(), "entry " + n);
            assertEquals(n + 1, log.seek(id(n).next(), 1, 110));
        }
    }
}
