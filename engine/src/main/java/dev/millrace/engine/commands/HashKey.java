package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.keyspace.AccessClock;
import dev.millrace.engine.notify.Announcement;
import dev.millrace.engine.notify.KeyEvent;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.Keyspace;
import dev.millrace.engine.keyspace.ObjectPages;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.types.HashField;
import dev.millrace.engine.types.HashValue;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A hash key as the hash commands see it: looked up, type-checked, cleared of expired fields,
 * decoded, and saved back (or deleted when no field is left) after a change. This is the one place
 * that reads and writes a hash's record and the one place hash fields expire, lazily when a command
 * opens the key and actively from {@link ExpiryCycle}.
 *
 * <p>Field expiry is logged as {@code HDEL key field}, one per field as Redis 7.4 propagates it,
 * through the dispatcher's expiry effects, so a command's own effect logic is unaffected: each
 * expired field counts as exactly one change. While the keyspace is loading nothing expires (replay
 * applies the logged HDELs instead), so replay is exact.
 *
 * <p>Execution thread only.
 */
final class HashKey {
    private static final byte[] HDEL = "HDEL".getBytes(StandardCharsets.US_ASCII);
    private static final Announcement FIELDS_EXPIRED = Announcement.change(KeyEvent.HEXPIRED);

    private final Keyspace keyspace;
    private final int db;
    private final byte[] key;
    private final long nowMillis;
    /** The key's record as looked up (after field expiry), or null when the key did not exist. */
    private final byte[] record;
    private final HashValue hash;

    private HashKey(Keyspace keyspace, int db, byte[] key, long nowMillis, byte[] record, HashValue hash) {
        this.keyspace = keyspace;
        this.db = db;
        this.key = key;
        this.nowMillis = nowMillis;
        this.record = record;
        this.hash = hash;
    }

    /**
     * Opens a hash for a read command (a keyspace hit or miss is counted).
     *
     * @return null after replying WRONGTYPE; otherwise the key, whose {@link #exists} may be false
     */
    static HashKey read(Call call, byte[] key) {
        return open(call, key, call.keyspace().lookupRead(call.db(), key, call.now()));
    }

    /**
     * Opens a hash for a write command; an absent key opens as a new, empty hash that {@link #save}
     * creates.
     *
     * @return null after replying WRONGTYPE
     */
    static HashKey write(Call call, byte[] key) {
        return open(call, key, call.keyspace().lookup(call.db(), key, call.now()));
    }

    private static HashKey open(Call call, byte[] key, byte[] record) {
        if (record != null && Record.typeOf(record) != ValueType.HASH) {
            call.wrongType();
            return null;
        }
        Engine engine = call.engine();
        KeyStore store = call.keyspace().store();
        if (record != null && expireFields(engine, call.db(), key, record, call.now(), Integer.MAX_VALUE) > 0) {
            record = store.get(call.db(), key);
        }
        HashValue.Limits limits = new HashValue.Limits(engine.config().getLong("hash-max-listpack-entries"),
                engine.config().getLong("hash-max-listpack-value"));
        HashValue hash = record == null ? HashValue.empty(limits, () -> ObjectPages.create(store))
                : decode(store, record, limits);
        return new HashKey(call.keyspace(), call.db(), key, call.now(), record, hash);
    }

    /**
     * A field's value for SORT's "key->field" patterns: null when the key is missing, is not a hash or
     * lacks the field. One keyspace hit or miss, as Redis's lookupKeyRead; never replies.
     */
    static byte[] fieldValue(Call call, byte[] key, byte[] field) {
        byte[] record = call.keyspace().lookupRead(call.db(), key, call.now());
        if (record == null || Record.typeOf(record) != ValueType.HASH) {
            return null;
        }
        HashKey hash = open(call, key, record);
        HashField found = hash.exists() ? hash.hash().get(field) : null;
        return found == null ? null : found.value();
    }

    /** Whether the key held a hash when opened (a hash whose fields all expired then no longer does). */
    boolean exists() {
        return record != null;
    }

    HashValue hash() {
        return hash;
    }

    /**
     * Stores the hash after a change: deletes the key when no field is left, otherwise writes the
     * record with the key's TTL and access clock kept (a new key's clock starts now).
     */
    void save() {
        store(keyspace, db, key, record, hash, nowMillis);
    }

    private static void store(Keyspace keyspace, int db, byte[] key, byte[] before, HashValue hash, long nowMillis) {
        if (hash.isEmpty()) {
            if (before != null) {
                keyspace.delete(db, key, nowMillis);
            }
            return;
        }
        int clock = before == null ? AccessClock.at(nowMillis) : Record.accessClockOf(before);
        long expireAt = before == null ? Record.NO_EXPIRY : Record.expireAtOf(before);
        byte[] payload = hash.encode();
        if (hash.isLarge()) {
            // A large hash's record: its pages' header, then the hash's own (the keyspace takes ownership).
            byte[] withPages = new byte[ObjectPages.SIZE + payload.length];
            ((ObjectPages) hash.pages()).encode(withPages, 0);
            System.arraycopy(payload, 0, withPages, ObjectPages.SIZE, payload.length);
            payload = withPages;
        }
        keyspace.putEncoded(db, key, Record.collection(ValueType.HASH, clock, expireAt, payload, hash.isLarge()).encode());
    }

    /** The hash in a record, only to read it; a large one reads its fields from {@code store} as needed. */
    static HashValue decode(KeyStore store, byte[] record) {
        return decode(store, record, HashValue.Limits.READ_ONLY);
    }

    private static HashValue decode(KeyStore store, byte[] record, HashValue.Limits limits) {
        int offset = Record.payloadOffset(record);
        if (Record.isPaged(record)) {
            return HashValue.openLarge(ObjectPages.decode(store, record, offset), record, offset + ObjectPages.SIZE);
        }
        return HashValue.decodeSmall(record, offset, limits, () -> ObjectPages.create(store));
    }

    /** OBJECT ENCODING of a hash's record, in Redis 7.4's names: listpack, listpackex or hashtable. */
    static String encoding(byte[] record) {
        if (Record.isPaged(record)) {
            return "hashtable";
        }
        return HashValue.fieldExpiryUsedOf(record, Record.payloadOffset(record)) ? "listpackex" : "listpack";
    }

    /**
     * Removes up to {@code limit} fields of the hash at {@code key} whose expiry is before
     * {@code nowMillis}, logging an HDEL for each, and deletes the key if no field is left. Does nothing
     * while the keyspace loads. O(1) when no field is due.
     *
     * @param record the key's live hash record
     * @return the number of fields removed
     */
    static int expireFields(Engine engine, int db, byte[] key, byte[] record, long nowMillis, int limit) {
        Keyspace keyspace = engine.keyspace();
        long next = Record.nextFieldExpiryOf(record);
        if (keyspace.loading() || next == HashField.NO_EXPIRY || next >= nowMillis || limit <= 0) {
            return 0;
        }
        HashValue hash = decode(keyspace.store(), record);
        List<byte[]> expired = hash.removeExpired(nowMillis, limit);
        for (byte[] field : expired) {
            engine.dispatcher().expiryEffect(new Effect(db, new byte[][]{HDEL, key, field}));
        }
        // The store below counts one change; each logged field is one.
        keyspace.addDirty(expired.size() - 1);
        // Whatever command opened the key, this store announces the expiry ("del" too if no field is left).
        Announcement commands = keyspace.events().announce(FIELDS_EXPIRED);
        store(keyspace, db, key, record, hash, nowMillis);
        keyspace.events().announce(commands);
        return expired.size();
    }
}
