package dev.millrace.storage.aof;

import com.sun.jna.Platform;
import dev.millrace.engine.Clock;
import dev.millrace.engine.effect.Effect;
import dev.millrace.storage.ChildJvm;
import dev.millrace.storage.MutableClock;
import dev.millrace.storage.PageCache;
import dev.millrace.storage.queue.QueueFiles;
import dev.millrace.storage.queue.TornTail;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The AOF on real Chronicle Queue files: order, indexes, fragments, torn and corrupt tails, retention. */
class ChronicleEffectLogTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Effect> set(int db, String key, byte[] value) {
        return List.of(new Effect(db, new byte[][]{b("SET"), b(key), value}));
    }

    private static List<AofReader.LoggedRecord> readAll(ChronicleEffectLog log, long after) {
        List<AofReader.LoggedRecord> out = new ArrayList<>();
        try (AofReader reader = log.reader()) {
            reader.replay(after, Long.MAX_VALUE, out::add);
        }
        return out;
    }

    private static void assertSameEffects(List<Effect> expected, List<Effect> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).db(), actual.get(i).db());
            assertEquals(expected.get(i).argv().length, actual.get(i).argv().length);
            for (int a = 0; a < expected.get(i).argv().length; a++) {
                assertArrayEquals(expected.get(i).argv()[a], actual.get(i).argv()[a]);
            }
        }
    }

    /**
     * The first record of a cycle brings in a few pages of the new file, not the whole file: the
     * writer's mappings are advised random access before their first touch (see
     * {@code MappedPages#accessRandomly}); without it, 2,560 zero-filled pages at every roll here.
     */
    @Test
    void aNewCycleFileHasAFewPagesInThePageCacheNotAllOfThem() throws IOException {
        assumeTrue(Platform.isLinux(), "page-cache residency is asked of Linux's mincore");
        MutableClock clock = new MutableClock(1_800_000_000_000L);
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, false, clock)) {
            log.append(clock.currentTimeMillis(), set(0, "a", b("1")));
            clock.advance(ChronicleEffectLog.ROLL_CYCLE.lengthInMillis());
            log.append(clock.currentTimeMillis(), set(0, "b", b("2")));
        }
        List<Path> cycleFiles = QueueFiles.cycleFiles(dir);
        assertEquals(2, cycleFiles.size(), cycleFiles.toString());
        for (Path file : cycleFiles) {
            long cached = PageCache.pagesCached(file);
            assertTrue(cached <= 32, file.getFileName() + ": " + cached + " of " + Files.size(file) / PageCache.PAGE
                    + " pages are in the page cache");
        }
    }

    /**
     * A background sync writes back every record appended before it was asked for, in the chunks the
     * appender left as well as in the one it writes in, and syncs complete in the order asked. What
     * the page cache still holds dirty afterwards is Chronicle's own bookkeeping (header and index
     * pages it rewrites in place), and pages the page warmer touched as the appender passed them (a
     * step of 16 in flight; measured 1-9 dirty pages, 28 once), against 1,700 before it.
     */
    @Test
    void aBackgroundSyncWritesBackEverythingAppendedBeforeIt() throws Exception {
        appendAcrossChunksThenSync(log -> {
            CompletableFuture<RuntimeException> last = new CompletableFuture<>();
            log.syncInBackground(last::complete);
            assertNull(last.get(60, TimeUnit.SECONDS));
        });
    }

    /** The same of a sync on the appending thread ({@code appendfsync always}), after background ones. */
    @Test
    void aSyncOnTheAppendingThreadWritesBackEverythingAppendedBeforeIt() throws Exception {
        appendAcrossChunksThenSync(ChronicleEffectLog::sync);
    }

    private interface LastSync {
        void sync(ChronicleEffectLog log) throws Exception;
    }

    private void appendAcrossChunksThenSync(LastSync lastSync) throws Exception {
        byte[] value = new byte[100_000];
        int records = 250; // 25 MB: the appender moves through three chunks
        long behindTheRecords = (long) records * value.length;
        List<Integer> completed = new CopyOnWriteArrayList<>();
        List<RuntimeException> failures = new CopyOnWriteArrayList<>();
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            for (int i = 0; i < records; i++) {
                log.append(Clock.SYSTEM.currentTimeMillis(), set(0, "k" + i, value));
                // Every 3 MB: under PageWarmer.HUGE_BYTES_PER_SYNC, so the chunks keep 4 KiB pages. A
                // huge folio is dirty as a whole, and the warmer's touches ahead of the last record
                // would make the written-back part of the last one count as dirty again.
                if (i % 30 == 29 && i < 180) { // then 7 MB for the last sync alone
                    int request = i / 30;
                    log.syncInBackground(failure -> {
                        completed.add(request);
                        if (failure != null) {
                            failures.add(failure);
                        }
                    });
                }
            }
            Path file = QueueFiles.newestCycleFile(dir, ChronicleEffectLog.ROLL_CYCLE);
            long dirtyBefore = PageCache.pagesDirty(file, behindTheRecords);
            assumeTrue(dirtyBefore >= 0, "cachestat(2) is not available here");
            lastSync.sync(log);
            assertEquals(List.of(), failures);
            assertEquals(List.of(0, 1, 2, 3, 4, 5), completed);
            long dirtyAfter = PageCache.pagesDirty(file, behindTheRecords);
            assertTrue(dirtyBefore >= 1_000, dirtyBefore + " pages dirty before the last sync");
            assertTrue(dirtyAfter <= 64, dirtyAfter + " pages dirty after it, of " + behindTheRecords / PageCache.PAGE);
        }
    }

    @Test
    void recordsReplayInOrderWithTheirIndexesTimesAndEffects() {
        Random random = new Random(1);
        List<List<Effect>> written = new ArrayList<>();
        List<Long> indexes = new ArrayList<>();
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            assertEquals(-1, log.lastIndex());
            for (int i = 0; i < 500; i++) {
                byte[] binary = new byte[random.nextInt(200)];
                random.nextBytes(binary);
                List<Effect> effects = i % 10 == 0
                        ? List.of(new Effect(3, new byte[][]{b("MULTI-ish"), new byte[0]}), new Effect(15, new byte[][]{b("DEL"), binary}))
                        : set(i % 16, "key" + i, binary);
                written.add(effects);
                long index = log.append(1_000_000L + i, effects);
                assertTrue(indexes.isEmpty() || index > indexes.get(indexes.size() - 1));
                assertEquals(index, log.lastIndex());
                indexes.add(index);
            }
            log.sync();
            List<AofReader.LoggedRecord> read = readAll(log, -1);
            assertEquals(500, read.size());
            for (int i = 0; i < 500; i++) {
                assertEquals(indexes.get(i), read.get(i).index());
                assertEquals(1_000_000L + i, read.get(i).unixTimeMillis());
                assertSameEffects(written.get(i), read.get(i).effects());
            }
            List<AofReader.LoggedRecord> window = new ArrayList<>();
            try (AofReader reader = log.reader()) {
                assertEquals(10, reader.replay(indexes.get(99), indexes.get(109), window::add));
            }
            assertEquals(indexes.get(100), window.get(0).index());
            assertEquals(indexes.get(109), window.get(9).index());
        }
    }

    @Test
    void aRecordLargerThanAnExcerptIsSplitIntoFragments() {
        byte[] big = new byte[20 << 20];
        new Random(2).nextBytes(big);
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            log.append(1, set(0, "before", b("x")));
            long bigIndex = log.append(2, set(0, "big", big));
            long after = log.append(3, set(0, "after", b("y")));
            assertTrue(after - bigIndex > 4, "the big record took several excerpts");
            List<AofReader.LoggedRecord> read = readAll(log, -1);
            assertEquals(3, read.size());
            assertEquals(bigIndex, read.get(1).index());
            assertArrayEquals(big, read.get(1).effects().get(0).argv()[2]);
            assertEquals(1, readAll(log, bigIndex).size(), "replay after a fragmented record skips its fragments");
        }
    }

    @Test
    void manySmallAndLargeArgumentsRoundTripAcrossBodyBlocksAndFragments() {
        // Small pieces are gathered into blocks, large ones bypass them; at ~12 MB the record is
        // also cut into fragments, at places unrelated to the blocks.
        Random random = new Random(3);
        List<Effect> effects = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            byte[][] argv = new byte[1 + random.nextInt(5)][];
            for (int a = 0; a < argv.length; a++) {
                argv[a] = new byte[random.nextInt(10) == 0 ? 20_000 + random.nextInt(40_000) : random.nextInt(100)];
                random.nextBytes(argv[a]);
            }
            effects.add(new Effect(random.nextInt(16), argv));
        }
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            long index = log.append(7, effects);
            long after = log.append(8, set(0, "after", b("y")));
            assertTrue(after - index > 2, "fragmented");
            List<AofReader.LoggedRecord> read = readAll(log, -1);
            assertEquals(2, read.size());
            assertSameEffects(effects, read.get(0).effects());
        }
    }

    @Test
    void reopeningContinuesTheLog() {
        long last;
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            for (int i = 0; i < 10; i++) {
                last = log.append(i, set(0, "k" + i, b("v")));
            }
            last = log.lastIndex();
        }
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            assertEquals(last, log.lastIndex());
            long next = log.append(10, set(0, "k10", b("v")));
            assertTrue(next > last);
            assertEquals(11, readAll(log, -1).size());
        }
    }

    @Test
    void anExcerptUnfinishedWhenTheWriterWasKilledIsTruncatedAtOpen() throws Exception {
        ChildJvm child = ChildJvm.start(TornWriterMain.class, dir.toString(), "50");
        String line;
        while ((line = child.readLine()) != null && !line.equals("TORN")) {
            // wait for the child to be in the middle of its last write
        }
        assertEquals("TORN", line);
        child.kill();
        assertTrue(truncateTornTail(dir) > 0, "torn bytes found and zeroed");
        assertEquals(0, truncateTornTail(dir), "and gone");
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            // A short record now lands where the torn one began; nothing of the junk may be read after it.
            log.append(99, set(0, "after-crash", b("ok")));
            List<AofReader.LoggedRecord> read = readAll(log, -1);
            assertEquals(51, read.size());
            assertArrayEquals(b("k49"), read.get(49).effects().get(0).argv()[1]);
            assertArrayEquals(b("after-crash"), read.get(50).effects().get(0).argv()[1]);
        }
    }

    @Test
    void craftedUnfinishedBytesAfterTheLastExcerptAreTruncated() throws Exception {
        for (int header : new int[]{0, 0x80000000 | 900}) {
            Path queueDir = dir.resolve("h" + Integer.toHexString(header));
            try (ChronicleEffectLog log = ChronicleEffectLog.open(queueDir, true, Clock.SYSTEM)) {
                for (int i = 0; i < 5; i++) {
                    log.append(i, set(0, "k" + i, b("v" + i)));
                }
            }
            long end = endOfLastExcerpt(queueDir);
            ByteBuffer junk = ByteBuffer.allocate(1000).order(ByteOrder.LITTLE_ENDIAN);
            junk.putInt(header);
            while (junk.hasRemaining()) {
                junk.put((byte) 0x5A);
            }
            junk.flip();
            try (FileChannel ch = FileChannel.open(QueueFiles.newestCycleFile(queueDir, ChronicleEffectLog.ROLL_CYCLE), StandardOpenOption.WRITE)) {
                ch.write(junk, (end + 3) & ~3L);
            }
            try (ChronicleEffectLog log = ChronicleEffectLog.open(queueDir, true, Clock.SYSTEM)) {
                log.append(5, set(0, "k5", b("v5")));
                log.append(6, set(0, "k6", b("v6")));
                List<AofReader.LoggedRecord> read = readAll(log, -1);
                assertEquals(7, read.size(), "header " + Integer.toHexString(header));
                assertArrayEquals(b("v6"), read.get(6).effects().get(0).argv()[2]);
            }
        }
    }

    /**
     * An unfinished excerpt whose bytes lie beyond a hole (as a power loss can leave one: its first
     * and a later page written, the pages between never): the check reads only the file's data
     * regions, and must still find and zero the far bytes.
     */
    @Test
    void unfinishedBytesBeyondAHoleAreTruncatedToo() throws Exception {
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            for (int i = 0; i < 5; i++) {
                log.append(i, set(0, "k" + i, b("v" + i)));
            }
        }
        long start = (endOfLastExcerpt(dir) + 3) & ~3L;
        long far = start + (300 << 10);
        try (FileChannel ch = FileChannel.open(QueueFiles.newestCycleFile(dir, ChronicleEffectLog.ROLL_CYCLE), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x80000000), start);
            ch.write(ByteBuffer.wrap(new byte[]{0x5A, 0x5A, 0x5A}), far);
        }
        assertEquals(far + 3 - start, truncateTornTail(dir), "zeroed from the header to the far bytes");
        assertEquals(0, truncateTornTail(dir), "and gone");
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            log.append(5, set(0, "k5", b("v5")));
            List<AofReader.LoggedRecord> read = readAll(log, -1);
            assertEquals(6, read.size());
            assertArrayEquals(b("v5"), read.get(5).effects().get(0).argv()[2]);
        }
    }

    @Test
    void aGarbageLastRecordIsVoidedAndSkippedForGood() {
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            log.append(1, set(0, "good", b("1")));
        }
        rawAppend(dir, new byte[]{'M', 1, 0, 9, 9, 9, 9});
        long voidIndex;
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            voidIndex = log.lastIndex();
            log.append(2, set(0, "later", b("2")));
            List<AofReader.LoggedRecord> read = readAll(log, -1);
            assertEquals(2, read.size());
            assertArrayEquals(b("later"), read.get(1).effects().get(0).argv()[1]);
        }
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            assertTrue(log.lastIndex() > voidIndex);
            assertEquals(2, readAll(log, -1).size(), "still skipped once it is in the middle of the log");
        }
    }

    @Test
    void recordsOfTheRespBodiedFormatVersion1StillReplayBesideVersion2Ones() {
        // A record as version 1 wrote it: int db, then the argv as RESP.
        byte[] body = "*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$2\r\nv1\r\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer v1 = ByteBuffer.allocate(3 + 20 + 4 + body.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        v1.put(AofFormat.MAGIC).put(AofFormat.FORMAT_VERSION_RESP).put(AofFormat.WHOLE);
        v1.putLong(7).putInt(1).putLong(4 + body.length);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        byte[] db = {3, 0, 0, 0};
        crc.update(db);
        crc.update(body);
        v1.put(db).put(body).putInt((int) crc.getValue());
        rawAppend(dir, v1.array());
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            log.append(8, set(5, "new", b("v2")));
            List<AofReader.LoggedRecord> read = readAll(log, -1);
            assertEquals(2, read.size());
            assertEquals(7, read.get(0).unixTimeMillis());
            Effect old = read.get(0).effects().get(0);
            assertEquals(3, old.db());
            assertArrayEquals(b("old"), old.argv()[1]);
            assertArrayEquals(b("v1"), old.argv()[2]);
            Effect fresh = read.get(1).effects().get(0);
            assertEquals(5, fresh.db());
            assertArrayEquals(b("v2"), fresh.argv()[2]);
        }
    }

    @Test
    void aVersion2BodyWhoseLengthRunsPastItsEndIsVoidedThoughItsCrcMatches() {
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            log.append(1, set(0, "good", b("1")));
        }
        // db 0, one argument, said to be 127 bytes long: the body ends after 3
        byte[] body = {0, 1, 127};
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(body);
        ByteBuffer bad = ByteBuffer.allocate(3 + 20 + body.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        bad.put(AofFormat.MAGIC).put(AofFormat.FORMAT_VERSION).put(AofFormat.WHOLE);
        bad.putLong(2).putInt(1).putLong(body.length).put(body).putInt((int) crc.getValue());
        rawAppend(dir, bad.array());
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            log.append(3, set(0, "later", b("3")));
            List<AofReader.LoggedRecord> read = readAll(log, -1);
            assertEquals(2, read.size());
            assertArrayEquals(b("good"), read.get(0).effects().get(0).argv()[1]);
            assertArrayEquals(b("later"), read.get(1).effects().get(0).argv()[1]);
        }
    }

    @Test
    void aVersion2BodySpendsOneByteOnEachSmallNumber() {
        List<Effect> xadd = List.of(new Effect(0, new byte[][]{b("XADD"), b("s"), b("1795787864113-0"), b("f"), b("v")}));
        // db, argc, then a length byte and the bytes of each argument
        assertEquals(1 + 1 + (1 + 4) + (1 + 1) + (1 + 15) + (1 + 1) + (1 + 1), AofFormat.bodyLength(xadd));
        List<Effect> wide = List.of(new Effect(300, new byte[][]{new byte[200]}));
        assertEquals(2 + 1 + 2 + 200, AofFormat.bodyLength(wide));
    }

    @Test
    void aRecordMissingItsLastFragmentIsVoided() {
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            log.append(1, set(0, "good", b("1")));
        }
        ByteBuffer first = ByteBuffer.allocate(3 + 20 + 100).order(ByteOrder.LITTLE_ENDIAN);
        first.put(AofFormat.MAGIC).put(AofFormat.FORMAT_VERSION).put(AofFormat.FIRST);
        first.putLong(5).putInt(1).putLong(10_000_000);
        rawAppend(dir, first.array());
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            log.append(3, set(0, "later", b("3")));
            assertEquals(2, readAll(log, -1).size());
        }
    }

    @Test
    void aCorruptRecordInTheMiddleOfTheLogIsFatal() throws Exception {
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            for (int i = 0; i < 3; i++) {
                log.append(i, set(0, "key" + i, b("value" + i)));
            }
        }
        // Flip a byte inside the second record's value: its CRC no longer matches.
        long position;
        try (ChronicleQueue queue = ChronicleEffectLog.builder(dir, System::currentTimeMillis).build()) {
            ExcerptTailer tailer = queue.createTailer();
            tailer.readingDocument().close();
            try (DocumentContext dc = tailer.readingDocument()) {
                position = dc.wire().bytes().readLimit() - 6;
            }
        }
        try (FileChannel ch = FileChannel.open(QueueFiles.newestCycleFile(dir, ChronicleEffectLog.ROLL_CYCLE), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x20)).rewind();
            ch.write(one, position);
        }
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, Clock.SYSTEM)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> readAll(log, -1));
            assertTrue(e.getMessage().contains("CRC mismatch"), e.getMessage());
        }
    }

    @Test
    void cyclesBelowAnIndexAreDeleted() {
        MutableClock clock = new MutableClock(1_800_000_000_000L);
        long tenMinutes = ChronicleEffectLog.ROLL_CYCLE.lengthInMillis();
        List<Long> firstOfCycle = new ArrayList<>();
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, clock)) {
            for (int cycle = 0; cycle < 3; cycle++) {
                for (int i = 0; i < 4; i++) {
                    long index = log.append(clock.currentTimeMillis(), set(0, "c" + cycle + "i" + i, b("v")));
                    if (i == 0) {
                        firstOfCycle.add(index);
                    }
                }
                clock.advance(tenMinutes);
            }
            assertEquals(3, QueueFiles.cycleFiles(dir).size());
            long covered = firstOfCycle.get(2) ;
            assertEquals(2, log.deleteCyclesBelow(covered));
            assertEquals(1, QueueFiles.cycleFiles(dir).size());
            assertEquals(3, readAll(log, covered).size(), "the rest of the covered cycle");
            assertEquals(4, readAll(log, -1).size(), "reading from the start begins at the oldest kept cycle");
            log.append(clock.currentTimeMillis(), set(0, "more", b("v")));
        }
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, clock)) {
            assertEquals(5, readAll(log, -1).size());
        }
    }

    @Test
    void aClockThatGoesBackDoesNotWriteIntoAnEarlierCycle() {
        MutableClock clock = new MutableClock(1_800_000_000_000L);
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, clock)) {
            log.append(clock.currentTimeMillis(), set(0, "before", b("v")));
            clock.advance(ChronicleEffectLog.ROLL_CYCLE.lengthInMillis());
            log.append(clock.currentTimeMillis(), set(0, "later cycle", b("v")));
        }
        // An NTP step or a machine whose clock is behind: two cycles back, then on again.
        clock.advance(-2 * ChronicleEffectLog.ROLL_CYCLE.lengthInMillis());
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, clock)) {
            log.append(clock.currentTimeMillis(), set(0, "clock behind", b("v")));
        }
        try (ChronicleEffectLog log = ChronicleEffectLog.open(dir, true, clock)) {
            List<AofReader.LoggedRecord> all = readAll(log, -1);
            assertEquals(3, all.size());
            assertArrayEquals(b("clock behind"), all.get(2).effects().get(0).argv()[1]);
            assertEquals(2, QueueFiles.cycleFiles(dir).size(), "the third record went to the newest cycle file");
        }
    }

    private static long truncateTornTail(Path queueDir) {
        try (SingleChronicleQueue queue = ChronicleEffectLog.builder(queueDir, System::currentTimeMillis).build()) {
            return TornTail.truncate(queue, queue.blockSize());
        }
    }

    private static long endOfLastExcerpt(Path queueDir) {
        try (ChronicleQueue queue = ChronicleEffectLog.builder(queueDir, System::currentTimeMillis).build()) {
            ExcerptTailer tailer = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd();
            try (DocumentContext dc = tailer.readingDocument()) {
                return dc.wire().bytes().readLimit();
            }
        }
    }

    private static void rawAppend(Path queueDir, byte[] excerpt) {
        try (ChronicleQueue queue = ChronicleEffectLog.builder(queueDir, System::currentTimeMillis).build();
             ExcerptAppender appender = queue.createAppender();
             DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(excerpt);
        }
    }
}
