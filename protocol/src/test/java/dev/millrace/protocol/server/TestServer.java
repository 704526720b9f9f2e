package dev.millrace.protocol.server;

import dev.millrace.engine.Clock;
import dev.millrace.engine.Engine;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.keyspace.MemoryKeyStore;
import dev.millrace.engine.persistence.Snapshots;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * A real server on an ephemeral loopback port over an in-memory engine, for integration tests.
 * Tests may change the configuration before start through {@code configure}.
 */
final class TestServer implements AutoCloseable {
    final ServerConfig config = new ServerConfig();
    final Engine engine;
    final RespServer server;

    TestServer(Consumer<ServerConfig> configure, EffectLog log, Clock clock) throws IOException {
        config.set("bind", "127.0.0.1", true);
        config.set("port", "0", true);
        configure.accept(config);
        engine = new Engine(config, new MemoryKeyStore(config.getInt("databases")), log,
                Snapshots.none(System.currentTimeMillis() / 1000), clock);
        server = new RespServer(engine);
        server.start();
    }

    static TestServer start() throws IOException {
        return start(config -> { });
    }

    static TestServer start(Consumer<ServerConfig> configure) throws IOException {
        return new TestServer(configure, EffectLog.NONE, Clock.SYSTEM);
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
