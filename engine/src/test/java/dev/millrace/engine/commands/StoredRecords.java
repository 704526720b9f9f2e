package dev.millrace.engine.commands;

import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.testing.EngineHarness;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Looks at what the engine stored and logged, below the command API, for string and bit tests. */
final class StoredRecords {
    private StoredRecords() { }

    /** The record stored for {@code key} in db 0, expired or not, or null. */
    static Record record(EngineHarness h, String key) {
        byte[] bytes = h.store().get(0, key.getBytes(StandardCharsets.ISO_8859_1));
        return bytes == null ? null : Record.decode(bytes);
    }

    static long expireAt(EngineHarness h, String key) {
        return record(h, key).expireAtMillis();
    }

    static boolean raw(EngineHarness h, String key) {
        return record(h, key).raw();
    }

    /** Every effect logged so far, in order: what AOF recovery would replay. */
    static List<Effect> logged(EngineHarness h) {
        List<Effect> all = new ArrayList<>();
        h.logged.forEach(all::addAll);
        return all;
    }

    /** A fresh engine whose clock is {@code h}'s plus {@code laterMillis}, with {@code h}'s effects replayed. */
    static EngineHarness replayed(EngineHarness h, long laterMillis) {
        EngineHarness copy = new EngineHarness();
        copy.time.set(h.time.get() + laterMillis);
        copy.engine.replay(logged(h));
        return copy;
    }

    /** Whether the engine can replay a command (effects such as DEL belong to the keys family). */
    static boolean handles(EngineHarness h, String command) {
        return h.engine.dispatcher().handledNames().contains(command);
    }
}
