package dev.millrace.storage.queue;

import dev.millrace.storage.MappedPages;
import dev.millrace.storage.SparseFiles;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Removes the bytes of an excerpt a killed writer left unfinished at the end of the newest queue
 * file. Chronicle Queue writes an excerpt's header word last, so such an excerpt is invisible to
 * readers (its header is 0, or has the not-complete bit), and an appender overwrites it; but when
 * the next excerpt is shorter, the torn excerpt's remaining bytes would sit exactly where the
 * following header goes and could be read as one. So at open, before any appender exists, the
 * torn bytes are zeroed: the file then looks as if the write never started.
 *
 * <p>Chronicle's wire header: bit 31 not complete, bit 30 metadata, bits 0-29 length; the
 * end-of-file marker is both bits with length 0. Headers are 4-byte aligned.
 *
 * <p>Stateless. The caller owns the queue and must not have created an appender on it yet (nor may any
 * other process be writing to it).
 */
public final class TornTail {
    private static final Logger log = LoggerFactory.getLogger(TornTail.class);
    private static final int NOT_COMPLETE = 0x80000000;
    private static final int END_OF_FILE = 0xC0000000;
    private static final int LENGTH_MASK = 0x3FFFFFFF;
    /**
     * Room beyond the largest excerpt (a quarter of the block size) for the index excerpts that may
     * follow the last data excerpt.
     */
    private static final long INDEX_ROOM_BYTES = 4 << 20;

    private TornTail() {
    }

    /**
     * Zeroes the torn excerpt at the end of the newest cycle file of {@code queue}, if any.
     *
     * @param blockSize the block size the queue is written with (an excerpt takes at most a quarter)
     * @return the number of bytes zeroed (0 when the tail was clean)
     */
    public static long truncate(SingleChronicleQueue queue, long blockSize) {
        Path newest = QueueFiles.newestCycleFile(queue.file().toPath(), queue.rollCycle());
        if (newest == null) {
            return 0;
        }
        long start = endOfLastExcerpt(queue, QueueFiles.cycleOf(newest, queue.rollCycle()));
        try (FileChannel ch = FileChannel.open(newest, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // A torn excerpt is at most one excerpt long (a quarter of the block size): look at a window.
            long windowStart = start & ~3L;
            int window = (int) Math.min(ch.size() - windowStart, blockSize / 4 + INDEX_ROOM_BYTES);
            if (window <= 4) {
                return 0;
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, windowStart, window);
            // Only the pages read: read-around would bring in (zero-fill) the holes around them.
            MappedPages.accessRandomly(map);
            map.order(ByteOrder.LITTLE_ENDIAN);
            int pos = (int) (start - windowStart);
            // Skip the complete excerpts (index metadata) that may follow the last data excerpt.
            while (true) {
                pos = (pos + 3) & ~3;
                if (pos + 4 > window) {
                    return 0;
                }
                int header = map.getInt(pos);
                if (header == END_OF_FILE) {
                    return 0;
                }
                if (header == 0 || (header & NOT_COMPLETE) != 0) {
                    break;
                }
                long next = (long) pos + 4 + (header & LENGTH_MASK);
                if (next >= window) {
                    return 0;
                }
                pos = (int) next;
            }
            // The torn excerpt's bytes lie within one excerpt's length of its header.
            int scanEnd = (int) Math.min(window, pos + 8 + blockSize / 4);
            int end = lastNonZeroByte(newest, map, windowStart, pos, scanEnd) + 1;
            if (end <= pos) {
                return 0;
            }
            long offset = windowStart + pos;
            log.warn("{}: a write interrupted by a crash left an unfinished excerpt of {} bytes at offset {};"
                    + " it was never acknowledged and is discarded", newest, end - pos, offset);
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long at = offset; at < windowStart + end; at += zeros.capacity()) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), windowStart + end - at));
                while (zeros.hasRemaining()) {
                    ch.write(zeros, at + zeros.position());
                }
            }
            ch.force(true);
            return end - pos;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check the tail of " + newest, e);
        }
    }

    /** Offset just after the newest complete data excerpt in {@code cycle}, or 0 when it has none. */
    private static long endOfLastExcerpt(ChronicleQueue queue, int cycle) {
        try (ExcerptTailer tailer = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd();
             DocumentContext dc = tailer.readingDocument()) {
            if (dc.isPresent() && queue.rollCycle().toCycle(dc.index()) == cycle) {
                return dc.wire().bytes().readLimit();
            }
            return 0;
        }
    }

    /**
     * The last non-zero byte in {@code [from, to)} of the window mapped from {@code windowStart}, or
     * {@code from - 1}. Only the file's data regions are read: the rest of a young cycle file is
     * holes, and reading a megabyte of them cost 256 zero-filled pages of page cache at every open.
     */
    private static int lastNonZeroByte(Path file, MappedByteBuffer map, long windowStart, int from, int to) {
        List<long[]> regions = SparseFiles.dataRegions(file, windowStart + from, windowStart + to);
        for (int r = regions.size() - 1; r >= 0; r--) {
            int start = (int) (regions.get(r)[0] - windowStart);
            int last = lastNonZeroByte(map, start, (int) (regions.get(r)[1] - windowStart));
            if (last >= start) {
                return last;
            }
        }
        return from - 1;
    }

    private static int lastNonZeroByte(MappedByteBuffer map, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if ((i & 7) == 7 && i - 7 >= from && map.getLong(i - 7) == 0) {
                i -= 7;
                continue;
            }
            if (map.get(i) != 0) {
                return i;
            }
        }
        return from - 1;
    }
}
