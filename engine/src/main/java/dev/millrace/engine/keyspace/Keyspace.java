package dev.millrace.engine.keyspace;

import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.notify.KeyspaceEvents;
import dev.millrace.engine.types.NodeCache;

import java.util.function.Consumer;

/**
 * The one write API of the keyspace. Every read and write of a key goes through here so the duties no
 * command should remember happen in one place: lazy expiry (logged as a DEL effect), the dirty
 * counter, the access clock, and marking the keys blocked clients wait for as ready (every write that
 * leaves a value under a key, or removes one, tells the {@link KeyChanges}: blocked clients' keys
 * become ready, WATCHes break, tracked keys are invalidated), and keyspace
 * notifications: every store, removal, rename, expiry and read miss tells the {@link KeyspaceEvents},
 * which publishes what the current command announces (nothing is asked of it while notifications are
 * off beyond one check).
 *
 * <p>Execution thread only. While {@link #loading()} (AOF replay) keys never expire on access:
 * expiry then happens only through the DEL effects that were logged when it first happened, which
 * keeps replay exact.
 */
public final class Keyspace {
    private final RecordWriteBack store;
    private final int databases;
    private final Consumer<Effect> expiryEffects;
    private KeyChanges keyChanges = KeyChanges.NONE;
    private final KeyspaceEvents events = new KeyspaceEvents();
    private boolean loading;
    private boolean touchOnAccess = true;
    private long dirty;
    private long expiredKeys;
    private long keyspaceHits;
    private long keyspaceMisses;
    /** Per database: whether a key with an expiry (or a hash with field expiries) may be there. */
    private final MayHoldFlags expiring;
    /** Per database: whether a stream may be there (the cron's stream retention looks for them). */
    private final MayHoldFlags streams;

    /**
     * @param expiryEffects receives the DEL effect of every key removed because it expired
     */
    public Keyspace(KeyStore store, int databases, Consumer<Effect> expiryEffects) {
        this.store = new RecordWriteBack(store);
        this.databases = databases;
        this.expiryEffects = expiryEffects;
        this.expiring = new MayHoldFlags(store, databases);
        this.streams = new MayHoldFlags(store, databases);
    }

    /**
     * False when no key (nor hash field) of {@code db} has an expiry: then a plain SET, which replaces
     * whatever the key held, can skip the lookup Redis makes first (whose only effect on a live key is
     * to expire it when its time has passed), and active expiry can skip the database. Conservative:
     * true whenever unsure. O(1).
     */
    public boolean mayHoldExpiringKeys(int db) {
        return expiring.may(db, store.isEmpty(db));
    }

    /** Notes a record about to be stored in {@code db} in the flags it may set. */
    private void storing(int db, byte[] encodedRecord) {
        if (Record.hasExpiries(encodedRecord)) {
            expiring.stored(db);
        }
        if (Record.typeOf(encodedRecord) == ValueType.STREAM) {
            streams.stored(db);
        }
    }

    /**
     * How many writes so far may have left a key with an expiry somewhere (renames and SWAPDB that
     * carry such keys included): a pass of active expiry that saw none of them happen can vouch for
     * its database ({@link #noExpiringKeysFound}).
     */
    public long expiryWrites() {
        return expiring.writes();
    }

    /**
     * Active expiry completed a pass over {@code db} that met no key with expiries; if no write since
     * the pass began ({@link #expiryWrites} then) can have stored one, the database has none, as
     * Redis knows from its empty expires dict.
     */
    public void noExpiringKeysFound(int db, long expiryWritesAtPassStart) {
        expiring.noneFound(db, expiryWritesAtPassStart);
    }

    /**
     * False when {@code db} holds no stream (see {@link MayHoldFlags}): the stream retention's
     * discovery walk skips it. Conservative; O(1).
     */
    public boolean mayHoldStreams(int db) {
        return streams.may(db, store.isEmpty(db));
    }

    /** Writes so far that may have left a stream somewhere: a discovery pass that saw none can vouch ({@link #noStreamsFound}). */
    public long streamWrites() {
        return streams.writes();
    }

