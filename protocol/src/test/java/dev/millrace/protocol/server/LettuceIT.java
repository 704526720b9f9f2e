package dev.millrace.protocol.server;

import dev.millrace.engine.client.Session;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real server driven by Lettuce, which opens with the RESP3 HELLO handshake: replies then come
 * in RESP3 (maps for CONFIG GET), and 10,000 commands are pipelined asynchronously. Needs HELLO,
 * CLIENT SETNAME/GETNAME, CONFIG GET, PING, SET and GET.
 */
class LettuceIT extends ClientsFixture {
    @Test
    void theHelloHandshakeSwitchesTheConnectionToResp3() {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            assertEquals("PONG", connection.sync().ping());
            assertEquals("OK", connection.sync().clientSetname("lettuce-it"));
            assertEquals("lettuce-it", connection.sync().clientGetname());
            Session session = server.engine.clients().all().stream()
                    .filter(s -> s.name().equals("lettuce-it")).findFirst().orElseThrow();
            assertEquals(3, session.protocol());
            Map<String, String> port = connection.sync().configGet("port");
            assertEquals(Map.of("port", Integer.toString(server.port())), port);
        }
    }

    @Test
    void tenThousandPipelinedCommands() {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            RedisAsyncCommands<String, String> async = connection.async();
            connection.setAutoFlushCommands(false);
            List<RedisFuture<String>> sets = new ArrayList<>();
            List<RedisFuture<String>> gets = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                sets.add(async.set("lettuce:" + i, "v" + i));
                gets.add(async.get("lettuce:" + i));
            }
            connection.flushCommands();
            List<RedisFuture<?>> all = new ArrayList<>(sets);
            all.addAll(gets);
            assertTrue(LettuceFutures.awaitAll(30, TimeUnit.SECONDS, all.toArray(new RedisFuture[0])));
            for (int i = 0; i < 5_000; i++) {
                assertEquals("OK", sets.get(i).toCompletableFuture().join());
                assertEquals("v" + i, gets.get(i).toCompletableFuture().join());
            }
        }
    }
}
