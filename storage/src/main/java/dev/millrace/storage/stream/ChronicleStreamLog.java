package dev.millrace.storage.stream;

import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.storage.queue.QueueFiles;
import dev.millrace.storage.queue.TornTail;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * One open stream log: its queue (one directory, one file per cycle; format in {@link EntryFormat}),
 * its {@link Runs} table built at open from the first and last excerpt of each cycle's live segments
 * (O(cycles), never a scan of the entries), and its {@link LogMeta}.
 *
 * <p>Reads position one tailer with {@code moveToIndex} (tens of microseconds), except when the
 * entry is the one after (or before) the previous read in the same direction: the tailer is already
 * there, and the excerpt's index is checked. Appends go through one appender made at the first
 * append; the tailer is made at open. Owned by {@link ChronicleStreamLogs}, which closes it; one
 * thread at a time.
 */
final class ChronicleStreamLog implements AutoCloseable {
    private static final int NO_CYCLE = Integer.MIN_VALUE;

    private final long logId;
    private final Path dir;
    private final ChronicleStreamLogs.Settings settings;
    private final DirtyFiles dirty;
    /** Null only for a follower whose log directory does not exist yet. */
    private SingleChronicleQueue queue;
    private ExcerptAppender appender;
    private ExcerptTailer tailer;
    private TailerDirection direction = TailerDirection.FORWARD;
    private final Runs runs = new Runs();
    private LogMeta meta = LogMeta.NEW;
    /**
     * The entry the tailer read last, or -1: it reads the one after (before, when its direction is
     * backward) without moving.
     */
    private long lastRead = -1;
    /** The cycle whose file {@link #dirty} knows about in its {@link #dirtyEpoch}. */
    private int dirtyCycle = NO_CYCLE;
    private long dirtyEpoch = -1;
    private boolean closed;

    private ChronicleStreamLog(long logId, Path dir, ChronicleStreamLogs.Settings settings, DirtyFiles dirty) {
        this.logId = logId;
        this.dir = dir;
        this.settings = settings;
        this.dirty = dirty;
    }