    /** The discovery walk completed a pass over {@code db} that met no stream, having begun at {@code streamWritesAtPassStart}. */
    public void noStreamsFound(int db, long streamWritesAtPassStart) {
        streams.noneFound(db, streamWritesAtPassStart);
    }

    /** Who is told of every stored key (the engine's blocked clients); set once at startup. */
    public void setKeyChanges(KeyChanges keyChanges) {
        this.keyChanges = keyChanges;
    }

    /**
     * The store, as every reader and writer of keys must see it: the key record written last may
     * still be held back ({@link RecordWriteBack}).
     */
    public KeyStore store() { return store; }

    /**
     * Writes every tree node and the key record still held back to the store ({@link NodeCache}'s and
     * {@link RecordWriteBack}'s write-back): after each replayed record, and before anything reads
     * pages from the store itself.
     */
    public void flushPages() {
        store.flushNodes();
    }

    /**
     * Between bursts of writes (the engine's cron saw no write since its last tick): writes the key
     * record held back and up to {@code bytes} of the tree nodes the node cache holds unwritten,
     * eldest first, so a SAVE or SHUTDOWN after a burst of collection writes does not pause to write
     * them all. Returns whether some nodes are still unwritten.
     */
    public boolean writeBackWhileIdle(long bytes) {
        store.writeBackHeld();
        NodeCache cache = store.nodeCache();
        return cache != null && cache.writeBackEldest(bytes);
    }

    /** Between bursts of writes: a step of the store's deferred deletions ({@link KeyStore#tidyWhileIdle}). */
    public boolean tidyWhileIdle() {
        return store.tidyWhileIdle();
    }

    /**
     * Writes the key record held back ({@link RecordWriteBack}) to the store: before the storage
     * closes, which writes the tree nodes held back itself.
     */
    public void writeBackHeldRecord() {
        store.writeBackHeld();
    }

    /**
     * The end of a batch, when its effects go to the log: writes the tree nodes over the node cache's
     * unwritten budget ({@link NodeCache#endBatch}); the key record held back stays held.
     */
    public void endBatch() {
        store.endBatch();
    }

    /** The keyspace notifier its writes report to (configured by the engine). */
    public KeyspaceEvents events() { return events; }
    public int databases() { return databases; }
    public boolean loading() { return loading; }
    public void setLoading(boolean loading) { this.loading = loading; }
    /** Changes since the last save, as Redis's {@code rdb_changes_since_last_save}. */
    public long dirty() { return dirty; }
    public void resetDirty() { dirty = 0; }
    public void addDirty(long n) { dirty += n; }
    public long expiredKeys() { return expiredKeys; }
    public long keyspaceHits() { return keyspaceHits; }
    public long keyspaceMisses() { return keyspaceMisses; }

    public void resetStats() {
        expiredKeys = 0;
        keyspaceHits = 0;
        keyspaceMisses = 0;
    }

    /**
     * Whether lookups stamp the access clock (see {@link AccessClock}); the dispatcher turns it off for
     * the commands of a CLIENT NO-TOUCH client, as Redis does.
     */
    public void setTouchOnAccess(boolean touch) {
        this.touchOnAccess = touch;
    }

    /**
     * The live record of a key, or null if absent or expired (an expired key is deleted here).
     * Counts a keyspace hit or miss and stamps the access clock, as a read command's lookup in Redis.
     */
    public byte[] lookupRead(int db, byte[] key, long nowMillis) {
        return countHit(db, key, touched(db, key, lookupLive(db, key, nowMillis), nowMillis));
    }

    /**
     * As {@link #lookupRead} but leaves the access clock alone: TYPE, EXISTS, TTL, OBJECT look at a key
     * without making it recently used (Redis's LOOKUP_NOTOUCH).
     */
    public byte[] lookupReadNoTouch(int db, byte[] key, long nowMillis) {
        return countHit(db, key, lookupLive(db, key, nowMillis));
    }

    /**
     * As {@link #lookupReadNoTouch} but a miss publishes no {@code keymiss} event: OBJECT looks at a key
     * without it counting as the application's access (Redis's LOOKUP_NOTOUCH | LOOKUP_NONOTIFY).
     */
    public byte[] lookupToInspect(int db, byte[] key, long nowMillis) {
        return count(lookupLive(db, key, nowMillis));
    }

