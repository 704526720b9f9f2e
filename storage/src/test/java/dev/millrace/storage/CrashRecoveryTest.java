package dev.millrace.storage;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.keyspace.KeyStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 under load: a child JVM writes through ChronicleStorage with group commit and prints each
 * acknowledged (synced) write; the test SIGKILLs it mid-stream, several rounds on the same
 * directory (each child recovers what the previous one left), then recovers in this JVM and checks
 * that every acknowledged write is there.
 */
class CrashRecoveryTest {
    private static final int ROUNDS = 3;
    private static final long ACKS_PER_ROUND = 15_000;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        List<long[]> acknowledged = new ArrayList<>();
        long start = 0;
        for (int round = 0; round < ROUNDS; round++) {
            ChildJvm child = ChildJvm.start(CrashWriterMain.class, dir.toString(), Long.toString(start));
            String line = child.readLine();
            assertNotNull(line, "child died before it was ready");
            assertTrue(line.startsWith("READY"), line);
            long lastAck = start - 1;
            while ((line = child.readLine()) != null) {
                lastAck = Long.parseLong(line.substring("ACK ".length()));
                if (lastAck - start + 1 >= ACKS_PER_ROUND) {
                    break;
                }
            }
            child.kill();
            System.out.printf("round %d: %s, %d writes acknowledged before SIGKILL%n",
                    round, readyLine(round, line), lastAck - start + 1);
            acknowledged.add(new long[]{start, lastAck});
            // The next round writes new keys: the killed batch's unacknowledged writes may or may not be there.
            start = lastAck + 1_000;
        }

        ServerConfig config = new ServerConfig();
        config.set("appendonly", "yes", true);
        try (ChronicleStorage storage = ChronicleStorage.open(dir, config, SimpleReplayer::new)) {
            long replayed = storage.recover(new SimpleReplayer(storage.keyStore()));
            KeyStore store = storage.keyStore();
            long checked = 0;
            for (long[] range : acknowledged) {
                for (long i = range[0]; i <= range[1]; i++) {
                    if (!CrashWriterMain.isSet(i)) {
                        continue;
                    }
                    long deleter = CrashWriterMain.deletedBy(i);
                    byte[] value = SimpleReplayer.value(store, CrashWriterMain.db(i), CrashWriterMain.key(i));
                    if (deleter >= 0 && deleter <= range[1]) {
                        assertNull(value, "write " + i + " was deleted by acknowledged write " + deleter);
                    } else if (deleter < 0) {
                        assertArrayEquals(CrashWriterMain.value(i), value, "acknowledged write " + i);
                    }
                    checked++;
                }
            }
            long total = acknowledged.stream().mapToLong(r -> r[1] - r[0] + 1).sum();
            System.out.printf("recovered after %d SIGKILLs: %d acknowledged writes, %d SET keys checked, %d AOF records replayed%n",
                    ROUNDS, total, checked, replayed);
            assertEquals(ROUNDS * ACKS_PER_ROUND, total, 40.0 * ROUNDS);
        }
    }

    private static String readyLine(int round, String last) {
        return round == 0 ? "fresh start" : "recovered at start";
    }
}
