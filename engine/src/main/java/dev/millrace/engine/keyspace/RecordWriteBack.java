package dev.millrace.engine.keyspace;

import dev.millrace.engine.stream.StreamLogs;
import dev.millrace.engine.types.NodeCache;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * A {@link KeyStore} that holds back the key record written last until another key is put, anything
 * else could see the store ({@link #flushNodes}: after each replayed record, before a snapshot), the
 * server is idle or the storage is about to close ({@link #writeBackHeld}), as the write-back
 * {@link NodeCache} does for tree nodes. XADDs on one stream (or LPUSHes on one list, INCRs of one
 * counter, the five commands of a rate-limiter script on one key), pipelined or not, so write its
 * record to the store once, not once per command, and read it from here instead of the store: a
 * Chronicle Map lookup and put were about a fifth of an XADD's execution-thread time. A collection's
 * pages and a stream's entries are not held here (pages have their own write-back, a stream's log is
 * written at once); only the record waits. That is safe for the reason it is for
 * nodes: the keyspace map is trusted only after a clean close, and a close is preceded by a flush.
 *
 * <p>Coherence: a get, patch or put of the held key is served from the held record (a record put is
 * copied unless the caller hands the array over; a get hands out the held array itself, which callers
 * never change, see {@link KeyStore#get}); every other
 * operation that could see or change key records first writes the held record to the store, so it
 * sees the store as if nothing were held back. A copy of the record the store answered last is kept
 * too, until the next operation that could change a key record: a script's or a pipeline's later
 * lookups of the key it read are answered from it. Page and stream-log operations pass straight through:
 * they never read key records. A put of another key writes the held one first, so with keys that
 * change at every command the store sees one put per command, as without this class.
 *
 * <p>Execution thread only, like the store it wraps.
 */
final class RecordWriteBack implements KeyStore {
    private final KeyStore store;
    /** The held record, or null; its key, database and owner claim ({@link #NO_OWNER}: a plain put). */
    private byte[] heldRecord;
    private byte[] heldKey;
    private int heldDb;
    private long heldObjectId;
    private long heldPageLimit;
    private static final long NO_OWNER = -1;
    /**
     * What a command's record was encoded from (a decoded stream), for the next command on the key to
     * reuse, and that record; or null. Kept past the end of a batch and past a write-back of the held
     * record ({@link #writeBackHeld}).
     */
    private Object decoded;
    private byte[] decodedRecord;
    /**
     * A copy of the record the store answered last (or was written last, by {@link #writeBackHeld}), its
     * key and database, or null: the commands of a script (or of a pipeline, or of successive batches)
     * on one key each look the key up, and all but the first are served from here instead of the store. Any operation that may change a key record drops it.
     */
    private byte[] readRecord;
    private byte[] readKey;
    private int readDb;

    RecordWriteBack(KeyStore store) {
        this.store = store;
    }

    private boolean holds(int db, byte[] key) {
        return heldRecord != null && heldDb == db && Arrays.equals(heldKey, key);
    }

    /**
     * Remembers the object the record just held was encoded from, so the next command on the key can
     * take it instead of decoding the record again. Dropped with the held record.
     */
    void holdDecoded(Object value) {
        decoded = heldRecord == null ? null : value;
        decodedRecord = heldRecord;
    }

    /**
     * The object remembered with {@link #holdDecoded} if {@code record} is the bytes it was saved as
     * (object ids are unique per store, so equal bytes are the same collection in the same state),
     * else null. It is handed out once: the taker may change it, and must save it to hand it back.
     */
    Object takeDecoded(byte[] record) {
        Object value = decoded;
        decoded = null;
        return value != null && (record == decodedRecord || Arrays.equals(record, decodedRecord)) ? value : null;
    }

    /** Writes the held record, if any, to the store (and forgets the record read last). */
    private void writeHeld() {
        decoded = null;
        readRecord = null;
        if (heldRecord != null) {
            byte[] record = heldRecord;
            heldRecord = null;
            if (heldObjectId == NO_OWNER) {
                store.put(heldDb, heldKey, record);
            } else {
                store.putOwner(heldDb, heldKey, record, heldObjectId, heldPageLimit);
            }
        }
    }

    @Override
    public byte[] get(int db, byte[] key) {
        if (holds(db, key)) {
            return heldRecord;
        }
        if (readRecord != null && readDb == db && Arrays.equals(readKey, key)) {
            return readRecord;
        }
        byte[] record = store.get(db, key);
        if (record != null) {
            readRecord = record;
            readKey = key.clone();
            readDb = db;
        }
        return record;
    }

    @Override
    public void put(int db, byte[] key, byte[] record) {
        hold(db, key, record.clone(), NO_OWNER, 0);
    }

    /** As {@link #put}, for a record array nobody else holds ({@link Keyspace} encodes one per put): not copied. */
    void putOf(int db, byte[] key, byte[] record) {
        hold(db, key, record, NO_OWNER, 0);
    }

    @Override
    public void patch(int db, byte[] key, int offset, byte[] bytes) {
        if (holds(db, key)) {
            if (offset < 0 || offset + bytes.length > heldRecord.length) {
                throw new IllegalArgumentException("patch of " + bytes.length + " bytes at " + offset
                        + " past a record of " + heldRecord.length);
            }
            decoded = null;
            byte[] patched = heldRecord.clone();
            System.arraycopy(bytes, 0, patched, offset, bytes.length);
            heldRecord = patched;
            return;
        }
        readRecord = null;
        store.patch(db, key, offset, bytes);
    }

    @Override
    public boolean remove(int db, byte[] key) {
        writeHeld();
        return store.remove(db, key);
    }

    /**
     * Whether {@code db} holds no key, answered without writing the held record (a held record is a
     * key that exists): asked at every SET and cron tick ({@link MayHoldFlags}), which would otherwise
     * write the record back each time.
     */
    boolean isEmpty(int db) {
        return (heldRecord == null || heldDb != db) && store.size(db) == 0;
    }

    @Override
    public long size(int db) {
        writeHeld();
        return store.size(db);
    }

    @Override
    public long scan(int db, long cursor, int count, BiConsumer<byte[], byte[]> visitor) {
        writeHeld();
        return store.scan(db, cursor, count, visitor);
    }

    @Override
    public byte[] randomKey(int db) {
        writeHeld();
        return store.randomKey(db);
    }

    @Override
    public void flush(int db) {
        writeHeld();
        store.flush(db);
    }

    @Override
    public void swap(int db1, int db2) {
        writeHeld();
        store.swap(db1, db2);
    }

    @Override
    public boolean rename(int fromDb, byte[] from, int toDb, byte[] to) {
        writeHeld();
        return store.rename(fromDb, from, toDb, to);
    }

    @Override
    public long newObjectId() {
        return store.newObjectId();
    }

    @Override
    public long newStreamObjectId() {
        return store.newStreamObjectId();
    }

    /** Holds the record (writing the one held before, if for another key or another object). */
    @Override
    public void putOwner(int db, byte[] key, byte[] record, long objectId, long pageLimit) {
        putOwnerOf(db, key, record.clone(), objectId, pageLimit);
    }

    /**
     * As {@link #putOwner}, for a record array nobody else holds ({@link Keyspace} encodes one per
     * put): held as it is, not copied.
     */
    void putOwnerOf(int db, byte[] key, byte[] record, long objectId, long pageLimit) {
        hold(db, key, record, objectId, pageLimit);
    }

    private void hold(int db, byte[] key, byte[] record, long objectId, long pageLimit) {
        if (!holds(db, key) || objectId != heldObjectId) {
            // Another object under the held key (COPY ... REPLACE, SET over a list) must reach the
            // store first: the store frees what a replaced record owned, which it can only do for a
            // record it has.
            writeHeld();
            heldDb = db;
            heldKey = key.clone();
        }
        decoded = null;
        readRecord = null;
        heldRecord = record;
        heldObjectId = objectId;
        heldPageLimit = pageLimit;
    }

    @Override
    public byte[] getPage(long objectId, long page) {
        return store.getPage(objectId, page);
    }

    @Override
    public void putPage(long objectId, long page, byte[] bytes) {
        store.putPage(objectId, page, bytes);
    }

    @Override
    public void removePage(long objectId, long page) {
        store.removePage(objectId, page);
    }

    @Override
    public void patchPage(long objectId, long page, int offset, byte[] bytes) {
        store.patchPage(objectId, page, offset, bytes);
    }

    @Override
    public StreamLogs streamLogs() {
        return store.streamLogs();
    }

    @Override
    public NodeCache nodeCache() {
        return store.nodeCache();
    }

    @Override
    public void flushNodes() {
        writeHeld();
        store.flushNodes();
    }

    /**
     * The end of a batch: the held record stays held. At -P 1 every command is a batch of its own, so
     * writing it here cost a Chronicle Map put per command on a hot key (a fifth of an XADD's execution
     * thread). It reaches the store when another key is put, when anything else could see the store
     * ({@link #flushNodes}: a snapshot, a replayed record), while the server is idle or before the
     * storage closes ({@link #writeBackHeld}).
     */
    @Override
    public void endBatch() {
        store.endBatch();
    }

    /**
     * Passed through: housekeeping changes no key's record (a migration moves records unchanged), so
     * the held record need not reach the store first.
     */
    @Override
    public boolean tidyWhileIdle() {
        return store.tidyWhileIdle();
    }

    /**
     * Writes the held record to the store (the server is idle, or about to close the store), and keeps
     * it as the record read last, with what it was decoded from: the store now holds those bytes, so
     * the next command on the key is answered without a store lookup or a decode.
     */
    void writeBackHeld() {
        if (heldRecord == null) {
            return;
        }
        byte[] record = heldRecord;
        Object value = decoded;
        writeHeld();
        readRecord = record;
        readKey = heldKey;
        readDb = heldDb;
        decoded = value;
    }

    @Override
    public void close() {
        writeHeld();
        store.close();
    }
}
