package dev.millrace.storage;

import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.persistence.Replayer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Applies SET, DEL, FLUSHDB and SWAPDB effects to a KeyStore, storing strings as the engine's
 * {@link Record}s. The storage tests use it as the replayer because the engine's string commands
 * live on another branch; {@link EngineReplayTest} runs the same scenario through the real Engine.
 */
public final class SimpleReplayer implements Replayer {
    private final KeyStore store;

    public SimpleReplayer(KeyStore store) {
        this.store = store;
    }

    public static byte[] record(byte[] value) {
        return new Record(ValueType.STRING, false, 0, Record.NO_EXPIRY, value).encode();
    }

    /** The string value stored under a key, or null. */
    public static byte[] value(KeyStore store, int db, byte[] key) {
        byte[] record = store.get(db, key);
        return record == null ? null : Record.decode(record).payload();
    }

    @Override
    public void replay(List<Effect> effects) {
        for (Effect e : effects) {
            byte[][] argv = e.argv();
            switch (new String(argv[0], StandardCharsets.US_ASCII).toUpperCase()) {
                case "SET" -> store.put(e.db(), argv[1], record(argv[2]));
                case "DEL" -> {
                    for (int i = 1; i < argv.length; i++) {
                        store.remove(e.db(), argv[i]);
                    }
                }
                case "FLUSHDB" -> store.flush(e.db());
                case "SWAPDB" -> store.swap(Integer.parseInt(new String(argv[1], StandardCharsets.US_ASCII)),
                        Integer.parseInt(new String(argv[2], StandardCharsets.US_ASCII)));
                default -> throw new IllegalArgumentException("SimpleReplayer cannot apply " + new String(argv[0], StandardCharsets.UTF_8));
            }
        }
    }
}
