package dev.millrace.storage.queue;

import com.sun.jna.Platform;
import dev.millrace.storage.Libc;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.core.UnsafeMemory;
import net.openhft.chronicle.core.io.ReferenceOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Touches the pages ahead of a queue appender before the appender writes them, from a background
 * thread.
 *
 * <p>Why: the first write to a page of a mapped file costs 17-60 us on the machines Millrace is
 * measured on (a paravirtualised VM: docs/performance.md, "Page faults"), and the same write to a
 * page already touched costs 0.04 us. Populating the page tables in advance
 * ({@code madvise(MADV_POPULATE_WRITE)}) removes the kernel's part but the writer still paid about
 * 20 us a page for the hypervisor's, so this thread also writes to each page first, an atomic
 * compare-and-set of a zero with a zero: it changes no byte, and a concurrent write by the appender
 * to the same word wins either way. An effect log written at 50 bytes a request crosses a page every
 * 80 requests, at 1 KiB values every 4: before this, first touches were a quarter of the execution
 * thread's time under pipelined SETs and most of it with 1 KiB values.
 *
 * <p>Pages are touched through the appender's own mapping (the chunk it writes): pages mapped
 * through any other mapping of the file would cost the same again. The warmer holds a reference
 * on that chunk while it uses it, so Chronicle cannot unmap it underneath; it lets go when the
 * appender moves to another chunk or its lane closes. Requests are dropped, never waited for: a
 * page the warmer did not reach is simply faulted in by the writer.
 */
public final class PageWarmer {
    private static final Logger log = LoggerFactory.getLogger(PageWarmer.class);
    private static final long PAGE = 4096;
    /** The most a lane warms ahead of its write position; a new request goes out at half. */
    static final long AHEAD = 2 << 20;
    /**
     * A lane whose file is synced often takes huge pages only while each sync covers this much: the
     * whole folios an msync writes back are then mostly data written anyway.
     */
    static final long HUGE_BYTES_PER_SYNC = 4 << 20;
    /** Warmed at once, between offers of the core to other threads (16 pages). */
    private static final long STEP = 64 << 10;
    private static final ReferenceOwner OWNER = ReferenceOwner.temporary("millrace-page-warmer");

    private static final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private static volatile Thread thread;
    private static final AtomicLong pagesTouched = new AtomicLong();
    private static final AtomicInteger chunksHeld = new AtomicInteger();
    private static final AtomicInteger chunksAdvisedHuge = new AtomicInteger();
    /**
     * Why nothing is warmed: off (elsewhere than Linux, or {@code -Dmillrace.page-warmer=false} to measure
     * without it), or found not to work here: the kernel refuses the populate advice (before Linux 5.14),
     * or the libc binding cannot load. Null while warming works.
     */
    private static volatile String disabledBecause = !Platform.isLinux() ? "not Linux"
            : !Boolean.parseBoolean(System.getProperty("millrace.page-warmer", "true")) ? "-Dmillrace.page-warmer=false"
            : null;
    /** Populates the kernel refused for another reason (the request was dropped), and the last errno. */
    private static final AtomicLong populateFailures = new AtomicLong();
    /**
     * Whether busy lanes' chunks are advised {@code MADV_HUGEPAGE}: until the kernel refuses it, or
     * {@code -Dmillrace.page-warmer.huge-pages=false} (to measure without it).
     */
    private static volatile boolean hugePages = Boolean.parseBoolean(
            System.getProperty("millrace.page-warmer.huge-pages", "true"));
    private static volatile int lastErrno;

    private PageWarmer() {
    }

    /** Pages touched ahead of appenders since the process started (for tests and diagnostics). */
    public static long pagesTouched() {
        return pagesTouched.get();
    }

    /** Why the warmer stopped warming, or null while it works (for tests and diagnostics). */
    public static String disabledBecause() {
        return disabledBecause;
    }

    /** Populate calls refused other than for lack of support, with the last errno (diagnostics). */
    public static String failures() {
        return populateFailures.get() + " populates refused, last errno " + lastErrno;
    }

