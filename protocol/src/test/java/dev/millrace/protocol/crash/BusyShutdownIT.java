package dev.millrace.protocol.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * SHUTDOWN NOSAVE from a client connected before a script that wrote and then never ends (so SCRIPT
 * KILL cannot stop it): the child-JVM server exits at once with status 0, and after a restart what was
 * acknowledged before the script is there and the script's write is not.
 */
class BusyShutdownIT {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void shutdownNosaveEndsAnUnkillableScriptAndTheServerRestartsWithoutItsWrites() throws Exception {
        Path dir = tmp.resolve("data");
        try (ServerProcess server = new ServerProcess(dir, "--appendfsync", "always", "--busy-reply-threshold", "100").start();
             Jedis before = new Jedis("127.0.0.1", server.port())) {
            assertEquals("OK", before.set("acknowledged", "1"));
            CompletableFuture<Object> script = CompletableFuture.supplyAsync(() -> {
                try (Jedis runner = new Jedis("127.0.0.1", server.port(), 60_000)) {
                    return runner.eval("redis.call('SET', 'by-script', '1') while true do end", 0);
                } catch (RuntimeException connectionClosedByTheExit) {
                    return connectionClosedByTheExit;
                }
            });
            // Asked before the script is busy it waits to be answered; then the script has written.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                try {
                    before.scriptKill();
                    return false;
                } catch (JedisDataException e) {
                    return e.getMessage().startsWith("UNKILLABLE");
                }
            });
            JedisDataException refused = assertThrows(JedisDataException.class, before::shutdown);
            assertEquals("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", refused.getMessage());
            assertThrows(JedisConnectionException.class, () -> before.sendCommand(Protocol.Command.SHUTDOWN, "NOSAVE"));
            assertEquals(0, server.awaitExit(), server.log());
            script.get(30, TimeUnit.SECONDS);
        }
        try (ServerProcess restarted = new ServerProcess(dir).start();
             Jedis client = new Jedis("127.0.0.1", restarted.port())) {
            assertEquals("1", client.get("acknowledged"));
            assertNull(client.get("by-script"), "the script's write was never logged");
            assertEquals(List.of("acknowledged"), List.copyOf(client.keys("*")));
        }
    }
}
