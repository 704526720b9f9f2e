package dev.millrace.storage;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
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

import static dev.millrace.storage.EngineOnStorage.engineOn;
import static dev.millrace.storage.EngineOnStorage.open;
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
        Engine engine = engineOn(storage);
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
        Engine again = engineOn(reopened);
        byte[] kept = again.keyspace().store().get(0, b("kept"));
        Stream stream = Stream.decode(again.keyspace().store(), Record.decode(kept).payload(), false);
        assertEquals(100L, stream.length());
        assertEquals(100, stream.lastEntry().id().ms());
        reopened.close();
    }
}
