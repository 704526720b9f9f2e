package dev.millrace.engine.keyspace;

import java.util.List;

/**
 * Told by the {@link Keyspace} whenever a write leaves a value under a key or removes it (Redis's
 * signalModifiedKey), whatever wrote it: a command, expiry, a flush. Listeners: clients blocked on
 * the key ({@code blocking.BlockingKeys}: served once the current command completes), WATCHed keys
 * (a transaction that watched the key fails), client-side caching (invalidation). Each only marks
 * keys someone cares about, so a write costs a map lookup while anyone does and nothing otherwise.
 * Execution thread only.
 */
public interface KeyChanges {
    /** A write stored a value (of any type) under {@code key} in {@code db}, or removed its value. */
    void changed(int db, byte[] key);

    /**
     * {@code key} was removed because its time to live passed (lazily or by the active cycle): a
     * change like any other unless a listener tells them apart (client tracking invalidates at once,
     * where a command's own writes reach its client after the reply).
     */
    default void expired(int db, byte[] key) {
        changed(db, key);
    }

    /** SWAPDB exchanged two databases: every key in either may now hold another value. */
    void swapped(int db1, int db2);

    /**
     * FLUSHDB or FLUSHALL is emptying a database: every key in it loses its value. Told just before the
     * database is emptied, so a listener can still see which keys it held (a WATCH breaks only when its
     * key existed, as in Redis's touchAllWatchedKeysInDb).
     */
    void flushed(int db);

    /**
     * Only the consumer groups of the stream under {@code key} changed (XGROUP, XREADGROUP, XACK, XCLAIM,
     * XAUTOCLAIM) or its last ID (XSETID), not its entries. Redis 7.0 signals no modification for these:
     * no WATCH breaks, no tracking invalidation. Blocked XREADGROUP clients must look again, though (a
     * destroyed group fails them). By default, nothing.
     */
    default void streamMetadataChanged(int db, byte[] key) {
    }

    /** Nobody listens (replay tools, tests of the keyspace alone). */
    KeyChanges NONE = new KeyChanges() {
        @Override public void changed(int db, byte[] key) { }
        @Override public void swapped(int db1, int db2) { }
        @Override public void flushed(int db) { }
    };

    /** Tells every listener, in order. */
    static KeyChanges all(List<KeyChanges> listeners) {
        KeyChanges[] each = listeners.toArray(KeyChanges[]::new);
        if (each.length == 1) {
            return each[0];
        }
        return new KeyChanges() {
            @Override public void changed(int db, byte[] key) {
                for (KeyChanges listener : each) {
                    listener.changed(db, key);
                }
            }

            @Override public void expired(int db, byte[] key) {
                for (KeyChanges listener : each) {
                    listener.expired(db, key);
                }
            }

            @Override public void swapped(int db1, int db2) {
                for (KeyChanges listener : each) {
                    listener.swapped(db1, db2);
                }
            }

            @Override public void flushed(int db) {
                for (KeyChanges listener : each) {
                    listener.flushed(db);
                }
            }

            @Override public void streamMetadataChanged(int db, byte[] key) {
                for (KeyChanges listener : each) {
                    listener.streamMetadataChanged(db, key);
                }
            }
        };
    }
}
