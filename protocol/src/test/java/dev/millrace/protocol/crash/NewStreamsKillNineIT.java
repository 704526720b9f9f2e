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

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams created one after another (each XADD makes a new stream, whose log was made ahead on the
 * server's own thread) under kill -9 with {@code appendfsync always}, with a snapshot in the middle,
 * so that recovery replays the creation of streams whose logs exist (written before the kill) and
 * finds logs made ahead and never used. Every acknowledged stream comes back with its entry, deleted
 * ones stay deleted, and new streams after the restart get logs of their own.
 */
class NewStreamsKillNineIT {
    private static final int RECOVERY_TIMEOUT_MILLIS = 30_000;

    @TempDir
    Path tmp;

    private static String key(long i) {
        return "s:" + i;
    }

    @Test
    void everyAcknowledgedNewStreamComesBackWithItsEntry() throws Exception {
        Path dir = tmp.resolve("data");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong created = new AtomicLong();
        Set<Long> deleted = ConcurrentHashMap.newKeySet();
        AtomicLong deleting = new AtomicLong(); // a DEL in flight at the kill may or may not have happened
        try (ServerProcess server = new ServerProcess(dir, "--appendfsync", "always").start()) {
            Thread creator = new Thread(() -> {
                try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                    for (long i = 1; !stop.get(); i++) {
                        jedis.xadd(key(i), StreamEntryID.NEW_ENTRY, Map.of("n", Long.toString(i)));
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
        try (ServerProcess restarted = new ServerProcess(dir, "--appendfsync", "always").start();
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
                assertEquals(1, entries.size(), key(i));
                assertEquals(Long.toString(i), entries.get(0).getFields().get("n"), key(i));
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
        try (ServerProcess again = new ServerProcess(dir, "--appendfsync", "always").start();
             Jedis jedis = new Jedis("127.0.0.1", again.port(), RECOVERY_TIMEOUT_MILLIS)) {
            for (int i = 0; i < 20; i++) {
                String value = Integer.toString(i);
                List<StreamEntry> entries = jedis.xrange("after:" + i, "-", "+");
                assertEquals(2, entries.size(), "after:" + i);
                assertTrue(entries.stream().allMatch(e -> e.getFields().get("i").equals(value)), "after:" + i);
            }
            assertEquals(1, jedis.xlen(key(acknowledged)));
        }
    }
}
