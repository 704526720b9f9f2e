package dev.millrace.storage.snapshot;

import dev.millrace.engine.Clock;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.persistence.Replayer;
import dev.millrace.engine.persistence.Snapshots;
import dev.millrace.storage.DurableFiles;
import dev.millrace.storage.aof.AofReader;
import dev.millrace.storage.aof.ChronicleEffectLog;
import dev.millrace.storage.keyspace.ChronicleKeyStore;
import dev.millrace.storage.stream.ChronicleStreamLogs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Snapshots without fork and without pausing the server. A snapshot is a cleanly closed
 * {@link ChronicleKeyStore} directory plus {@code snapshot.meta} (the log index it covers, the time,
 * a CRC32C of the keyspace files). A new one is built on a background thread from the previous one
 * (or an empty keyspace): copy it, apply the log's records after its index up to the log's last
 * index through a replayer over the copy (a separate Engine), close it, write the meta, and rename
 * the temporary directory into place atomically. Then older snapshots and the log's cycle files
 * wholly below the new index are deleted: that is BGREWRITEAOF.
 *
 * <p>Layout under {@code snapshots/}: {@code snapshot-NNNNNNNNN/} (the newest valid one is used),
 * {@code tmp-*} (a build or a standby copy in progress; deleted at open) and {@code standby/}.
 *
 * <p><b>Standby</b>: a second, verified copy of the newest snapshot's keyspace, made in the background
 * after each snapshot is published. After a crash the live keyspace is rebuilt from the newest
 * snapshot: {@link #takeStandby} renames the standby into its place in O(1) instead of copying the
 * snapshot (O(keyspace size)), so recovery costs only the replay of the log after the snapshot. A build starts from the previous snapshot's standby (a rename) and the
 * new snapshot's standby is copied once it is published, so a snapshot still costs one keyspace
 * copy; the price is one more keyspace on disk between builds (live, snapshot, standby). Without a
 * standby (taken by a recovery or a build, and not remade until the next snapshot) recovery falls
 * back to {@link #restore}.
 *
 * <p><b>The feed</b> ({@code appendonly no}): the log then exists only to build snapshots from, so it
 * records only while save rules ask for snapshots ({@link #setFeedWanted}). Without them a write
 * costs no log at all (Redis with {@code appendonly no} and {@code save ""} writes nothing either);
 * once writes went unrecorded (a <i>gap</i>), the next snapshot cannot be replayed and copies the live
 * keyspace instead, on the execution thread at a batch boundary ({@link #atBatchBoundary}): a pause of
 * O(keyspace size), where Redis forks. Recording resumes only after such a copy.
 *
 * <p>The {@link Snapshots} methods are called from the execution thread; the build runs on its own
 * thread, which only reads the log (its own queue instance) and writes its own files; standby copies
 * run on a third. State shared between them is guarded by this object's monitor; the snapshot
 * directories a standby copy reads are guarded by {@link #snapshotFiles}.
 */
public final class SnapshotStore implements Snapshots {
    private static final Logger log = LoggerFactory.getLogger(SnapshotStore.class);
    static final String META = "snapshot.meta";
    static final String KEYSPACE = "keyspace";
    private static final String PREFIX = "snapshot-";
    private static final String TMP_PREFIX = "tmp-";
    static final String STANDBY = "standby";
    private static final String STANDBY_META = "standby.meta";
    /** The log kind of {@code appendonly no}: a log that only feeds snapshots. */
    public static final String FEED = "feed";

    private final Path dir;
    /** The live stream logs' directory, which snapshot builds read. */
    private final Path streamsDir;
    /** The live stream logs (execution thread only): a snapshot fixes their deletion point. */
    private ChronicleStreamLogs liveStreams;
    /** The deletion mark of the newest completed background snapshot not yet acted on, or -1. */
    private long completedMark = -1;
    /** The fsync of the stream entries the snapshot being built counts on (see {@link #fixStreamPoint}). */
    private volatile Runnable streamSync = () -> { };
    private final ChronicleEffectLog effectLog;
    /** What the engine appends to: the AOF itself, or the feed, which can stop recording. */
    private final EffectLog engineLog;
    /** The live keyspace, which a snapshot copies when the feed has a gap. */
    private ChronicleKeyStore liveStore;
    // The feed's state (appendonly no), execution thread only.
    /** Whether appends reach the feed: not until {@link #setFeedWanted} (a gap may be marked first). */
    private boolean recording;
    /** Appends were dropped since the newest snapshot's point: the next snapshot copies the live keyspace. */
    private boolean gap;
    /** Save rules want the feed back: it records again from the next copy (or at once without a gap). */
    private boolean recordAfterCopy;
    /** A BGSAVE that copies the live keyspace waits for the next batch boundary. */
    private boolean copyRequested;
    private final String logKind;
    private final int databases;
    private final Function<KeyStore, Replayer> replayerFactory;
    private final Clock clock;
    private Thread running;
    private long lastSaveUnixSeconds;
    private boolean lastBackgroundSaveOk = true;
    private long sequence;
    /** Makes standby copies, one at a time, off the execution thread and off the snapshot builds. */
    private final ExecutorService standbyMaker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "millrace-snapshot-standby");
        t.setDaemon(true);
        return t;
    });
    /** The latest standby task (see {@link #awaitStandby}). */
    private Future<?> standbyTask = CompletableFuture.completedFuture(null);
    /**
     * Held while a standby copy reads a snapshot directory and while older snapshots are deleted, so a
     * copy never loses its source. A deletion may wait for a copy in progress.
     */
    private final Object snapshotFiles = new Object();

    /** What a snapshot's meta file says. */
    public record Meta(Path dir, long logIndex, String logKind, long createdMillis, long checksum) {
        Path keyspace() {
            return dir.resolve(KEYSPACE);
        }
    }

    /**
     * @param streamsDir the stream logs' directory (a snapshot holds streams' records; their
     *        entries stay in the live logs)
     * @param logKind names the log whose indexes snapshots refer to ("aof" or "feed"); a snapshot
     *        of another kind does not fit this log
     */
    public SnapshotStore(Path dir, Path streamsDir, ChronicleEffectLog effectLog, String logKind, int databases,
                         Function<KeyStore, Replayer> replayerFactory, Clock clock) {
        this.dir = dir;
        this.streamsDir = streamsDir;
        this.effectLog = effectLog;
        this.engineLog = logKind.equals(FEED) ? new Feed() : effectLog;
        this.logKind = logKind;
        this.databases = databases;
        this.replayerFactory = replayerFactory;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
            for (Path p : listDirectories(dir)) {
                String name = p.getFileName().toString();
                if (name.startsWith(TMP_PREFIX)) {
                    DurableFiles.deleteTree(p);
                } else if (name.startsWith(PREFIX)) {
                    sequence = Math.max(sequence, Long.parseLong(name.substring(PREFIX.length())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Meta newest = newest(dir);
        lastSaveUnixSeconds = (newest != null ? newest.createdMillis() : clock.currentTimeMillis()) / 1000;
    }

    /** The newest snapshot under {@code dir} whose meta file is complete, or null. */
    public static Meta newest(Path dir) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        List<Path> snapshots = listDirectories(dir).stream()
                .filter(p -> p.getFileName().toString().startsWith(PREFIX)).sorted().toList();
        for (int i = snapshots.size() - 1; i >= 0; i--) {
            Properties p = DurableFiles.readProperties(snapshots.get(i).resolve(META));
            if (p != null) {
                return new Meta(snapshots.get(i), Long.parseLong(p.getProperty("logIndex")), p.getProperty("log"),
                        Long.parseLong(p.getProperty("createdMillis")), Long.parseUnsignedLong(p.getProperty("checksum")));
            }
        }
        return null;
    }

    /**
     * Copies a snapshot's keyspace to {@code target} (a new directory), verifying its checksum.
     *
     * @throws IllegalStateException when the snapshot's files do not match their checksum
     */
    public static void restore(Meta snapshot, Path target) {
        long crc = DurableFiles.copyDirectory(snapshot.keyspace(), target);
        if (crc != snapshot.checksum()) {
            DurableFiles.deleteTree(target);
            throw new IllegalStateException("snapshot " + snapshot.dir() + " is corrupt (checksum mismatch)");
        }
    }

    /**
     * Moves the standby copy of {@code snapshot} to {@code target} (a directory that must not exist)
     * when there is one: a rename, O(1). The standby was verified against the snapshot's checksum
     * when it was made and fsynced before it was published. Execution thread, before the store opens.
     *
     * @return whether the standby was taken; if not, the caller {@linkplain #restore restores} the snapshot
     */
    public static boolean takeStandby(Meta snapshot, Path target) {
        Path standby = snapshot.dir().resolveSibling(STANDBY);
        if (!isStandbyOf(standby, snapshot)) {
            return false;
        }
        try {
            Files.createDirectories(target.getParent());
            Files.move(standby.resolve(KEYSPACE), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the standby keyspace " + standby + " to " + target, e);
        }
        DurableFiles.fsyncDirectory(target.getParent());
        DurableFiles.deleteTree(standby);
        DurableFiles.fsyncDirectory(standby.getParent());
        return true;
    }

    private static boolean isStandbyOf(Path standby, Meta snapshot) {
        Properties p = DurableFiles.readProperties(standby.resolve(STANDBY_META));
        return p != null && Files.isDirectory(standby.resolve(KEYSPACE))
                && snapshot.dir().getFileName().toString().equals(p.getProperty("snapshot"))
                && Long.toUnsignedString(snapshot.checksum()).equals(p.getProperty("checksum"));
    }

    /**
     * Starts making a standby copy of the newest snapshot in the background unless there is one
     * already. Called when a snapshot is published; not after a recovery took the standby, where the
     * copy would compete for the disk with the first commands (the next snapshot makes one).
     */
    private synchronized void prepareStandby() {
        if (!standbyMaker.isShutdown()) {
            standbyTask = standbyMaker.submit(this::refreshStandby);
        }
    }

    /** Waits until the standby copies requested so far are made (tests, benchmarks). */
    public void awaitStandby() throws InterruptedException, ExecutionException {
        Future<?> task;
        synchronized (this) {
            task = standbyTask;
        }
        task.get();
    }

    /** Whether a standby copy of the newest snapshot is ready. */
    public boolean standbyReady() {
        Meta newest = newest(dir);
        return newest != null && isStandbyOf(dir.resolve(STANDBY), newest);
    }

    /**
     * Replaces the standby with a copy of the newest snapshot when it is not a copy of it: O(keyspace
     * size) then, nothing otherwise. Standby thread.
     */
    private void refreshStandby() {
        synchronized (snapshotFiles) {
            Meta newest = newest(dir);
            Path standby = dir.resolve(STANDBY);
            if (newest == null || isStandbyOf(standby, newest)) {
                return;
            }
            long started = clock.currentTimeMillis();
            DurableFiles.deleteTree(standby);
            Path tmp = dir.resolve(TMP_PREFIX + STANDBY);
            DurableFiles.deleteTree(tmp);
            try {
                long crc = DurableFiles.copyDirectory(newest.keyspace(), tmp.resolve(KEYSPACE));
                if (crc != newest.checksum()) {
                    throw new IllegalStateException("snapshot " + newest.dir() + " is corrupt (checksum mismatch)");
                }
                Properties p = new Properties();
                p.setProperty("snapshot", newest.dir().getFileName().toString());
                p.setProperty("checksum", Long.toUnsignedString(newest.checksum()));
                DurableFiles.writeProperties(tmp.resolve(STANDBY_META), p,
                        "Millrace standby: a copy of this snapshot's keyspace, taken as the live one after a crash");
                Files.move(tmp, standby, StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.fsyncDirectory(dir);
            } catch (IOException | RuntimeException e) {
                DurableFiles.deleteTree(tmp);
                if (standbyMaker.isShutdown()) {
                    return; // interrupted by close()
                }
                log.warn("cannot make the standby copy of snapshot {}: a crash recovery will copy the snapshot",
                        newest.dir().getFileName(), e);
                return;
            }
            log.info("standby copy of snapshot {} ready in {} ms", newest.dir().getFileName(),
                    clock.currentTimeMillis() - started);
        }
    }

    /**
     * Stops making standby copies: one in progress is interrupted and its files deleted (the next
     * snapshot makes one). Execution thread, at shutdown.
     */
    public void close() {
        synchronized (this) {
            standbyMaker.shutdownNow();
        }
        try {
            standbyMaker.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Makes a snapshot of a cleanly closed keyspace directory as covering {@code logIndex} of this
     * store's log (used when the log the previous snapshot refers to changed, e.g. appendonly was
     * switched). Execution thread, before the server runs. O(keyspace size).
     */
    public synchronized void snapshotClosedKeyspace(Path keyspaceDir, long logIndex) {
        Path tmp = dir.resolve(TMP_PREFIX + String.format("%09d", ++sequence));
        long crc = DurableFiles.copyDirectory(keyspaceDir, tmp.resolve(KEYSPACE));
        publish(tmp, logIndex, crc);
    }

    /**
     * Points the newest snapshot at {@code logIndex} of a new log (after a crash with appendonly no,
     * the unsynced feed is discarded and a fresh one starts).
     */
    public synchronized void rebaseNewest(long logIndex) {
        Meta newest = newest(dir);
        if (newest != null) {
            writeMeta(newest.dir(), logIndex, newest.createdMillis(), newest.checksum());
        }
    }

    /**
     * Starts a background snapshot when the newest one is {@code cycles} or more log cycles old, so
     * the log does not grow without bound when no save rule or BGREWRITEAOF asks for one (Redis's
     * automatic AOF rewrite plays this part). Execution thread.
     */
    public void compactIfOlderThan(int cycles) {
        Meta newest = newest(dir);
        long covered = newest == null ? -1 : newest.logIndex();
        long last = effectLog.lastIndex();
        int lastCycle = ChronicleEffectLog.ROLL_CYCLE.toCycle(last);
        int coveredCycle = covered < 0 ? firstCycle() : ChronicleEffectLog.ROLL_CYCLE.toCycle(covered);
        if (last >= 0 && lastCycle - coveredCycle >= cycles && startBackgroundSave()) {
            log.info("log holds {} cycles since the last snapshot: snapshotting to delete them", lastCycle - coveredCycle);
        }
    }

    private int firstCycle() {
        try (AofReader reader = effectLog.reader()) {
            return reader.firstCycle();
        }
    }

    /** Gives the snapshots the live keyspace, which they copy when the feed has a gap. */
    public void attachLiveKeyStore(ChronicleKeyStore store) {
        this.liveStore = store;
    }

    /** The log the engine appends its batches to: the AOF, or the feed (see the class comment). */
    public EffectLog engineLog() {
        return engineLog;
    }

    /**
     * Whether save rules ask for snapshots, so the feed should record (called at open and when
     * {@code save} changes). Stopping takes effect at once; resuming after a gap waits for the copy
     * of the live keyspace made at the next batch boundary. Execution thread; nothing for the AOF.
     */
    public void setFeedWanted(boolean wanted) {
        if (!logKind.equals(FEED)) {
            return;
        }
        if (!wanted) {
            recording = false;
            recordAfterCopy = false;
        } else if (!recording) {
            recording = !gap;
            recordAfterCopy = gap;
        }
    }

    /** Whether the engine's appends reach the log (always for the AOF). */
    public boolean feedRecording() {
        return recording || !logKind.equals(FEED);
    }

    /** Whether writes went unrecorded since the newest snapshot's point (kept across a clean restart). */
    public boolean feedGap() {
        return gap;
    }

    /** A clean start finds the previous run's gap in the shutdown marker. */
    public void markFeedGap() {
        gap = true;
    }

    /**
     * Between two batches (after the batch's record was appended): makes the copy of the live
     * keyspace that a BGSAVE or resuming the feed waits for. {@code writeBack} writes what the
     * keyspace holds above the store; it runs only when a copy is made.
     */
    @Override
    public void atBatchBoundary(Runnable writeBack) {
        if (!copyRequested && !recordAfterCopy) {
            return;
        }
        synchronized (this) {
            if (running != null) {
                return; // a replayed build still runs: copy at a later boundary, after it publishes
            }
        }
        if (copyRequested || gap) {
            writeBack.run();
            Path tmp = copyLive();
            long upTo = effectLog.lastIndex();
            long mark = fixStreamPoint();
            runInBackground(() -> finishCopy(tmp, upTo), mark);
        }
        if (recordAfterCopy) {
            recording = true;
            recordAfterCopy = false;
        }
    }

    /** Gives the snapshots the live stream logs, whose deletions they gate (see {@link #housekeeping}). */
    public void attachLiveStreamLogs(ChronicleStreamLogs logs) {
        this.liveStreams = logs;
    }

    @Override
    public void save() throws Exception {
        Thread previous;
        synchronized (this) {
            previous = running;
        }
        if (previous != null) {
            previous.join();
        }
        long mark = fixStreamPoint();
        if (gap || copyRequested) {
            long upTo = effectLog.lastIndex();
            finishCopy(copyLive(), upTo);
        } else {
            build(effectLog.lastIndex());
        }
        if (liveStreams != null) {
            liveStreams.deleteReleased(mark);
        }
    }

    /**
     * A snapshot's point is fixed now (execution thread): the trims and deletions requested so far are
     * marked (they may delete files once the snapshot is complete; the previous snapshot may need
     * them), and the stream entries appended so far are to be synced before it is published (the AOF
     * below it goes then) by {@link #streamSync}, which the build runs on its own thread.
     *
     * @return the deletion mark, or -1 without stream logs
     */
    private long fixStreamPoint() {
        if (liveStreams == null) {
            return -1;
        }
        streamSync = liveStreams.syncLater();
        return liveStreams.releaseMark();
    }

    /**
     * Execution-thread work after a background snapshot completed: deletes the stream files its mark
     * released (whole cycle files below trim points, logs of deleted streams).
     */
    @Override
    public void housekeeping() {
        long mark;
        synchronized (this) {
            mark = completedMark;
            completedMark = -1;
        }
        if (mark >= 0 && liveStreams != null) {
            liveStreams.deleteReleased(mark);
        }
    }

    /** Starts a snapshot; with a gap in the feed it is a copy of the live keyspace at the next batch boundary. */
    @Override
    public synchronized boolean startBackgroundSave() {
        if (running != null || copyRequested) {
            return false;
        }
        if (gap) {
            copyRequested = true;
            return true;
        }
        long upTo = effectLog.lastIndex();
        runInBackground(() -> build(upTo), fixStreamPoint());
        return true;
    }

    /** Runs a snapshot's work on the snapshot thread; {@code mark} is its stream deletion mark. */
    private synchronized void runInBackground(Runnable work, long mark) {
        running = new Thread(() -> {
            boolean ok = false;
            try {
                work.run();
                ok = true;
                synchronized (this) {
                    completedMark = Math.max(completedMark, mark);
                }
            } catch (Exception | Error e) {
                log.error("background snapshot failed", e);
            } finally {
                synchronized (this) {
                    lastBackgroundSaveOk = ok;
                    running = null;
                    notifyAll();
                }
            }
        }, "millrace-snapshot");
        running.setDaemon(true);
        running.start();
    }

    @Override
    public synchronized boolean backgroundSaveInProgress() {
        return running != null || copyRequested;
    }

    @Override
    public synchronized long lastSaveUnixSeconds() {
        return lastSaveUnixSeconds;
    }

    @Override
    public synchronized boolean lastBackgroundSaveOk() {
        return lastBackgroundSaveOk;
    }

    /** Waits for a running background snapshot to finish (shutdown, tests). */
    public void awaitBackgroundSave() throws InterruptedException {
        synchronized (this) {
            while (running != null) {
                wait();
            }
        }
    }

    /** Builds and publishes a snapshot covering the log up to {@code upTo}. Any thread, one at a time. */
    private void build(long upTo) {
        long started = clock.currentTimeMillis();
        Meta previous = newest(dir);
        if (previous != null && !logKind.equals(previous.logKind())) {
            throw new IllegalStateException("snapshot " + previous.dir() + " refers to the " + previous.logKind()
                    + " log, not the " + logKind + " log");
        }
        long after = previous == null ? -1 : previous.logIndex();
        if (previous != null && after == upTo) {
            synchronized (this) {
                lastSaveUnixSeconds = clock.currentTimeMillis() / 1000;
            }
            return;
        }
        Path tmp;
        synchronized (this) {
            tmp = dir.resolve(TMP_PREFIX + String.format("%09d", ++sequence));
        }
        Path keyspace = tmp.resolve(KEYSPACE);
        try {
            if (previous != null) {
                startFrom(previous, keyspace);
            }
            long applied;
            try (ChronicleKeyStore store = ChronicleKeyStore.open(keyspace, databases);
                 ChronicleStreamLogs streams = new ChronicleStreamLogs(streamsDir,
                         ChronicleStreamLogs.Settings.defaults(clock).follower());
                 AofReader reader = effectLog.reader()) {
                // The stream logs are the live ones, read-only: replayed XADDs find their entries there.
                store.attachStreamLogs(streams);
                try (Replayer replayer = replayerFactory.apply(store)) {
                    applied = reader.replay(after, upTo, record -> replayer.replay(record.effects()));
                }
                store.finishHousekeeping();
            }
            long crc = DurableFiles.checksum(keyspace);
            streamSync.run();
            publish(tmp, Math.max(upTo, after), crc);
            log.info("snapshot covering log index {} written: {} records applied to the previous one in {} ms",
                    AofReader.hex(upTo), applied, clock.currentTimeMillis() - started);
        } catch (RuntimeException e) {
            DurableFiles.deleteTree(tmp);
            throw e;
        }
        int deleted = effectLog.deleteCyclesBelow(upTo);
        if (deleted > 0) {
            log.info("deleted {} log cycle files below index {}", deleted, AofReader.hex(upTo));
        }
        synchronized (this) {
            lastSaveUnixSeconds = clock.currentTimeMillis() / 1000;
        }
    }

    /**
     * Copies the live keyspace into a new temporary snapshot directory (execution thread, at a batch
     * boundary, with the keyspace written back): the snapshot of a feed with a gap. From here on the
     * feed's records after its last index are exactly what the copy lacks.
     *
     * @return the temporary directory, for {@link #finishCopy}
     */
    private Path copyLive() {
        long started = clock.currentTimeMillis();
        Path tmp;
        synchronized (this) {
            tmp = dir.resolve(TMP_PREFIX + String.format("%09d", ++sequence));
        }
        liveStore.copyTo(tmp.resolve(KEYSPACE));
        gap = false;
        copyRequested = false;
        log.info("keyspace copied for a snapshot in {} ms (appendonly no, no log to build it from)",
                clock.currentTimeMillis() - started);
        return tmp;
    }

    /** Syncs and checksums a copy of the live keyspace and publishes it as covering {@code upTo}. Any thread. */
    private void finishCopy(Path tmp, long upTo) {
        try {
            Path keyspace = tmp.resolve(KEYSPACE);
            for (Path file : DurableFiles.listFiles(keyspace)) {
                DurableFiles.fsync(file);
            }
            DurableFiles.fsyncDirectory(keyspace);
            long crc = DurableFiles.checksum(keyspace);
            streamSync.run();
            publish(tmp, upTo, crc);
        } catch (RuntimeException e) {
            DurableFiles.deleteTree(tmp);
            throw e;
        }
        effectLog.deleteCyclesBelow(upTo);
        synchronized (this) {
            lastSaveUnixSeconds = clock.currentTimeMillis() / 1000;
        }
    }

    /**
     * Puts the keyspace of {@code previous} at {@code target} for a build to apply the log to: its
     * standby when there is one (a rename; the new snapshot's standby is made after it is published,
     * so the disk holds at most three keyspaces, as when builds copied), else a verified copy.
     */
    private void startFrom(Meta previous, Path target) {
        boolean took;
        synchronized (snapshotFiles) {
            took = takeStandby(previous, target);
        }
        if (!took) {
            restore(previous, target);
        }
    }

    /** Writes the meta, renames {@code tmp} into place, and deletes the older snapshots. */
    private void publish(Path tmp, long logIndex, long checksum) {
        writeMeta(tmp, logIndex, clock.currentTimeMillis(), checksum);
        Path target;
        synchronized (this) {
            target = dir.resolve(PREFIX + String.format("%09d", ++sequence));
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish snapshot " + target, e);
        }
        DurableFiles.fsyncDirectory(dir);
        synchronized (snapshotFiles) {
            for (Path p : listDirectories(dir)) {
                if (p.getFileName().toString().startsWith(PREFIX) && p.getFileName().toString().compareTo(target.getFileName().toString()) < 0) {
                    DurableFiles.deleteTree(p);
                }
            }
        }
        prepareStandby();
    }

    private void writeMeta(Path snapshotDir, long logIndex, long createdMillis, long checksum) {
        Properties p = new Properties();
        p.setProperty("format", "1");
        p.setProperty("logIndex", Long.toString(logIndex));
        p.setProperty("log", logKind);
        p.setProperty("createdMillis", Long.toString(createdMillis));
        p.setProperty("checksum", Long.toUnsignedString(checksum));
        DurableFiles.writeProperties(snapshotDir.resolve(META), p, "Millrace snapshot (see docs/storage-format.md)");
    }

    /** The engine's log with {@code appendonly no}: the feed, whose appends are dropped while not recording. */
    private final class Feed implements EffectLog {
        @Override
        public long append(long unixTimeMillis, List<Effect> effects) {
            if (recording) {
                return effectLog.append(unixTimeMillis, effects);
            }
            gap = true;
            return effectLog.lastIndex();
        }

        @Override public void sync() { effectLog.sync(); }
        @Override public void syncInBackground(Consumer<RuntimeException> done) { effectLog.syncInBackground(done); }
        @Override public long lastIndex() { return effectLog.lastIndex(); }
        @Override public void close() { effectLog.close(); }
    }

    private static List<Path> listDirectories(Path dir) {
        try (var s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
