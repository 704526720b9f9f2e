package dev.millrace.storage.stream;

import dev.millrace.engine.Clock;
import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.stream.StreamLog;
import dev.millrace.engine.stream.StreamLogs;
import dev.millrace.storage.ChronicleSettings;
import dev.millrace.storage.DurableFiles;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Stream logs on Chronicle Queue: {@code <streamsDir>/<logId as 16 hex digits>/} is one queue per
 * stream (format in {@link EntryFormat}, docs/storage-format.md "Stream logs").
 *
 * <ul>
 *   <li><b>Durability.</b> The queues run in {@code SyncMode.NONE}: every entry is also in the AOF
 *       (its XADD), which recovery replays (appends are idempotent by number). {@link #sync} fsyncs
 *       what was appended since the last sync, for a snapshot; {@link #close} syncs.</li>
 *   <li><b>Open logs.</b> At most {@link Settings#maxOpenLogs} logs are open (2 to 8 file
 *       descriptors and mappings each, see {@link ChronicleStreamLog}); the least recently used is
 *       closed and reopened on its next use (1-3 ms, measured). A
 *       {@link StreamLog} from {@link #open} stays valid across that: it finds its queue by id at each
 *       call. The first open of a log in this process zeroes a killed writer's unfinished excerpt
 *       ({@link dev.millrace.storage.queue.TornTail}).</li>
 *   <li><b>Logs made ahead.</b> {@link #expect} names the next stream's log: it and the few after it
 *       are made on a thread of their own ({@link LogsMadeAhead}), and the first use of such a log
 *       takes it over, so creating a stream does not make a queue on the caller's thread.</li>
 *   <li><b>Deferred deletion.</b> {@link StreamLog#releaseBelow} and {@link #retire} only record a
 *       request: deleting is safe once a snapshot that reflects the request is complete (before that,
 *       a recovery from the previous snapshot may need the entries). The owner takes a
 *       {@link #releaseMark} when a snapshot's point is fixed and calls {@link #deleteReleased(long)}
 *       with it once the snapshot is complete: that deletes retired logs' directories and released
 *       logs' whole cycle files holding only entries below the requested number; until then
 *       {@link StreamLog#firstNumber} still counts those entries. Requests not yet performed at a clean
 *       {@link #close} are saved in {@value #PENDING_FILE} and requested again at the next open (a crash
 *       forgets them: the AOF replay asks again for those after the snapshot it starts from, and a
 *       retirement lost with the writes after the last snapshot must not happen).</li>
 *   <li><b>Follower.</b> With {@link Settings#readOnly} the instance reads logs another, live instance
 *       writes (a snapshot build on its own thread): appends, truncations, releases, retirements and
 *       syncs do nothing; a read beyond what it has seen first looks for entries appended since. It
 *       never creates, repairs or deletes anything. It does not see truncations made after it opened
 *       a log (the owner truncates only while recovering, before any snapshot).</li>
 *   <li><b>Entry size.</b> An entry may take {@link Settings#maxEntryBytes} (1 MiB - 56 bytes with
 *       the default 4 MiB blocks); a larger one is refused with an {@link IllegalArgumentException}.</li>
 * </ul>
 *
 * <p>Threading: one thread at a time (the execution thread; a follower on its snapshot thread).
 * {@link #close} may come from another thread once that one has stopped.
 */
public final class ChronicleStreamLogs implements StreamLogs {
    static {
        ChronicleSettings.apply();
    }

    private static final Logger log = LoggerFactory.getLogger(ChronicleStreamLogs.class);
    static final String PENDING_FILE = "pending-deletions";
    /** A retired log's directory is renamed to this suffix before its files are deleted. */
    private static final String DELETING_SUFFIX = ".deleting";

    /**
     * How logs are kept.
     *
     * @param clock       decides which cycle file an entry goes to (Chronicle's time provider)
     * @param rollCycle   fixed when a log is created; later opens use the log's own
     * @param blockSize   the writer's mapping unit; an entry's excerpt may take a quarter of it
     * @param maxOpenLogs queues open at once
     * @param readOnly    a follower (see the class comment)
     */
    public record Settings(Clock clock, RollCycle rollCycle, long blockSize, int maxOpenLogs, boolean readOnly) {
        public static final RollCycle DEFAULT_ROLL_CYCLE = RollCycles.FAST_HOURLY;
        /**
         * Entries up to 1 MiB (the server's {@code stream-log-block-size} default): 16 MiB blocks took
         * 3.4x the page cache with 10,000 streams where read-ahead is large (docs/storage-format.md).
         */
        public static final long DEFAULT_BLOCK_SIZE = 4 << 20;
        public static final int DEFAULT_MAX_OPEN_LOGS = 1024;

        public Settings {
            if (maxOpenLogs < 1) {
                throw new IllegalArgumentException("maxOpenLogs must be at least 1");
            }
        }

        public static Settings defaults(Clock clock) {
            return new Settings(clock, DEFAULT_ROLL_CYCLE, DEFAULT_BLOCK_SIZE, DEFAULT_MAX_OPEN_LOGS, false);
        }

        public Settings withRollCycle(RollCycle cycle) {
            return new Settings(clock, cycle, blockSize, maxOpenLogs, readOnly);
        }

        public Settings withBlockSize(long bytes) {
            return new Settings(clock, rollCycle, bytes, maxOpenLogs, readOnly);
        }

        public Settings withMaxOpenLogs(int logs) {
            return new Settings(clock, rollCycle, blockSize, logs, readOnly);
        }

        /** The same settings for a follower. */
        public Settings follower() {
            return new Settings(clock, rollCycle, blockSize, maxOpenLogs, true);
        }

        /**
         * The largest entry, in {@link StreamEntry#size} bytes: Chronicle refuses an excerpt above a
         * quarter of the block, and the excerpt's header takes up to {@value EntryFormat#MAX_HEADER_BYTES}
         * (an element's length varint takes no more than the 4 bytes the size counts for it).
         */
        public long maxEntryBytes() {
            return blockSize / 4 - EntryFormat.MAX_HEADER_BYTES;
        }
    }

    /** A deletion request: entries below {@code below}, made as request number {@code request}. */
    private record Release(long request, long below) {
    }

    private final Path streamsDir;
    private final Settings settings;
    private final DirtyFiles dirty = new DirtyFiles();
    private final EntryFormat format = new EntryFormat();
    private final LinkedHashMap<Long, ChronicleStreamLog> openLogs;
    /** New logs made ahead for the next streams ({@link #expect}); null for a follower. */
    private final LogsMadeAhead madeAhead;
    /** Logs whose tail was checked in this process (see {@link ChronicleStreamLog#open}). */
    private final Set<Long> tailChecked = new HashSet<>();
    /** Pending retirements: log id to request number. */
    private final Map<Long, Long> retirements = new HashMap<>();
    /** Pending releases per log, oldest first, {@code below} growing. */
    private final Map<Long, ArrayDeque<Release>> releases = new HashMap<>();
    /** Requests made so far; a request's number is this count after it. */
    private long requests;
    /** The last {@link #releaseMark} handed out: requests after it may not merge with those before. */
    private long lastMark;
    private boolean closed;

    public ChronicleStreamLogs(Path streamsDir, Settings settings) {
        this.streamsDir = streamsDir;
        this.settings = settings;
        this.openLogs = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, ChronicleStreamLog> eldest) {
                if (size() > settings.maxOpenLogs()) {
                    eldest.getValue().close();
                    return true;
                }
                return false;
            }
        };
        this.madeAhead = settings.readOnly() ? null
                : new LogsMadeAhead(this::logDirectory,
                        logId -> ChronicleStreamLog.create(logId, logDirectory(logId), settings, dirty, format),
                        settings.clock(), settings.rollCycle());
        if (!settings.readOnly()) {
            try {
                Files.createDirectories(streamsDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + streamsDir, e);
            }
            finishInterruptedDeletions();
            loadPendingRequests();
        }
    }

    /** Live logs in {@code streamsDir} with the default settings. */
    public static ChronicleStreamLogs open(Path streamsDir, Clock clock) {
        return new ChronicleStreamLogs(streamsDir, Settings.defaults(clock));
    }

    public Path directory() {
        return streamsDir;
    }

    public Settings settings() {
        return settings;
    }

    /** The directory of log {@code logId}. */
    public Path logDirectory(long logId) {
        return streamsDir.resolve(ChronicleStreamLog.hex(logId));
    }

    /** A handle on log {@code logId}; the queue is opened at the handle's first use. */
    @Override
    public StreamLog open(long logId) {
        checkOpen();
        return new LogHandle(logId);
    }

    /** Starts making log {@code logId} and the few after it on a thread of their own ({@link LogsMadeAhead}); a follower does not. */
    @Override
    public void expect(long logId) {
        checkOpen();
        if (madeAhead != null) {
            madeAhead.expect(logId);
        }
    }

    /** Makes log {@code logId} ahead on the thread that makes the next streams' ({@link LogsMadeAhead}); a follower does not. */
    @Override
    public void prepare(long logId) {
        checkOpen();
        if (madeAhead != null) {
            madeAhead.prepare(logId);
        }
    }

    /** A follower's are the server's logs, read-only: it writes none, and reads only those that exist. */
    @Override
    public boolean writable(long logId) {
        return !settings.readOnly() || Files.isDirectory(logDirectory(logId));
    }

    @Override
    public void retire(long logId) {
        checkOpen();
        if (settings.readOnly() || retirements.containsKey(logId) || neverMade(logId)) {
            return;
        }
        retirements.put(logId, ++requests);
        releases.remove(logId);
    }

    /**
     * Whether log {@code logId} was never made: a stream whose entries stayed in the keyspace. Its
     * retirement would only be a pending request to delete nothing, kept until the next snapshot.
     */
    private boolean neverMade(long logId) {
        return !openLogs.containsKey(logId) && (madeAhead == null || !madeAhead.holds(logId))
                && !Files.exists(logDirectory(logId));
    }

    private void releaseBelow(long logId, long number) {
        if (settings.readOnly() || retirements.containsKey(logId)) {
            return;
        }
        ArrayDeque<Release> queue = releases.computeIfAbsent(logId, id -> new ArrayDeque<>());
        Release last = queue.peekLast();
        if (last != null && number <= last.below()) {
            return;
        }
        long request = ++requests;
        if (last != null && last.request() > lastMark) {
            // No mark between the two requests: one deletion serves both.
            queue.pollLast();
        }
        queue.addLast(new Release(request, number));
    }

    /**
     * Marks the requests made so far; {@link #deleteReleased(long)} with this mark performs them and
     * no later ones. The owner takes it when a snapshot's point is fixed.
     */
    public long releaseMark() {
        lastMark = requests;
        return lastMark;
    }

    /**
     * Performs the retirements and releases requested up to {@code mark} (see the class comment).
     * Logs affected are closed (and reopened on next use). A follower does nothing.
     *
     * @return the number of files and log directories deleted
     */
    public int deleteReleased(long mark) {
        checkOpen();
        if (settings.readOnly()) {
            return 0;
        }
        int deleted = 0;
        for (Iterator<Map.Entry<Long, Long>> it = retirements.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Long> retirement = it.next();
            if (retirement.getValue() <= mark) {
                it.remove();
                deleted += deleteLog(retirement.getKey());
            }
        }
        for (Iterator<Map.Entry<Long, ArrayDeque<Release>>> it = releases.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, ArrayDeque<Release>> entry = it.next();
            long below = Long.MIN_VALUE;
            ArrayDeque<Release> queue = entry.getValue();
            while (!queue.isEmpty() && queue.peekFirst().request() <= mark) {
                below = queue.pollFirst().below();
            }
            if (queue.isEmpty()) {
                it.remove();
            }
            if (below != Long.MIN_VALUE && Files.isDirectory(logDirectory(entry.getKey()))) {
                ChronicleStreamLog released = acquire(entry.getKey());
                deleted += released.deleteFilesBelow(below);
                if (released.isClosed()) {
                    openLogs.remove(entry.getKey());
                }
            }
        }
        return deleted;
    }

    /** Performs every request made so far: {@code deleteReleased(releaseMark())}. */
    public int deleteReleased() {
        return deleteReleased(releaseMark());
    }

    private int deleteLog(long logId) {
        ChronicleStreamLog open = openLogs.remove(logId);
        if (open == null) {
            open = madeAhead.claim(logId); // a stream created and gone before its log was used
        }
        if (open != null) {
            open.close();
        }
        tailChecked.remove(logId);
        Path dir = logDirectory(logId);
        if (!Files.exists(dir)) {
            return 0;
        }
        // Renamed first: a crash while deleting leaves a directory no open mistakes for a log.
        Path doomed = streamsDir.resolve(dir.getFileName() + DELETING_SUFFIX);
        try {
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename " + dir + " to " + doomed, e);
        }
        DurableFiles.fsyncDirectory(streamsDir);
        DurableFiles.deleteTree(doomed);
        return 1;
    }

    private void finishInterruptedDeletions() {
        try (var entries = Files.list(streamsDir)) {
            for (Path doomed : entries.filter(p -> p.getFileName().toString().endsWith(DELETING_SUFFIX)).toList()) {
                log.info("finishing the deletion of retired stream log {}", doomed.getFileName());
                DurableFiles.deleteTree(doomed);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + streamsDir, e);
        }
    }

    /** Requests a clean close saved: requested again, before any mark; the file goes at once (see the class comment). */
    private void loadPendingRequests() {
        Path file = streamsDir.resolve(PENDING_FILE);
        Properties pending = DurableFiles.readProperties(file);
        if (pending == null) {
            return;
        }
        for (String name : new TreeSet<>(pending.stringPropertyNames())) {
            int dot = name.indexOf('.');
            long logId = Long.parseUnsignedLong(name.substring(dot + 1), 16);
            switch (name.substring(0, dot)) {
                case "retire" -> retire(logId);
                case "release" -> releaseBelow(logId, Long.parseLong(pending.getProperty(name)));
                default -> throw new IllegalStateException(file + ": unknown request " + name);
            }
        }
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
        DurableFiles.fsyncDirectory(streamsDir);
    }

    private void savePendingRequests() {
        Properties pending = new Properties();
        retirements.keySet().forEach(id -> pending.setProperty("retire." + ChronicleStreamLog.hex(id), ""));
        releases.forEach((id, queue) -> {
            if (!queue.isEmpty()) {
                pending.setProperty("release." + ChronicleStreamLog.hex(id), Long.toString(queue.peekLast().below()));
            }
        });
        if (!pending.isEmpty()) {
            DurableFiles.writeProperties(streamsDir.resolve(PENDING_FILE), pending,
                    "stream log deletions requested and not yet performed at a clean close");
        }
    }

    @Override
    public long maxEntryBytes() {
        return settings.maxEntryBytes();
    }

    /**
     * The fsync of the entries appended so far (and the files and directories made for them), to run
     * on any thread, for example a snapshot's; later appends are left to the next sync. A follower's
     * does nothing.
     */
    public Runnable syncLater() {
        checkOpen();
        return settings.readOnly() ? () -> { } : dirty.takeSync();
    }

    /** Fsyncs the entries appended since the last sync (and the files and directories made for them). */
    public void sync() {
        checkOpen();
        if (!settings.readOnly()) {
            dirty.sync();
        }
    }

    /** The open log {@code logId}, opened (and made most recently used) as needed. */
    private ChronicleStreamLog acquire(long logId) {
        checkOpen();
        ChronicleStreamLog open = openLogs.get(logId);
        if (open == null) {
            open = madeAhead == null ? null : madeAhead.claim(logId);
            if (open != null) {
                open.noteCreated();
                tailChecked.add(logId);
            } else {
                boolean repairTail = !settings.readOnly() && tailChecked.add(logId);
                open = ChronicleStreamLog.open(logId, logDirectory(logId), settings, dirty, format, repairTail);
            }
            openLogs.put(logId, open);
        }
        return open;
    }

    /** How many logs made ahead wait for their streams (a test's view). */
    int logsMadeAhead() {
        return madeAhead == null ? 0 : madeAhead.ready();
    }

    /** How many queues are open now (at most {@link Settings#maxOpenLogs}). */
    public int openLogCount() {
        return openLogs.size();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("stream logs in " + streamsDir + " are closed");
        }
    }

    /** Closes every queue; a live instance syncs first and saves the requests not yet performed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        List<RuntimeException> failures = new ArrayList<>();
        if (madeAhead != null) {
            madeAhead.close();
        }
        if (!settings.readOnly()) {
            try {
                dirty.sync();
                savePendingRequests();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        for (ChronicleStreamLog open : openLogs.values()) {
            try {
                open.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        openLogs.clear();
        closed = true;
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /** The engine's view of one log: every call finds the open log by id (see the class comment). */
    private final class LogHandle implements StreamLog {
        private final long logId;

        LogHandle(long logId) {
            this.logId = logId;
        }

        @Override
        public long firstNumber() {
            return acquire(logId).firstNumber();
        }

        @Override
        public long lastNumber() {
            return acquire(logId).lastNumber();
        }

        @Override
        public void append(long number, StreamId id, byte[][] fieldsAndValues) {
            acquire(logId).append(number, id, fieldsAndValues);
        }

        @Override
        public StreamId id(long number) {
            return acquire(logId).id(number);
        }

        @Override
        public StreamEntry read(long number) {
            return acquire(logId).read(number);
        }

        @Override
        public long seek(StreamId id, long from, long to) {
            return acquire(logId).seek(id, from, to);
        }

        @Override
        public long bytesBefore(long number) {
            return acquire(logId).bytesBefore(number);
        }

        @Override
        public void truncateAfter(long number) {
            acquire(logId).truncateAfter(number);
        }

        @Override
        public void releaseBelow(long number) {
            checkOpen();
            ChronicleStreamLogs.this.releaseBelow(logId, number);
        }

        @Override
        public String toString() {
            return "stream log " + ChronicleStreamLog.hex(logId);
        }
    }
}