    /** Chunks advised {@code MADV_HUGEPAGE} since the process started (for tests and diagnostics). */
    public static int chunksAdvisedHuge() {
        return chunksAdvisedHuge.get();
    }

    /** Whether busy lanes' chunks are advised huge pages (false once the kernel refused, or when off). */
    public static boolean hugePages() {
        return hugePages;
    }

    /** Chunks the warmer holds a reference on now: one at most per open appender. */
    public static int chunksHeld() {
        return chunksHeld.get();
    }

    /**
     * Touch {@code [from, to)} (file offsets) of {@code store}; a null store closes the lane. With
     * {@code huge}, the chunk is first advised to be backed by huge pages (once).
     */
    private record Request(Lane lane, MappedBytesStore store, long from, long to, boolean huge) {
    }

    /**
     * One appender's warming. {@link #wrote} and {@link #close} come from the appending thread; the
     * chunk reference is taken and dropped by the warmer's thread only.
     */
    public static final class Lane {
        private BytesStore<?, ?> store;
        private long requestedTo;
        private long lastPosition;
        /**
         * The appender's position, for the warmer thread: it skips what the appender has passed
         * already (touching it would dirty pages a sync may have written back).
         */
        private final AtomicLong appendedTo = new AtomicLong();
        /**
         * Bytes the appender has written since the lane began (as far as seen): the lane warms at most
         * that far ahead, so ten thousand streams of a few entries each do not each get 2 MB of pages
         * (the populate allocates them in the file too), while a busy log soon warms {@link #AHEAD}.
         */
        private long written;
        private long requested;
        /** The chunk this lane holds a reference on: the warmer thread's. */
        private MappedBytesStore held;
        /** The chunk this lane last advised {@code MADV_HUGEPAGE} on: the warmer thread's. */
        private MappedBytesStore advised;
        private final boolean syncedOften;
        /** {@link #written} at the last {@link #synced}, and the bytes written between the last two. */
        private long writtenAtSync;
        private long bytesPerSync;

        /**
         * @param syncedOften whether the owner msyncs the file often (a durable AOF: per batch, or per
         *     second): an msync writes back whole folios, 2 MB for a few bytes written, so such a lane
         *     takes huge pages only while each {@link #synced} covers {@link #HUGE_BYTES_PER_SYNC}
         *     (everysec under load, never appendfsync always); any other busy lane takes them
         */
        public Lane(boolean syncedOften) {
            this.syncedOften = syncedOften;
        }

        /** The owner has just synced the file (appending thread). */
        public void synced() {
            bytesPerSync = written - writtenAtSync;
            writtenAtSync = written;
        }

        /**
         * Called after an append with the appender's bytes (positioned after what was written): asks
         * for the pages ahead to be touched when less than half of what it warms ahead is left.
         */
        public void wrote(Bytes<?> bytes) {
            if (disabledBecause != null) {
                return;
            }
            BytesStore<?, ?> current = bytes.bytesStore();
            long position = bytes.writePosition();
            if (current == store) {
                written += Math.max(0, position - lastPosition);
            }
            lastPosition = position;
            appendedTo.lazySet(position);
            long ahead = Math.min(AHEAD, written);
            if (current == store && position + ahead / 2 < requestedTo || !(current instanceof MappedBytesStore mapped)) {
                return;
            }
            long from = current == store ? Math.max(position, requestedTo) : position;
            from = (from + PAGE - 1) & -PAGE;
            long to = Math.min(position + ahead, mapped.capacity()) & -PAGE;
            store = current;
            if (from < to) {
                requestedTo = to;
                requested += to - from;
                boolean huge = written >= AHEAD && (!syncedOften || bytesPerSync >= HUGE_BYTES_PER_SYNC);
                submit(new Request(this, mapped, from, to, huge));
            }
        }

        /** Bytes this lane has asked to be warmed in all (for tests). */
        long requested() {
            return requested;
        }

        /** The appender is closing: the warmer lets go of its chunk (soon, on its own thread). */
        public void close() {
            if (store != null) {
                store = null;
                submit(new Request(this, null, 0, 0, false));
            }
        }
    }

