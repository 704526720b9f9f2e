package dev.millrace.storage;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.storage.snapshot.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.millrace.storage.EngineOnStorage.engineOn;
import static dev.millrace.storage.EngineOnStorage.open;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The composition the protocol module builds: a real Engine on ChronicleStorage's ports, its
 * {@code replay} as the recovery replayer and a second Engine per snapshot build.
 */
class EngineReplayTest {
    @TempDir
    Path dir;
    @TempDir
    Path copies;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] valueOf(Engine engine, String key) {
        byte[] record = engine.keyspace().store().get(0, b(key));
        return record == null ? null : Record.decode(record).payload();
    }

    @Test
    void aRealEngineRecoversFromASnapshotAndTheAofAfterACrash() throws Exception {
        ChronicleStorage storage = open(dir);
        Engine engine = engineOn(storage);
        Session session = engine.connect(Connection.NONE);
        for (int i = 0; i < 500; i++) {
            engine.execute(session, new byte[][]{b("SET"), b("k" + i), b("v" + i)}, ReplyWriter.DISCARD);
        }
        engine.afterBatch();
        assertEquals(true, storage.snapshots().startBackgroundSave());
        ((SnapshotStore) storage.snapshots()).awaitBackgroundSave();
        engine.execute(session, new byte[][]{b("DEL"), b("k3")}, ReplyWriter.DISCARD);
        engine.execute(session, new byte[][]{b("SET"), b("k4"), b("after snapshot")}, ReplyWriter.DISCARD);
        engine.afterBatch();

        // The standby copy that follows the snapshot writes files; what a kill -9 leaves is copied after it.
        ((SnapshotStore) storage.snapshots()).awaitStandby();
        Path crashed = copies.resolve("crashed");
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                Path target = crashed.resolve(dir.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        storage.close();

        try (ChronicleStorage recovered = open(crashed)) {
            Engine again = engineOn(recovered);
            assertEquals(499, again.keyspace().size(0));
            assertNull(valueOf(again, "k3"));
            assertArrayEquals(b("after snapshot"), valueOf(again, "k4"));
            assertArrayEquals(b("v499"), valueOf(again, "k499"));
        }
    }
}
