package dev.millrace.protocol.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams under kill -9 with {@code appendfsync always}, with a background snapshot taken in the
 * middle (so recovery is snapshot + AOF over logs that are ahead of the snapshot): one client adds,
 * deletes and trims with explicit IDs and keeps a model; another appends pipelined batches of
 * {@code *} IDs. After SIGKILL and a restart the first stream equals its model (or the model plus
 * the command in flight), the second holds every acknowledged entry, and both take new entries.
 */
class StreamKillNineIT {
    /** A first read after a restart may wait for recovery; on a loaded 2-core machine that took over 2 s. */
    private static final int RECOVERY_TIMEOUT_MILLIS = 30_000;

    @TempDir
    Path tmp;

    @Test
    void everyAcknowledgedEntryComesBack() throws Exception {
        Path dir = tmp.resolve("data");
        AtomicBoolean stop = new AtomicBoolean();
        NavigableMap<Long, String> model = new TreeMap<>();
        NavigableMap<Long, String>[] inFlight = new NavigableMap[1];
        List<String> pipelinedAcked = new ArrayList<>();
        long[] steps = new long[2];
        try (ServerProcess server = new ServerProcess(dir, "--appendfsync", "always").start()) {
            Thread edits = new Thread(() -> {
                try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                    for (long i = 1; !stop.get(); i++) {
                        NavigableMap<Long, String> next = new TreeMap<>(model);
                        if (i % 7 == 0 && !model.isEmpty()) {
                            long victim = model.keySet().stream().skip(i % model.size()).findFirst().orElseThrow();
                            next.remove(victim);
                            inFlight[0] = next;
                            jedis.xdel("edits", new StreamEntryID(victim, 0));
                        } else if (i % 101 == 0) {
                            while (next.size() > 300) {
                                next.pollFirstEntry();
                            }
                            inFlight[0] = next;
                            jedis.xtrim("edits", 300, false);
                        } else {
                            next.put(i, "v" + i);
                            inFlight[0] = next;
                            jedis.xadd("edits", new StreamEntryID(i, 0), Map.of("n", "v" + i));
                        }
                        model.clear();
                        model.putAll(next);
                        steps[0]++;
                    }
                } catch (RuntimeException expectedWhenKilled) {
                    // the connection dies with the server
                }
            }, "edits");
            Thread batches = new Thread(() -> {
                try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                    while (!stop.get()) {
                        Pipeline p = jedis.pipelined();
                        List<Response<StreamEntryID>> ids = new ArrayList<>();
                        for (int j = 0; j < 100; j++) {
                            ids.add(p.xadd("batches", StreamEntryID.NEW_ENTRY, Map.of("payload", "x".repeat(100))));
                        }
                        p.sync();
                        for (Response<StreamEntryID> id : ids) {
                            pipelinedAcked.add(id.get().toString());
                        }
                        steps[1] += 100;
                    }
                } catch (RuntimeException expectedWhenKilled) {
                    // the connection dies with the server
                }
            }, "batches");
            edits.start();
            batches.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> steps[0] >= 500 && steps[1] >= 5000);
            try (Jedis admin = new Jedis("127.0.0.1", server.port())) {
                admin.bgsave();
                await().atMost(Duration.ofSeconds(60)).until(() -> admin.info("persistence").contains("rdb_bgsave_in_progress:0"));
            }
            long before = steps[0];
            await().atMost(Duration.ofSeconds(60)).until(() -> steps[0] >= before + 500);
            server.kill();
            stop.set(true);
            edits.join();
            batches.join();
        }
        System.out.printf("kill -9, streams: %d edits and %d pipelined XADDs acknowledged%n", steps[0], pipelinedAcked.size());
        try (ServerProcess restarted = new ServerProcess(dir, "--appendfsync", "always").start();
             Jedis jedis = new Jedis("127.0.0.1", restarted.port(), RECOVERY_TIMEOUT_MILLIS)) {
            NavigableMap<Long, String> got = new TreeMap<>();
            for (StreamEntry e : jedis.xrange("edits", "-", "+")) {
                got.put(e.getID().getTime(), e.getFields().get("n"));
            }
            assertTrue(got.equals(model) || got.equals(inFlight[0]), "edits stream differs from its acknowledged history");
            assertEquals(got.size(), jedis.xlen("edits"));

            List<String> stored = new ArrayList<>();
            for (StreamEntry e : jedis.xrange("batches", "-", "+")) {
                stored.add(e.getID().toString());
            }
            assertTrue(stored.size() >= pipelinedAcked.size(), "lost pipelined entries");
            assertEquals(pipelinedAcked, stored.subList(0, pipelinedAcked.size()));

            // New entries go on from the recovered top, and survive a clean restart.
            StreamEntryID next = jedis.xadd("batches", StreamEntryID.NEW_ENTRY, Map.of("after", "crash"));
            assertEquals(stored.size() + 1, jedis.xlen("batches"));
            assertEquals("crash", jedis.xrevrange("batches", "+", "-", 1).get(0).getFields().get("after"));
            stored.add(next.toString());
        }
        try (ServerProcess again = new ServerProcess(dir, "--appendfsync", "always").start();
             Jedis jedis = new Jedis("127.0.0.1", again.port(), RECOVERY_TIMEOUT_MILLIS)) {
            List<String> stored = new ArrayList<>();
            for (StreamEntry e : jedis.xrange("batches", "-", "+")) {
                stored.add(e.getID().toString());
            }
            assertEquals(stored.size(), jedis.xlen("batches"));
            assertEquals("crash", jedis.xrevrange("batches", "+", "-", 1).get(0).getFields().get("after"));
        }
    }
}