    /**
     * Opens the log in {@code dir}, creating it unless this is a follower.
     *
     * @param repairTail whether to zero a killed writer's unfinished excerpt first (the first open of
     *                   the log in this process; never for a follower)
     */
    static ChronicleStreamLog open(long logId, Path dir, ChronicleStreamLogs.Settings settings, DirtyFiles dirty,
                                   boolean repairTail) {
        ChronicleStreamLog log = new ChronicleStreamLog(logId, dir, settings, dirty);
        try {
            if (!settings.readOnly() && !Files.isDirectory(dir)) {
                dirty.directory(dir.getParent());
                log.openQueue();
                dirty.file(dir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE));
                dirty.directory(dir);
            } else if (Files.isDirectory(dir)) {
                log.openQueue();
                if (repairTail) {
                    TornTail.truncate(log.queue);
                }
            }
            log.load();
            return log;
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    private void openQueue() {
        queue = ChronicleQueue.singleBuilder(dir)
                .rollCycle(settings.rollCycle())
                .blockSize(settings.blockSize())
                .timeProvider(settings.clock()::currentTimeMillis)
                .syncMode(SyncMode.NONE)
                .build();
        tailer = queue.createTailer();
        // The owner may close logs from another thread than the one that used them (a shutdown hook).
        tailer.singleThreadedCheckDisabled(true);
    }

    /** Reads the meta and builds the runs from the queue's cycles; a live log also drops stale ranges. */
    private void load() {
        if (queue == null) {
            return;
        }
        meta = LogMeta.read(dir);
        if (!settings.readOnly()) {
            LogMeta current = meta.within(queue.firstIndex(), queue.lastIndex());
            if (!current.equals(meta)) {
                current.write(dir);
                meta = current;
            }
        }
        scanCycles(Integer.MIN_VALUE);
    }

    /** Replaces the runs of cycles {@code fromCycle} and later with what the queue holds now. */
    private void scanCycles(int fromCycle) {
        int keep = 0;
        while (keep < runs.size() && cycleOf(runs.firstIndexOfRun(keep)) < fromCycle) {
            keep++;
        }
        runs.truncateRuns(keep);
        if (queue.firstIndex() == Long.MAX_VALUE) {
            return;
        }
        RollCycle rollCycle = queue.rollCycle();
        int first = Math.max(queue.firstCycle(), fromCycle);
        int last = queue.lastCycle();
        if (first > last) {
            return;
        }
        for (long cycle : queue.listCyclesBetween(first, last)) {
            long count = tailer.excerptsInCycle((int) cycle);
            if (count <= 0) {
                continue;
            }
            meta.forEachLiveSegment(rollCycle.toIndex((int) cycle, 0), rollCycle.toIndex((int) cycle, count - 1), (from, to) -> {
                long firstNumber = numberAt(from);
                long lastNumber = to == from ? firstNumber : numberAt(to);
                if (lastNumber - firstNumber != to - from || (!runs.isEmpty() && firstNumber <= runs.lastNumber())) {
                    throw corrupt("entries " + firstNumber + ".." + lastNumber + " at indexes " + hex(from) + ".." + hex(to)
                            + " are not consecutive after entry " + (runs.isEmpty() ? "none" : runs.lastNumber()));
                }
                runs.add(firstNumber, from, to - from + 1);
            });
        }
        lastRead = -1;
    }

    private long numberAt(long index) {
        return withExcerpt(index, false, in -> EntryFormat.readNumber(in, where(index)));
    }

    long firstNumber() {
        return runs.isEmpty() ? meta.emptyFirst() : runs.firstNumber();
    }

    long lastNumber() {
        return runs.isEmpty() ? meta.emptyFirst() - 1 : runs.lastNumber();
    }

    /** See {@link dev.millrace.engine.stream.StreamLog#append}; a follower ignores appends. */
    void append(long number, StreamId id, byte[][] fieldsAndValues) {
        if (settings.readOnly() || number <= lastNumber()) {
            return;
        }
        if (!runs.isEmpty() && number != lastNumber() + 1) {
            throw new IllegalStateException("stream log gap: appending " + number + " after " + lastNumber());
        }
        long size = EntryFormat.size(fieldsAndValues);
        if (size > settings.maxEntryBytes()) {
            throw new IllegalArgumentException("stream entry of " + size + " bytes is larger than the "
                    + settings.maxEntryBytes() + " bytes a stream log entry may hold");
        }
        if (appender == null) {
            appender = queue.createAppender();
            appender.singleThreadedCheckDisabled(true);
        }
        DocumentContext dc = appender.writingDocument();
        try {
            EntryFormat.write(dc.wire().bytes(), number, id, fieldsAndValues);
        } catch (RuntimeException e) {
            dc.rollbackOnClose();
            throw e;
        } finally {
            dc.close();
        }
        runs.add(number, appender.lastIndexAppended());
        if (appender.cycle() != dirtyCycle || dirty.epoch() != dirtyEpoch) {
            Path file = appender.currentFile().toPath();
            if (appender.cycle() != dirtyCycle) {
                dirty.directory(dir);
            }
            dirty.file(file);
            dirtyCycle = appender.cycle();
            dirtyEpoch = dirty.epoch();
        }
    }

    StreamId id(long number) {
        return withEntry(number, EntryFormat::readId);
    }

    StreamEntry read(long number) {
        return withEntry(number, in -> EntryFormat.readEntry(in, where(runs.indexOf(number))));
    }

    /** Runs {@code reader} on entry {@code number}'s excerpt, positioned after its number. */
    private <T> T withEntry(long number, Function<Bytes<?>, T> reader) {
        long index = runs.indexOf(number);
        if (index < 0 && settings.readOnly() && number > lastNumber()) {
            refresh();
            index = runs.indexOf(number);
        }
        if (index < 0) {
            throw new IndexOutOfBoundsException("stream log " + hex(logId) + " holds entries " + firstNumber() + ".."
                    + lastNumber() + ", not " + number);
        }
        // Reading the entry before the previous one turns the tailer around, so the reads after it do not move it.
        boolean backward = lastRead >= 0 && number == lastRead - 1;
        TailerDirection want = backward ? TailerDirection.BACKWARD : TailerDirection.FORWARD;
        boolean sequential = lastRead >= 0 && direction == want;
        if (direction != want) {
            tailer.direction(want);
            direction = want;
        }
        long at = index;
        T value = withExcerpt(index, sequential && number == lastRead + (backward ? -1 : 1), in -> {
            long stored = EntryFormat.readNumber(in, where(at));
            if (stored != number) {
                throw corrupt("index " + hex(at) + " holds entry " + stored + ", not " + number);
            }
            return reader.apply(in);
        });
        lastRead = number;
        return value;
    }

    /**
     * Runs {@code reader} on the excerpt at {@code index}. With {@code sequential} the tailer is
     * expected to be there already; when it is not, it moves.
     */
    private <T> T withExcerpt(long index, boolean sequential, Function<Bytes<?>, T> reader) {
        if (sequential) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (dc.isPresent() && dc.index() == index) {
                    return reader.apply(dc.wire().bytes());
                }
            }
        }
        if (!tailer.moveToIndex(index)) {
            throw corrupt("no excerpt at index " + hex(index));
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent() || dc.index() != index) {
                throw corrupt("no excerpt at index " + hex(index));
            }
            return reader.apply(dc.wire().bytes());
        }
    }

    /**
     * See {@link dev.millrace.engine.stream.StreamLog#truncateAfter}: the dropped entries' indexes are
     * voided in the meta (fsynced) before they disappear from the runs. A follower does nothing.
     */
    void truncateAfter(long number) {
        if (settings.readOnly() || runs.isEmpty() || number >= runs.lastNumber()) {
            return;
        }
        long from = runs.indexOf(Math.max(number + 1, runs.firstNumber()));
        LogMeta next = meta.withVoided(from, runs.lastIndex());
        if (number < runs.firstNumber()) {
            next = next.withEmptyFirst(runs.firstNumber());
        }
        next.write(dir);
        meta = next;
        runs.truncateAfter(number);
        lastRead = -1;
    }

    /**
     * Deletes the cycle files that hold no entry at or above {@code below} (only voided ones, if any),
     * oldest first, and closes this log: the owner reopens it on next use.
     *
     * @return the number of files deleted
     */
    int deleteFilesBelow(long below) {
        if (queue == null || queue.firstIndex() == Long.MAX_VALUE) {
            return 0;
        }
        int keepFrom = Integer.MAX_VALUE;
        for (int run = 0; run < runs.size(); run++) {
            if (runs.lastNumberOfRun(run) >= below) {
                keepFrom = cycleOf(runs.firstIndexOfRun(run));
                break;
            }
        }
        if (keepFrom <= queue.firstCycle()) {
            return 0;
        }
        LogMeta next = meta;
        if (keepFrom == Integer.MAX_VALUE && !runs.isEmpty()) {
            next = next.withEmptyFirst(Math.min(below, runs.lastNumber() + 1));
        }
        RollCycle rollCycle = queue.rollCycle();
        close();
        // The first number goes to disk before the files go; the voided ranges after (until then they name
        // the excerpts of files still present).
        if (!next.equals(meta)) {
            next.write(dir);
        }
        int deleted = QueueFiles.deleteBelow(dir, rollCycle, keepFrom);
        long firstKept = keepFrom == Integer.MAX_VALUE ? Long.MAX_VALUE : rollCycle.toIndex(keepFrom, 0);
        LogMeta kept = next.within(firstKept, Long.MAX_VALUE);
        if (!kept.equals(next)) {
            kept.write(dir);
        }
        return deleted;
    }

    /** A follower's table is brought up to date: the live log appended since (or made the directory). */
    private void refresh() {
        if (queue == null) {
            if (!Files.isDirectory(dir)) {
                return;
            }
            openQueue();
            load();
            return;
        }
        queue.refreshDirectoryListing();
        scanCycles(runs.isEmpty() ? Integer.MIN_VALUE : cycleOf(runs.firstIndexOfRun(runs.size() - 1)));
    }

    private int cycleOf(long index) {
        return queue.rollCycle().toCycle(index);
    }

    private String where(long index) {
        return "stream log " + hex(logId) + " index " + hex(index);
    }

    private IllegalStateException corrupt(String what) {
        return new IllegalStateException("stream log " + hex(logId) + " (" + dir + ") is corrupt: " + what);
    }

    static String hex(long value) {
        return String.format("%016x", value);
    }

    /** Whether {@link #close} ran (also the end of {@link #deleteFilesBelow} when it deletes). */
    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        if (appender != null) {
            appender.close();
            appender = null;
        }
        if (tailer != null) {
            tailer.close();
            tailer = null;
        }
        if (queue != null) {
            queue.close();
            queue = null;
        }
    }
}
