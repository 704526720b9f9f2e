package dev.millrace.engine.keyspace;

import dev.millrace.engine.stream.StreamLogs;
import dev.millrace.engine.types.NodeCache;

import java.util.function.BiConsumer;

/**
 * The storage port for the keyspace: key bytes to record bytes, per logical database. The engine
 * owns the record format ({@link Record}); the store owns placement, chunking of large records and
 * growth, so callers never meet a size or capacity limit.
 *
 * <p>Called from the execution thread only. Every method is O(1) in the number of keys unless its
 * documentation says otherwise.
 */
public interface KeyStore extends AutoCloseable {

    /**
     * The record stored under {@code key}, or null. The caller must not change the array: a store may
     * hand out an array it keeps (the keyspace's write-back does), so a change would reach later reads.
     */
    byte[] get(int db, byte[] key);

    void put(int db, byte[] key, byte[] record);

    /**
     * Overwrites {@code bytes.length} bytes of the stored record at {@code offset} (the record must
     * exist and be long enough). Stores override this to write in place, so stamping a 4-byte access
     * clock never rewrites a large value. O(bytes) in such stores. A patched owner record keeps its
     * pages ({@link #putOwner}); this default, a get and a put, does not, so stores with pages override it.
     *
     * @throws IllegalArgumentException when the key is absent or its record shorter than the range
     */
    default void patch(int db, byte[] key, int offset, byte[] bytes) {
        byte[] record = get(db, key);
        System.arraycopy(bytes, 0, record, offset, bytes.length);
        put(db, key, record);
    }

    /** @return whether a record was removed */
    boolean remove(int db, byte[] key);

    long size(int db);

    /**
     * One step of a SCAN: visits some keys with their records and returns the next cursor, 0 when
     * the iteration is complete. Guarantee (as Redis's): a key present from the first call to the
     * last is visited at least once. {@code count} is a hint for the number of keys visited.
     * Any cursor value is accepted: one the store never returned ends the scan (returns 0) or
     * resumes somewhere, but never fails.
     */
    long scan(int db, long cursor, int count, BiConsumer<byte[], byte[]> visitor);

    /** A key chosen at random, or null when the database is empty. */
    byte[] randomKey(int db);

    /** Removes every key of one database. O(keys in db) or faster. */
    void flush(int db);

    /** Exchanges the contents of two databases in O(1). */
    void swap(int db1, int db2);

    /**
     * Moves a key's record, with the pages it owns, to another key, possibly in another database,
     * replacing what the target held (RENAME, MOVE). O(1) in the size of the value.
     *
     * @return false when the source key is absent
     */
    boolean rename(int fromDb, byte[] from, int toDb, byte[] to);

    // ---- pages: the parts of a large collection, stored beside the keys (docs/storage-format.md)

    /**
     * A fresh object id: it names the pages of one large collection and is never handed out again
     * by this store (it survives close and reopen).
     */
    long newObjectId();

    /** The first id {@link #newStreamObjectId} hands out: stream ids have a range of their own. */
    long FIRST_STREAM_OBJECT_ID = 1L << 62;

    /**
     * A fresh object id for a stream, from a counter and range of its own (from {@link
     * #FIRST_STREAM_OBJECT_ID} up, in order; it survives close and reopen like {@link #newObjectId}).
     * A stream's id names its log too, so the logs of the next streams are known before they exist
     * and can be made ahead ({@link StreamLogs#expect}).
     */
    long newStreamObjectId();

    /**
     * Stores a record that owns the pages of {@code objectId} numbered below {@code pageLimit}. When the
     * key is later removed, flushed, or overwritten by a record that does not own the same object,
     * the store deletes those pages itself, in the background: O(1) for the caller. {@link #get}
     * returns the record bytes only.
     */
    void putOwner(int db, byte[] key, byte[] record, long objectId, long pageLimit);

    /** Page {@code page} of object {@code objectId}, or null. Pages may be of any size. */
    byte[] getPage(long objectId, long page);

    void putPage(long objectId, long page, byte[] bytes);

    void removePage(long objectId, long page);

    /**
     * Overwrites {@code bytes.length} bytes of an existing page at {@code offset}, as {@link #patch}
     * does for records (in place where the store can).
     */
    default void patchPage(long objectId, long page, int offset, byte[] bytes) {
        byte[] current = getPage(objectId, page);
        System.arraycopy(bytes, 0, current, offset, bytes.length);
        putPage(objectId, page, current);
    }

    /**
     * The logs of this keyspace's streams, named by the object id of each stream's record. A log
     * belongs to its owner record as its pages do: when the owner goes, the store retires the log.
     */
    StreamLogs streamLogs();

    /**
     * The cache of decoded tree nodes over this store's pages ({@link NodeCache}), or null for none.
     * A store that caches must create one per store instance and never share it.
     */
    default NodeCache nodeCache() {
        return null;
    }

    /** Writes the tree nodes its {@link #nodeCache} still holds unwritten (its write-back) to the pages. */
    default void flushNodes() {
        NodeCache cache = nodeCache();
        if (cache != null) {
            cache.flush();
        }
    }

    /**
     * One bounded step of the work a store defers (the entries of flushed databases, the pages of
     * deleted collections and their cached nodes, a generation still migrating), for a server with
     * no writes to do: otherwise that work only advances with later operations, and memory a FLUSHALL
     * freed stays taken while the server is idle. Returns whether more is pending.
     */
    default boolean tidyWhileIdle() {
        return false;
    }

    /** The end of a batch: the {@link #nodeCache} writes back what is over its unwritten budget. */
    default void endBatch() {
        NodeCache cache = nodeCache();
        if (cache != null) {
            cache.endBatch();
        }
    }

    @Override
    void close();
}
