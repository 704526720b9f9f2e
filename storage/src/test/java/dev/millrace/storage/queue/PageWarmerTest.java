package dev.millrace.storage.queue;

import dev.millrace.engine.Clock;
import dev.millrace.engine.effect.Effect;
import dev.millrace.storage.aof.AofReader;
import dev.millrace.storage.aof.ChronicleEffectLog;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warmer touches the pages ahead of a real AOF appender while it writes, across chunk boundaries,
 * and no record changes for it; a closed log's chunk is let go.
 */
class PageWarmerTest {
    @TempDir
    Path dir;

    @Test
    void pagesAheadOfTheAppenderAreTouchedAndEveryRecordReadsBackIntact() {
        long touchedBefore = PageWarmer.pagesTouched();
        int advisedBefore = PageWarmer.chunksAdvisedHuge();
        Random random = new Random(7);
        List<byte[]> values = new ArrayList<>();
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, false, Clock.SYSTEM)) {
            // 24 MB: three chunks of the log's 8 MB blocks, in records of up to 16 KiB
            for (long written = 0; written < 24 << 20; ) {
                byte[] value = new byte[1 + random.nextInt(16 << 10)];
                random.nextBytes(value);
                values.add(value);
                log.append(values.size(), List.of(new Effect(0, new byte[][]{"SET".getBytes(StandardCharsets.UTF_8), value})));
                written += value.length;
            }
            List<AofReader.LoggedRecord> read = new ArrayList<>();
            try (AofReader reader = log.reader()) {
                reader.replay(-1, Long.MAX_VALUE, read::add);
            }
            assertEquals(values.size(), read.size());
            for (int i = 0; i < values.size(); i++) {
                assertEquals(i + 1, read.get(i).unixTimeMillis());
                assertArrayEquals(values.get(i), read.get(i).effects().get(0).argv()[1]);
            }
            // Requests for a chunk the appender has already left may be dropped (a warmer that falls
            // behind skips them), but the current chunk stays mapped: at least the half of the window
            // ahead of the last write is warmed, unless this machine cannot warm at all.
            long window = PageWarmer.AHEAD / 2 / 4096;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertTrue(
                    PageWarmer.pagesTouched() - touchedBefore >= window || PageWarmer.disabledBecause() != null,
                    () -> (PageWarmer.pagesTouched() - touchedBefore) + " pages touched; " + PageWarmer.failures()));
            if (PageWarmer.disabledBecause() == null) {
                await().atMost(Duration.ofSeconds(30)).until(() -> PageWarmer.chunksHeld() >= 1);
                // A log that has written megabytes has its chunks advised huge pages (where the kernel takes it).
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        PageWarmer.chunksAdvisedHuge() > advisedBefore || !PageWarmer.hugePages());
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> PageWarmer.chunksHeld() == 0);
    }

    /**
     * A durable log is msynced often, and an msync writes back whole folios: no huge pages while syncs
     * cover little (appendfsync always), huge pages once each covers megabytes (everysec under load).
     */
    @Test
    void aDurableLogTakesHugePagesOnlyWhileItsSyncsCoverMegabytes() {
        int advisedBefore = PageWarmer.chunksAdvisedHuge();
        appendDurably(dir.resolve("always"), 16 << 10, 8 << 20, ChronicleEffectLog::sync);
        assertEquals(advisedBefore, PageWarmer.chunksAdvisedHuge(), "synced every 16 KiB");
        appendDurably(dir.resolve("everysec"), 6 << 20, 24 << 20, log -> log.syncInBackground(failure -> { }));
        assertTrue(PageWarmer.chunksAdvisedHuge() > advisedBefore || !PageWarmer.hugePages()
                || PageWarmer.disabledBecause() != null, "synced every 6 MB");
    }

    /**
     * Appends {@code total} bytes in 16 KiB records to a durable log, syncing every {@code syncEvery}
     * as the engine does: on the appending thread (always) or on the log's sync thread (everysec).
     */
    private static void appendDurably(Path logDir, int syncEvery, int total, Consumer<ChronicleEffectLog> sync) {
        long touchedBefore = PageWarmer.pagesTouched();
        try (ChronicleEffectLog log = ChronicleEffectLog.open(logDir, true, Clock.SYSTEM)) {
            byte[] value = new byte[16 << 10];
            for (int written = 0, i = 1; written < total; written += value.length, i++) {
                log.append(i, List.of(new Effect(0, new byte[][]{"SET".getBytes(StandardCharsets.UTF_8), value})));
                if ((written + value.length) % syncEvery == 0) {
                    sync.accept(log);
                }
            }
            long window = PageWarmer.AHEAD / 2 / 4096;
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    PageWarmer.pagesTouched() - touchedBefore >= window || PageWarmer.disabledBecause() != null);
        }
        // Every request the log made has been served once the warmer has let go of its chunk.
        await().atMost(Duration.ofSeconds(30)).until(() -> PageWarmer.chunksHeld() == 0);
    }

    /** Ten thousand streams with a few entries each must not each get megabytes of pages warmed. */
    @Test
    void aLaneWarmsNoFurtherAheadThanItsAppenderHasWritten() {
        try (ChronicleQueue queue = ChronicleQueue.singleBuilder(dir).blockSize(8 << 20).build();
             ExcerptAppender appender = queue.createAppender()) {
            int advisedBefore = PageWarmer.chunksAdvisedHuge();
            PageWarmer.Lane lane = new PageWarmer.Lane(false);
            long start = -1;
            for (int i = 0; i < 2_000; i++) {
                long end;
                try (DocumentContext dc = appender.writingDocument()) {
                    dc.wire().bytes().write(new byte[100]);
                    lane.wrote(dc.wire().bytes());
                    end = dc.wire().bytes().writePosition();
                }
                start = start < 0 ? end : start;
                long written = end - start;
                assertTrue(lane.requested() <= 2 * written + 4096, "after " + written + " bytes: " + lane.requested());
            }
            // 200 KB written: not a busy lane, so no 2 MB folios for it (ten thousand small streams).
            assertEquals(advisedBefore, PageWarmer.chunksAdvisedHuge());
            if (PageWarmer.disabledBecause() == null) {
                assertTrue(lane.requested() > 0, "a lane that keeps writing warms ahead");
            } else {
                assertEquals(0, lane.requested(), "a warmer that cannot work asks for nothing");
            }
            lane.close();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> PageWarmer.chunksHeld() == 0);
    }
}