    /** The live record of a key for a write command, or null; stamps the access clock, no hit or miss. */
    public byte[] lookup(int db, byte[] key, long nowMillis) {
        return touched(db, key, lookupLive(db, key, nowMillis), nowMillis);
    }

    private byte[] lookupLive(int db, byte[] key, long nowMillis) {
        byte[] record = store.get(db, key);
        if (record == null || expireIfNeeded(db, key, record, nowMillis)) {
            return null;
        }
        return record;
    }

    private byte[] touched(int db, byte[] key, byte[] record, long nowMillis) {
        if (record == null || !touchOnAccess || loading) {
            return record;
        }
        return AccessClock.touch(store, db, key, record, nowMillis);
    }

    /** Counts a read's hit or miss; a miss is also the {@code keymiss} event, as in Redis. */
    private byte[] countHit(int db, byte[] key, byte[] record) {
        if (count(record) == null && events.active()) {
            events.missed(db, key);
        }
        return record;
    }

    private byte[] count(byte[] record) {
        if (record == null) {
            keyspaceMisses++;
        } else {
            keyspaceHits++;
        }
        return record;
    }

    /** Whether the key exists (and is not expired) without counting a hit or miss or touching it. */
    public boolean exists(int db, byte[] key, long nowMillis) {
        return lookupLive(db, key, nowMillis) != null;
    }

    /**
     * Stores a record, replacing any previous value. A paged record keeps owning its pages (so
     * EXPIRE or PERSIST rewriting a large collection's record does not drop its elements).
     */
    public void put(int db, byte[] key, Record record) {
        if (record.paged()) {
            putOwner(db, key, record, ObjectPages.decode(store, record.payload(), 0));
            return;
        }
        boolean created = isCreating(db, key);
        byte[] encoded = record.encode();
        storing(db, encoded);
        store.putOf(db, key, encoded);
        dirty++;
        keyChanges.changed(db, key);
        if (events.active()) {
            events.stored(db, key, created);
        }
    }

    /** Whether a store is about to create the key, asked only when the {@code new} event may be published. */
    private boolean isCreating(int db, byte[] key) {
        return events.active() && events.wantsNew() && store.get(db, key) == null;
    }

    /**
     * Stores an already-encoded record (the fast path of SET); a paged one keeps its pages. The keyspace
     * takes the array (it may be held until the batch ends, see {@link RecordWriteBack}): the caller
     * hands over one it encoded for this put and does not change it afterwards.
     */
    public void putEncoded(int db, byte[] key, byte[] record) {
        boolean created = isCreating(db, key);
        storing(db, record);
        if (Record.isPaged(record)) {
            ObjectPages pages = ObjectPages.decode(store, record, Record.payloadOffset(record));
            store.putOwnerOf(db, key, record, pages.objectId(), pages.pageLimit());
        } else {
            store.putOf(db, key, record);
        }
        dirty++;
        keyChanges.changed(db, key);
        if (events.active()) {
            events.stored(db, key, created);
        }
    }

    /**
     * Stores a collection's record that keeps its elements in {@code pages}: the store deletes those
     * pages when the key goes away (see {@link KeyStore#putOwner}).
     */
    public void putOwner(int db, byte[] key, Record record, ObjectPages pages) {
        putOwnerEncoded(db, key, record.encode(), pages);
    }

    /**
     * As {@link #putOwner}, for a record already encoded; the keyspace takes the array (as
     * {@link #putEncoded}'s).
     */
    public void putOwnerEncoded(int db, byte[] key, byte[] encoded, ObjectPages pages) {
        boolean created = isCreating(db, key);
        storing(db, encoded);
        store.putOwnerOf(db, key, encoded, pages.objectId(), pages.pageLimit());
        dirty++;
        keyChanges.changed(db, key);
        if (events.active()) {
            events.stored(db, key, created);
        }
    }

    /**
     * Remembers the decoded collection whose record the last {@link #putOwner} or
     * {@link #putStreamMetadata} of a stream stored, until the batch ends or the record changes
     * otherwise ({@link RecordWriteBack#holdDecoded}).
     */
    public void holdDecoded(Object value) {
        store.holdDecoded(value);
    }

