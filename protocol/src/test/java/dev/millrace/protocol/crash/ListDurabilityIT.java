package dev.millrace.protocol.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ListDirection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lists across restarts of a child-JVM server. Under kill -9 with {@code appendfsync always}: pushes
 * onto lists that grow into the paged form, and a consumer blocked in BLMOVE that is served by those
 * pushes; after a restart every acknowledged push is in its list in order, and every element a served
 * BLMOVE returned is in the destination (a served client's reply leaves only after the effect of its
 * pop is on disk). After a clean SHUTDOWN, small and paged lists are back without a replay.
 */
class ListDurabilityIT {
    private static final int PUSHERS = 2;

    @TempDir
    Path tmp;

    @Test
    void acknowledgedPushesAndServedMovesSurviveKillNine() throws Exception {
        Path dir = tmp.resolve("data");
        List<List<String>> pushed = new ArrayList<>();
        List<String> queued = new CopyOnWriteArrayList<>();
        List<String> moved = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (ServerProcess server = new ServerProcess(dir, "--appendfsync", "always").start()) {
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < PUSHERS; p++) {
                List<String> acked = new CopyOnWriteArrayList<>();
                pushed.add(acked);
                String key = "list:" + p;
                threads.add(loop(server, "pusher-" + p, stop, (jedis, i) -> {
                    String element = key + ":" + i + ":" + "x".repeat((int) (i % 40));
                    jedis.rpush(key, element);
                    acked.add(element);
                }));
            }
            threads.add(loop(server, "producer", stop, (jedis, i) -> {
                jedis.rpush("queue", "item-" + i);
                queued.add("item-" + i);
            }));
            threads.add(loop(server, "consumer", stop, (jedis, i) -> {
                String element = jedis.blmove("queue", "moved", ListDirection.LEFT, ListDirection.RIGHT, 0);
                moved.add(element);
            }));
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> pushed.stream().mapToInt(List::size).sum() >= 4000 && moved.size() >= 200);
            server.kill();
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
        }
        try (ServerProcess restarted = new ServerProcess(dir, "--appendfsync", "always").start();
             Jedis jedis = new Jedis("127.0.0.1", restarted.port())) {
            for (int p = 0; p < PUSHERS; p++) {
                List<String> acked = pushed.get(p);
                List<String> stored = jedis.lrange("list:" + p, 0, -1);
                assertTrue(stored.size() == acked.size() || stored.size() == acked.size() + 1,
                        "list:" + p + " holds " + stored.size() + " of " + acked.size() + " acknowledged pushes");
                assertEquals(acked, stored.subList(0, acked.size()), "acknowledged pushes, in order");
            }
            assertEquals("quicklist", jedis.objectEncoding("list:0"));
            List<String> destination = jedis.lrange("moved", 0, -1);
            assertTrue(destination.size() >= moved.size(), destination.size() + " moved, " + moved.size() + " served");
            assertEquals(moved, destination.subList(0, moved.size()), "every served BLMOVE's element, in order");
            Set<String> everywhere = new HashSet<>(destination);
            everywhere.addAll(jedis.lrange("queue", 0, -1));
            assertTrue(everywhere.containsAll(queued), "every acknowledged item is in the queue or moved");
            System.out.printf("lists after kill -9: %d pushes, %d items queued, %d served moves, all present%n",
                    pushed.stream().mapToInt(List::size).sum(), queued.size(), moved.size());
        }
    }

    @Test
    void aCleanShutdownKeepsSmallAndPagedListsWithoutReplay() throws Exception {
        Path dir = tmp.resolve("clean");
        List<String> large = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            large.add("element-" + i);
        }
        try (ServerProcess server = new ServerProcess(dir).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port(), 60_000)) {
            jedis.rpush("small", "a", "b", "c");
            jedis.rpush("large", large.toArray(new String[0]));
            jedis.lpop("large", 10);
            jedis.rpush("expiring", "x");
            jedis.expire("expiring", 1000);
            try {
                jedis.shutdown();
            } catch (RuntimeException connectionClosedByShutdown) {
                // SHUTDOWN closes the connection instead of replying
            }
            assertEquals(0, server.awaitExit());
        }
        try (ServerProcess server = new ServerProcess(dir).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port(), 60_000)) {
            assertEquals(List.of("a", "b", "c"), jedis.lrange("small", 0, -1));
            assertEquals(large.subList(10, large.size()), jedis.lrange("large", 0, -1));
            assertEquals("element-19999", jedis.rpop("large"));
            assertEquals(List.of("x"), jedis.lrange("expiring", 0, -1));
            assertTrue(jedis.ttl("expiring") > 900);
            assertTrue(server.log().contains("no replay needed"), server.log());
        }
    }

    /** One connection's work, repeated until the server dies or the test stops. */
    private interface Step {
        void run(Jedis jedis, long i);
    }

    private static Thread loop(ServerProcess server, String name, AtomicBoolean stop, Step step) {
        Thread t = new Thread(() -> {
            try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 0)) {
                for (long i = 0; !stop.get(); i++) {
                    step.run(jedis, i);
                }
            } catch (RuntimeException expectedWhenKilled) {
                // the connection dies with the server: what was not acknowledged is unknown
            }
        }, name);
        t.start();
        return t;
    }
}
