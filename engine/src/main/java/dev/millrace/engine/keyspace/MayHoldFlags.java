package dev.millrace.engine.keyspace;

/**
 * Per database, a conservative answer to "may a key of some kind be here?" (a key with expiries, a
 * stream), so that a background walk looking for such keys can skip the databases that cannot hold
 * one, as Redis walks only its dict of keys with a TTL. True for every database that had keys when
 * the keyspace opened; set by every write of such a key, carried by RENAME/MOVE and SWAPDB; cleared
 * when the database is found empty, when it is flushed, or when a walk completes a pass over it that
 * met no such key while no write could have stored one ({@link #noneFound}).
 *
 * <p>Execution thread only.
 */
final class MayHoldFlags {
    private final boolean[] may;
    /** Writes so far that may have left such a key in some database. */
    private long writes;

    MayHoldFlags(KeyStore store, int databases) {
        may = new boolean[databases];
        for (int db = 0; db < databases; db++) {
            may[db] = store.size(db) > 0;
        }
    }

    /** O(1); {@code empty}: whether the database holds no key now (then it holds no such key either). */
    boolean may(int db, boolean empty) {
        if (may[db] && empty) {
            may[db] = false;
        }
        return may[db];
    }

    void stored(int db) {
        may[db] = true;
        writes++;
    }

    /** A key moved from one database to another (or within one): it may carry such a key along. */
    void moved(int fromDb, int toDb) {
        if (may[fromDb]) {
            may[toDb] = true;
            writes++;
        }
    }

    void flushed(int db) {
        may[db] = false;
    }

    void swapped(int db1, int db2) {
        boolean first = may[db1];
        may[db1] = may[db2];
        may[db2] = first;
        writes++;
    }

    long writes() {
        return writes;
    }

    /** A walk completed a pass over {@code db} that met no such key, having begun at {@code writesAtPassStart}. */
    void noneFound(int db, long writesAtPassStart) {
        if (writes == writesAtPassStart) {
            may[db] = false;
        }
    }
}
