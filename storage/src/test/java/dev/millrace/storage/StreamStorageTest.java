package dev.millrace.storage;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.keyspace.ObjectPages;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.stream.Stream;
import dev.millrace.storage.snapshot.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.millrace.storage.EngineOnStorage.engineOn;
import static dev.millrace.storage.EngineOnStorage.open;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams on the real storage: a stream's log lives as long as some snapshot may need it. DEL, and
 * the overwrite of a stream, retire its log; the log is deleted only after a snapshot taken later
 * completes; RENAME keeps it; a clean restart keeps the entries. A clean close writes back the node
 * cache's unwritten nodes while the stream logs are still open.
 */
class StreamStorageTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void run(Engine engine, Session session, String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = b(args[i]);
        }
        engine.execute(session, argv, ReplyWriter.DISCARD);
    }

    private Path logDir(Engine engine, String key) {
        byte[] record = engine.keyspace().store().get(0, b(key));
        long logId = ObjectPages.decode(engine.keyspace().store(), Record.decode(record).payload(), 0).objectId();
        return dir.resolve("streams").resolve(String.format("%016x", logId));
    }

    /** The integers and bulk strings of a reply, in order; everything else ignored. */
    private static final class Scalars implements ReplyWriter {
        final List<Object> values = new ArrayList<>();

        @Override public void simple(String text) { values.add(text); }
        @Override public void error(String message) { values.add("error: " + message); }
        @Override public void integer(long value) { values.add(value); }
        @Override public void bulk(byte[] value) { values.add(new String(value, StandardCharsets.UTF_8)); }
        @Override public void bulk(String value) { values.add(value); }
        @Override public void bulk(byte[] value, int offset, int length) {
            values.add(new String(value, offset, length, StandardCharsets.UTF_8));
        }
        @Override public void nullBulk() { }
        @Override public void nullArray() { }
        @Override public void array(int length) { }
        @Override public void map(int entries) { }
        @Override public void set(int length) { }
        @Override public void doubleValue(double value) { values.add(value); }
        @Override public void doubleText(String text) { values.add(text); }
        @Override public void bool(boolean value) { values.add(value); }
        @Override public void verbatim(String format, String text) { values.add(text); }
        @Override public void bigNumber(String digits) { values.add(digits); }
        @Override public void attribute(int entries) { }
        @Override public void push(int length) { }
        @Override public int protocol() { return 2; }
    }

    private static List<Object> reply(Engine engine, Session session, String... args) {
        Scalars out = new Scalars();
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = b(args[i]);
        }
        engine.execute(session, argv, out);
        return out.values;
    }

    @Test
    void aCleanCloseWritesBackUnwrittenNodesWhileTheStreamLogsAreOpen() throws Exception {
        ChronicleStorage storage = open(dir);
        Engine engine = engineOn(storage);
        Session session = engine.connect(Connection.NONE);
        run(engine, session, "CONFIG", "SET", "zset-max-listpack-entries", "0");
        for (int i = 1; i <= 100; i++) {
            run(engine, session, "XADD", "s", i + "-0", "f", "v");
            run(engine, session, "ZADD", "before", Integer.toString(i), "m" + i);
        }
        engine.afterBatch();
        run(engine, session, "FLUSHALL"); // the store sweeps the flushed keys as it goes: a stream among them
        for (int i = 1; i <= 100; i++) {
            run(engine, session, "ZADD", "z", Integer.toString(i), "m" + i);
        }
        engine.afterBatch();
        assertTrue(storage.keyStore().nodeCache().hasUnwritten(), "z's nodes are still to be written");
        List<Object> digest = reply(engine, session, "DEBUG", "DIGEST-VALUE", "z");
        engine.writeBack(); // as the server's close does: z's record is still held back
        storage.close();

        ChronicleStorage reopened = open(dir);
        Engine again = engineOn(reopened);
        Session next = again.connect(Connection.NONE);
        assertEquals(List.of(100L), reply(again, next, "ZCARD", "z"));
        assertEquals(List.of("m1", "m100"), List.of(reply(again, next, "ZRANGE", "z", "0", "0").get(0),
                reply(again, next, "ZRANGE", "z", "-1", "-1").get(0)));
        assertEquals(digest, reply(again, next, "DEBUG", "DIGEST-VALUE", "z"));
        assertEquals(List.of(0L), reply(again, next, "EXISTS", "s", "before"));
        reopened.close();
    }

    @Test
    void aDeletedStreamsLogGoesOnlyAfterTheNextSnapshot() throws Exception {
        ChronicleStorage storage = open(dir);
        Engine engine = engineOn(storage);
        Session session = engine.connect(Connection.NONE);
        // Past the entries a stream keeps in the keyspace (128 by default): both have logs.
        for (int i = 1; i <= 200; i++) {
            run(engine, session, "XADD", "gone", i + "-0", "f", "v");
            run(engine, session, "XADD", "moved", i + "-0", "f", "v");
        }
        engine.afterBatch();
        Path gone = logDir(engine, "gone");
        Path moved = logDir(engine, "moved");
        assertTrue(Files.isDirectory(gone));
        run(engine, session, "DEL", "gone");
        run(engine, session, "RENAME", "moved", "kept");
        engine.afterBatch();
        engine.cron();
        assertTrue(Files.isDirectory(gone), "no snapshot covers the DEL yet");
        storage.snapshots().startBackgroundSave();
        ((SnapshotStore) storage.snapshots()).awaitBackgroundSave();
        engine.cron();
        assertFalse(Files.exists(gone), "deleted once a snapshot taken after the DEL completed");
        assertTrue(Files.isDirectory(moved), "RENAME keeps the log");
        storage.close();

        ChronicleStorage reopened = open(dir);
        Engine again = engineOn(reopened);
        byte[] kept = again.keyspace().store().get(0, b("kept"));
        Stream stream = Stream.decode(again.keyspace().store(), Record.decode(kept).payload(), false);
        assertEquals(200L, stream.length());
        assertEquals(200, stream.lastEntry().id().ms());
        reopened.close();
    }

    /**
     * A small stream has no log: its entries are in the keyspace. One that grows past the limit gets
     * its log then. A crash after that recovers from a snapshot taken before it, replaying the move
     * onto the log that exists; a snapshot built after it replays the move over the live log,
     * read-only; a clean restart from that gives back both streams.
     */
    @Test
    void aStreamHasALogOnlyOnceItsEntriesPassTheKeyspacesLimit(@TempDir Path copies) throws Exception {
        ChronicleStorage storage = open(dir);
        Engine engine = engineOn(storage);
        Session session = engine.connect(Connection.NONE);
        for (int i = 1; i <= 10; i++) {
            run(engine, session, "XADD", "small", i + "-0", "f", "v" + i);
            run(engine, session, "XADD", "growing", i + "-0", "f", "v" + i);
        }
        engine.afterBatch();
        assertFalse(Files.exists(logDir(engine, "small")), "no log for a small stream");
        assertFalse(Files.exists(logDir(engine, "growing")));
        storage.snapshots().startBackgroundSave();
        ((SnapshotStore) storage.snapshots()).awaitBackgroundSave();
        for (int i = 11; i <= 96; i++) {
            run(engine, session, "XADD", "growing", i + "-0", "f", "v" + i);
        }
        engine.afterBatch();
        // Three quarters of the way to the limit, its log is made ahead, off the execution thread.
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.isDirectory(logDir(engine, "growing")));
        for (int i = 97; i <= 300; i++) {
            run(engine, session, "XADD", "growing", i + "-0", "f", "v" + i);
        }
        engine.afterBatch();
        assertTrue(Files.isDirectory(logDir(engine, "growing")), "its log, from the 129th entry on");

        ((SnapshotStore) storage.snapshots()).awaitStandby();
        Path crashed = copies.resolve("crashed");
        ChronicleStorageTest.copyTree(dir, crashed);
        assertSmallAndGrowing(crashed, 300);

        storage.snapshots().startBackgroundSave();
        ((SnapshotStore) storage.snapshots()).awaitBackgroundSave();
        assertTrue(storage.snapshots().lastBackgroundSaveOk());
        run(engine, session, "XADD", "growing", "301-0", "f", "v301");
        engine.afterBatch();
        engine.writeBack(); // as the server's close does: growing's record is still held back
        storage.close();

        assertSmallAndGrowing(dir, 301);
    }

    /**
     * A restart with a lower {@code stream-inline-max-entries} (here 0: every new stream in a log)
     * while effects written under the old limit wait for the next snapshot: the snapshot build replays
     * them under the new limit, but over the logs the server made, read-only, and a stream the old
     * limit kept in the keyspace has none. It stays in the keyspace in the snapshot, with its entries,
     * and a crash recovered from that snapshot gives them back.
     */
    @Test
    void aSnapshotAfterARestartWithALowerLimitKeepsStreamsThatHaveNoLogInTheKeyspace(@TempDir Path copies) throws Exception {
        ChronicleStorage storage = open(dir);
        Engine engine = engineOn(storage);
        Session session = engine.connect(Connection.NONE);
        for (int i = 1; i <= 5; i++) {
            run(engine, session, "XADD", "small", i + "-0", "f", "v" + i);
        }
        engine.afterBatch();
        engine.writeBack();
        storage.close();

        ServerConfig noInline = EngineOnStorage.config();
        noInline.set("stream-inline-max-entries", "0", true);
        ChronicleStorage restarted = open(dir, noInline);
        Engine again = engineOn(restarted, noInline);
        Session next = again.connect(Connection.NONE);
        run(again, next, "XADD", "new", "1-0", "f", "n1"); // in a log from its first entry
        again.afterBatch();
        assertFalse(Files.exists(logDir(again, "small")), "untouched since the restart: still in the keyspace");
        assertTrue(Files.isDirectory(logDir(again, "new")));
        restarted.snapshots().startBackgroundSave();
        ((SnapshotStore) restarted.snapshots()).awaitBackgroundSave();
        assertTrue(restarted.snapshots().lastBackgroundSaveOk());
        ((SnapshotStore) restarted.snapshots()).awaitStandby();
        Path crashed = copies.resolve("crashed");
        ChronicleStorageTest.copyTree(dir, crashed);
        restarted.close();

        ChronicleStorage recovered = open(crashed, noInline);
        Engine afterCrash = engineOn(recovered, noInline);
        Session client = afterCrash.connect(Connection.NONE);
        assertEquals(List.of(5L, 1L), List.of(reply(afterCrash, client, "XLEN", "small").get(0),
                reply(afterCrash, client, "XLEN", "new").get(0)));
        assertEquals(List.of("3-0", "f", "v3"), reply(afterCrash, client, "XRANGE", "small", "3", "3"));
        assertEquals(List.of("1-0", "f", "n1"), reply(afterCrash, client, "XRANGE", "new", "-", "+"));
        recovered.close();
    }

    /** Opens {@code root} (recovering as needed): "small" holds entries 1..10, "growing" 1..{@code last}. */
    private void assertSmallAndGrowing(Path root, long last) {
        ChronicleStorage storage = open(root);
        Engine engine = engineOn(storage);
        Session session = engine.connect(Connection.NONE);
        assertEquals(List.of(10L, last), List.of(reply(engine, session, "XLEN", "small").get(0),
                reply(engine, session, "XLEN", "growing").get(0)));
        for (long n : List.of(1L, 128L, 129L, last)) {
            assertEquals(List.of(n + "-0", "f", "v" + n), reply(engine, session, "XRANGE", "growing", "" + n, "" + n));
        }
        assertEquals(List.of("10-0", "f", "v10"), reply(engine, session, "XRANGE", "small", "10", "+"));
        storage.close();
    }
}
