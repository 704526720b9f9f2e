package dev.millrace.protocol.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Function libraries outlive the server: across a clean SHUTDOWN (no replay), and across kill -9
 * after a snapshot that covers the FUNCTION LOAD (the log below it may be gone: the snapshot's copy of
 * the key store carries the library set) followed by more FUNCTION changes in the log.
 */
class FunctionsRestartIT {
    private static final String LIBRARY = "#!lua name=keep\n"
            + "redis.register_function('double', function(keys, args) return tonumber(args[1]) * 2 end)";
    private static final String LATER = "#!lua name=later\n"
            + "redis.register_function('triple', function(keys, args) return tonumber(args[1]) * 3 end)";

    @TempDir
    Path tmp;

    @Test
    void librariesSurviveACleanShutdown() throws Exception {
        Path dir = tmp.resolve("clean");
        try (ServerProcess server = new ServerProcess(dir).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertEquals("keep", jedis.functionLoad(LIBRARY));
            try {
                jedis.shutdown();
            } catch (RuntimeException connectionClosedByShutdown) {
                // SHUTDOWN closes the connection instead of replying
            }
            assertEquals(0, server.awaitExit());
        }
        try (ServerProcess server = new ServerProcess(dir).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertEquals(42L, jedis.fcall("double", List.of(), List.of("21")));
        }
    }

    @Test
    void librariesSurviveKillNineAfterASnapshot() throws Exception {
        Path dir = tmp.resolve("killed");
        try (ServerProcess server = new ServerProcess(dir, "--appendfsync", "always").start();
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            jedis.functionLoad(LIBRARY);
            jedis.functionLoad("#!lua name=gone\nredis.register_function('gone', function() return 1 end)");
            jedis.bgsave();
            await().atMost(Duration.ofSeconds(60)).until(() -> jedis.info("persistence").contains("rdb_bgsave_in_progress:0"));
            assertTrue(jedis.info("persistence").contains("rdb_last_bgsave_status:ok"));
            jedis.functionDelete("gone");
            jedis.functionLoad(LATER);
            server.kill();
        }
        try (ServerProcess server = new ServerProcess(dir).start();
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertEquals(42L, jedis.fcall("double", List.of(), List.of("21")));
            assertEquals(63L, jedis.fcall("triple", List.of(), List.of("21")));
            assertEquals(2, jedis.functionList().size(), "gone was deleted after the snapshot");
        }
    }
}
