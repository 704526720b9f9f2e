package dev.millrace.protocol.server;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.protocol.ProtocolVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.Jedis;

import java.time.Duration;

/**
 * For integration tests through the two Java clients users copy from: one server per test class, a
 * Lettuce client speaking RESP3, a Jedis connection for setup and checks ({@code control}), and more
 * Jedis connections (RESP2) on demand.
 */
abstract class ClientsFixture {
    static TestServer server;
    static RedisClient lettuce;
    static Jedis control;

    @BeforeAll
    static void startServerAndClients() throws Exception {
        server = TestServer.start();
        lettuce = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
        lettuce.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
        control = jedis();
    }

    @AfterAll
    static void stopServerAndClients() {
        control.close();
        lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        server.close();
    }

    /** A new Jedis connection; the caller closes it. */
    static Jedis jedis() {
        return new Jedis("127.0.0.1", server.port(), 10_000);
    }
}
