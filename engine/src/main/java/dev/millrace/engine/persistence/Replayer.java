package dev.millrace.engine.persistence;

import dev.millrace.engine.effect.Effect;

import java.util.List;

/**
 * Applies logged effect records to a keyspace: what storage uses to build a snapshot (over a copy of
 * the store) and to recover. Closing it frees what replaying needed beyond the store (an engine's Lua
 * interpreter, created when a FUNCTION effect is replayed). One thread at a time.
 */
public interface Replayer extends AutoCloseable {
    /** Applies one record's effects, in order. */
    void replay(List<Effect> record);

    @Override
    default void close() {
    }
}
