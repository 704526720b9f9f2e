package dev.millrace.protocol.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.util.SafeEncoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code appendonly no}: after kill -9 the server comes back with exactly what the last snapshot held,
 * as Redis comes back with its last RDB. With no save rules (Redis's pure cache) a write costs no log
 * at all, and SAVE and BGSAVE copy the live keyspace; with save rules they replay the snapshot feed.
 */
class SnapshotOnlyKillNineIT {
    private static final String[] CACHE_MODE = {"--appendonly", "no", "--save", ""};

    @TempDir
    Path tmp;

    @Test
    void aKillAfterSaveBringsBackExactlyTheSnapshot() throws Exception {
        Path dir = tmp.resolve("data");
        try (ServerProcess server = new ServerProcess(dir, CACHE_MODE).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            write(jedis, "saved:", 5000);
            jedis.hset("h", "f", "v");
            jedis.rpush("list", "a", "b", "c");
            assertEquals("OK", jedis.save());
            write(jedis, "unsaved:", 1000);
            jedis.del("saved:7");
            assertEquals(0, feedFiles(dir), "nothing was written to the snapshot feed");
            server.kill();
        }
        try (ServerProcess restarted = new ServerProcess(dir, CACHE_MODE).start();
             Jedis jedis = new Jedis("127.0.0.1", restarted.port())) {
            assertEquals(5002, jedis.dbSize());
            assertEquals("value-7", jedis.get("saved:7"));
            assertEquals("value-4999", jedis.get("saved:4999"));
            assertEquals("v", jedis.hget("h", "f"));
            assertEquals(List.of("a", "b", "c"), jedis.lrange("list", 0, -1));
        }
    }

    @Test
    void aBackgroundSaveUnderWriteLoadHoldsEveryWriteAcknowledgedBeforeIt() throws Exception {
        Path dir = tmp.resolve("data-bg");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong acknowledged = new AtomicLong(-1);
        long before;
        try (ServerProcess server = new ServerProcess(dir, CACHE_MODE).start();
             Jedis control = new Jedis("127.0.0.1", server.port())) {
            Thread writer = new Thread(() -> {
                try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                    for (long i = 0; !stop.get(); i++) {
                        jedis.set("k:" + i, "value-" + i);
                        acknowledged.set(i);
                    }
                } catch (RuntimeException expectedWhenKilled) {
                    // the connection dies with the server
                }
            }, "writer");
            writer.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= 3000);
            before = acknowledged.get();
            assertEquals("Background saving started", control.bgsave());
            await().atMost(Duration.ofSeconds(60)).until(() -> control.info("persistence").contains("rdb_bgsave_in_progress:0"));
            assertTrue(control.info("persistence").contains("rdb_last_bgsave_status:ok"));
            long target = acknowledged.get() + 2000;
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= target);
            server.kill();
            stop.set(true);
            writer.join();
        }
        try (ServerProcess restarted = new ServerProcess(dir, CACHE_MODE).start();
             Jedis jedis = new Jedis("127.0.0.1", restarted.port())) {
            long size = jedis.dbSize();
            assertTrue(size > before && size < acknowledged.get(), "the snapshot holds " + size + " keys: every write before "
                    + "BGSAVE (" + before + "), none of the last ones (" + acknowledged.get() + ")");
            for (long i = 0; i < size; i++) {
                assertEquals("value-" + i, jedis.get("k:" + i), "k:" + i);
            }
        }
    }

    @Test
    void withSaveRulesASaveCoversTheWritesPipelinedBeforeIt() throws Exception {
        Path dir = tmp.resolve("data-rules");
        String[] options = {"--appendonly", "no"};
        try (ServerProcess server = new ServerProcess(dir, options).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < 1000; i++) {
                p.set("saved:" + i, "value-" + i);
            }
            Response<Object> saved = p.sendCommand(Protocol.Command.SAVE, new String[0]);
            p.set("unsaved", "x");
            p.sync();
            assertEquals("OK", SafeEncoder.encode((byte[]) saved.get()));
            server.kill();
        }
        try (ServerProcess restarted = new ServerProcess(dir, options).start();
             Jedis jedis = new Jedis("127.0.0.1", restarted.port())) {
            assertEquals(1000, jedis.dbSize(), "the writes in SAVE's own batch, before it, are in the snapshot");
            assertEquals("value-999", jedis.get("saved:999"));
        }
    }

    private static void write(Jedis jedis, String prefix, int count) {
        Pipeline p = jedis.pipelined();
        for (int i = 0; i < count; i++) {
            p.set(prefix + i, "value-" + i);
        }
        p.sync();
    }

    private static long feedFiles(Path dir) throws Exception {
        Path feed = dir.resolve("snapshot-feed");
        if (!Files.exists(feed)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(feed)) {
            return s.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }
}
