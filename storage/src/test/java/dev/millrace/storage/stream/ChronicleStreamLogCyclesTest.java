package dev.millrace.storage.stream;

import dev.millrace.engine.stream.MemoryStreamLogs;
import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.stream.StreamLog;
import dev.millrace.storage.MutableClock;
import dev.millrace.storage.queue.QueueFiles;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.millrace.storage.stream.StreamLogsContract.assertEntry;
import static dev.millrace.storage.stream.StreamLogsContract.fields;
import static dev.millrace.storage.stream.StreamLogsContract.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Entry numbers across many cycle files (rolled by a clock the test moves), with voided ranges
 * inside and across cycles, and what deleting whole cycles does to the numbering.
 */
class ChronicleStreamLogCyclesTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(1_800_000_000_000L);
    private ChronicleStreamLogs logs;

    @AfterEach
    void closeLogs() {
        logs.close();
    }

    private void open(ChronicleStreamLogs.Settings settings) {
        logs = new ChronicleStreamLogs(dir, settings);
    }

    private void nextCycle() {
        clock.advance(logs.settings().rollCycle().lengthInMillis());
    }

    private Path logDir() {
        return logs.logDirectory(1);
    }

    @Test
    void numbersMapToEntriesAcrossManyCyclesAndTruncations() {
        open(ChronicleStreamLogs.Settings.defaults(clock));
        StreamLog log = logs.open(1);
        Random random = new Random(42);
        long last = 0;
        int cyclesWithFiles = 0;
        for (int cycle = 0; cycle < 60; cycle++) {
            int entries = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(25);
            for (int i = 0; i < entries; i++) {
                log.append(++last, id(last), fields(last));
            }
            cyclesWithFiles += entries > 0 ? 1 : 0;
            if (entries > 0 && random.nextInt(5) == 0) {
                // Void the tail of this cycle, sometimes reaching back into earlier cycles.
                last = Math.max(0, last - 1 - random.nextInt(30));
                log.truncateAfter(last);
            }
            clock.advance(RollCycles.FAST_HOURLY.lengthInMillis() * (1 + random.nextInt(3)));
        }
        assertEquals(cyclesWithFiles, QueueFiles.cycleFiles(logDir()).size());
        assertTrue(LogMeta.read(logDir()).voided().size() > 3, "voided ranges: " + LogMeta.read(logDir()).voided());
        assertEquals(last, log.lastNumber());
        checkAllOrders(log, last);
        logs.close();
        open(ChronicleStreamLogs.Settings.defaults(clock));
        log = logs.open(1);
        assertEquals(1, log.firstNumber());
        assertEquals(last, log.lastNumber());
        checkAllOrders(log, last);
    }

    private static void checkAllOrders(StreamLog log, long last) {
        for (long n = 1; n <= last; n++) {
            assertEntry(log, n);
        }
        for (long n = last; n >= 1; n--) {
            assertEntry(log, n);
        }
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            assertEntry(log, 1 + random.nextInt((int) last));
        }
    }

    /** Log 1 with entries 1..4, 5..8 and 9..10 in three cycle files. */
    private StreamLog threeCycles() {
        open(ChronicleStreamLogs.Settings.defaults(clock));
        StreamLog log = logs.open(1);
        StreamLogsContract.appendRange(log, 1, 4);
        nextCycle();
        StreamLogsContract.appendRange(log, 5, 8);
        nextCycle();
        StreamLogsContract.appendRange(log, 9, 10);
        return log;
    }

    @Test
    void releasingDeletesTheCyclesWhollyBelowTheNumber() {
        StreamLog log = threeCycles();
        log.releaseBelow(7);
        assertEquals(1, log.firstNumber(), "nothing goes before deleteReleased");
        assertEquals(3, QueueFiles.cycleFiles(logDir()).size());
        assertEquals(1, logs.deleteReleased());
        assertEquals(2, QueueFiles.cycleFiles(logDir()).size());
        assertEquals(5, log.firstNumber());
        assertThrows(IndexOutOfBoundsException.class, () -> log.read(4));
        log.releaseBelow(9);
        assertEquals(1, logs.deleteReleased());
        assertEquals(9, log.firstNumber());
        assertEquals(0, logs.deleteReleased(), "performed requests are forgotten");
        log.releaseBelow(10);
        assertEquals(0, logs.deleteReleased(), "the cycle holding 10 stays");
        assertEquals(9, log.firstNumber());
    }

    @Test
    void requestsAfterAMarkWaitForALaterMark() {
        StreamLog log = threeCycles();
        StreamLogsContract.appendRange(logs.open(2), 1, 3);
        log.releaseBelow(5);
        long mark = logs.releaseMark();
        log.releaseBelow(9);
        logs.retire(2);
        logs.deleteReleased(mark);
        assertEquals(5, log.firstNumber(), "only the request before the mark");
        assertEquals(3, logs.open(2).lastNumber(), "retired after the mark: still there");
        logs.deleteReleased(logs.releaseMark());
        assertEquals(9, log.firstNumber());
        assertEquals(0, logs.open(2).lastNumber());
    }

    @Test
    void requestsNotPerformedAtACleanCloseArePerformedAfterReopen() {
        StreamLog log = threeCycles();
        StreamLogsContract.appendRange(logs.open(2), 1, 3);
        log.releaseBelow(6);
        logs.retire(2);
        logs.close();
        assertTrue(Files.exists(dir.resolve(ChronicleStreamLogs.PENDING_FILE)));
        open(ChronicleStreamLogs.Settings.defaults(clock));
        assertFalse(Files.exists(dir.resolve(ChronicleStreamLogs.PENDING_FILE)), "read at open, then gone");
        assertEquals(1, logs.open(1).firstNumber());
        logs.deleteReleased();
        assertEquals(5, logs.open(1).firstNumber());
        assertFalse(Files.exists(logs.logDirectory(2)));
    }

    @Test
    void indexesOfADeletedCycleAreReusedWithoutTheirVoidedRanges() {
        open(ChronicleStreamLogs.Settings.defaults(clock));
        StreamLog log = logs.open(1);
        StreamLogsContract.appendRange(log, 1, 10);
        log.truncateAfter(4);
        log.releaseBelow(5);
        logs.deleteReleased();
        assertEquals(0, QueueFiles.cycleFiles(logDir()).size(), "the current cycle's file went too");
        assertEquals(5, log.firstNumber());
        assertEquals(4, log.lastNumber());
        // Same cycle, new file: indexes start again at the cycle's first, which the voided range named.
        StreamLogsContract.appendRange(log, 5, 12);
        StreamLogsContract.assertEntries(log, 5, 12);
        logs.close();
        open(ChronicleStreamLogs.Settings.defaults(clock));
        StreamLogsContract.assertEntries(logs.open(1), 5, 12);
    }

    @Test
    void aClockGoingBackDoesNotPutEntriesInAnEarlierCycle() {
        StreamLog log = threeCycles();
        long hour = logs.settings().rollCycle().lengthInMillis();
        clock.advance(-5 * hour);
        StreamLogsContract.appendRange(log, 11, 12);
        logs.close();
        open(ChronicleStreamLogs.Settings.defaults(clock));
        StreamLogsContract.appendRange(logs.open(1), 13, 14);
        StreamLogsContract.assertEntries(logs.open(1), 1, 14);
        assertEquals(3, QueueFiles.cycleFiles(logDir()).size(), "no file for the earlier hour");
    }

    @Test
    void anEntryMayTakeAQuarterOfTheBlockLessTheHeader() {
        open(ChronicleStreamLogs.Settings.defaults(clock));
        assertEquals((1 << 20) - 56, logs.settings().maxEntryBytes());
        assertEquals(new MemoryStreamLogs().maxEntryBytes(), logs.maxEntryBytes(), "the engine tests' logs allow the same");
        StreamLog log = logs.open(1);
        // StreamEntry.size: 4 + 1 for the field, 4 + n for the value.
        int largestValue = (int) logs.maxEntryBytes() - 5 - 4;
        byte[][] largest = {new byte[]{'f'}, new byte[largestValue]};
        largest[1][largestValue - 1] = 9;
        log.append(1, new StreamId(-1, -1), largest); // the largest ID: 10-byte varints in the header
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> log.append(2, id(2), new byte[][]{new byte[]{'f'}, new byte[largestValue + 1]}));
        assertEquals("stream entry of 1048521 bytes is larger than the 1048520 bytes a stream log entry may hold", e.getMessage());
        assertEquals(1, log.lastNumber());
        assertEquals(9, log.read(1).fieldsAndValues()[1][largestValue - 1]);
        assertEquals(new StreamId(-1, -1), log.read(1).id());
        log.append(2, new StreamId(-1, -1), fields(2));
        assertEquals(new StreamId(-1, -1), log.read(2).id());
        assertEquals(StreamEntry.size(largest), log.bytesBefore(2));
    }

    @Test
    void anotherRollCycleNamesAndDeletesItsOwnFiles() {
        open(ChronicleStreamLogs.Settings.defaults(clock).withRollCycle(RollCycles.FAST_DAILY));
        StreamLog log = logs.open(1);
        List<Long> firsts = new ArrayList<>();
        for (int day = 0; day < 3; day++) {
            firsts.add(log.lastNumber() + 1);
            StreamLogsContract.appendRange(log, log.lastNumber() + 1, log.lastNumber() + 5);
            nextCycle();
        }
        assertEquals(3, QueueFiles.cycleFiles(logDir()).size());
        log.releaseBelow(firsts.get(2));
        logs.deleteReleased();
        assertEquals(1, QueueFiles.cycleFiles(logDir()).size());
        StreamLogsContract.assertEntries(log, firsts.get(2), 15);
    }
}
