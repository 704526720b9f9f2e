package dev.millrace.storage.aof;

import dev.millrace.storage.Libc;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.core.io.ReferenceOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Msyncs a durable log's appends: on a thread of its own ({@link #request}), as Redis runs the
 * everysec fsync on a background thread, so the execution thread goes on while the disk works (an
 * msync of one second's appends held it 11-29 ms at 45k SETs a second); or on the appending thread
 * ({@link #syncNow}, for {@code appendfsync always}).
 *
 * <p>It syncs byte ranges of the chunks the appender wrote in, through their own mappings: each chunk
 * is reserved when the appender first writes in it, so Chronicle cannot unmap it while a sync may
 * still need it, and released after its last sync. When the appender moves to another chunk (or
 * cycle file), the rest of the one it left is synced at once, ahead of any later request: requests
 * complete in order, so a request's completion covers every record appended before it.
 *
 * <p>{@link #written}, {@link #request} and {@link #syncNow} are called from the appending thread;
 * requested syncs and their callbacks run on the sync thread.
 */
final class BackgroundSync implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackgroundSync.class);
    private static final long PAGE = 4096;

    private final ReferenceOwner owner = ReferenceOwner.temporary("millrace-aof-sync");
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "millrace-aof-sync");
        t.setDaemon(true);
        return t;
    });
    /** The chunk the appender last wrote in (reserved by this), or null before the first append. */
    private MappedBytesStore chunk;
    /** In {@link #chunk}: where the next request's range starts, and where the last append ended (file offsets). */
    private long requestedTo;
    private long writtenTo;
    /** A failed sync of a left chunk, reported by the next sync. */
    private final AtomicReference<RuntimeException> leftChunkFailure = new AtomicReference<>();
    /** Tasks given to the sync thread and not finished. */
    private final AtomicInteger queued = new AtomicInteger();

    /** After an append: notes how far the appender wrote, and in which chunk. */
    void written(Bytes<?> bytes) {
        if (bytes.bytesStore() != chunk && bytes.bytesStore() instanceof MappedBytesStore next) {
            next.reserve(owner);
            if (chunk != null) {
                MappedBytesStore left = chunk;
                long from = requestedTo;
                submit(() -> {
                    try {
                        msync(left, from, left.safeLimit());
                    } catch (RuntimeException e) {
                        leftChunkFailure.set(e);
                    } finally {
                        left.release(owner);
                    }
                });
            }
            chunk = next;
            requestedTo = next.start();
        }
        writtenTo = bytes.writePosition();
    }

    /** Syncs everything appended so far; {@code done} then runs on the sync thread with null or the failure. */
    void request(Consumer<RuntimeException> done) {
        MappedBytesStore store = chunk;
        long from = requestedTo;
        long to = writtenTo;
        requestedTo = to;
        submit(() -> {
            RuntimeException failure = leftChunkFailure.getAndSet(null);
            if (failure == null && store != null) {
                try {
                    msync(store, from, to);
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            done.accept(failure);
        });
    }

    /**
     * Syncs everything appended so far on the calling thread, the appending one, and returns once it
     * is durable ({@code appendfsync always}: a batch's msync on the execution thread). It waits for
     * the sync thread only when that has work queued, which covers earlier appends.
     */
    void syncNow() {
        if (queued.get() > 0) {
            try {
                thread.submit(() -> { }).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for the append only file's sync", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        RuntimeException failure = leftChunkFailure.getAndSet(null);
        if (failure != null) {
            throw failure;
        }
        if (chunk != null) {
            msync(chunk, requestedTo, writtenTo);
            requestedTo = writtenTo;
        }
    }

    private void submit(Runnable task) {
        queued.incrementAndGet();
        thread.execute(() -> {
            try {
                task.run();
            } finally {
                queued.decrementAndGet();
            }
        });
    }

    /**
     * Msync of the file range {@code [from, to)} through {@code store}'s mapping. The whole pages of
     * the range, behind the write position, are unmapped first: writing back a mapped page
     * write-protects it, one TLB flush each, and a flush is dear on a paravirtualised VM (this
     * thread's CPU for a second of SETs fell about 5x). Unmapping the range costs one flush for all;
     * the data stays in the page cache, dirty, and the msync writes it back all the same. The
     * appender never goes back there, and a later read or write of those pages (Chronicle's header
     * or index) maps them in again.
     */
    private static void msync(MappedBytesStore store, long from, long to) {
        long start = Math.max(from, store.start()) & -PAGE;
        long end = Math.min(to, store.safeLimit());
        if (end <= start) {
            return;
        }
        long address = store.address + (start - store.start());
        long behind = (end & -PAGE) - start;
        if (behind > 0) {
            Libc.madvise(address, behind, Libc.MADV_DONTNEED);
        }
        if (Libc.msync(address, end - start, Libc.MS_SYNC) != 0) {
            throw new IllegalStateException("msync of the append only file failed: errno " + Libc.errno());
        }
    }

    /** Waits for the syncs requested so far, then lets go of the chunk. Appending thread, after the last append. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(1, TimeUnit.MINUTES)) {
                log.warn("The append only file's background sync did not finish within a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (chunk != null) {
            chunk.release(owner);
            chunk = null;
        }
    }
}
