package dev.millrace.storage.stream;

import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.stream.StreamLog;
import dev.millrace.engine.types.Bytes;
import dev.millrace.storage.DurableFiles;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One stream's log: a Chronicle Queue whose excerpts are the stream's entries, in number order.
 *
 * <p>Excerpt (raw bytes, big-endian, written and read as one block): entry number (long), ID ms (long),
 * ID seq (long), bytes before (long: the sizes of every entry numbered below this one, so retention
 * by size reads any range's bytes from two excerpts), element count (int), then per element its
 * length (int) and bytes. An excerpt is at
 * most a quarter of the block size ({@link #BLOCK_BYTES}), so entries up to {@link #MAX_ENTRY_BYTES}.
 *
 * <p>Numbers to Chronicle indexes: indexes are contiguous within a cycle file and numbers within a
 * run of appends, so the log keeps a small table of <em>runs</em> (first number, first index,
 * count), built at open from the first excerpt of each cycle and the cycle's excerpt count, never by
 * scanning the entries: opening a log of any length reads one excerpt per cycle file.
 * {@link #truncateAfter} cannot cut a file: it records the voided index range in the sidecar file
 * {@code voided} (written atomically), and the runs leave it out; later appends reuse the numbers.
 *
 * <p>Execution thread only. The queue is opened on first use and may be released (closed) by the
 * owner at any time; the next use reopens it.
 */
final class ChronicleStreamLog implements StreamLog {
    static final int BLOCK_BYTES = 16 << 20;
    /** Chronicle refuses an excerpt over a quarter of a block; the header takes 36 bytes of it. */
    static final int MAX_ENTRY_BYTES = BLOCK_BYTES / 4 - 36;
    /** Number, ID ms, ID seq, bytes before, element count. */
    private static final int HEADER_BYTES = 36;
    private static final String VOIDED = "voided";

    private final Path dir;
    private final long id;
    private final RollCycle rollCycle;
    private final TimeProvider time;
    private final boolean readOnly;
    private final Consumer<ChronicleStreamLog> onUse;
    /** Runs of consecutive numbers at consecutive indexes, by first number: {first index, count}. */
    private final TreeMap<Long, long[]> runs = new TreeMap<>();
    /** Voided index ranges, {from, to} inclusive. */
    private final List<long[]> voided = new ArrayList<>();
    private SingleChronicleQueue queue;
    private ExcerptAppender appender;
    private ExcerptTailer tailer;
    /** The index the tailer reads next without a move, or -1. */
    private long tailerNext = -1;
    /** The next number of an empty log. */
    private long emptyNext = 1;
    private byte[] scratch = new byte[256];
    /** bytesBefore of the next entry to append. */
    private long nextBytesBefore;

    ChronicleStreamLog(Path dir, long id, RollCycle rollCycle, TimeProvider time, boolean readOnly,
                       Consumer<ChronicleStreamLog> onUse) {
        this.dir = dir;
        this.id = id;
        this.rollCycle = rollCycle;
        this.time = time;
        this.readOnly = readOnly;
        this.onUse = onUse;
    }

    long id() {
        return id;
    }

    private void use() {
        if (queue == null) {
            openQueue();
        }
        onUse.accept(this);
    }

    private void openQueue() {
        if (readOnly && !Files.isDirectory(dir)) {
            // Nothing written yet by the live instance: an empty log until it is.
            runs.clear();
            return;
        }
        queue = ChronicleQueue.singleBuilder(dir).rollCycle(rollCycle).timeProvider(time).blockSize(BLOCK_BYTES)
                .readOnly(readOnly).build();
        tailer = queue.createTailer();
        tailerNext = -1;
        loadVoided();
        buildRuns();
    }

    /** Closes the queue (the owner limits how many are open); the next use reopens it. */
    void release() {
        if (queue != null) {
            queue.close();
            queue = null;
            appender = null;
            tailer = null;
        }
    }

    private void buildRuns() {
        runs.clear();
        if (queue.firstCycle() > queue.lastCycle()) {
            return; // an empty queue
        }
        for (long cycle : queue.listCyclesBetween(queue.firstCycle(), queue.lastCycle())) {
            long start = rollCycle.toIndex((int) cycle, 0);
            long count = queue.countExcerpts(start, rollCycle.toIndex((int) cycle + 1, 0));
            long from = start;
            long end = start + count - 1;
            for (long[] v : voided) {
                if (v[1] < from || v[0] > end) {
                    continue;
                }
                addRun(from, Math.min(end, v[0] - 1));
                from = Math.max(from, v[1] + 1);
            }
            addRun(from, end);
        }
        if (!runs.isEmpty()) {
            Map.Entry<Long, long[]> last = runs.lastEntry();
            long[] header = readHeader(last.getValue()[0] + last.getValue()[1] - 1);
            nextBytesBefore = header[3] + header[4];
        } else {
            nextBytesBefore = 0;
        }
    }

    /** Adds the run of indexes [from, to], reading the number of its first excerpt. */
    private void addRun(long from, long to) {
        if (from > to) {
            return;
        }
        long number = readHeader(from)[0];
        runs.put(number, new long[] {from, to - from + 1});
    }

    private void loadVoided() {
        voided.clear();
        Properties p = DurableFiles.readProperties(dir.resolve(VOIDED));
        if (p == null) {
            return;
        }
        for (String range : p.getProperty("ranges", "").split(",")) {
            if (!range.isEmpty()) {
                String[] bounds = range.split("-");
                voided.add(new long[] {Long.parseLong(bounds[0]), Long.parseLong(bounds[1])});
            }
        }
    }

    @Override
    public long firstNumber() {
        use();
        return runs.isEmpty() ? emptyNext : runs.firstKey();
    }

    @Override
    public long lastNumber() {
        use();
        if (runs.isEmpty()) {
            return emptyNext - 1;
        }
        Map.Entry<Long, long[]> last = runs.lastEntry();
        return last.getKey() + last.getValue()[1] - 1;
    }

    @Override
    public void append(long number, StreamId id, byte[][] fieldsAndValues) {
        if (number <= lastNumber()) {
            return;
        }
        if (!runs.isEmpty() && number != lastNumber() + 1) {
            throw new IllegalStateException("stream log " + dir + ": appending " + number + " after " + lastNumber());
        }
        if (readOnly) {
            return; // the live instance writes; a snapshot build only follows
        }
        long size = StreamEntry.size(fieldsAndValues);
        if (size > MAX_ENTRY_BYTES) {
            throw new IllegalArgumentException("stream entry of " + size + " bytes: the limit is " + MAX_ENTRY_BYTES);
        }
        if (appender == null) {
            appender = queue.createAppender();
        }
        byte[] excerpt = encode(number, id, fieldsAndValues, (int) size);
        try (DocumentContext dc = appender.writingDocument()) {
            // One copy into the mapped file: Chronicle's per-call checks cost more than the bytes.
            dc.wire().bytes().write(excerpt, 0, HEADER_BYTES + (int) size);
        }
        nextBytesBefore += size;
        long index = appender.lastIndexAppended();
        Map.Entry<Long, long[]> last = runs.lastEntry();
        if (last != null && last.getValue()[0] + last.getValue()[1] == index
                && last.getKey() + last.getValue()[1] == number) {
            last.getValue()[1]++;
        } else {
            runs.put(number, new long[] {index, 1});
        }
    }

    /** The excerpt's bytes in {@link #scratch} (grown as needed), big-endian. */
    private byte[] encode(long number, StreamId id, byte[][] fieldsAndValues, int size) {
        int length = HEADER_BYTES + size;
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        byte[] out = scratch;
        Bytes.putLong(out, 0, number);
        id.encode(out, 8);
        Bytes.putLong(out, 24, nextBytesBefore);
        Bytes.putInt(out, 32, fieldsAndValues.length);
        int pos = HEADER_BYTES;
        for (byte[] part : fieldsAndValues) {
            Bytes.putInt(out, pos, part.length);
            System.arraycopy(part, 0, out, pos + 4, part.length);
            pos += 4 + part.length;
        }
        return out;
    }

    private long indexOf(long number) {
        use();
        Map.Entry<Long, long[]> run = runs.floorEntry(number);
        if (run == null || number - run.getKey() >= run.getValue()[1]) {
            if (readOnly && queue != null) {
                // The live instance may have appended since: look again.
                buildRuns();
                run = runs.floorEntry(number);
            }
            if (run == null || number - run.getKey() >= run.getValue()[1]) {
                throw new IllegalArgumentException("stream log " + dir + " has no entry " + number);
            }
        }
        return run.getValue()[0] + (number - run.getKey());
    }

    @Override
    public StreamId id(long number) {
        long[] header = readHeader(indexOf(number));
        return new StreamId(header[1], header[2]);
    }

    /** Number, ID ms, ID seq, bytes before and the entry's size, of the excerpt at {@code index}. */
    private long[] readHeader(long index) {
        byte[] header = new byte[32];
        long size;
        try (DocumentContext dc = moveTo(index)) {
            var in = dc.wire().bytes();
            size = in.readRemaining() - HEADER_BYTES;
            in.read(header);
        }
        return new long[] {Bytes.getLong(header, 0), Bytes.getLong(header, 8), Bytes.getLong(header, 16),
                Bytes.getLong(header, 24), size};
    }

    @Override
    public long bytesBefore(long number) {
        use();
        if (number == lastNumber() + 1) {
            return nextBytesBefore;
        }
        return readHeader(indexOf(number))[3];
    }

    @Override
    public StreamEntry read(long number) {
        byte[] raw;
        try (DocumentContext dc = moveTo(indexOf(number))) {
            var in = dc.wire().bytes();
            raw = new byte[(int) in.readRemaining()];
            in.read(raw);
        }
        StreamId entryId = StreamId.decode(raw, 8);
        byte[][] parts = new byte[Bytes.getInt(raw, 32)][];
        int pos = HEADER_BYTES;
        for (int i = 0; i < parts.length; i++) {
            int length = Bytes.getInt(raw, pos);
            parts[i] = Arrays.copyOfRange(raw, pos + 4, pos + 4 + length);
            pos += 4 + length;
        }
        return new StreamEntry(entryId, parts);
    }

    /** A reading context at {@code index}: sequential reads need no index lookup. */
    private DocumentContext moveTo(long index) {
        if (index != tailerNext && !tailer.moveToIndex(index)) {
            throw new IllegalStateException("stream log " + dir + ": index " + Long.toHexString(index) + " is gone");
        }
        DocumentContext dc = tailer.readingDocument();
        if (!dc.isPresent()) {
            dc.close();
            throw new IllegalStateException("stream log " + dir + ": no excerpt at index " + Long.toHexString(index));
        }
        tailerNext = index + 1;
        return dc;
    }

    @Override
    public void truncateAfter(long number) {
        if (readOnly || number >= lastNumber()) {
            return;
        }
        long from = number < firstNumber() ? runs.firstEntry().getValue()[0] : indexOf(number) + 1;
        long to = queue.lastIndex();
        voided.add(new long[] {from, to});
        StringBuilder ranges = new StringBuilder();
        for (long[] v : voided) {
            ranges.append(ranges.length() == 0 ? "" : ",").append(v[0]).append('-').append(v[1]);
        }
        Properties p = new Properties();
        p.setProperty("ranges", ranges.toString());
        DurableFiles.writeProperties(dir.resolve(VOIDED), p, "Chronicle indexes of entries appended but never acknowledged (from-to, inclusive)");
        emptyNext = number + 1;
        buildRuns();
    }

    @Override
    public void releaseBelow(long number) {
        // Whole cycle files below a trim point are not deleted yet (see ChronicleStreamLogs).
    }
}
