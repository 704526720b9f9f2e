package dev.millrace.storage;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.persistence.Snapshots;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The storage layer as the composition root sees it: opens (or creates) everything under {@code dir}
 * and hands out the engine's ports. Lifecycle:
 * <ol>
 *   <li>{@link #open} - opens the keyspace map, the AOF and the snapshots; decides whether the last
 *       shutdown was clean;</li>
 *   <li>the caller builds the Engine from {@link #keyStore()}, {@link #effectLog()},
 *       {@link #snapshots()};</li>
 *   <li>{@link #recover} - replays the AOF records the keyspace does not yet reflect (none after a
 *       clean shutdown) through the given replayer (the engine's {@code replay});</li>
 *   <li>{@link #close} - a clean shutdown: everything synced, a marker written so the next start needs
 *       no replay.</li>
 * </ol>
 * TODO(storage helper): implement; the signatures are the contract with the protocol module.
 */
public final class ChronicleStorage implements AutoCloseable {

    /**
     * @param replayerFactory builds, for a given KeyStore, a replayer that applies effects to it (a
     *        separate Engine over that store); used to build snapshots in the background by applying
     *        the AOF to a copy of the previous snapshot, so no fork and no pause is needed
     */
    public static ChronicleStorage open(Path dir, ServerConfig config,
                                        Function<KeyStore, Consumer<List<Effect>>> replayerFactory) {
        throw new UnsupportedOperationException("not yet");
    }

    public KeyStore keyStore() {
        throw new UnsupportedOperationException("not yet");
    }

    public EffectLog effectLog() {
        throw new UnsupportedOperationException("not yet");
    }

    public Snapshots snapshots() {
        throw new UnsupportedOperationException("not yet");
    }

    /** @return the number of AOF records replayed */
    public long recover(Consumer<List<Effect>> replayer) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("not yet");
    }
}
