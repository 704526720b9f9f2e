package dev.millrace.protocol.server;

import dev.millrace.engine.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real server driven by Jedis (RESP2): round trips, binary values, 10,000 pipelined commands,
 * 100 concurrent connections, and group commit with {@code appendfsync always}. Needs the PING, SET,
 * GET and DBSIZE commands of the connection, strings and server families.
 */
class JedisIT {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Jedis connect(int port) {
        return new Jedis("127.0.0.1", port, 10_000);
    }

    @Test
    void roundTrips() {
        try (Jedis jedis = connect(server.port())) {
            assertEquals("PONG", jedis.ping());
            assertEquals("OK", jedis.set("greeting", "hello"));
            assertEquals("hello", jedis.get("greeting"));
            byte[] binary = new byte[256];
            for (int i = 0; i < binary.length; i++) {
                binary[i] = (byte) i;
            }
            jedis.set("binary".getBytes(), binary);
            assertArrayEquals(binary, jedis.get("binary".getBytes()));
            String big = "x".repeat(3 * 1024 * 1024);
            jedis.set("big", big);
            assertEquals(big, jedis.get("big"));
        }
    }

    @Test
    void tenThousandPipelinedCommands() {
        try (Jedis jedis = connect(server.port())) {
            Pipeline pipeline = jedis.pipelined();
            List<Response<String>> sets = new ArrayList<>();
            List<Response<String>> gets = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                sets.add(pipeline.set("pipelined:" + i, "value" + i));
            }
            for (int i = 0; i < 5_000; i++) {
                gets.add(pipeline.get("pipelined:" + i));
            }
            pipeline.sync();
            for (int i = 0; i < 5_000; i++) {
                assertEquals("OK", sets.get(i).get());
                assertEquals("value" + i, gets.get(i).get());
            }
        }
    }

    @Test
    void aHundredConcurrentConnections() throws Exception {
        int clients = 100;
        CyclicBarrier allConnected = new CyclicBarrier(clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                results.add(pool.submit(() -> {
                    try (Jedis jedis = connect(server.port())) {
                        assertEquals("PONG", jedis.ping());
                        allConnected.await(30, TimeUnit.SECONDS);
                        for (int i = 0; i < 100; i++) {
                            jedis.set("client:" + id + ":" + i, Integer.toString(i));
                            assertEquals(Integer.toString(i), jedis.get("client:" + id + ":" + i));
                        }
                        return server.engine.clients().count();
                    }
                }));
            }
            int peak = 0;
            for (Future<Integer> result : results) {
                peak = Math.max(peak, result.get(60, TimeUnit.SECONDS));
            }
            assertTrue(peak >= clients, "peak " + peak);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withAppendfsyncAlwaysNoReplyLeavesBeforeItsEffectIsSynced() throws Exception {
        RecordingLog log = new RecordingLog();
        try (TestServer durable = new TestServer(config -> config.set("appendfsync", "always", true), log, Clock.SYSTEM)) {
            int clients = 10;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    int id = c;
                    done.add(pool.submit(() -> {
                        try (Jedis jedis = connect(durable.port())) {
                            for (int i = 0; i < 200; i++) {
                                String key = "durable:" + id + ":" + i;
                                jedis.set(key, "v");
                                assertTrue(log.synced(key), "the reply to SET " + key + " came back before its effect was synced");
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(clients * 200L, log.effectsAppended.get());
            assertTrue(log.appended.get() <= log.effectsAppended.get(), "one record per batch at most");
            assertEquals(log.appended.get(), log.durable.get());
            assertTrue(log.syncs.get() <= log.appended.get(), "one sync per batch at most");
        }
    }

    @Test
    void withAppendfsyncEverysecWritesAreSyncedInTheBackgroundWithinAboutASecond() throws Exception {
        RecordingLog log = new RecordingLog();
        try (TestServer durable = new TestServer(config -> config.set("appendfsync", "everysec", true), log, Clock.SYSTEM);
             Jedis jedis = connect(durable.port())) {
            jedis.set("lazy", "v");
            // The reply does not wait for a sync; the server's cron asks the log for one off its thread.
            await().atMost(Duration.ofSeconds(5)).until(() -> log.synced("lazy"));
            assertTrue(log.syncRequests.get() >= 1, "synced by a background request");
        }
    }
}
