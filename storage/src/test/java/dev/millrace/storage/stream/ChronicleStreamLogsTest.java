package dev.millrace.storage.stream;

import com.sun.jna.Platform;
import dev.millrace.engine.stream.StreamLog;
import dev.millrace.storage.DurableFiles;
import dev.millrace.storage.MutableClock;
import dev.millrace.storage.PageCache;
import dev.millrace.storage.queue.QueueFiles;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.millrace.storage.stream.StreamLogsContract.appendRange;
import static dev.millrace.storage.stream.StreamLogsContract.assertEntries;
import static dev.millrace.storage.stream.StreamLogsContract.assertEntry;
import static dev.millrace.storage.stream.StreamLogsContract.fields;
import static dev.millrace.storage.stream.StreamLogsContract.id;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The logs object around the logs: the bound on open queues, the follower, leftovers of a crash. */
class ChronicleStreamLogsTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(1_800_000_000_000L);

    /** The file descriptors this process has open on files under {@link #dir}. */
    private long descriptorsUnderDir() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).startsWith(dir);
                } catch (IOException e) {
                    return false; // closed while listing
                }
            }).count();
        }
    }

    @Test
    void atMostMaxOpenLogsAreOpenAndHandlesOutliveTheirQueue() throws IOException {
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, ChronicleStreamLogs.Settings.defaults(clock).withMaxOpenLogs(2))) {
            StreamLog[] handles = new StreamLog[6];
            for (int logId = 1; logId <= 5; logId++) {
                handles[logId] = logs.open(logId);
            }
            for (long n = 1; n <= 20; n++) {
                for (int logId = 1; logId <= 5; logId++) {
                    handles[logId].append(n, id(n), fields(n + logId));
                    assertTrue(logs.openLogCount() <= 2, "open logs: " + logs.openLogCount());
                }
                if (n == 10) {
                    clock.advance(logs.settings().rollCycle().lengthInMillis());
                }
            }
            // Each open log: a read-only instance on the metadata, the cycle its scanner is on and those of its
            // tailers; a writing instance on the metadata and the current cycle file.
            long perLog = 1 + 1 + ChronicleStreamLog.TAILERS + 2;
            // Files of evicted logs are closed by Chronicle's background releaser: on a loaded machine, later.
            BackgroundResourceReleaser.releasePendingResources();
            await().atMost(Duration.ofSeconds(10)).until(() -> descriptorsUnderDir() <= 2 * perLog);
            for (int logId = 5; logId >= 1; logId--) {
                for (long n = 20; n >= 1; n--) {
                    assertEquals(id(n), handles[logId].read(n).id());
                    assertEquals(new String(fields(n + logId)[0]), new String(handles[logId].read(n).fieldsAndValues()[0]));
                }
                assertEquals(20, logs.open(logId).lastNumber());
            }
            assertEquals(2, logs.openLogCount());
        }
        // Chronicle unmaps and closes files on its background releaser thread.
        BackgroundResourceReleaser.releasePendingResources();
        assertEquals(0, descriptorsUnderDir(), "close releases every queue");
    }

    @Test
    void aFollowerSeesWhatTheLiveLogsAppendAndChangesNothing() {
        ChronicleStreamLogs.Settings settings = ChronicleStreamLogs.Settings.defaults(clock);
        try (ChronicleStreamLogs live = new ChronicleStreamLogs(dir, settings);
             ChronicleStreamLogs follower = new ChronicleStreamLogs(dir, settings.follower())) {
            StreamLog written = live.open(1);
            appendRange(written, 1, 10);
            StreamLog read = follower.open(1);
            StreamLog notYetCreated = follower.open(2);
            assertEntries(read, 1, 10);
            assertEquals(0, notYetCreated.lastNumber());
            assertFalse(Files.exists(live.logDirectory(2)), "a follower creates nothing");

            clock.advance(settings.rollCycle().lengthInMillis());
            appendRange(written, 11, 30);
            appendRange(live.open(2), 1, 5);
            assertEntry(read, 25);
            assertEquals(30, read.lastNumber());
            assertEntry(notYetCreated, 5);

            read.append(31, id(31), fields(31));
            read.truncateAfter(3);
            read.releaseBelow(20);
            follower.retire(1);
            assertEquals(0, follower.deleteReleased());
            assertEquals(30, written.lastNumber(), "the follower's append went nowhere");
            assertEntries(written, 1, 30);
            assertEquals(0, live.deleteReleased(), "the follower's requests are not the live logs'");
            assertEntries(read, 1, 30);
        }
    }

    @Test
    void aFollowerOnAnotherThreadReadsEntriesWhileTheyAreAppended() throws Exception {
        ChronicleStreamLogs.Settings settings = ChronicleStreamLogs.Settings.defaults(clock);
        long total = 20_000;
        AtomicLong appended = new AtomicLong();
        try (ChronicleStreamLogs live = new ChronicleStreamLogs(dir, settings)) {
            StreamLog written = live.open(1);
            appendRange(written, 1, 1);
            appended.set(1);
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
                try (ChronicleStreamLogs follower = new ChronicleStreamLogs(dir, settings.follower())) {
                    StreamLog log = follower.open(1);
                    long next = 1;
                    while (next <= total) {
                        long upTo = appended.get();
                        for (; next <= upTo; next++) {
                            assertEntry(log, next);
                        }
                        Thread.onSpinWait();
                    }
                    return next - 1;
                }
            });
            for (long n = 2; n <= total; n++) {
                written.append(n, id(n), fields(n));
                appended.set(n);
                if (n % 5_000 == 0) {
                    clock.advance(settings.rollCycle().lengthInMillis());
                }
            }
            assertEquals(total, reader.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void aRetiredLogWhoseDeletionWasInterruptedIsDeletedAtOpen() throws IOException {
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, ChronicleStreamLogs.Settings.defaults(clock))) {
            appendRange(logs.open(3), 1, 5);
        }
        Path doomed = dir.resolve(ChronicleStreamLog.hex(3) + ".deleting");
        Files.move(dir.resolve(ChronicleStreamLog.hex(3)), doomed);
        DurableFiles.fsyncDirectory(dir);
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, ChronicleStreamLogs.Settings.defaults(clock))) {
            assertFalse(Files.exists(doomed));
            assertEquals(0, logs.open(3).lastNumber());
        }
    }

    /**
     * Retiring a log never made (a stream whose entries stayed in the keyspace) keeps no request: a
     * burst of small streams deleted would otherwise fill the pending deletions until the next
     * snapshot. A made one is still deleted.
     */
    @Test
    void retiringALogNeverMadeKeepsNoRequest() throws IOException {
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, ChronicleStreamLogs.Settings.defaults(clock))) {
            appendRange(logs.open(3), 1, 5);
            logs.retire(3);
            logs.retire(4);
            assertFalse(Files.exists(dir.resolve(ChronicleStreamLog.hex(4))), "retiring made nothing");
        }
        String pending = Files.readString(dir.resolve(ChronicleStreamLogs.PENDING_FILE));
        assertTrue(pending.contains("retire." + ChronicleStreamLog.hex(3)), pending);
        assertFalse(pending.contains("retire." + ChronicleStreamLog.hex(4)), pending);
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, ChronicleStreamLogs.Settings.defaults(clock))) {
            assertEquals(1, logs.deleteReleased());
            assertFalse(Files.exists(dir.resolve(ChronicleStreamLog.hex(3))));
        }
    }

    /**
     * A stream created and written once costs the pages it writes, not its whole cycle file: the
     * writer's mapping is advised random access before its first touch, so the first fault does not
     * read around it (here, with an 8 MiB read-ahead, that zero-filled all 1,280 pages of the new
     * sparse file: 5-15 ms of the execution thread). A log that is only written opens no reader. And
     * the first open after a restart reads no more of it.
     */
    @Test
    void aNewLogWrittenOnceHoldsAFewPagesOfItsFileAndNoReaderAlsoAfterAReopen() throws IOException {
        assumeTrue(Platform.isLinux(), "page-cache residency is asked of Linux's mincore");
        Path cycleFile;
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, ChronicleStreamLogs.Settings.defaults(clock))) {
            StreamLog log = logs.open(1);
            log.append(1, id(1), fields(1));
            cycleFile = QueueFiles.cycleFiles(logs.logDirectory(1)).get(0);
            long pages = Files.size(cycleFile) / PageCache.PAGE;
            long cached = PageCache.pagesCached(cycleFile);
            // The header, the index Chronicle writes, the entry: 3 pages of 1,280 here.
            assertTrue(cached <= 32, cached + " of the new file's " + pages + " pages are in the page cache");
            // The writer's two files: the cycle file and the queue's metadata; a reader would add two more.
            assertEquals(2, descriptorsUnderDir(), "descriptors of a log only written");
            assertEntry(log, 1);
            assertEquals(4, descriptorsUnderDir(), "descriptors once the log is read");
        }
        // Opened again as after a restart: the check for a torn tail reads only where the file holds data.
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, ChronicleStreamLogs.Settings.defaults(clock))) {
            assertEntry(logs.open(1), 1);
            long cached = PageCache.pagesCached(cycleFile);
            assertTrue(cached <= 32, cached + " pages of the file are in the page cache after a reopen");
        }
    }
}
