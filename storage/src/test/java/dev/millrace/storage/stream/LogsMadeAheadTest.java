package dev.millrace.storage.stream;

import dev.millrace.engine.stream.StreamLog;
import dev.millrace.storage.MutableClock;
import dev.millrace.storage.queue.QueueFiles;
import net.openhft.chronicle.queue.RollCycle;
import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.IntStream;

import static dev.millrace.storage.stream.StreamLogsContract.appendRange;
import static dev.millrace.storage.stream.StreamLogsContract.assertEntries;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The logs of the next streams, made ahead on their own thread ({@link LogsMadeAhead}), through {@link ChronicleStreamLogs}. */
class LogsMadeAheadTest {
    private static final long HOUR = 3_600_000;
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(1_800_000_000_000L);
    private final ChronicleStreamLogs.Settings settings = ChronicleStreamLogs.Settings.defaults(clock);
    private final RollCycle rollCycle = settings.rollCycle();

    private static void awaitMadeAhead(ChronicleStreamLogs logs, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> logs.logsMadeAhead() == count);
    }

    private int[] cycles(ChronicleStreamLogs logs, long logId) {
        return QueueFiles.cycles(logs.logDirectory(logId), rollCycle);
    }

    @Test
    void theNextLogsAreMadeWithTheirFirstFileAndHandedOverWhenOpened() {
        int cycle = rollCycle.current(clock::currentTimeMillis, 0);
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            logs.expect(10);
            awaitMadeAhead(logs, LogsMadeAhead.AHEAD);
            for (long logId = 10; logId < 10 + LogsMadeAhead.AHEAD; logId++) {
                assertArrayEquals(new int[] {cycle}, cycles(logs, logId), "log " + logId + " has its first file");
            }
            // As the store does: the id is handed out (the next one expected), then the log used.
            logs.expect(11);
            StreamLog log = logs.open(10);
            appendRange(log, 1, 3);
            assertEntries(log, 1, 3);
            assertArrayEquals(new int[] {cycle}, cycles(logs, 10), "the entries went into the file made ahead");
            awaitMadeAhead(logs, LogsMadeAhead.AHEAD);
            assertTrue(Files.isDirectory(logs.logDirectory(10 + LogsMadeAhead.AHEAD)));
        }
        for (long logId = 11; logId <= 10 + LogsMadeAhead.AHEAD; logId++) {
            assertFalse(Files.exists(dir.resolve(ChronicleStreamLog.hex(logId))), "unclaimed log " + logId + " deleted at close");
        }
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            assertEntries(logs.open(10), 1, 3);
        }
    }

    @Test
    void theThreadMakingThemRunsAtTheLowestPriority() throws Exception {
        assumeTrue(Platform.isLinux(), "a thread's nice value is Linux's");
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            logs.expect(1);
            awaitMadeAhead(logs, LogsMadeAhead.AHEAD);
            Path task = null;
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path t : tasks.toList()) {
                    try {
                        if (Files.readString(t.resolve("comm")).strip().equals("stream-logs-ahe")) {
                            task = t;
                        }
                    } catch (NoSuchFileException ended) {
                        // a thread that ended while we listed
                    }
                }
            }
            assertTrue(task != null, "the thread is there");
            // /proc/<tid>/stat: the 19th field is the nice value (after the command in parentheses).
            String stat = Files.readString(task.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertEquals(LogsMadeAhead.NICE, Integer.parseInt(fields[16]));
        }
    }

    @Test
    void streamsCreatedOneAfterAnotherGetEveryEntryWhetherTheirLogWasReadyOrNot() {
        int streams = 60;
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            logs.expect(1);
            for (long logId = 1; logId <= streams; logId++) {
                logs.expect(logId + 1);
                appendRange(logs.open(logId), 1, 2);
            }
            logs.sync();
        }
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            for (long logId = 1; logId <= streams; logId++) {
                assertEntries(logs.open(logId), 1, 2);
            }
        }
        assertEquals(streams, IntStream.rangeClosed(1, streams + LogsMadeAhead.AHEAD)
                .filter(id -> Files.isDirectory(dir.resolve(ChronicleStreamLog.hex(id)))).count());
    }

    /**
     * An hour later the logs not yet handed out are made again in the new hour; one handed out before
     * the turn and used after it keeps an empty first file, which its reads skip, a reopen loads, and
     * its first release deletes.
     */
    @Test
    void logsLeftPastTheirCycleAreMadeAgainAndALogUsedLateSkipsItsEmptyFirstFile() {
        int first = rollCycle.current(clock::currentTimeMillis, 0);
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            logs.expect(1);
            awaitMadeAhead(logs, LogsMadeAhead.AHEAD);
            clock.advance(HOUR);
            logs.expect(2);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> logs.logsMadeAhead() == LogsMadeAhead.AHEAD + 1
                    && IntStream.rangeClosed(2, 1 + LogsMadeAhead.AHEAD)
                    .allMatch(id -> cycles(logs, id).length == 1 && cycles(logs, id)[0] == first + 1));

            StreamLog late = logs.open(1);
            appendRange(late, 1, 3);
            assertArrayEquals(new int[] {first, first + 1}, cycles(logs, 1));
            assertEntries(late, 1, 3);
        }
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            StreamLog late = logs.open(1);
            assertEntries(late, 1, 3);
            late.releaseBelow(2);
            logs.deleteReleased();
            assertArrayEquals(new int[] {first + 1}, cycles(logs, 1));
            assertEntries(late, 1, 3);
        }
    }

    @Test
    void aLogLeftByACrashIsNotMadeAgainButOpenedAsItIs() {
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            appendRange(logs.open(7), 1, 2);
        }
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            logs.expect(7);
            awaitMadeAhead(logs, LogsMadeAhead.AHEAD - 1);
            assertEntries(logs.open(7), 1, 2);
            appendRange(logs.open(7), 3, 3);
        }
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            assertEntries(logs.open(7), 1, 3);
        }
    }

    /**
     * What a maker killed half-way leaves under a log's name (here a metadata file grown but not yet
     * written, which Chronicle refuses to open) holds no entry: the log's first open makes it anew.
     */
    @Test
    void aLogHalfMadeWhenTheProcessDiedIsMadeAnewAtItsFirstOpen() throws Exception {
        for (long logId : new long[] {3, 9}) {
            Path halfMade = dir.resolve(ChronicleStreamLog.hex(logId));
            Files.createDirectories(halfMade);
            Files.write(halfMade.resolve("metadata.cq4t"), new byte[65536]);
        }
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            logs.expect(3); // the thread skips an existing directory: the owner opens it
            awaitMadeAhead(logs, LogsMadeAhead.AHEAD - 1);
            logs.expect(4);
            appendRange(logs.open(3), 1, 2);
            assertEntries(logs.open(3), 1, 2);
            appendRange(logs.open(9), 1, 1);
        }
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            assertEntries(logs.open(3), 1, 2);
            assertEntries(logs.open(9), 1, 1);
        }
    }

    @Test
    void aStreamGoneBeforeItsLogWasUsedTakesTheLogMadeForItWithIt() {
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            logs.expect(1);
            awaitMadeAhead(logs, LogsMadeAhead.AHEAD);
            logs.expect(2);
            logs.retire(1);
            logs.deleteReleased();
            assertFalse(Files.exists(logs.logDirectory(1)));
            awaitMadeAhead(logs, LogsMadeAhead.AHEAD);
        }
    }

    /**
     * A log asked for by id (a stream whose entries will soon leave the keyspace) is made, alone when
     * no new stream was expected, and handed over at its first use; one asked for and then retired
     * before that is deleted with the stream.
     */
    @Test
    void aLogAskedForByIdIsMadeAheadAndHandedOver() {
        int cycle = rollCycle.current(clock::currentTimeMillis, 0);
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            logs.prepare(42);
            awaitMadeAhead(logs, 1);
            assertArrayEquals(new int[] {cycle}, cycles(logs, 42));
            StreamLog log = logs.open(42);
            appendRange(log, 1, 3);
            assertEquals(0, logs.logsMadeAhead(), "handed over");
            assertEntries(log, 1, 3);

            logs.prepare(43);
            awaitMadeAhead(logs, 1);
            logs.retire(43);
            logs.deleteReleased();
            assertFalse(Files.exists(logs.logDirectory(43)));
        }
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, settings)) {
            assertEntries(logs.open(42), 1, 3);
        }
    }
}
