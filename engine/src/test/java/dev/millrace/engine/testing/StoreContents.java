package dev.millrace.engine.testing;

import dev.millrace.engine.keyspace.KeyStore;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/** Every record a store holds, for tests that compare two stores' contents. */
public final class StoreContents {
    private StoreContents() {
    }

    /** The records of databases {@code 0..databases-1}, by "db:key". */
    public static Map<String, byte[]> of(KeyStore store, int databases) {
        Map<String, byte[]> out = new HashMap<>();
        for (int db = 0; db < databases; db++) {
            int d = db;
            long cursor = 0;
            do {
                cursor = store.scan(db, cursor, 100, (key, record) -> out.put(d + ":" + ByteBuffer.wrap(key), record));
            } while (cursor != 0);
        }
        return out;
    }
}