    /**
     * The collection {@link #holdDecoded} remembered, if {@code record} (as just looked up) is the one
     * it was saved as; else null. Handed out once ({@link RecordWriteBack#takeDecoded}).
     */
    public Object takeDecoded(byte[] record) {
        return store.takeDecoded(record);
    }

    /**
     * As {@link #putOwnerEncoded}, for a stream whose consumer groups or last ID alone changed: reported as
     * {@link KeyChanges#streamMetadataChanged}, which breaks no WATCH (Redis 7.0 signals no change).
     */
    public void putStreamMetadata(int db, byte[] key, byte[] encoded, ObjectPages pages) {
        boolean created = isCreating(db, key);
        storing(db, encoded);
        store.putOwnerOf(db, key, encoded, pages.objectId(), pages.pageLimit());
        dirty++;
        keyChanges.streamMetadataChanged(db, key);
        if (events.active()) {
            events.stored(db, key, created); // xgroup-create, xsetid ...: announced by the command
        }
    }

    /**
     * Moves a live key to another name or database in O(1), replacing the target (RENAME, MOVE); the
     * caller has checked the source exists. One change, as Redis counts it.
     */
    public void rename(int fromDb, byte[] from, int toDb, byte[] to) {
        // The key may carry its TTL, or be a stream, into a database that had none.
        expiring.moved(fromDb, toDb);
        streams.moved(fromDb, toDb);
        store.rename(fromDb, from, toDb, to);
        dirty++;
        keyChanges.changed(fromDb, from);
        keyChanges.changed(toDb, to);
        if (events.active()) {
            events.renamed(fromDb, from, toDb, to);
        }
    }

    /**
     * A write command Redis reports as having modified a key although the value stayed the same (LTRIM
     * within the list's bounds): WATCHes and caches hear of it and its event is published, but
     * nothing is stored, counted as a change or logged.
     */
    public void unchangedByWrite(int db, byte[] key) {
        keyChanges.changed(db, key);
        if (events.active()) {
            events.stored(db, key, false);
        }
    }

    /**
     * DEBUG RELOAD: Redis empties every database and loads it back; here the data stays, but the
     * listeners hear of each database being emptied, as there (WATCHes of existing keys break).
     */
    public void signalReloaded() {
        for (int db = 0; db < databases; db++) {
            keyChanges.flushed(db);
        }
    }

    /** Deletes a key; returns whether it existed (expired keys count as absent). */
    public boolean delete(int db, byte[] key, long nowMillis) {
        byte[] record = store.get(db, key);
        if (record == null || expireIfNeeded(db, key, record, nowMillis)) {
            return false;
        }
        store.remove(db, key);
        dirty++;
        keyChanges.changed(db, key); // a client waiting on the key may need to know it is gone
        if (events.active()) {
            events.deleted(db, key);
        }
        return true;
    }

    /**
     * Deletes the key if its expiry has passed. Not while loading: see the class comment.
     *
     * @return whether it was expired and deleted
     */
    public boolean expireIfNeeded(int db, byte[] key, byte[] record, long nowMillis) {
        if (loading) {
            return false;
        }
        if (!Record.isExpiredAt(record, nowMillis)) {
            return false;
        }
        store.remove(db, key);
        keyChanges.expired(db, key);
        expiredKeys++;
        dirty++;
        expiryEffects.accept(new Effect(db, new byte[][]{DEL, key}));
        if (events.active()) {
            events.expired(db, key);
        }
        return true;
    }

    public long size(int db) {
        return store.size(db);
    }

    public void flush(int db) {
        long n = store.size(db);
        keyChanges.flushed(db); // before: a WATCH breaks only if its key was there
        store.flush(db);
        expiring.flushed(db);
        streams.flushed(db);
        dirty += n;
    }

    public void swap(int db1, int db2) {
        store.swap(db1, db2);
        expiring.swapped(db1, db2);
        streams.swapped(db1, db2);
        dirty++;
        keyChanges.swapped(db1, db2);
    }

    private static final byte[] DEL = {'D', 'E', 'L'};
}
