package dev.millrace.engine.keyspace;

/**
 * Told by the {@link Keyspace} whenever a write leaves a value under a key or removes it, so clients
 * blocked on that key (BLPOP, BZPOPMIN, XREAD BLOCK ...) can be served once the current command
 * completes (and an XREADGROUP whose stream is gone fails). The engine's
 * {@code blocking.BlockingKeys} implements it; it only marks keys that clients wait for, so a write
 * costs a map lookup while anyone is blocked and nothing otherwise. Execution thread only.
 */
public interface ReadyKeys {
    /** A write stored a value (of any type) under {@code key} in {@code db}, or removed its value. */
    void stored(int db, byte[] key);

    /** SWAPDB exchanged two databases: every key waited for in either may now hold a value. */
    void swapped(int db1, int db2);

    /** FLUSHDB or FLUSHALL emptied a database: every key waited for in it lost its value. */
    void flushed(int db);

    /** Nobody listens (replay tools, tests of the keyspace alone). */
    ReadyKeys NONE = new ReadyKeys() {
        @Override public void stored(int db, byte[] key) { }
        @Override public void swapped(int db1, int db2) { }
        @Override public void flushed(int db) { }
    };
}
