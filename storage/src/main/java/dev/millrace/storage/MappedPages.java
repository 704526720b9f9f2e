package dev.millrace.storage;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import net.openhft.chronicle.bytes.MappedBytesStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Keeps a memory-mapped file's pages out of memory until they are used: the kernel's read-ahead
 * around a page fault is turned off where it would bring in pages nobody asked for.
 *
 * <ul>
 *   <li><b>A new keyspace map.</b> Creating a Chronicle Map writes every segment tier's header, and
 *       each of those small writes makes the kernel read ahead and then map the pages around it
 *       (fault-around), so a freshly created, empty map is resident in full (measured: 284 MB for an
 *       empty 2M-entry map). {@link #releaseAndAccessRandomly} takes the file's pages out of this
 *       process's memory ({@code MADV_PAGEOUT}: clean pages are dropped, dirty ones written back
 *       first, so nothing is lost) and turns off read-ahead for the mapping ({@code MADV_RANDOM}),
 *       after which a page is resident once an entry in it is touched, and not before.</li>
 *   <li><b>A queue writer's chunk.</b> {@link #accessRandomly} advises a chunk before its first
 *       touch: a new cycle file is sparse, and the first write into it read around it otherwise.</li>
 * </ul>
 *
 * <p>Linux only, through JNA (already on the class path for Chronicle); elsewhere, or when the
 * kernel refuses (older than 5.4 has no {@code MADV_PAGEOUT}), it logs once and does nothing: the
 * pages then simply come in as the kernel decides. The first call loads JNA (about a second), so
 * callers make it off the hot path. Thread-safe; the caller must keep the file mapped for the
 * duration of the call (it advises the address ranges it finds mapped).
 */
public final class MappedPages {
    private static final Logger log = LoggerFactory.getLogger(MappedPages.class);
    private static final long PAGE = 4096;
    private static volatile boolean warned;

    private MappedPages() {
    }

    /**
     * Releases every page of {@code file} mapped in this process and advises random access.
     *
     * @return the bytes of mappings advised (0 when unsupported)
     */
    public static long releaseAndAccessRandomly(Path file) {
        if (!Platform.isLinux()) {
            return 0;
        }
        String path = file.toAbsolutePath().toString();
        long advised = 0;
        try {
            for (String line : mappings()) {
                // "start-end perms offset dev inode path"; a path may contain spaces, so match the tail.
                if (!line.endsWith(" " + path)) {
                    continue;
                }
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                long start = Long.parseUnsignedLong(range[0], 16);
                long length = Long.parseUnsignedLong(range[1], 16) - start;
                if (Libc.madvise(start, length, Libc.MADV_PAGEOUT) != 0
                        || Libc.madvise(start, length, Libc.MADV_RANDOM) != 0) {
                    warnOnce("madvise failed with errno " + Libc.errno());
                    return advised;
                }
                advised += length;
            }
        } catch (IOException | LinkageError e) {
            warnOnce(e.toString());
        }
        return advised;
    }

    /**
     * Turns off read-ahead for one mapping ({@code MADV_RANDOM}) before anything touches it: a fault
     * then maps the page it needs and no others. For a queue writer's chunk of a new, sparse file:
     * its first fault otherwise reads around it (the whole 5 MB file where {@code read_ahead_kb} is
     * 8192), which here means zero-filling every page of it, 5-15 ms for the write of one header.
     */
    public static void accessRandomly(MappedBytesStore chunk) {
        if (Platform.isLinux()) {
            accessRandomly(chunk.address, chunk.capacity() - chunk.start());
        }
    }

    /** The same for a buffer mapped by {@code FileChannel.map}, before anything reads it. */
    public static void accessRandomly(MappedByteBuffer buffer) {
        if (Platform.isLinux()) {
            accessRandomly(Pointer.nativeValue(Native.getDirectBufferPointer(buffer)), buffer.capacity());
        }
    }

    private static void accessRandomly(long address, long length) {
        // A mapping starts on a page; a buffer mapped from an unaligned offset starts inside its first page.
        long start = address & -PAGE;
        try {
            if (Libc.madvise(start, length + (address - start), Libc.MADV_RANDOM) != 0) {
                warnOnce("madvise(MADV_RANDOM) failed with errno " + Libc.errno());
            }
        } catch (LinkageError e) {
            warnOnce(e.toString());
        }
    }

    private static List<String> mappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps"));
    }

    private static void warnOnce(String why) {
        if (!warned) {
            warned = true;
            log.warn("cannot advise mapped pages ({}): new keyspace maps stay resident in full, and a new queue"
                    + " file's first write reads the file around it", why);
        }
    }
}
