package dev.millrace.storage.queue;

import com.sun.jna.Platform;
import dev.millrace.storage.Libc;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytesStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets go of the pages a queue tailer has read and moved away from, so that reading a log end to end
 * does not leave the whole log resident in the process.
 *
 * <p>Why: a read-only queue maps its files in large chunks, and Chronicle keeps a chunk mapped while
 * anything holds it (a tailer, and the cycle's index arrays, which lie all along the file). Every
 * page a reader touched then stays in the process's resident set: reading a 50,000,000-entry stream
 * (7 GB) once left 5.5 GB of it resident. {@code madvise(MADV_DONTNEED)} on a read-only shared file
 * mapping drops only this process's page-table entries: the pages stay in the page cache, and a later
 * read of them is a minor fault, no disk read. So what lies behind the reader is let go in steps of
 * {@link #STEP}, whichever way it reads, and what it read before a seek when it seeks elsewhere.
 *
 * <p>Only ever applied to the chunk of the document being read, while it is being read (the tailer
 * holds the chunk then, so it cannot be unmapped and its addresses reused underneath), and only for
 * read-only queue instances, never a writer's. When the reader moves to another chunk the old one is
 * left alone (holding it to let go of it later cost a remap of every chunk the index lookups
 * visit): at most a step and a margin of it stays resident while Chronicle keeps it mapped. One per
 * tailer, on the tailer's thread.
 */
public final class ReadPages {
    private static final Logger log = LoggerFactory.getLogger(ReadPages.class);
    private static final long PAGE = 4096;
    /** Reading this far from the last release lets go of what lies between (but a margin near the reader). */
    static final long STEP = 4 << 20;
    private static final long MARGIN = 256 << 10;
    private static volatile boolean disabled = !Platform.isLinux();

    /** The chunk read last (compared by identity, never dereferenced once the read is over). */
    private BytesStore<?, ?> store;
    /** The file offsets read in {@link #store} since pages were last let go. */
    private long low;
    private long high;

    /** Called with a document's bytes while the document is open (so its chunk is mapped). */
    public void read(Bytes<?> bytes) {
        BytesStore<?, ?> current = bytes.bytesStore();
        long position = bytes.readPosition();
        if (current != store) {
            store = current;
            low = high = position;
            return;
        }
        if (disabled || !(current instanceof MappedBytesStore mapped)) {
            return;
        }
        if (position < low - STEP || position > high + STEP) {
            // A seek: what was read around the old place goes, what the jump passed over was never read
            // (and a large range would cost the kernel a walk of its page tables for nothing).
            dontNeed(mapped, low, high);
            low = high = position;
            return;
        }
        low = Math.min(low, position);
        high = Math.max(high, position);
        if (high - low < STEP) {
            return;
        }
        if (position - low > high - position) {
            dontNeed(mapped, low, position - MARGIN); // reading forward: what lies behind
            low = position - MARGIN;
        } else {
            dontNeed(mapped, position + MARGIN, high); // reading backward
            high = position + MARGIN;
        }
    }

    /** {@code [from, to)} as file offsets, clipped to the chunk (its capacity is its end offset) and to whole pages. */
    private static void dontNeed(MappedBytesStore chunk, long from, long to) {
        from = Math.max(from, chunk.start());
        to = Math.min(to, chunk.capacity());
        long first = (chunk.address + (from - chunk.start()) + PAGE - 1) & -PAGE;
        long end = (chunk.address + (to - chunk.start())) & -PAGE;
        if (end <= first) {
            return;
        }
        try {
            if (Libc.madvise(first, end - first, Libc.MADV_DONTNEED) != 0) {
                disable("madvise(MADV_DONTNEED) failed with errno " + Libc.errno());
            }
        } catch (LinkageError e) {
            disable("the libc binding did not load (" + e + ")");
        }
    }

    private static void disable(String why) {
        disabled = true;
        log.warn("{}: pages read from stream logs stay resident while their chunk is mapped", why);
    }
}
