package dev.millrace.storage;

import dev.millrace.engine.Clock;
import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.keyspace.ObjectPages;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.persistence.Snapshots;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.storage.snapshot.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams on the real storage: a stream's log lives as long as some snapshot may need it. DEL, and
 * the overwrite of a stream, retire its log; the log is deleted only after a snapshot taken later
 * completes; RENAME keeps it; a clean restart keeps the entries.
 */
class StreamStorageTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ServerConfig config() {
        ServerConfig config = new ServerConfig();
        config.set("appendfsync", "always", true);
        return config;
    }

    private static ChronicleStorage open(Path root) {
        return ChronicleStorage.open(root, config(),
                store -> new Engine(config(), store, EffectLog.NONE, Snapshots.none(0), Clock.SYSTEM)::replay);
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

    @Test
    void aDeletedStreamsLogGoesOnlyAfterTheNextSnapshot() throws Exception {
        ChronicleStorage storage = open(dir);
        Engine engine = new Engine(config(), storage.keyStore(), storage.effectLog(), storage.snapshots(), Clock.SYSTEM);
        storage.recover(engine::replay);
        Session session = engine.connect(Connection.NONE);
        for (int i = 1; i <= 100; i++) {
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
        Engine again = new Engine(config(), reopened.keyStore(), reopened.effectLog(), reopened.snapshots(), Clock.SYSTEM);
        reopened.recover(again::replay);
        Session s2 = again.connect(Connection.NONE);
        RecordingReplies replies = new RecordingReplies();
        again.execute(s2, new byte[][] {b("XLEN"), b("kept")}, replies);
        assertEquals(100L, replies.lastInteger);
        reopened.close();
    }

    /** Keeps the last integer reply. */
    private static final class RecordingReplies implements ReplyWriter {
        long lastInteger = -1;

        @Override public void integer(long value) { lastInteger = value; }
        @Override public void simple(String text) { }
        @Override public void error(String message) { throw new AssertionError(message); }
        @Override public void bulk(byte[] value) { }
        @Override public void bulk(String value) { }
        @Override public void bulk(byte[] value, int offset, int length) { }
        @Override public void nullBulk() { }
        @Override public void nullArray() { }
        @Override public void array(int length) { }
        @Override public void map(int entries) { }
        @Override public void set(int length) { }
        @Override public void doubleValue(double value) { }
        @Override public void doubleText(String text) { }
        @Override public void bool(boolean value) { }
        @Override public void verbatim(String format, String text) { }
        @Override public void bigNumber(String digits) { }
        @Override public void attribute(int entries) { }
        @Override public void push(int length) { }
        @Override public int protocol() { return 2; }
    }
}
