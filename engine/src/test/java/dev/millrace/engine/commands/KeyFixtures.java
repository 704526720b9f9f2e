package dev.millrace.engine.commands;

import dev.millrace.engine.keyspace.AccessClock;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.testing.EngineHarness;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts string keys straight into a harness's keyspace (the key commands' tests must not depend on the
 * string family) and reads the whole keyspace back for comparisons.
 */
final class KeyFixtures {
    private KeyFixtures() { }

    static void put(EngineHarness h, String key, String value) {
        put(h, 0, key, value, Record.NO_EXPIRY);
    }

    static void put(EngineHarness h, int db, String key, String value, long expireAtMillis) {
        put(h, db, key, value, false, expireAtMillis);
    }

    /** A string record as SET (raw = false) or APPEND/SETRANGE (raw = true) would leave it, accessed now. */
    static void put(EngineHarness h, int db, String key, String value, boolean raw, long expireAtMillis) {
        Record record = new Record(ValueType.STRING, raw, AccessClock.at(h.time.get()), expireAtMillis, bytes(value));
        h.engine.keyspace().put(db, bytes(key), record);
    }

    /** A key with a TTL of {@code ttlMillis} from the harness's current time. */
    static void putWithTtl(EngineHarness h, String key, String value, long ttlMillis) {
        put(h, 0, key, value, h.time.get() + ttlMillis);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Every stored record of every database, as "db:key" to "type raw expireAt payload": what a replay
     * must reproduce (the access clock is left out: it records when a key was read, not what it holds).
     */
    static Map<String, String> contents(EngineHarness h) {
        Map<String, String> out = new TreeMap<>();
        for (int db = 0; db < h.engine.keyspace().databases(); db++) {
            int d = db;
            long cursor = 0;
            do {
                cursor = h.store().scan(db, cursor, 100, (key, bytes) -> {
                    Record r = Record.decode(bytes);
                    out.put(d + ":" + new String(key, StandardCharsets.ISO_8859_1),
                            r.type() + " " + r.raw() + " " + r.expireAtMillis() + " "
                                    + new String(r.payload(), StandardCharsets.ISO_8859_1));
                });
            } while (cursor != 0);
        }
        return out;
    }

    /** The live size of database {@code db} as the store holds it (expired keys not yet deleted count). */
    static long stored(EngineHarness h, int db) {
        return h.store().size(db);
    }
}
