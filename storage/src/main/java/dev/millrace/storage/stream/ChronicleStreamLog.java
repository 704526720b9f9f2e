package dev.millrace.storage.stream;

import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.stream.StreamLog;
import dev.millrace.storage.DurableFiles;
import dev.millrace.storage.MappedPages;
import dev.millrace.storage.queue.PageWarmer;
import dev.millrace.storage.queue.ReadPages;
import dev.millrace.storage.queue.QueueFiles;
import dev.millrace.storage.queue.TornTail;
import dev.millrace.storage.queue.WriterTime;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.ChunkHookedQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * One open stream log: its queue (one directory, one file per cycle; format in {@link EntryFormat}),
 * its {@link Runs} table built at open from the first and last excerpt of each cycle's live segments
 * (O(cycles), never a scan of the entries), and its {@link LogMeta}.
 *
 * <p>Two Chronicle instances serve the queue. The writer, with
 * {@link ChronicleStreamLogs.Settings#blockSize} blocks (small files for small streams), is made at the
 * first append; its mappings are advised random access before they are touched (the first write
 * into a new cycle file would otherwise read the whole sparse file around it: {@link
 * MappedPages#accessRandomly}). Reads go through a read-only instance, opened at the first read (a
 * new stream that is only written never opens one), that maps {@link #READ_CHUNK_BYTES} at a time: a
 * tailer maps one chunk of a file at a time, and with the writer's few-MiB blocks nearly every random
 * read in a large log remapped (about 200-300 us a read, measured, against 3-7 us with 256 MiB
 * chunks). A chunk is address space, not memory: only the pages read are mapped. Being read-only,
 * that instance never grows the files, and it sees what the writer appends.
 *
 * <p>The read-only instance has a tailer per cycle file for the {@link #TAILERS} cycles read last,
 * and a scanner for building the runs: a tailer holds one file, and moving it to another cycle
 * reopens and remaps that file (about 300 us, measured). A read positions its tailer with
 * {@code moveToIndex}, except when the entry is the one after (or before) the tailer's previous
 * read: the tailer is already there, turned the right way, and the excerpt's index is checked.
 *
 * <p>Owned by {@link ChronicleStreamLogs}, which closes it; one thread at a time.
 */
final class ChronicleStreamLog implements AutoCloseable {
    /** The read-only instance's mapping unit: a cycle file of up to this size is read without remapping. */
    static final long READ_CHUNK_BYTES = 256L << 20;
    /** Cycle files a log keeps a tailer on (each holds a descriptor and a mapping). */
    static final int TAILERS = 4;
    private static final int NO_CYCLE = Integer.MIN_VALUE;

    private final long logId;
    private final Path dir;
    private final ChronicleStreamLogs.Settings settings;
    private final DirtyFiles dirty;
    private final EntryFormat format;
    /**
     * Null for a follower whose log directory does not exist yet, and for a log created by this
     * instance until its first read (see {@link #reader()}).
     */
    private SingleChronicleQueue reader;
    /** The log's roll cycle: the settings' for a new log, the reader's (its files') for one that exists. */
    private RollCycle rollCycle;
    /** Reads the first and last excerpts of cycles when the runs are built, and counts them. */
    private ExcerptTailer scanner;
    /** The tailers of the cycles read last, least recently used first. */
    private final LinkedHashMap<Integer, CycleTailer> tailers = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, CycleTailer> eldest) {
            if (size() > TAILERS) {
                eldest.getValue().tailer.close();
                return true;
            }
            return false;
        }
    };
    private SingleChronicleQueue writer;
    private ExcerptAppender appender;
    /**
     * The index of the excerpt this appender wrote last and its cycle: the next excerpt in the same
     * cycle is the one above it. Chronicle's {@code lastIndexAppended} finds an index by scanning from
     * the cycle's last index entry, a few percent of an XADD when asked at every append.
     */
    private long appendedIndex = -1;
    private int appendedCycle = NO_CYCLE;
    /** Synced only for a snapshot or at close, so a busy log may use huge pages. */
    private final PageWarmer.Lane warmer = new PageWarmer.Lane(false);
    private final Runs runs = new Runs();
    /** The first ID of each run (by its first number), as {@link #seek} read them. */
    private final Map<Long, StreamId> runFirstIds = new HashMap<>();
    /** The number of the entry read last, or -1: where a consumer's next {@link #seek} lands. */
    private long lastReadNumber = -1;
    /** The ID of that entry, so a seek from it need not read it again (a move back costs an index scan). */
    private StreamId lastReadId;
    /**
     * The ID of entry {@link #lastEntryNumber} (appended last, or read once), or null. XREAD and
     * XREADGROUP ask whether the stream has anything new at every call: answered from here, that does
     * not move a consumer's tailer to the end of the log and back (an index scan every call).
     */
    private StreamId lastEntryId;
    private long lastEntryNumber = -1;
    private LogMeta meta = LogMeta.NEW;
    /** {@link StreamLog#bytesBefore} the entry after the last. */
    private long nextBytesBefore;
    /** The cycle whose file {@link #dirty} knows about in its {@link #dirtyEpoch}. */
    private int dirtyCycle = NO_CYCLE;
    private long dirtyEpoch = -1;
    private boolean closed;

    private ChronicleStreamLog(long logId, Path dir, ChronicleStreamLogs.Settings settings, DirtyFiles dirty,
                               EntryFormat format) {
        this.logId = logId;
        this.dir = dir;
        this.settings = settings;
        this.dirty = dirty;
        this.format = format;
        this.rollCycle = settings.rollCycle();
    }

    /**
     * Opens the log in {@code dir}, creating it unless this is a follower.
     *
     * @param dirty      where appends note the files to sync
     * @param format     encodes appended entries (shared by the owner's logs)
     * @param repairTail whether this is the log's first open in this process (never for a follower):
     *                   a killed writer's unfinished excerpt is zeroed, and a log a crash left half
     *                   made and never written is made anew
     */
    static ChronicleStreamLog open(long logId, Path dir, ChronicleStreamLogs.Settings settings, DirtyFiles dirty,
                                   EntryFormat format, boolean repairTail) {
        if (repairTail && Files.isDirectory(dir) && neverWritten(dir)) {
            // Made (ahead, or by a process killed before its first append) and never written: it
            // holds nothing, and one cut short by a kill may not open (a metadata file grown and
            // not yet written: Chronicle refuses it). Made anew. Only a crash leaves one half made,
            // so the first open in a process asks.
            DurableFiles.deleteTree(dir);
        }
        if (!settings.readOnly() && !Files.isDirectory(dir)) {
            ChronicleStreamLog log = create(logId, dir, settings, dirty, format);
            log.noteCreated();
            return log;
        }
        ChronicleStreamLog log = new ChronicleStreamLog(logId, dir, settings, dirty, format);
        try {
            if (Files.isDirectory(dir)) {
                log.openReader();
                if (repairTail) {
                    TornTail.truncate(log.reader, settings.blockSize());
                }
            }
            log.load();
            return log;
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /**
     * Whether the log in {@code dir} never held an entry: no cycle file and no meta (a log whose
     * files a release deleted keeps its numbers in its meta, written before the files go).
     */
    private static boolean neverWritten(Path dir) {
        return QueueFiles.cycleFiles(dir).isEmpty() && !Files.exists(dir.resolve(LogMeta.FILE));
    }

    /**
     * A new log in {@code dir}, which does not exist: its writer is made (the directory and the
     * metadata file with it); it has nothing to load, and its reader opens at its first read. Nothing
     * is noted in {@code dirty} (see {@link #noteCreated}), so a log made ahead may be made on any
     * thread.
     */
    static ChronicleStreamLog create(long logId, Path dir, ChronicleStreamLogs.Settings settings, DirtyFiles dirty,
                                     EntryFormat format) {
        ChronicleStreamLog log = new ChronicleStreamLog(logId, dir, settings, dirty, format);
        try {
            log.openWriter();
            return log;
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /**
     * Notes what {@link #create} made for the next sync: the log's directory, its entry in the parent
     * and the metadata file (cycle files are noted as appends reach them). The owner's thread.
     */
    void noteCreated() {
        dirty.directory(dir.getParent());
        dirty.file(dir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE));
        dirty.directory(dir);
    }

    /**
     * Does what the first append does before it writes: makes the file of the writer's current
     * cycle (header and index) and moves the appender onto it, by starting an excerpt and rolling it
     * back. A log made ahead does it on that thread, so its first append is like any other. (That
     * path runs once per log, so the JIT compiles it late: it ran interpreted on the execution
     * thread, about a millisecond.)
     *
     * @return the cycle
     */
    int readyFirstAppend() {
        DocumentContext dc = appender.writingDocument();
        dc.rollbackOnClose();
        dc.close();
        return appender.cycle();
    }

    Path directory() {
        return dir;
    }

    private void openReader() {
        reader = ChronicleQueue.singleBuilder(dir)
                .rollCycle(settings.rollCycle())
                .blockSize(READ_CHUNK_BYTES)
                .timeProvider(settings.clock()::currentTimeMillis)
                .readOnly(true)
                .build();
        rollCycle = reader.rollCycle();
        scanner = newTailer();
    }

    /**
     * The read-only instance, opened now if this log has not had one yet (a log created by this
     * instance opens it at its first read: a stream that is only written never needs one).
     */
    private SingleChronicleQueue reader() {
        if (reader == null) {
            openReader();
        }
        return reader;
    }

    private ExcerptTailer scanner() {
        reader();
        return scanner;
    }

    private ExcerptTailer newTailer() {
        ExcerptTailer tailer = reader().createTailer();
        // The owner may close logs from another thread than the one that used them (a shutdown hook).
        tailer.singleThreadedCheckDisabled(true);
        return tailer;
    }

    /** A tailer kept on one cycle file, and its last read. */
    private static final class CycleTailer {
        final ExcerptTailer tailer;
        /** Lets go of the pages this tailer has read past (reading a long log leaves them resident). */
        final ReadPages readPages = new ReadPages();
        TailerDirection direction = TailerDirection.FORWARD;
        /** The entry read last, or -1: the tailer reads the one after (before, backward) without moving. */
        long lastRead = -1;

        CycleTailer(ExcerptTailer tailer) {
            this.tailer = tailer;
        }
    }

    private CycleTailer tailerFor(int cycle) {
        CycleTailer tailer = tailers.get(cycle);
        if (tailer == null) {
            tailer = new CycleTailer(newTailer());
            tailers.put(cycle, tailer);
        }
        return tailer;
    }

    /** After a truncation or a new scan: no tailer's last read says where the next entry is. */
    private void forgetLastReads() {
        lastReadNumber = -1;
        lastReadId = null;
        runFirstIds.clear();
        tailers.values().forEach(t -> t.lastRead = -1);
    }

    private void openWriter() {
        // Entries must stay in cycle order (see WriterTime).
        writer = ChunkHookedQueue.build(ChronicleQueue.singleBuilder(dir)
                .rollCycle(settings.rollCycle())
                .blockSize(settings.blockSize())
                .timeProvider(WriterTime.of(dir, rollCycle, settings.clock()::currentTimeMillis))
                .syncMode(SyncMode.NONE), MappedPages::accessRandomly);
        appender = writer.createAppender();
        appender.singleThreadedCheckDisabled(true);
        appendedCycle = NO_CYCLE;
    }

    /** Reads the meta and builds the runs from the queue's cycles; a live log also drops stale ranges. */
    private void load() {
        if (reader == null) {
            return;
        }
        meta = LogMeta.read(dir);
        scanCycles(Integer.MIN_VALUE);
        if (!settings.readOnly()) {
            int[] cycles = QueueFiles.cycles(dir, rollCycle);
            long firstIndex = cycles.length == 0 ? Long.MAX_VALUE : rollCycle.toIndex(cycles[0], 0);
            long lastIndex = -1;
            for (int i = cycles.length - 1; i >= 0 && lastIndex < 0; i--) {
                long count = scanner().excerptsInCycle(cycles[i]);
                lastIndex = count > 0 ? rollCycle.toIndex(cycles[i], count - 1) : -1;
            }
            LogMeta current = meta.within(firstIndex, lastIndex);
            if (!current.equals(meta)) {
                current.write(dir);
                meta = current;
            }
        }
    }

    /**
     * Replaces the runs of cycles {@code fromCycle} and later with what the queue holds now. The
     * cycles come from the directory: Chronicle's cached listing in a read-only instance does not
     * follow deletions.
     */
    private void scanCycles(int fromCycle) {
        int keep = 0;
        while (keep < runs.size() && cycleOf(runs.firstIndexOfRun(keep)) < fromCycle) {
            keep++;
        }
        runs.truncateRuns(keep);
        for (int cycle : QueueFiles.cycles(dir, rollCycle)) {
            long count = cycle < fromCycle ? 0 : scanner().excerptsInCycle(cycle);
            if (count <= 0) {
                continue;
            }
            meta.forEachLiveSegment(rollCycle.toIndex(cycle, 0), rollCycle.toIndex(cycle, count - 1), (from, to) -> {
                long firstNumber = numberAt(from);
                long lastNumber = to == from ? firstNumber : numberAt(to);
                if (lastNumber - firstNumber != to - from || (!runs.isEmpty() && firstNumber <= runs.lastNumber())) {
                    throw corrupt("entries " + firstNumber + ".." + lastNumber + " at indexes " + hex(from) + ".." + hex(to)
                            + " are not consecutive after entry " + (runs.isEmpty() ? "none" : runs.lastNumber()));
                }
                runs.add(firstNumber, from, to - from + 1);
            });
        }
        nextBytesBefore = runs.isEmpty() ? meta.emptyBytesBefore() : headerAt(runs.lastIndex()).bytesAfter();
        forgetLastReads();
    }

    private long numberAt(long index) {
        return headerAt(index).number();
    }

    private EntryFormat.Header headerAt(long index) {
        return readExcerpt(scanner(), null, index, false, ChronicleStreamLog::copyHeader);
    }

    private static EntryFormat.Header copyHeader(Bytes<?> in) {
        long length = in.readRemaining();
        byte[] header = new byte[(int) Math.min(length, EntryFormat.MAX_HEADER_BYTES)];
        in.read(header);
        return EntryFormat.header(header, length);
    }

    private static byte[] copyExcerpt(Bytes<?> in) {
        byte[] excerpt = new byte[Math.toIntExact(in.readRemaining())];
        in.read(excerpt);
        return excerpt;
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
        long size = StreamEntry.size(fieldsAndValues);
        if (size > settings.maxEntryBytes()) {
            throw new IllegalArgumentException("stream entry of " + size + " bytes is larger than the "
                    + settings.maxEntryBytes() + " bytes a stream log entry may hold");
        }
        if (appender == null) {
            openWriter();
        }
        byte[] excerpt = format.encode(number, id, nextBytesBefore, fieldsAndValues, size);
        DocumentContext dc = appender.writingDocument();
        try {
            dc.wire().bytes().write(excerpt, 0, format.encodedLength());
            warmer.wrote(dc.wire().bytes());
        } catch (RuntimeException e) {
            dc.rollbackOnClose();
            throw e;
        } finally {
            dc.close();
        }
        nextBytesBefore += size;
        int cycle = appender.cycle();
        appendedIndex = cycle == appendedCycle ? appendedIndex + 1 : appender.lastIndexAppended();
        appendedCycle = cycle;
        runs.add(number, appendedIndex);
        lastEntryNumber = number;
        lastEntryId = id;
        if (cycle != dirtyCycle || dirty.epoch() != dirtyEpoch) {
            Path file = appender.currentFile().toPath();
            if (cycle != dirtyCycle) {
                dirty.directory(dir);
            }
            dirty.file(file);
            dirtyCycle = cycle;
            dirtyEpoch = dirty.epoch();
        }
    }

    StreamId id(long number) {
        if (number == lastEntryNumber && lastEntryId != null) {
            return lastEntryId;
        }
        lastReadId = withEntry(number, ChronicleStreamLog::copyHeader, EntryFormat.Header::number).id();
        if (number == lastNumber()) {
            lastEntryNumber = number;
            lastEntryId = lastReadId;
        }
        return lastReadId;
    }

    /**
     * See {@link dev.millrace.engine.stream.StreamLog#seek}. A read from another cycle file costs a
     * remap (hundreds of microseconds), one within a file a few, so: first the entry after the last one
     * read (a consumer's next read starts there), then the cycle file by the first IDs of the runs
     * (kept once read), then a binary search inside that file.
     */
    long seek(StreamId target, long from, long to) {
        long hint = lastReadNumber + 1;
        // A consumer asks for the entries after the last one it got (XREAD's next ID): the entry after
        // the last read has a greater ID, so it is the answer without reading it (a read would leave
        // the tailer past it, and reading it again next would move the tailer: an index scan).
        if (lastReadNumber >= 0 && lastReadId != null && hint >= from && hint <= to + 1
                && (hint == from || lastReadId.isBefore(target))
                && (hint > to || target.equals(lastReadId.next()) || !id(hint).isBefore(target))) {
            return hint;
        }
        long lo = from;
        long hi = to + 1;
        int firstRun = runs.runOf(from);
        int lastRun = runs.runOf(to);
        if (firstRun >= 0 && lastRun > firstRun) {
            // Runs firstRun+1 .. lastRun start inside [from, to]: find the one the answer is in.
            int a = firstRun + 1;
            int b = lastRun;
            while (a <= b) {
                int mid = (a + b) >>> 1;
                long start = runs.firstNumberOfRun(mid);
                if (firstIdOfRun(mid).isBefore(target)) {
                    lo = Math.max(lo, start + 1);
                    a = mid + 1;
                } else {
                    hi = Math.min(hi, start);
                    b = mid - 1;
                }
            }
        }
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            if (id(mid).isBefore(target)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The ID of run {@code run}'s first entry, remembered (runs are few: about one per cycle file). */
    private StreamId firstIdOfRun(int run) {
        long first = runs.firstNumberOfRun(run);
        StreamId id = runFirstIds.get(first);
        if (id == null) {
            id = id(first);
            runFirstIds.put(first, id);
        }
        return id;
    }

    StreamEntry read(long number) {
        StreamEntry entry = EntryFormat.entry(withEntry(number, ChronicleStreamLog::copyExcerpt, EntryFormat::number));
        lastReadId = entry.id();
        return entry;
    }

    /** See {@link dev.millrace.engine.stream.StreamLog#bytesBefore}. */
    long bytesBefore(long number) {
        if (settings.readOnly() && number > lastNumber() + 1) {
            refresh();
        }
        if (number == lastNumber() + 1) {
            return nextBytesBefore;
        }
        EntryFormat.Header header = withEntry(number, ChronicleStreamLog::copyHeader, EntryFormat.Header::number);
        lastReadId = header.id();
        return header.bytesBefore();
    }

    /**
     * Copies what {@code copy} takes of entry {@code number}'s excerpt, checking with
     * {@code numberOf} that it is that entry's.
     */
    private <T> T withEntry(long number, Function<Bytes<?>, T> copy, ToLongFunction<T> numberOf) {
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
        CycleTailer tailer = tailerFor(cycleOf(index));
        boolean backward = tailer.lastRead >= 0 && number == tailer.lastRead - 1;
        TailerDirection want = backward ? TailerDirection.BACKWARD : TailerDirection.FORWARD;
        boolean sequential = tailer.lastRead >= 0 && tailer.direction == want && number == tailer.lastRead + (backward ? -1 : 1);
        if (tailer.direction != want) {
            tailer.tailer.direction(want);
            tailer.direction = want;
        }
        T value = readExcerpt(tailer.tailer, tailer.readPages, index, sequential, copy);
        long stored = numberOf.applyAsLong(value);
        if (stored != number) {
            throw corrupt("index " + hex(index) + " holds entry " + stored + ", not " + number);
        }
        tailer.lastRead = number;
        lastReadNumber = number;
        return value;
    }

    /**
     * Copies what {@code copy} takes of the excerpt at {@code index}. With {@code sequential} the
     * tailer is expected to be there already; when it is not, it moves. {@code readPages}, when not
     * null, is told of the read.
     */
    private <T> T readExcerpt(ExcerptTailer tailer, ReadPages readPages, long index, boolean sequential,
                              Function<Bytes<?>, T> copy) {
        try {
            if (sequential) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (dc.isPresent() && dc.index() == index) {
                        return copied(dc.wire().bytes(), readPages, copy);
                    }
                }
            }
            if (!tailer.moveToIndex(index)) {
                // A cycle file the writer made after this instance listed the directory.
                reader().refreshDirectoryListing();
                if (!tailer.moveToIndex(index)) {
                    throw corrupt("no excerpt at index " + hex(index));
                }
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent() || dc.index() != index) {
                    throw corrupt("no excerpt at index " + hex(index));
                }
                return copied(dc.wire().bytes(), readPages, copy);
            }
        } catch (EntryFormat.BadExcerpt e) {
            throw corrupt("index " + hex(index) + ": " + e.getMessage());
        }
    }

    private static <T> T copied(Bytes<?> excerpt, ReadPages readPages, Function<Bytes<?>, T> copy) {
        T value = copy.apply(excerpt);
        if (readPages != null) {
            readPages.read(excerpt);
        }
        return value;
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
        long bytesBeforeFrom = headerAt(from).bytesBefore();
        LogMeta next = meta.withVoided(from, runs.lastIndex());
        if (number < runs.firstNumber()) {
            next = next.withEmpty(runs.firstNumber(), bytesBeforeFrom);
        }
        next.write(dir);
        meta = next;
        runs.truncateAfter(number);
        lastEntryId = null;
        nextBytesBefore = bytesBeforeFrom;
        forgetLastReads();
    }

    /**
     * Deletes the cycle files that hold no entry at or above {@code below} (only voided ones, if any),
     * oldest first, and closes this log: the owner reopens it on next use.
     *
     * @return the number of files deleted
     */
    int deleteFilesBelow(long below) {
        int[] cycles = settings.readOnly() ? new int[0] : QueueFiles.cycles(dir, rollCycle);
        if (cycles.length == 0) {
            return 0;
        }
        int keepFrom = Integer.MAX_VALUE;
        for (int run = 0; run < runs.size(); run++) {
            if (runs.lastNumberOfRun(run) >= below) {
                keepFrom = cycleOf(runs.firstIndexOfRun(run));
                break;
            }
        }
        if (keepFrom <= cycles[0]) {
            return 0;
        }
        LogMeta next = meta;
        if (keepFrom == Integer.MAX_VALUE && !runs.isEmpty()) {
            // Nothing at or above below: it is above the last, the first number of the empty log.
            next = next.withEmpty(runs.lastNumber() + 1, nextBytesBefore);
        }
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
        if (reader == null) {
            if (!Files.isDirectory(dir)) {
                return;
            }
            openReader();
            load();
            return;
        }
        scanCycles(runs.isEmpty() ? Integer.MIN_VALUE : cycleOf(runs.firstIndexOfRun(runs.size() - 1)));
    }

    private int cycleOf(long index) {
        return rollCycle.toCycle(index);
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
            warmer.close();
            appender.close();
            appender = null;
        }
        if (writer != null) {
            writer.close();
            writer = null;
        }
        tailers.values().forEach(t -> t.tailer.close());
        tailers.clear();
        if (scanner != null) {
            scanner.close();
            scanner = null;
        }
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }
}
