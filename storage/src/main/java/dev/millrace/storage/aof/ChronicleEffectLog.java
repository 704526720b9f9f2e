package dev.millrace.storage.aof;

import dev.millrace.engine.Clock;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.storage.ChronicleSettings;
import dev.millrace.storage.MappedPages;
import dev.millrace.storage.queue.PageWarmer;
import dev.millrace.storage.queue.QueueFiles;
import dev.millrace.storage.queue.WriterTime;
import dev.millrace.storage.queue.TornTail;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.ChunkHookedQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The AOF on Chronicle Queue: one record per {@link #append} (format in {@link AofFormat}).
 *
 * <ul>
 *   <li>Roll cycle: {@link #ROLL_CYCLE} (ten minutes), so that after a snapshot every file older
 *       than the current ten minutes can be deleted ({@link #deleteCyclesBelow}).</li>
 *   <li>Durable mode ({@code appendonly yes}): {@link #sync} msyncs what was appended on the
 *       caller's thread (the engine calls it once per batch with {@code always}, and at shutdown),
 *       {@link #syncInBackground} on the log's sync thread (once a second with {@code everysec});
 *       both through {@link BackgroundSync}. The queue is also in Chronicle's SYNC mode, so a chunk
 *       it releases is msynced whole: a second net, cheap once the pages are clean. Non-durable
 *       mode ({@code appendonly no}): neither syncs; the log then only feeds background snapshots
 *       and is never replayed after a crash (and the snapshot store stops appending to it while
 *       there are no save rules).</li>
 *   <li>At open a torn tail is repaired: unfinished bytes of a killed write are zeroed
 *       ({@link TornTail}); a last record that is incomplete or corrupt gets a VOID excerpt so every
 *       reader skips it. Both are logged as warnings.</li>
 * </ul>
 *
 * <p>Execution thread only, except {@link #reader} and {@link #deleteCyclesBelow}, which open their
 * own queue instance and may run on a snapshot thread.
 */
public final class ChronicleEffectLog implements EffectLog {
    static {
        ChronicleSettings.apply();
    }

    private static final Logger log = LoggerFactory.getLogger(ChronicleEffectLog.class);
    public static final RollCycles ROLL_CYCLE = RollCycles.TEN_MINUTELY;
    /**
     * The queue maps its file in blocks of this size (plus a quarter of overlap), and the pages
     * written stay resident while their block is mapped: Chronicle's 64 MB default kept up to 80 MB
     * of the log resident; 8 MB keeps about 10 MB. Records above an excerpt's limit (a quarter of a
     * block) are fragmented ({@link AofFormat#FRAGMENT_BODY_BYTES}).
     */
    static final int BLOCK_SIZE = 8 << 20;

    private final Path dir;
    private final TimeProvider time;
    private final ChronicleQueue queue;
    private final ExcerptAppender appender;
    private final CRC32C crc = new CRC32C();
    /** A durable log is msynced per batch or per second: huge pages only while syncs cover megabytes. */
    private final PageWarmer.Lane warmer;
    /** The durable log's sync thread; null when not durable. */
    private final BackgroundSync background;
    /**
     * A record's body is gathered here and copied into the excerpt a block at a time: the body
     * comes as many pieces of a few bytes (RESP headers, CRLFs), and each write into a mapped
     * excerpt costs far more than a copy into an array. Large arguments bypass it.
     */
    private final byte[] block = new byte[BODY_BLOCK_BYTES];
    private static final int BODY_BLOCK_BYTES = 64 << 10;
    private long lastIndex;
    private Runnable onNewCycle = () -> { };
    private boolean closed;

    private ChronicleEffectLog(Path dir, boolean durable, TimeProvider time) {
        this.dir = dir;
        this.time = time;
        // An msync writes back whole folios: with 2 MB ones, appendfsync always wrote 2 MB a batch
        // (SET -P 1 fell from 0.85 to 0.34 of Redis), and a trickle of writes under everysec would
        // write 2 MB a second. A durable log's lane is told of every sync (see sync() and syncInBackground()).
        this.warmer = new PageWarmer.Lane(durable);
        this.background = durable ? new BackgroundSync() : null;
        try (SingleChronicleQueue repair = builder(dir, time).build()) {
            TornTail.truncate(repair, repair.blockSize());
        }
        // The writer's clock never goes back (see WriterTime): a record in an earlier cycle's file
        // would leave the log unreadable.
        // Advised random access: a new cycle file's first write would otherwise read around it, 10 MB of
        // zero-filled pages on the execution thread at every roll (see MappedPages#accessRandomly).
        this.queue = ChunkHookedQueue.build(builder(dir, WriterTime.of(dir, ROLL_CYCLE, time))
                .syncMode(durable ? SyncMode.SYNC : SyncMode.NONE), MappedPages::accessRandomly);
        this.appender = queue.createAppender();
        // close() may come from a shutdown thread; appends stay on the execution thread.
        appender.singleThreadedCheckDisabled(true);
        try (AofReader reader = new AofReader(dir, time)) {
            AofReader.Tail tail = reader.tail();
            lastIndex = tail.lastIndex();
            if (tail.bad()) {
                lastIndex = appendVoid(tail.lastIndex());
                sync();
            }
        }
    }

    /**
     * Opens (or creates) the log in {@code dir}.
     *
     * @param durable whether {@link #sync} must make records durable (appendonly yes)
     * @param clock   decides which cycle file a record goes to; tests move it to roll cycles
     */
    public static ChronicleEffectLog open(Path dir, boolean durable, Clock clock) {
        return new ChronicleEffectLog(dir, durable, clock::currentTimeMillis);
    }

    static SingleChronicleQueueBuilder builder(Path dir, TimeProvider time) {
        return ChronicleQueue.singleBuilder(dir).rollCycle(ROLL_CYCLE).blockSize(BLOCK_SIZE).timeProvider(time);
    }

    public Path directory() {
        return dir;
    }

    @Override
    public long append(long unixTimeMillis, List<Effect> effects) {
        long previous = lastIndex;
        long index = new RecordWriter(unixTimeMillis, effects).write();
        if (previous < 0 || ROLL_CYCLE.toCycle(index) != ROLL_CYCLE.toCycle(previous)) {
            onNewCycle.run();
        }
        return index;
    }

    /** Runs {@code listener} on the appending thread whenever a record starts a new cycle file. */
    public void onNewCycle(Runnable listener) {
        this.onNewCycle = listener;
    }

    /** Writes one record, in fragments when its body is larger than one excerpt may be. */
    private final class RecordWriter implements AofFormat.BodySink {
        private final long time;
        private final List<Effect> effects;
        private DocumentContext dc;
        private Bytes<?> out;
        private long kindOffset;
        private long room;
        private long firstIndex = -1;

        /** Bytes of the body gathered in {@link #block} and not yet in an excerpt. */
        private int blockLength;

        RecordWriter(long time, List<Effect> effects) {
            this.time = time;
            this.effects = effects;
        }

        long write() {
            crc.reset();
            try {
                open(AofFormat.WHOLE);
                out.writeLong(time).writeInt(effects.size()).writeLong(AofFormat.bodyLength(effects));
                AofFormat.writeBody(effects, this);
                flushBlock();
                out.writeInt((int) crc.getValue());
                closeFragment(firstIndex < 0 ? AofFormat.WHOLE : AofFormat.LAST);
            } catch (RuntimeException e) {
                if (dc != null) {
                    dc.rollbackOnClose();
                    dc.close();
                }
                if (firstIndex >= 0) {
                    // Earlier fragments are in the log: void them so readers do not stop there.
                    lastIndex = appendVoid(firstIndex);
                }
                throw e;
            }
            return lastIndex;
        }

        private void open(byte kind) {
            dc = appender.writingDocument();
            out = dc.wire().bytes();
            kindOffset = out.writePosition() + 2;
            AofFormat.writePrefix(out, kind);
            room = AofFormat.FRAGMENT_BODY_BYTES;
        }

        private void closeFragment(byte kind) {
            out.writeByte(kindOffset, kind);
            warmer.wrote(out);
            dc.close();
            dc = null;
            written(out);
            if (firstIndex < 0) {
                firstIndex = appender.lastIndexAppended();
                lastIndex = firstIndex;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (len > block.length - blockLength) {
                flushBlock();
                if (len > block.length / 2) {
                    writeToExcerpts(b, off, len);
                    return;
                }
            }
            System.arraycopy(b, off, block, blockLength, len);
            blockLength += len;
        }

        private void flushBlock() {
            if (blockLength > 0) {
                writeToExcerpts(block, 0, blockLength);
                blockLength = 0;
            }
        }

        /** Appends body bytes to the current excerpt, starting the next fragment when it is full. */
        private void writeToExcerpts(byte[] b, int off, int len) {
            crc.update(b, off, len);
            while (len > 0) {
                if (room == 0) {
                    closeFragment(firstIndex < 0 ? AofFormat.FIRST : AofFormat.MIDDLE);
                    open(AofFormat.LAST);
                }
                int n = (int) Math.min(room, len);
                out.write(b, off, n);
                off += n;
                len -= n;
                room -= n;
            }
        }
    }

    private long appendVoid(long voided) {
        Bytes<?> bytes;
        try (DocumentContext dc = appender.writingDocument()) {
            bytes = dc.wire().bytes();
            AofFormat.writePrefix(bytes, AofFormat.VOID);
            bytes.writeLong(voided);
        }
        written(bytes);
        log.warn("AOF record {} is torn or corrupt: voided, it will be skipped on replay", AofReader.hex(voided));
        return appender.lastIndexAppended();
    }

    private void written(Bytes<?> bytes) {
        if (background != null) {
            background.written(bytes);
        }
    }

    @Override
    public void syncInBackground(Consumer<RuntimeException> done) {
        if (background == null) {
            done.accept(null);
        } else {
            background.request(done);
            warmer.synced();
        }
    }

    /** Durable mode: msync of everything appended, on this thread. Otherwise nothing. */
    @Override
    public void sync() {
        if (background != null && lastIndex >= 0) {
            background.syncNow();
            warmer.synced();
        }
    }

    @Override
    public long lastIndex() {
        return lastIndex;
    }

    /** A reader on its own queue instance; the caller closes it. Any thread. */
    public AofReader reader() {
        return new AofReader(dir, time);
    }

    /**
     * Deletes the cycle files wholly below the cycle of {@code index} (they hold only records with
     * smaller indexes). Any thread: Chronicle tolerates deleting files of an open queue.
     *
     * @return the number of files deleted
     */
    public int deleteCyclesBelow(long index) {
        if (index < 0) {
            return 0;
        }
        int deleted = QueueFiles.deleteBelow(dir, ROLL_CYCLE, ROLL_CYCLE.toCycle(index));
        if (deleted > 0) {
            try (ChronicleQueue listing = builder(dir, time).build()) {
                listing.refreshDirectoryListing();
            }
        }
        return deleted;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sync();
        if (background != null) {
            background.close();
        }
        warmer.close();
        appender.close();
        queue.close();
    }
}
