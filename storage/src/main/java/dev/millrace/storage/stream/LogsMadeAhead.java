package dev.millrace.storage.stream;

import dev.millrace.engine.Clock;
import com.sun.jna.Platform;
import dev.millrace.storage.DurableFiles;
import dev.millrace.storage.Libc;
import net.openhft.chronicle.queue.RollCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Logs made ahead on a thread of their own. Making a log (Chronicle's builder, the metadata file,
 * the first cycle file with its header and index) takes 1-2 ms, which the command needing it would
 * otherwise spend on the execution thread while every client waits. Two kinds:
 * <ul>
 *   <li>the logs of the next new streams, when streams have their logs from the start: streams take
 *       their ids in order from a range of their own ({@code KeyStore#newStreamObjectId}) and a log
 *       is named by its stream's id, so a new stream says which id comes next ({@link #expect}) and
 *       this keeps the logs of that one and the {@value #AHEAD} - 1 after it ready;</li>
 *   <li>the log of a stream whose entries will soon leave the keyspace ({@link #prepare}), made
 *       after those.</li>
 * </ul>
 *
 * <p>The thread runs whenever streams are being created, so a kill -9 often meets it half-way: a
 * log never written is made anew at its first open ({@link ChronicleStreamLog#open}).
 *
 * <p>Ownership: a log being made, or made and not yet claimed, belongs to this class; {@link #claim}
 * hands it over (waiting while it is being made), and {@link #close} deletes those never claimed.
 * Only ids not yet handed out (at or above the expected one) are started, so the owner never makes
 * or opens one of them meanwhile; an id asked for by {@link #prepare} is the owner's until this
 * thread starts it (a claim before then takes it back). An id whose directory exists already (left
 * by a crash) is skipped: the owner opens it as it opens any log.
 *
 * <p>A made log still unclaimed when its cycle ends is made again in the new cycle, so that a
 * stream's first file is that of the hour it was created in; one claimed at the turn of a cycle has
 * an empty first file, which the log's scans skip and its first release deletes.
 */
final class LogsMadeAhead implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogsMadeAhead.class);
    /** Logs kept ready: a burst of new streams beyond this waits for them, or makes its own. */
    static final int AHEAD = 4;
    /**
     * After a wake-up, while some log is ready, the thread waits this long before making the next:
     * a command creating a stream runs on for a millisecond or two after it claims its log, and
     * making the next log meanwhile (on the other core) made about a quarter of paced creations
     * take 4-9 ms instead of 2 (measured; where the two contend was not found). With no log ready
     * the next is made at once.
     */
    static final long SETTLE_MILLIS = 5;
    /** Logs asked for by id ({@link #prepare}) that may wait at once. */
    static final int WANTED = 16;
    /** The thread's nice value: the lowest priority. */
    static final int NICE = 19;

    /** A log being made ({@code log} null until it is) or made, in {@code cycle}. */
    private static final class Slot {
        ChronicleStreamLog log;
        int cycle;
    }

    private final LongFunction<Path> directories;
    private final LongFunction<ChronicleStreamLog> create;
    private final Clock clock;
    private final RollCycle rollCycle;
    private final Map<Long, Slot> slots = new HashMap<>();
    /** Ids asked for by {@link #prepare}, not started yet, oldest first. */
    private final ArrayDeque<Long> wanted = new ArrayDeque<>();
    /** The id of the next log expected; none before the first {@link #expect}. */
    private long expected = Long.MIN_VALUE;
    /** Ids up to this one were made or skipped. */
    private long consideredUpTo = Long.MIN_VALUE;
    private Thread thread;
    private boolean closed;

    /**
     * @param directories the directory of each log
     * @param create      makes the new log of an id in its directory ({@link ChronicleStreamLog#create})
     * @param clock       decides which cycle is current
     * @param rollCycle   the cycle of new logs
     */
    LogsMadeAhead(LongFunction<Path> directories, LongFunction<ChronicleStreamLog> create, Clock clock,
                  RollCycle rollCycle) {
        this.directories = directories;
        this.create = create;
        this.clock = clock;
        this.rollCycle = rollCycle;
    }

    /** The next new log will be {@code logId}: keeps it and the few after it made, starting the thread at the first call. */
    synchronized void expect(long logId) {
        if (closed || logId <= expected) {
            return;
        }
        expected = logId;
        startThread();
        notifyAll();
    }

    private void startThread() {
        if (thread == null) {
            thread = new Thread(this::run, "stream-logs-ahead");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Log {@code logId} is likely to be opened soon, out of the order of new streams (a stream whose
     * entries will soon leave the keyspace): makes it too, after the next new streams' logs. At most
     * {@link #WANTED} wait; more are not made ahead.
     */
    synchronized void prepare(long logId) {
        if (closed || slots.containsKey(logId) || wanted.contains(logId) || wanted.size() >= WANTED) {
            return;
        }
        wanted.add(logId);
        startThread();
        notifyAll();
    }

    /**
     * Log {@code logId}, made ahead and now the caller's (noted for sync by the caller), or null when
     * it was not made ahead: the caller opens or creates it itself. Waits while it is being made.
     */
    synchronized ChronicleStreamLog claim(long logId) {
        if (wanted.remove(logId) || slots.isEmpty()) {
            return null; // asked for but not started: the caller makes it, and this thread no longer will
        }
        Slot slot;
        boolean interrupted = false;
        while ((slot = slots.get(logId)) != null && slot.log == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (slot == null) {
            return null;
        }
        slots.remove(logId);
        return slot.log;
    }

    /** Whether log {@code logId} is asked for, being made, or made and not claimed. */
    synchronized boolean holds(long logId) {
        return slots.containsKey(logId) || wanted.contains(logId);
    }

    /** Logs made and not claimed. */
    synchronized int ready() {
        return (int) slots.values().stream().filter(s -> s.log != null).count();
    }

    private void run() {
        yieldToOtherThreads();
        boolean woken = true;
        while (true) {
            long logId;
            ChronicleStreamLog stale;
            Slot slot;
            synchronized (this) {
                while (true) {
                    if (closed) {
                        return;
                    }
                    if (woken && ready() > 0) {
                        // Likely woken by a command creating a stream: let it finish first.
                        woken = false;
                        waitAtMost(SETTLE_MILLIS);
                        continue;
                    }
                    long next = Math.max(consideredUpTo + 1, expected);
                    if (expected != Long.MIN_VALUE && next < expected + AHEAD) { // none expected before expect()
                        logId = next;
                        consideredUpTo = next;
                        slot = new Slot();
                        stale = null;
                        break;
                    }
                    Long asked = wanted.poll();
                    if (asked != null) {
                        logId = asked;
                        slot = new Slot();
                        stale = null;
                        break;
                    }
                    Map.Entry<Long, Slot> old = staleSlot();
                    if (old != null) {
                        logId = old.getKey();
                        slot = old.getValue();
                        stale = slot.log;
                        slot.log = null;
                        break;
                    }
                    waitForWork();
                    woken = true;
                }
                slots.put(logId, slot);
            }
            if (stale != null) {
                discard(stale, stale.directory());
            }
            make(logId, slot);
        }
    }

    /**
     * Nice 19 for this thread (Linux's nice value is per thread): on a busy machine the scheduler
     * gives the execution thread the core, and the logs are made in the gaps. Making one right after
     * a claim otherwise took the CPU from the command that claimed it (two cores here).
     */
    private static void yieldToOtherThreads() {
        if (!Platform.isLinux()) {
            return;
        }
        try {
            if (Libc.setpriority(Libc.PRIO_PROCESS, 0, NICE) != 0) {
                log.debug("setpriority failed: errno {}", Libc.errno());
            }
        } catch (LinkageError e) {
            log.debug("no setpriority through JNA", e);
        }
    }

    /** A made, unclaimed log not yet handed out whose cycle has ended, or null. */
    private Map.Entry<Long, Slot> staleSlot() {
        int now = currentCycle();
        for (Map.Entry<Long, Slot> entry : slots.entrySet()) {
            Slot slot = entry.getValue();
            if (entry.getKey() >= expected && slot.log != null && slot.cycle != now) {
                return entry;
            }
        }
        return null;
    }

    private int currentCycle() {
        return rollCycle.current(clock::currentTimeMillis, 0);
    }

    /** Until more is expected, the close, or the end of the current cycle. */
    private void waitForWork() {
        long length = rollCycle.lengthInMillis();
        waitAtMost(length - Math.floorMod(clock.currentTimeMillis(), length));
    }

    private void waitAtMost(long millis) {
        try {
            wait(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Makes log {@code logId} into its slot; without a log (left by a crash, or it failed) the slot goes. */
    private void make(long logId, Slot slot) {
        ChronicleStreamLog made = null;
        int cycle = 0;
        try {
            // A directory left by a crash is skipped: the owner opens it as it opens any existing log.
            if (!Files.exists(directories.apply(logId))) {
                made = create.apply(logId);
                cycle = made.readyFirstAppend();
            }
        } catch (RuntimeException | Error e) {
            log.warn("could not make stream log {} ahead; it will be made when its stream is created", logId, e);
            discard(made, directories.apply(logId));
            made = null;
        } finally {
            synchronized (this) {
                if (made == null) {
                    slots.remove(logId);
                } else {
                    slot.log = made;
                    slot.cycle = cycle;
                }
                notifyAll();
            }
        }
    }

    /**
     * Closes a made log (if any) and deletes its directory. A failure is logged, not thrown: what it
     * leaves is an empty log, which the owner opens like any other.
     */
    private static void discard(ChronicleStreamLog made, Path dir) {
        try {
            if (made != null) {
                made.close();
            }
            DurableFiles.deleteTree(dir);
        } catch (RuntimeException e) {
            log.warn("could not delete stream log {} made ahead", dir, e);
        }
    }

    /** Stops the thread (after the log it is making) and deletes the logs made and never claimed. */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            closed = true;
            notifyAll();
            running = thread;
        }
        if (running != null) {
            boolean interrupted = false;
            while (running.isAlive()) {
                try {
                    running.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            slots.values().stream().filter(s -> s.log != null).forEach(s -> discard(s.log, s.log.directory()));
            slots.clear();
        }
    }
}
