package dev.millrace.engine.commands;

import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.testing.EngineHarness;

import java.nio.charset.StandardCharsets;

/** Writes string keys straight through the keyspace write API, independent of the strings family. */
final class TestKeys {
    private TestKeys() { }

    static void putString(EngineHarness h, int db, String key, String value) {
        putString(h, db, key, value, Record.NO_EXPIRY);
    }

    static void putString(EngineHarness h, int db, String key, String value, long expireAtMillis) {
        h.engine.keyspace().put(db, key.getBytes(StandardCharsets.ISO_8859_1),
                new Record(ValueType.STRING, false, 0, expireAtMillis, value.getBytes(StandardCharsets.ISO_8859_1)));
    }
}
