package dev.millrace.storage;

import dev.millrace.engine.Clock;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.persistence.Replayer;
import dev.millrace.engine.persistence.Snapshots;
import dev.millrace.storage.aof.AofReader;
import dev.millrace.storage.aof.ChronicleEffectLog;
import dev.millrace.storage.keyspace.ChronicleKeyStore;
import dev.millrace.storage.snapshot.SnapshotStore;
import dev.millrace.storage.stream.ChronicleStreamLogs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

/**
 * The storage layer as the composition root sees it: opens (or creates) everything under {@code dir}
 * and hands out the engine's ports. Lifecycle:
 * <ol>
 *   <li>{@link #open} - opens the keyspace map, the AOF and the snapshots; decides whether the last
 *       shutdown was clean;</li>
 *   <li>the caller builds the Engine from {@link #keyStore()}, {@link #effectLog()},
 *       {@link #snapshots()};</li>
 *   <li>{@link #recover} - replays the AOF records the keyspace does not yet reflect (none after a
 *       clean shutdown) through the given replayer (the engine's {@code replay});</li>
 *   <li>{@link #close} - a clean shutdown: everything synced, a marker written so the next start needs
 *       no replay.</li>
 * </ol>
 *
 * <p>Files under {@code dir} (docs/storage-format.md): {@code keyspace/} the live keyspace maps;
 * {@code appendonlydir/} the AOF (appendonly yes) or {@code snapshot-feed/} (appendonly no: an
 * unsynced log that only feeds snapshots, written only while save rules exist); {@code snapshots/}; {@code clean-shutdown} the marker with
 * the log index the keyspace reflects, present only between a clean close and the next open;
 * {@code storage.meta} the persistence mode of the last run.
 *
 * <p>Recovery: after a clean close the live map is used as it is, with no replay, so restart time does
 * not grow with the data. After a crash the live map is not trusted (a dead writer's segment lock,
 * an entry dropped while being overwritten): it is deleted, the newest snapshot's standby copy is
 * renamed into its place (or, without one, the snapshot is copied there) and {@link #recover}
 * replays the AOF after the snapshot's index; so recovery time grows with the log written since the
 * last snapshot, not with the data. With appendonly no there is no AOF: the snapshot alone is
 * restored and the unsynced feed is discarded. {@link #keyspaceOrigin} tells which way was taken.
 *
 * <p>{@link #open}, {@link #recover} and {@link #close} are called by the thread that runs the server
 * (the execution thread), in that order.
 */
public final class ChronicleStorage implements AutoCloseable {
    static {
        ChronicleSettings.apply();
    }

    private static final Logger log = LoggerFactory.getLogger(ChronicleStorage.class);
    static final String KEYSPACE_DIR = "keyspace";
    static final String AOF_DIR = "appendonlydir";
    static final String FEED_DIR = "snapshot-feed";
    static final String SNAPSHOTS_DIR = "snapshots";
    static final String STREAMS_DIR = "streams";
    static final String CLEAN_MARKER = "clean-shutdown";
    static final String STORAGE_META = "storage.meta";
    /** Six ten-minute cycles: the log never holds much more than an hour beyond the newest snapshot. */
    static final int COMPACT_AFTER_CYCLES = 6;
    private static final String AOF = "aof";
    private static final String FEED = SnapshotStore.FEED;

    private final Path dir;
    private final String mode;
    private final ChronicleKeyStore keyStore;
    private final ChronicleStreamLogs streamLogs;
    private final ChronicleEffectLog effectLog;
    private final SnapshotStore snapshots;
    /** Records after this index are not in the keyspace yet; {@link #recover} replays them. */
    private final long replayAfter;
    private final KeyspaceOrigin origin;
    private boolean recovered;
    private boolean closed;

    /** Where the keyspace an open starts from came from: what the open cost beyond a replay. */
    public enum KeyspaceOrigin {
        /** The live keyspace as a clean shutdown left it: nothing read or copied. */
        LIVE,
        /** A first start, or a crash before any snapshot: an empty keyspace. */
        EMPTY,
        /** A crash: the standby copy of the newest snapshot, renamed into place (O(1)). */
        SNAPSHOT_STANDBY,
        /** A crash without a standby: the newest snapshot copied into place (O(keyspace size)). */
        SNAPSHOT_COPY
    }

