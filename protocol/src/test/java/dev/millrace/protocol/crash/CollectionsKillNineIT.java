package dev.millrace.protocol.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durability of every collection type under kill -9 with {@code appendfsync always}: one writer per
 * type pushes and pops on its own key (growing it past the small encodings into pages) and keeps a
 * model of what the server acknowledged; after SIGKILL and a restart each collection must equal
 * its model, give or take the one command that was in flight when the server died.
 */
class CollectionsKillNineIT {
    @TempDir
    Path tmp;

    /** A writer's model: its state after every acknowledged command, and the command in flight. */
    private abstract static class Writer implements Runnable {
        final String key;
        final AtomicLong acked;
        final AtomicBoolean stop;
        final int port;
        volatile long steps;

        Writer(String key, int port, AtomicLong acked, AtomicBoolean stop) {
            this.key = key;
            this.port = port;
            this.acked = acked;
            this.stop = stop;
        }

        @Override
        public void run() {
            try (Jedis jedis = new Jedis("127.0.0.1", port)) {
                for (long i = 0; !stop.get(); i++) {
                    step(jedis, i);
                    steps++;
                    acked.incrementAndGet();
                }
            } catch (RuntimeException expectedWhenKilled) {
                // the connection dies with the server: the command in flight may or may not have applied
            }
        }

        /** One command; updates the model only once the server acknowledged it. */
        abstract void step(Jedis jedis, long i);

        /** Whether what the restarted server holds is the model, or the model plus the command in flight. */
        abstract boolean matches(Jedis jedis);
    }

    private static final class ListWriter extends Writer {
        final LinkedList<String> model = new LinkedList<>();
        LinkedList<String> inFlight;

        ListWriter(int port, AtomicLong acked, AtomicBoolean stop) {
            super("list", port, acked, stop);
        }

        @Override
        void step(Jedis jedis, long i) {
            LinkedList<String> next = new LinkedList<>(model);
            if (i % 5 == 4) {
                next.pollFirst();
                inFlight = next;
                jedis.lpop(key);
            } else {
                String v = "element-" + i + "-" + "y".repeat((int) (i % 40));
                next.addLast(v);
                inFlight = next;
                jedis.rpush(key, v);
            }
            model.clear();
            model.addAll(next);
        }

        @Override
        boolean matches(Jedis jedis) {
            List<String> got = jedis.lrange(key, 0, -1);
            return got.equals(model) || got.equals(inFlight);
        }
    }

    private static final class HashWriter extends Writer {
        final Map<String, String> model = new HashMap<>();
        Map<String, String> inFlight;

        HashWriter(int port, AtomicLong acked, AtomicBoolean stop) {
            super("hash", port, acked, stop);
        }

        @Override
        void step(Jedis jedis, long i) {
            Map<String, String> next = new HashMap<>(model);
            String field = "field:" + (i % 3 == 2 ? i / 2 : i);
            if (i % 7 == 6) {
                next.remove(field);
                inFlight = next;
                jedis.hdel(key, field);
            } else {
                next.put(field, "v" + i);
                inFlight = next;
                jedis.hset(key, field, "v" + i);
            }
            model.clear();
            model.putAll(next);
        }

        @Override
        boolean matches(Jedis jedis) {
            Map<String, String> got = jedis.hgetAll(key);
            return got.equals(model) || got.equals(inFlight);
        }
    }

    private static final class SetWriter extends Writer {
        final Set<String> model = new HashSet<>();
        Set<String> inFlight;

        SetWriter(int port, AtomicLong acked, AtomicBoolean stop) {
            super("set", port, acked, stop);
        }

        @Override
        void step(Jedis jedis, long i) {
            Set<String> next = new HashSet<>(model);
            // integers first (an intset), then words: the set converts to a hashtable on the way
            String member = i < 300 ? Long.toString(i * 3) : "member:" + i;
            if (i % 6 == 5) {
                String gone = i < 300 ? Long.toString((i - 3) * 3) : "member:" + (i - 3);
                next.remove(gone);
                inFlight = next;
                jedis.srem(key, gone);
            } else {
                next.add(member);
                inFlight = next;
                jedis.sadd(key, member);
            }
            model.clear();
            model.addAll(next);
        }

        @Override
        boolean matches(Jedis jedis) {
            Set<String> got = jedis.smembers(key);
            return got.equals(model) || got.equals(inFlight);
        }
    }

    private static final class ZSetWriter extends Writer {
        final TreeMap<String, Double> model = new TreeMap<>();
        TreeMap<String, Double> inFlight;

        ZSetWriter(int port, AtomicLong acked, AtomicBoolean stop) {
            super("zset", port, acked, stop);
        }

        @Override
        void step(Jedis jedis, long i) {
            TreeMap<String, Double> next = new TreeMap<>(model);
            if (i % 9 == 8 && !next.isEmpty()) {
                // pop the lowest score: the model knows it without asking the server
                String lowest = next.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
                next.remove(lowest);
                inFlight = next;
                jedis.zpopmin(key);
            } else {
                String member = "m" + (i % 4 == 3 ? i / 4 : i);
                double score = (i * 7919) % 10007 + i / 1e6;
                next.put(member, score);
                inFlight = next;
                jedis.zadd(key, score, member);
            }
            model.clear();
            model.putAll(next);
        }

        @Override
        boolean matches(Jedis jedis) {
            Map<String, Double> got = new TreeMap<>();
            jedis.zrangeWithScores(key, 0, -1).forEach(t -> got.put(t.getElement(), t.getScore()));
            return got.equals(model) || got.equals(inFlight);
        }
    }

    @Test
    void everyCollectionComesBackAsAcknowledged() throws Exception {
        Path dir = tmp.resolve("data");
        AtomicLong acked = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Writer> writers = new ArrayList<>();
        try (ServerProcess server = new ServerProcess(dir, "--appendfsync", "always").start()) {
            writers.add(new ListWriter(server.port(), acked, stop));
            writers.add(new HashWriter(server.port(), acked, stop));
            writers.add(new SetWriter(server.port(), acked, stop));
            writers.add(new ZSetWriter(server.port(), acked, stop));
            List<Thread> threads = new ArrayList<>();
            writers.forEach(w -> threads.add(new Thread(w, "writer-" + w.key)));
            threads.forEach(Thread::start);
            // enough per writer for every type to pass its small-encoding thresholds
            await().atMost(Duration.ofSeconds(120)).until(() -> writers.stream().allMatch(w -> w.steps >= 1500));
            server.kill();
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
        }
        try (ServerProcess restarted = new ServerProcess(dir, "--appendfsync", "always").start();
             Jedis jedis = new Jedis("127.0.0.1", restarted.port())) {
            for (Writer w : writers) {
                System.out.printf("kill -9, %s: %d commands acknowledged%n", w.key, w.steps);
                assertTrue(w.matches(jedis), w.key + " differs from its acknowledged history");
            }
            assertEquals("hashtable", jedis.objectEncoding("hash"));
            assertEquals("skiplist", jedis.objectEncoding("zset"));
            assertEquals("hashtable", jedis.objectEncoding("set"));
        }
    }
}
