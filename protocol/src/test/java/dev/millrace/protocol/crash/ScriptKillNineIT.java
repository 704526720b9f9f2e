package dev.millrace.protocol.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scripts are atomic on disk: a child-JVM server running a stream of scripts, each taking a number
 * from a shared counter and writing several keys under it, is killed with SIGKILL. After a restart
 * ({@code appendfsync always}) every script is there entirely or not at all: exactly the numbers up
 * to the counter have all their keys, none above it has any, and every acknowledged script is there.
 */
class ScriptKillNineIT {
    private static final int WRITERS = 4;
    private static final int KEYS_PER_SCRIPT = 5;
    private static final String SCRIPT = """
            local n = redis.call('INCR', 'counter')
            for i = 1, %d do
              redis.call('SET', 'script:' .. n .. ':' .. i, ARGV[1])
            end
            redis.call('RPUSH', 'order', n)
            return n
            """.formatted(KEYS_PER_SCRIPT);

    @TempDir
    Path tmp;

    @Test
    void everyScriptIsAppliedEntirelyOrNotAtAll() throws Exception {
        Path dir = tmp.resolve("data");
        ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();
        AtomicLong ackCount = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        try (ServerProcess server = new ServerProcess(dir, "--appendfsync", "always").start()) {
            String sha;
            try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                sha = jedis.scriptLoad(SCRIPT);
            }
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                Thread t = new Thread(() -> {
                    try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                        while (!stop.get()) {
                            Object n = jedis.evalsha(sha, List.of(), List.of("written-by-a-script"));
                            acked.add((Long) n);
                            ackCount.incrementAndGet();
                        }
                    } catch (RuntimeException expectedWhenKilled) {
                        // the connection dies with the server: scripts after the last ack are unknown
                    }
                }, "script-writer-" + w);
                t.start();
                writers.add(t);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> ackCount.get() >= 2000);
            server.kill();
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
        }
        try (ServerProcess restarted = new ServerProcess(dir, "--appendfsync", "always").start();
             Jedis jedis = new Jedis("127.0.0.1", restarted.port())) {
            long counter = Long.parseLong(jedis.get("counter"));
            System.out.printf("kill -9 during scripts: %d acknowledged, counter %d after restart%n", acked.size(), counter);
            for (long n = 1; n <= counter + WRITERS; n++) {
                int present = 0;
                for (int i = 1; i <= KEYS_PER_SCRIPT; i++) {
                    if (jedis.exists("script:" + n + ":" + i)) {
                        present++;
                    }
                }
                assertEquals(n <= counter ? KEYS_PER_SCRIPT : 0, present, "keys of script " + n + " (counter " + counter + ")");
            }
            assertEquals(counter, jedis.llen("order"), "one list entry per applied script");
            for (long n : acked) {
                assertTrue(n <= counter, "acknowledged script " + n + " lost (counter " + counter + ")");
            }
        }
    }
}