    private ChronicleStorage(Path dir, String mode, ChronicleKeyStore keyStore, ChronicleStreamLogs streamLogs,
                             ChronicleEffectLog effectLog, SnapshotStore snapshots, long replayAfter,
                             KeyspaceOrigin origin) {
        this.dir = dir;
        this.mode = mode;
        this.keyStore = keyStore;
        this.streamLogs = streamLogs;
        this.effectLog = effectLog;
        this.snapshots = snapshots;
        this.replayAfter = replayAfter;
        this.origin = origin;
    }

    /**
     * @param dir the data directory ({@code config dir}, resolved by the caller); null means
     *        {@code config.get("dir")}
     * @param replayerFactory builds, for a given KeyStore, a replayer that applies effects to it (a
     *        separate Engine over that store); used to build snapshots in the background by applying
     *        the AOF to a copy of the previous snapshot, so no fork and no pause is needed
     */
    public static ChronicleStorage open(Path dir, ServerConfig config,
                                        Function<KeyStore, Replayer> replayerFactory) {
        return open(dir, config, replayerFactory, Clock.SYSTEM);
    }

    /** As {@link #open(Path, ServerConfig, Function)}, with the clock that names AOF cycles (tests roll them). */
    public static ChronicleStorage open(Path dir, ServerConfig config,
                                        Function<KeyStore, Replayer> replayerFactory, Clock clock) {
        Path root = dir != null ? dir : Path.of(config.get("dir"));
        int databases = config.getInt("databases");
        String mode = config.getBoolean("appendonly") ? AOF : FEED;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + root, e);
        }
        Path keyspaceDir = root.resolve(KEYSPACE_DIR);
        Path logDir = root.resolve(mode.equals(AOF) ? AOF_DIR : FEED_DIR);
        Properties marker = DurableFiles.readProperties(root.resolve(CLEAN_MARKER));
        Properties storageMeta = DurableFiles.readProperties(root.resolve(STORAGE_META));
        String previousMode = storageMeta == null ? mode : storageMeta.getProperty("mode");
        boolean clean = marker != null && ChronicleKeyStore.isCleanlyClosed(keyspaceDir);
        boolean firstStart = storageMeta == null;
        if (!clean && !firstStart && !previousMode.equals(mode)) {
            throw new IllegalStateException("the previous run (appendonly " + (previousMode.equals(AOF) ? "yes" : "no")
                    + ") did not shut down cleanly; start once with that setting to recover, then change it");
        }
        // From here on a crash must be detected: the marker goes before anything is written.
        deleteIfExists(root.resolve(CLEAN_MARKER));
        Properties meta = new Properties();
        meta.setProperty("mode", mode);
        DurableFiles.writeProperties(root.resolve(STORAGE_META), meta, "Millrace storage: persistence mode of the last run");

        long replayAfter;
        KeyspaceOrigin origin;
        SnapshotStore.Meta snapshot = SnapshotStore.newest(root.resolve(SNAPSHOTS_DIR));
        if (clean) {
            replayAfter = Long.parseLong(marker.getProperty("logIndex"));
            origin = KeyspaceOrigin.LIVE;
        } else {
            if (!firstStart || Files.exists(keyspaceDir)) {
                log.warn("the previous run did not shut down cleanly: rebuilding the keyspace from {}",
                        snapshot == null ? "an empty one" : "snapshot " + snapshot.dir().getFileName()
                                + (mode.equals(AOF) ? " and the AOF" : " (appendonly no: writes after it are lost)"));
            }
            DurableFiles.deleteTree(keyspaceDir);
            if (mode.equals(FEED)) {
                // The feed was never synced and the keyspace goes back to the snapshot: start a new feed.
                DurableFiles.deleteTree(logDir);
            }
            if (snapshot == null) {
                origin = KeyspaceOrigin.EMPTY;
            } else if (SnapshotStore.takeStandby(snapshot, keyspaceDir)) {
                origin = KeyspaceOrigin.SNAPSHOT_STANDBY;
            } else {
                SnapshotStore.restore(snapshot, keyspaceDir);
                origin = KeyspaceOrigin.SNAPSHOT_COPY;
            }
            replayAfter = snapshot == null || mode.equals(FEED) ? -1 : snapshot.logIndex();
        }
        ChronicleEffectLog effectLog = ChronicleEffectLog.open(logDir, mode.equals(AOF), clock);
        SnapshotStore snapshots = new SnapshotStore(root.resolve(SNAPSHOTS_DIR), root.resolve(STREAMS_DIR), effectLog, mode, databases,
                replayerFactory, clock);
        if (!clean && mode.equals(FEED) && snapshot != null) {
            snapshots.rebaseNewest(-1);
        }
        if (clean && !previousMode.equals(mode)) {
            // The snapshots refer to the other log: the closed keyspace becomes the base for this one.
            log.info("persistence mode changed to appendonly {}: snapshotting the keyspace as the new base",
                    mode.equals(AOF) ? "yes" : "no");
            snapshots.snapshotClosedKeyspace(keyspaceDir, effectLog.lastIndex());
            replayAfter = effectLog.lastIndex();
        }
        effectLog.onNewCycle(() -> snapshots.compactIfOlderThan(COMPACT_AFTER_CYCLES));
        ChronicleKeyStore keyStore = ChronicleKeyStore.open(keyspaceDir, databases);
        ChronicleStreamLogs streamLogs = new ChronicleStreamLogs(root.resolve(STREAMS_DIR),
                ChronicleStreamLogs.Settings.defaults(clock).withBlockSize(config.getLong("stream-log-block-size")));
        keyStore.attachStreamLogs(streamLogs);
        snapshots.attachLiveKeyStore(keyStore);
        snapshots.attachLiveStreamLogs(streamLogs);
        if (clean && Boolean.parseBoolean(marker.getProperty("feedGap"))) {
            snapshots.markFeedGap();
        }
        snapshots.setFeedWanted(!config.saveRules().isEmpty());
        config.onChange("save", value -> snapshots.setFeedWanted(!config.saveRules().isEmpty()));
        return new ChronicleStorage(root, mode, keyStore, streamLogs, effectLog, snapshots, replayAfter, origin);
    }

    public KeyStore keyStore() {
        return keyStore;
    }

    /** The log the engine appends to: the AOF, or with appendonly no the snapshot feed (which may not record). */
    public EffectLog effectLog() {
        return snapshots.engineLog();
    }

    public Snapshots snapshots() {
        return snapshots;
    }

    /** Where the keyspace this open started from came from (for the start-up log and tests). */
    public KeyspaceOrigin keyspaceOrigin() {
        return origin;
    }

    /**
     * Brings the keyspace to the last acknowledged state: replays the log records after the index
     * the keyspace reflects (none after a clean shutdown; those after the snapshot after a crash).
     *
     * @return the number of AOF records replayed
     */
    public long recover(Replayer replayer) {
        if (recovered) {
            throw new IllegalStateException("recover() was called already");
        }
        recovered = true;
        if (mode.equals(FEED)) {
            return 0;
        }
        long started = System.nanoTime();
        long replayed;
        keyStore.prepareAhead(false);
        try (AofReader reader = effectLog.reader()) {
            replayed = reader.replay(replayAfter, Long.MAX_VALUE, record -> replayer.replay(record.effects()));
        } finally {
            keyStore.prepareAhead(true);
        }
        if (replayed > 0) {
            log.info("replayed {} AOF records in {} ms", replayed, (System.nanoTime() - started) / 1_000_000);
        }
        return replayed;
    }

    /**
     * A clean shutdown: waits for a running snapshot, syncs and closes the log, closes the keyspace
     * (msync, state "closed"), then writes the marker with the log index the keyspace reflects.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            snapshots.awaitBackgroundSave();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        snapshots.close();
        // The node cache's unwritten nodes go first, while everything is open: writing them runs the
        // store's housekeeping, which may delete the log of a stream that went away.
        keyStore.flushNodes();
        long logIndex = effectLog.lastIndex();
        effectLog.close();
        streamLogs.close();
        keyStore.close();
        Properties marker = new Properties();
        marker.setProperty("logIndex", Long.toString(logIndex));
        marker.setProperty("mode", mode);
        // Writes the feed did not record: the next snapshot must copy the keyspace, even after a restart.
        marker.setProperty("feedGap", Boolean.toString(snapshots.feedGap()));
        DurableFiles.writeProperties(dir.resolve(CLEAN_MARKER), marker, "Millrace clean shutdown: the keyspace reflects the log up to logIndex");
    }

    private static void deleteIfExists(Path file) {
        try {
            if (Files.deleteIfExists(file)) {
                DurableFiles.fsyncDirectory(file.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
