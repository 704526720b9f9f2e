package dev.millrace.protocol.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.SetParams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data and TTLs across a clean SHUTDOWN or SIGTERM and across kill -9, in a child-JVM server. */
class RestartIT {
    @TempDir
    Path tmp;

    @Test
    void cleanShutdownKeepsValuesAndTtlsAndNeedsNoReplay() throws Exception {
        Path dir = tmp.resolve("data");
        try (ServerProcess server = new ServerProcess(dir).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            writeSample(jedis);
            try {
                jedis.shutdown();
            } catch (RuntimeException connectionClosedByShutdown) {
                // SHUTDOWN closes the connection instead of replying
            }
            assertEquals(0, server.awaitExit());
        }
        try (ServerProcess server = new ServerProcess(dir).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            checkSample(jedis);
            assertTrue(server.log().contains("no replay needed"), server.log());
        }
    }

    @Test
    void killNineKeepsValuesAndTtls() throws Exception {
        Path dir = tmp.resolve("data");
        try (ServerProcess server = new ServerProcess(dir, "--appendfsync", "always").start();
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            writeSample(jedis);
            server.kill();
        }
        try (ServerProcess server = new ServerProcess(dir).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            checkSample(jedis);
        }
    }

    /**
     * The keyspace holds the record written last back from its store until the server idles or stops
     * (one Chronicle Map put per hot key, not per command): a clean stop right after a burst of writes
     * to one key must still leave the last of them in the store. No log, so nothing else could bring it back.
     */
    @Test
    void theRecordWrittenLastBeforeSigtermIsInTheStoreWithoutALog() throws Exception {
        Path dir = tmp.resolve("data");
        try (ServerProcess server = new ServerProcess(dir, "--appendonly", "no", "--save", "").start();
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            for (int i = 0; i < 50; i++) {
                jedis.incr("hot");
            }
            jedis.xadd("stream", StreamEntryID.NEW_ENTRY, Map.of("f", "v"));
            jedis.xadd("stream", StreamEntryID.NEW_ENTRY, Map.of("f", "w"));
            assertEquals(0, server.terminate());
        }
        try (ServerProcess server = new ServerProcess(dir, "--appendonly", "no", "--save", "").start();
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertEquals("50", jedis.get("hot"));
            assertEquals(2, jedis.xlen("stream"));
            assertEquals("w", jedis.xrevrange("stream", "+", "-", 1).get(0).getFields().get("f"));
        }
    }

    /** Redis takes keys up to 512 MB; the keyspace stores one over 64 KiB by its digest (EntryLayout). */
    private static final String LONG_KEY = "long-key:" + "k".repeat(1 << 20);
    private static final String MEDIUM_KEY = "medium-key:" + "m".repeat(2000);
    private static final String LARGE_VALUE = "v".repeat(100_000);

    private static void writeSample(Jedis jedis) {
        jedis.set(LONG_KEY, "long", SetParams.setParams().ex(1000));
        jedis.set(MEDIUM_KEY, LARGE_VALUE);
        jedis.set(LONG_KEY + "-deleted", "gone");
        jedis.del(LONG_KEY + "-deleted");
        jedis.set("plain", "value");
        jedis.set("counter", "41");
        jedis.incr("counter");
        jedis.set("short-lived", "x", SetParams.setParams().px(1500));
        jedis.set("long-lived", "y", SetParams.setParams().ex(1000));
        jedis.select(3);
        jedis.set("in-db-3", "z");
        jedis.select(0);
        jedis.set("deleted", "gone");
        jedis.del("deleted");
    }

    private static void checkSample(Jedis jedis) {
        assertEquals("long", jedis.get(LONG_KEY));
        assertTrue(jedis.ttl(LONG_KEY) > 900);
        assertEquals(LARGE_VALUE, jedis.get(MEDIUM_KEY));
        assertNull(jedis.get(LONG_KEY + "-deleted"));
        Set<String> keys = new HashSet<>(jedis.keys("*"));
        keys.remove("short-lived"); // may have expired by now
        assertEquals(Set.of(LONG_KEY, MEDIUM_KEY, "plain", "counter", "long-lived"), keys);
        assertEquals("value", jedis.get("plain"));
        assertEquals("42", jedis.get("counter"));
        assertNull(jedis.get("deleted"));
        long ttl = jedis.ttl("long-lived");
        assertTrue(ttl > 900 && ttl <= 1000, "ttl " + ttl);
        jedis.select(3);
        assertEquals("z", jedis.get("in-db-3"));
        jedis.select(0);
        // the short TTL still runs out after the restart
        await().atMost(Duration.ofSeconds(10)).until(() -> jedis.get("short-lived") == null);
    }
}
