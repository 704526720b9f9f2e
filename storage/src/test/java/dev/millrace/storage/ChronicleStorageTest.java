package dev.millrace.storage;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.storage.aof.ChronicleEffectLog;
import dev.millrace.storage.snapshot.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots and recovery through the facade, on real files. A "crash" here copies the files of an
 * open, idle storage (what a kill -9 leaves in the page cache) and opens the copy. (Reopening the
 * same files in the same JVM is no crash: Chronicle Map shares an open map's mapping.)
 * {@link CrashRecoveryTest} does it with a real SIGKILL of a child JVM under load.
 */
class ChronicleStorageTest {
    @TempDir
    Path dir;
    /** Where crash copies go (deleted after each test like {@link #dir}). */
    @TempDir
    Path copies;
    private final MutableClock clock = new MutableClock(1_800_000_000_000L);
    private int crashes;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ServerConfig config(boolean appendonly) {
        ServerConfig config = new ServerConfig();
        config.set("appendonly", appendonly ? "yes" : "no", true);
        return config;
    }

    /** A storage plus the stand-in for the engine: apply an effect to the keyspace, then log it. */
    private final class Server {
        final ChronicleStorage storage;
        final SimpleReplayer live;
        final long replayed;
        /** What the keyspace must hold: db -> key -> value. */
        final Map<String, String> expected;

        final Path root;
        final ServerConfig config;

        Server(Path root, boolean appendonly, Map<String, String> expected) {
            this(root, config(appendonly), expected);
        }

        Server(Path root, ServerConfig config, Map<String, String> expected) {
            this.root = root;
            this.config = config;
            storage = ChronicleStorage.open(root, config, SimpleReplayer::new, clock);
            live = new SimpleReplayer(storage.keyStore());
            replayed = storage.recover(live);
            this.expected = expected;
        }

        void set(int db, String key, String value) {
            write(List.of(new Effect(db, new byte[][]{b("SET"), b(key), b(value)})));
            expected.put(db + "/" + key, value);
        }

        void del(int db, String key) {
            write(List.of(new Effect(db, new byte[][]{b("DEL"), b(key)})));
            expected.remove(db + "/" + key);
        }

        void write(List<Effect> effects) {
            live.replay(effects);
            storage.effectLog().append(clock.currentTimeMillis(), effects);
            storage.effectLog().sync();
        }

        void assertHoldsExactly(Map<String, String> state) {
            KeyStore store = storage.keyStore();
            long total = 0;
            for (int db = 0; db < 16; db++) {
                total += store.size(db);
            }
            assertEquals(state.size(), total, "number of keys");
            state.forEach((k, v) -> {
                String[] parts = k.split("/", 2);
                assertArrayEquals(b(v), SimpleReplayer.value(store, Integer.parseInt(parts[0]), b(parts[1])), k);
            });
        }

        /**
         * The files as a kill -9 now would leave them, in a new directory; this server is closed. A
         * standby copy in progress is awaited first (its files would change under the copy).
         */
        Path crash() throws Exception {
            ((SnapshotStore) storage.snapshots()).awaitStandby();
            Path copy = copies.resolve(root.getFileName() + "-crash" + crashes++);
            copyTree(root, copy);
            storage.close();
            return copy;
        }

        void bgsave() throws InterruptedException {
            assertTrue(storage.snapshots().startBackgroundSave());
            ((SnapshotStore) storage.snapshots()).awaitBackgroundSave();
            assertTrue(storage.snapshots().lastBackgroundSaveOk());
        }
    }

    private long aofFiles() throws Exception {
        return aofFiles(dir);
    }

    private long aofFiles(Path root) throws Exception {
        try (Stream<Path> s = Files.list(root.resolve("appendonlydir"))) {
            return s.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    @Test
    void aCrashLikeReopenWithoutCloseRestoresTheStateBefore() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, true, state);
        for (int i = 0; i < 300; i++) {
            first.set(i % 3, "k" + i, "v" + i);
        }
        first.del(0, "k0");
        first.write(List.of(new Effect(1, new byte[][]{b("SWAPDB"), b("1"), b("2")})));
        Map<String, String> swapped = new HashMap<>();
        state.forEach((k, v) -> swapped.put(k.startsWith("1/") ? "2/" + k.substring(2) : k.startsWith("2/") ? "1/" + k.substring(2) : k, v));
        state.clear();
        state.putAll(swapped);
        first.set(0, "big", "x".repeat(300_000));
        // no close(): crash
        Server second = new Server(first.crash(), true, new HashMap<>(state));
        assertEquals(303, second.replayed, "no snapshot yet: the whole AOF replays");
        second.assertHoldsExactly(state);
        second.storage.close();
    }

    @Test
    void aCleanCloseNeedsNoReplay() {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, true, state);
        for (int i = 0; i < 100; i++) {
            first.set(0, "k" + i, "v" + i);
        }
        first.storage.close();
        assertTrue(Files.exists(dir.resolve(ChronicleStorage.CLEAN_MARKER)));

        Server second = new Server(dir, true, state);
        assertFalse(Files.exists(dir.resolve(ChronicleStorage.CLEAN_MARKER)), "removed at open: a crash now is detected");
        assertEquals(ChronicleStorage.KeyspaceOrigin.LIVE, second.storage.keyspaceOrigin(), "the live map, nothing copied");
        assertEquals(0, second.replayed);
        second.assertHoldsExactly(state);
        second.set(0, "more", "m");
        second.storage.close();

        Server third = new Server(dir, true, state);
        assertEquals(0, third.replayed);
        third.assertHoldsExactly(state);
        third.storage.close();
    }

    @Test
    void aSnapshotThenMoreWritesThenACrashRecoversEverythingAndOldCyclesGo() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, true, state);
        for (int i = 0; i < 200; i++) {
            first.set(0, "a" + i, "cycle1");
        }
        clock.advance(ChronicleEffectLog.ROLL_CYCLE.lengthInMillis());
        for (int i = 0; i < 200; i++) {
            first.set(1, "b" + i, "cycle2");
        }
        first.del(0, "a7");
        assertEquals(2, aofFiles());
        long lastSaveBefore = first.storage.snapshots().lastSaveUnixSeconds();
        clock.advance(5_000);
        first.bgsave();
        assertTrue(first.storage.snapshots().lastSaveUnixSeconds() > lastSaveBefore);
        assertEquals(1, aofFiles(), "the cycle wholly below the snapshot was deleted");
        for (int i = 0; i < 50; i++) {
            first.set(2, "c" + i, "after snapshot");
        }
        first.set(0, "a8", "overwritten after snapshot");
        // crash
        Server second = new Server(first.crash(), true, new HashMap<>(state));
        assertEquals(51, second.replayed, "only the records after the snapshot");
        second.assertHoldsExactly(state);

        // A second snapshot builds on the first one, and a crash after it replays nothing more.
        second.set(3, "d", "x");
        second.bgsave();
        Server third = new Server(second.crash(), true, new HashMap<>(second.expected));
        assertEquals(0, third.replayed);
        third.assertHoldsExactly(second.expected);
        third.storage.close();
    }

    @Test
    void aCrashAfterASnapshotRenamesItsStandbyIntoPlaceAndReplaysOnlyTheTail() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, true, state);
        assertEquals(ChronicleStorage.KeyspaceOrigin.EMPTY, first.storage.keyspaceOrigin());
        for (int i = 0; i < 500; i++) {
            first.set(i % 2, "k" + i, "v" + i);
        }
        first.set(0, "big", "x".repeat(300_000));
        first.bgsave();
        SnapshotStore firstSnapshots = (SnapshotStore) first.storage.snapshots();
        firstSnapshots.awaitStandby();
        assertTrue(firstSnapshots.standbyReady(), "a standby copy follows each snapshot");
        for (int i = 0; i < 20; i++) {
            first.set(2, "tail" + i, "t");
        }
        first.del(0, "k0");

        Server second = new Server(first.crash(), true, new HashMap<>(state));
        assertEquals(ChronicleStorage.KeyspaceOrigin.SNAPSHOT_STANDBY, second.storage.keyspaceOrigin(),
                "the standby is renamed, not the snapshot copied");
        assertEquals(21, second.replayed, "only the records after the snapshot");
        second.assertHoldsExactly(state);
        SnapshotStore secondSnapshots = (SnapshotStore) second.storage.snapshots();
        assertFalse(secondSnapshots.standbyReady(), "taken; the next snapshot makes one");

        // The next snapshot starts from that standby; its own standby serves the next crash.
        second.set(3, "after", "recovery");
        second.bgsave();
        secondSnapshots.awaitStandby();
        assertTrue(secondSnapshots.standbyReady());
        second.set(3, "tail", "again");
        Server third = new Server(second.crash(), true, new HashMap<>(second.expected));
        assertEquals(ChronicleStorage.KeyspaceOrigin.SNAPSHOT_STANDBY, third.storage.keyspaceOrigin());
        assertEquals(1, third.replayed);
        third.assertHoldsExactly(second.expected);
        third.storage.close();
    }

    @Test
    void aCrashWithoutAStandbyCopiesTheSnapshot() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, true, state);
        for (int i = 0; i < 100; i++) {
            first.set(0, "k" + i, "v" + i);
        }
        first.bgsave();
        ((SnapshotStore) first.storage.snapshots()).awaitStandby();
        first.set(0, "tail", "t");
        Path crashed = first.crash();
        DurableFiles.deleteTree(crashed.resolve("snapshots").resolve("standby"));

        Server second = new Server(crashed, true, new HashMap<>(state));
        assertEquals(ChronicleStorage.KeyspaceOrigin.SNAPSHOT_COPY, second.storage.keyspaceOrigin());
        assertEquals(1, second.replayed);
        second.assertHoldsExactly(state);
        second.storage.close();
    }

    @Test
    void aStandbyOfAnOlderSnapshotIsNotTaken() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, true, state);
        first.set(0, "a", "1");
        first.bgsave();
        SnapshotStore snapshots = (SnapshotStore) first.storage.snapshots();
        snapshots.awaitStandby();
        Path stale = copies.resolve("stale-standby");
        copyTree(dir.resolve("snapshots").resolve("standby"), stale);
        first.set(0, "b", "2");
        first.bgsave();
        snapshots.awaitStandby();
        first.set(0, "c", "3");
        Path crashed = first.crash();
        // What a crash between a snapshot's publication and its standby copy leaves: the previous one.
        Path standby = crashed.resolve("snapshots").resolve("standby");
        DurableFiles.deleteTree(standby);
        copyTree(stale, standby);

        Server second = new Server(crashed, true, new HashMap<>(state));
        assertEquals(ChronicleStorage.KeyspaceOrigin.SNAPSHOT_COPY, second.storage.keyspaceOrigin());
        assertEquals(1, second.replayed);
        second.assertHoldsExactly(state);
        second.storage.close();
    }

    /** Copies a directory tree: the files as a kill -9 leaves them, when nothing writes meanwhile. */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    @Test
    void aLogThatGrowsOldWithoutSnapshotsIsCompactedAutomatically() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, true, state);
        for (int cycle = 0; cycle < ChronicleStorage.COMPACT_AFTER_CYCLES; cycle++) {
            first.set(0, "k" + cycle, "v");
            clock.advance(ChronicleEffectLog.ROLL_CYCLE.lengthInMillis());
        }
        assertFalse(first.storage.snapshots().backgroundSaveInProgress());
        assertEquals(ChronicleStorage.COMPACT_AFTER_CYCLES, aofFiles());
        first.set(0, "k-last", "starts the seventh cycle");
        ((SnapshotStore) first.storage.snapshots()).awaitBackgroundSave();
        assertEquals(1, aofFiles(), "a snapshot was taken and the cycles below it deleted");
        Server second = new Server(first.crash(), true, new HashMap<>(state));
        assertEquals(0, second.replayed);
        second.assertHoldsExactly(state);
        second.storage.close();
    }

    @Test
    void saveWaitsAndCoversEverythingAppended() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, true, state);
        for (int i = 0; i < 1000; i++) {
            first.set(0, "k" + i, "v" + i);
        }
        assertTrue(first.storage.snapshots().startBackgroundSave());
        first.set(0, "during", "bgsave");
        first.storage.snapshots().save();
        assertFalse(first.storage.snapshots().backgroundSaveInProgress());
        SnapshotStore.Meta meta = SnapshotStore.newest(dir.resolve("snapshots"));
        assertEquals(first.storage.effectLog().lastIndex(), meta.logIndex());
        try (Stream<Path> s = Files.list(dir.resolve("snapshots"))) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith("snapshot-")).count(), "older snapshots deleted");
        }
        Server second = new Server(first.crash(), true, new HashMap<>(state));
        assertEquals(0, second.replayed);
        second.assertHoldsExactly(state);
        second.storage.close();
    }

    @Test
    void withAppendonlyNoACrashRestoresTheLastSnapshot() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, false, state);
        assertFalse(Files.exists(dir.resolve("appendonlydir")), "no AOF");
        for (int i = 0; i < 100; i++) {
            first.set(0, "k" + i, "v" + i);
        }
        first.storage.snapshots().save();
        Map<String, String> atSnapshot = new HashMap<>(state);
        first.set(0, "lost", "not in any snapshot");
        // crash
        Server second = new Server(first.crash(), false, new HashMap<>(atSnapshot));
        assertEquals(0, second.replayed);
        second.assertHoldsExactly(atSnapshot);

        // The restored snapshot is the base of the next one, with a fresh feed.
        second.set(0, "new", "after recovery");
        second.storage.snapshots().save();
        Map<String, String> saved = new HashMap<>(second.expected);
        second.storage.close();
        Server third = new Server(second.root, false, new HashMap<>(saved));
        third.assertHoldsExactly(saved);
        third.set(0, "x", "y");
        // crash again: back to the second snapshot
        Server fourth = new Server(third.crash(), false, new HashMap<>(saved));
        fourth.assertHoldsExactly(saved);
        fourth.storage.close();
    }

    /** appendonly no and no save rules: Redis's pure cache, which writes nothing to disk for a write. */
    private static ServerConfig cacheConfig() {
        ServerConfig config = config(false);
        config.set("save", "", true);
        return config;
    }

    private SnapshotStore snapshots(Server server) {
        return (SnapshotStore) server.storage.snapshots();
    }

    @Test
    void withoutSaveRulesTheFeedRecordsNothingAndASaveCopiesTheKeyspace() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, cacheConfig(), state);
        assertFalse(snapshots(first).feedRecording());
        for (int i = 0; i < 300; i++) {
            first.set(i % 3, "k" + i, "v" + i);
        }
        first.del(1, "k1");
        assertEquals(-1, first.storage.effectLog().lastIndex(), "nothing appended to the feed");
        assertTrue(snapshots(first).feedGap());
        first.storage.snapshots().save();
        assertFalse(snapshots(first).feedGap());
        Map<String, String> atSnapshot = new HashMap<>(state);
        first.set(0, "lost", "not in any snapshot");
        Server second = new Server(first.crash(), cacheConfig(), new HashMap<>(atSnapshot));
        assertEquals(ChronicleStorage.KeyspaceOrigin.SNAPSHOT_STANDBY, second.storage.keyspaceOrigin());
        second.assertHoldsExactly(atSnapshot);
        second.storage.close();
    }

    @Test
    void withoutSaveRulesABackgroundSaveCopiesTheKeyspaceAtTheNextBatchBoundary() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, cacheConfig(), state);
        for (int i = 0; i < 200; i++) {
            first.set(0, "k" + i, "v" + i);
        }
        assertTrue(first.storage.snapshots().startBackgroundSave());
        assertTrue(first.storage.snapshots().backgroundSaveInProgress());
        assertFalse(first.storage.snapshots().startBackgroundSave(), "one at a time");
        first.set(0, "k0", "written after BGSAVE, before the batch ended");
        int[] writeBacks = {0};
        first.storage.snapshots().atBatchBoundary(() -> writeBacks[0]++);
        assertEquals(1, writeBacks[0], "the keyspace was written back before the copy");
        snapshots(first).awaitBackgroundSave();
        assertTrue(first.storage.snapshots().lastBackgroundSaveOk());
        assertFalse(first.storage.snapshots().backgroundSaveInProgress());
        Map<String, String> atSnapshot = new HashMap<>(state);
        first.set(0, "lost", "after the copy");
        first.storage.snapshots().atBatchBoundary(() -> writeBacks[0]++);
        assertEquals(1, writeBacks[0], "no copy without a request");
        Server second = new Server(first.crash(), cacheConfig(), new HashMap<>(atSnapshot));
        second.assertHoldsExactly(atSnapshot);
        second.storage.close();
    }

    @Test
    void saveRulesAddedAtRunTimeResumeTheFeedFromACopyOfTheKeyspace() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, cacheConfig(), state);
        for (int i = 0; i < 100; i++) {
            first.set(0, "unrecorded" + i, "v");
        }
        first.config.set("save", "3600 1", false);
        assertFalse(snapshots(first).feedRecording(), "not before the copy at the batch boundary");
        first.set(0, "same batch", "still unrecorded");
        first.storage.snapshots().atBatchBoundary(() -> { });
        assertTrue(snapshots(first).feedRecording());
        snapshots(first).awaitBackgroundSave();
        first.set(0, "recorded", "replayed by the next build");
        first.del(0, "unrecorded7");
        assertTrue(first.storage.effectLog().lastIndex() >= 0);
        first.bgsave();
        SnapshotStore.Meta meta = SnapshotStore.newest(dir.resolve("snapshots"));
        assertEquals(first.storage.effectLog().lastIndex(), meta.logIndex());
        first.set(0, "lost", "after the snapshot");
        Map<String, String> atSnapshot = new HashMap<>(state);
        atSnapshot.remove("0/lost");
        Server second = new Server(first.crash(), first.config, new HashMap<>(atSnapshot));
        second.assertHoldsExactly(atSnapshot);
        second.storage.close();
    }

    @Test
    void aGapInTheFeedOutlivesACleanRestart() throws Exception {
        Map<String, String> state = new HashMap<>();
        ServerConfig withRules = config(false);
        Server first = new Server(dir, withRules, state);
        assertTrue(snapshots(first).feedRecording());
        first.set(0, "a", "in the first snapshot");
        first.storage.snapshots().save();
        withRules.set("save", "", false);
        first.set(0, "b", "unrecorded");
        first.storage.close();

        Server second = new Server(dir, config(false), state);
        assertTrue(snapshots(second).feedGap(), "the marker kept the gap");
        assertFalse(snapshots(second).feedRecording());
        second.storage.snapshots().atBatchBoundary(() -> { });
        snapshots(second).awaitBackgroundSave();
        assertTrue(snapshots(second).feedRecording());
        second.set(0, "c", "recorded");
        second.bgsave();
        Server third = new Server(second.crash(), config(false), new HashMap<>(state));
        third.assertHoldsExactly(state);
        third.storage.close();
    }

    @Test
    void switchingAppendonlyAfterACleanCloseKeepsEverything() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, true, state);
        for (int i = 0; i < 50; i++) {
            first.set(0, "k" + i, "v" + i);
        }
        first.storage.snapshots().save();
        first.set(0, "after", "aof snapshot");
        first.storage.close();

        Server second = new Server(dir, false, state);
        second.assertHoldsExactly(state);
        second.set(0, "feed", "write");
        second.storage.snapshots().save();
        Map<String, String> saved = new HashMap<>(state);
        second.set(0, "lost", "on crash");
        // crash in appendonly no: back to the snapshot, which includes everything before the switch
        Server third = new Server(second.crash(), false, new HashMap<>(saved));
        third.assertHoldsExactly(saved);
        third.storage.close();
    }

    @Test
    void flushAndSwapAreReplayedExactly() throws Exception {
        Map<String, String> state = new HashMap<>();
        Server first = new Server(dir, true, state);
        for (int i = 0; i < 100; i++) {
            first.set(5, "k" + i, "v");
        }
        first.write(List.of(new Effect(5, new byte[][]{b("FLUSHDB")})));
        state.keySet().removeIf(k -> k.startsWith("5/"));
        first.set(5, "survivor", "s");
        List<String> keys = new ArrayList<>(state.keySet());
        assertEquals(List.of("5/survivor"), keys);
        Server second = new Server(first.crash(), true, new HashMap<>(state));
        second.assertHoldsExactly(state);
        assertNull(SimpleReplayer.value(second.storage.keyStore(), 5, b("k1")));
        second.storage.close();
    }
}