    private static void submit(Request request) {
        requests.add(request);
        Thread t = thread;
        if (t == null) {
            synchronized (PageWarmer.class) {
                t = thread;
                if (t == null) {
                    t = new Thread(PageWarmer::run, "millrace-page-warmer");
                    t.setDaemon(true);
                    t.start();
                    thread = t;
                    return;
                }
            }
        }
        LockSupport.unpark(t);
    }

    private static void run() {
        while (true) {
            Request r = requests.poll();
            if (r == null) {
                LockSupport.park();
                continue;
            }
            try {
                warm(r);
            } catch (RuntimeException e) {
                log.warn("page warming failed; queue pages fault in as they are written", e);
            } catch (LinkageError e) {
                disable("the libc binding did not load (" + e + ")");
            }
        }
    }

    /**
     * Asks for the chunk's page cache to come in huge pages (large folios), for a lane that writes a
     * lot (and, when its file is synced often, a lot between syncs). Measured here on a file mapping:
     * populating then touching a page costs 0.6 us with the advice, 7-20 us without it (the
     * hypervisor's part of each 4 KiB fault is paid once per 2 MB). Not for a lane that has written
     * little: ten thousand small streams would each get 2 MB folios.
     */
    private static void adviseHugePages(MappedBytesStore chunk) {
        if (Libc.madvise(chunk.address, chunk.capacity() - chunk.start(), Libc.MADV_HUGEPAGE) != 0) {
            hugePages = false;
            log.info("madvise(MADV_HUGEPAGE) refused (errno {}): queue pages are warmed 4 KiB at a time", Libc.errno());
        } else {
            chunksAdvisedHuge.incrementAndGet();
        }
    }

    private static void disable(String why) {
        disabledBecause = why;
        log.info("{}: queue pages fault in as they are written", why);
    }

    private static void warm(Request r) {
        Lane lane = r.lane;
        if (r.store != lane.held && lane.held != null) {
            lane.held.release(OWNER);
            lane.held = null;
            chunksHeld.decrementAndGet();
        }
        // A closed lane, or the chunk is no longer mapped (the appender has moved on).
        if (r.store == null || disabledBecause != null || lane.held == null && !r.store.tryReserve(OWNER)) {
            return;
        }
        if (lane.held == null) {
            lane.held = r.store;
            chunksHeld.incrementAndGet();
        }
        if (r.huge && lane.advised != r.store && hugePages) {
            lane.advised = r.store;
            adviseHugePages(r.store);
        }
        long address = r.store.address + (r.from - r.store.start());
        for (long done = 0; done < r.to - r.from; done += STEP) {
            long length = Math.min(STEP, r.to - r.from - done);
            if (r.from + done + length <= lane.appendedTo.get()) {
                continue; // the appender got here first
            }
            // The touch comes only after a successful populate, which also proves the range lies inside
            // the file (a touch past its end would be a SIGBUS).
            if (disabledBecause != null) {
                return;
            }
            if (Libc.madvise(address + done, length, Libc.MADV_POPULATE_WRITE) != 0) {
                int errno = Libc.errno();
                if (errno == Libc.EINVAL) {
                    disable("madvise(MADV_POPULATE_WRITE) is not supported by this kernel");
                } else if (populateFailures.incrementAndGet() >= 8 && pagesTouched.get() == 0) {
                    disable("madvise(MADV_POPULATE_WRITE) never succeeds here (errno " + errno + ")");
                } else if (populateFailures.get() == 1) {
                    log.warn("madvise(MADV_POPULATE_WRITE) failed with errno {}: those pages fault in as they are written", errno);
                }
                lastErrno = errno;
                return;
            }
            for (long page = 0; page < length; page += PAGE) {
                UnsafeMemory.MEMORY.compareAndSwapInt(address + done + page, 0, 0);
            }
            pagesTouched.addAndGet(length / PAGE);
            // Warming 1 MB takes ~5 ms of a core here: in steps, with the core offered back between
            // them, so the execution thread and the clients never wait behind one long burst.
            Thread.yield();
        }
    }
}
