package dev.millrace.storage;

import dev.millrace.engine.Clock;
import dev.millrace.engine.Engine;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.persistence.Snapshots;

import java.nio.file.Path;

/**
 * The composition the protocol module's Main builds, for storage tests that need real commands:
 * ChronicleStorage with a real Engine replaying each snapshot build, and a live Engine on its ports,
 * recovered. appendfsync always, so what a test wrote is on disk when it reopens.
 */
final class EngineOnStorage {
    private EngineOnStorage() {
    }

    static ServerConfig config() {
        ServerConfig config = new ServerConfig();
        config.set("appendfsync", "always", true);
        return config;
    }

    static ChronicleStorage open(Path root) {
        return open(root, config());
    }

    /** With {@code config} for the storage, its snapshot builds' engines and (through {@link #engineOn}) the live one. */
    static ChronicleStorage open(Path root, ServerConfig config) {
        return ChronicleStorage.open(root, config,
                store -> new Engine(config, store, EffectLog.NONE, Snapshots.none(0), Clock.SYSTEM)::replay);
    }

    /** The live engine over {@code storage}, after recovery. */
    static Engine engineOn(ChronicleStorage storage) {
        return engineOn(storage, config());
    }

    static Engine engineOn(ChronicleStorage storage, ServerConfig config) {
        Engine engine = new Engine(config, storage.keyStore(), storage.effectLog(), storage.snapshots(), Clock.SYSTEM);
        storage.recover(engine::replay);
        return engine;
    }
}
