package dev.millrace.protocol.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams created one after another under kill -9 with {@code appendfsync always}, with a snapshot in
 * the middle. Two ways:
 * <ul>
 *   <li>every stream in a log of its own from its first entry ({@code stream-inline-max-entries 0}),
 *       made ahead on the server's own thread: recovery replays the creation of streams whose logs
 *       exist (written before the kill) and finds logs made ahead and never used;</li>
 *   <li>streams of 1 to 9 entries with at most 4 kept in the keyspace: about half move to a log of
 *       their own, some before the snapshot and some after it, so recovery replays moves whose logs
 *       exist already.</li>
 * </ul>
 * Every acknowledged stream comes back with its entries, deleted ones stay deleted, and new streams
 * after the restart work as before.
 */
class NewStreamsKillNineIT {
    private static final int RECOVERY_TIMEOUT_MILLIS = 30_000;

    @TempDir
    Path tmp;

    private static String key(long i) {
        return "s:" + i;
    }

    @Test
    void everyAcknowledgedNewStreamInALogOfItsOwnComesBackWithItsEntry() throws Exception {
        killWhileCreatingAndCheck(i -> 1, "--stream-inline-max-entries", "0");
    }

    @Test
    void everyAcknowledgedStreamComesBackWhetherItsEntriesMovedToItsLogOrNot() throws Exception {
        killWhileCreatingAndCheck(i -> 1 + i % 9, "--stream-inline-max-entries", "4");
    }

    /** Creates stream {@code i} with {@code entriesOf(i)} entries, i = 1, 2, ..., until the kill. */
    private void killWhileCreatingAndCheck(LongUnaryOperator entriesOf, String... limit) throws Exception {
        String[] args = Stream.concat(Stream.of("--appendfsync", "always"), Stream.of(limit)).toArray(String[]::new);
        Path dir = tmp.resolve("data");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong created = new AtomicLong();
        Set<Long> deleted = ConcurrentHashMap.newKeySet();
        AtomicLong deleting = new AtomicLong(); // a DEL in flight at the kill may or may not have happened
        try (ServerProcess server = new ServerProcess(dir, args).start()) {
            Thread creator = new Thread(() -> {
                try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                    for (long i = 1; !stop.get(); i++) {
                        for (long e = 1; e <= entriesOf.applyAsLong(i); e++) {
                            jedis.xadd(key(i), StreamEntryID.NEW_ENTRY, Map.of("n", Long.toString(i), "e", Long.toString(e)));
                        }
                        created.set(i);
                        if (i % 10 == 0) {
                            deleting.set(i - 5);
                            jedis.del(key(i - 5));
                            deleted.add(i - 5);
                        }
                    }
                } catch (RuntimeException expectedWhenKilled) {
                    // the connection dies with the server
                }
            }, "creator");
            creator.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> created.get() >= 150);
            try (Jedis admin = new Jedis("127.0.0.1", server.port())) {
                admin.bgsave();
                await().atMost(Duration.ofSeconds(60)).until(() -> admin.info("persistence").contains("rdb_bgsave_in_progress:0"));
            }
            long before = created.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> created.get() >= before + 150);
            server.kill();
            stop.set(true);
            creator.join();
        }
        long acknowledged = created.get();
        System.out.printf("kill -9 after %d streams created one by one%n", acknowledged);
        try (ServerProcess restarted = new ServerProcess(dir, args).start();
             Jedis jedis = new Jedis("127.0.0.1", restarted.port(), RECOVERY_TIMEOUT_MILLIS)) {
            for (long i = 1; i <= acknowledged; i++) {
                if (deleted.contains(i)) {
                    assertFalse(jedis.exists(key(i)), key(i) + " was deleted");
                    continue;
                }
                if (i == deleting.get() && !jedis.exists(key(i))) {
                    continue;
                }
                List<StreamEntry> entries = jedis.xrange(key(i), "-", "+");
                assertEquals(entriesOf.applyAsLong(i), entries.size(), key(i));
                for (int e = 0; e < entries.size(); e++) {
                    assertEquals(Map.of("n", Long.toString(i), "e", Long.toString(e + 1)), entries.get(e).getFields(), key(i));
                }
            }
            // Streams created after the crash have logs of their own (not a log of the streams before).
            for (int i = 0; i < 20; i++) {
                jedis.xadd("after:" + i, StreamEntryID.NEW_ENTRY, Map.of("i", Integer.toString(i)));
                jedis.xadd("after:" + i, StreamEntryID.NEW_ENTRY, Map.of("i", Integer.toString(i)));
            }
            for (int i = 0; i < 20; i++) {
                assertEquals(2, jedis.xlen("after:" + i));
            }
        }
        try (ServerProcess again = new ServerProcess(dir, args).start();
             Jedis jedis = new Jedis("127.0.0.1", again.port(), RECOVERY_TIMEOUT_MILLIS)) {
            for (int i = 0; i < 20; i++) {
                String value = Integer.toString(i);
                List<StreamEntry> entries = jedis.xrange("after:" + i, "-", "+");
                assertEquals(2, entries.size(), "after:" + i);
                assertTrue(entries.stream().allMatch(e -> e.getFields().get("i").equals(value)), "after:" + i);
            }
            assertEquals(entriesOf.applyAsLong(acknowledged), jedis.xlen(key(acknowledged)));
        }
    }
}
