package dev.millrace.engine.types;

import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A Redis hash: field names to values, each field with an optional expiry of its own (Redis 7.4's
 * hash-field TTL). Small hashes live inside the key's record ({@link SmallHash}, Redis's listpack);
 * the commands family stores what {@link #encode} returns.
 *
 * <p>Expired fields are not hidden here: the caller removes them ({@link #removeExpired}) before it
 * reads, so that their removal is logged.
 *
 * <p>Not thread-safe: the execution thread opens, changes and encodes a hash within one command.
 */
public final class HashValue {
    private final SmallHash form;

    private HashValue(SmallHash form) {
        this.form = form;
    }

    /** A new, empty hash. */
    public static HashValue empty() {
        return new HashValue(new SmallHash());
    }

    /** The hash whose {@link #encode encoding} starts at {@code offset} of {@code bytes}. */
    public static HashValue decode(byte[] bytes, int offset) {
        return new HashValue(SmallHash.decode(bytes, offset));
    }

    /**
     * The soonest field expiry of an encoded hash, read from its first bytes without decoding it, or
     * {@link HashField#NO_EXPIRY}: how active expiry finds hashes with fields to remove in O(1).
     */
    public static long nextExpiryOf(byte[] bytes, int offset) {
        return (bytes[offset] & SmallHash.FLAG_EXPIRIES) != 0 ? Bytes.getLong(bytes, offset + 1) : HashField.NO_EXPIRY;
    }

    /** The bytes to store. */
    public byte[] encode() {
        return form.encode();
    }

    /**
     * Whether the field-expiry commands have set expiries on this small hash: Redis 7.4 then keeps it
     * as a "listpackex", which OBJECT ENCODING shows.
     */
    public boolean fieldExpiryUsed() {
        return form.fieldExpiryUsed();
    }

    /** Marks the hash as one the field-expiry commands set expiries on (see {@link #fieldExpiryUsed}). */
    public void useFieldExpiry() {
        form.useFieldExpiry();
    }

    /** Whether the hash has its large form (Redis's hashtable encoding). */
    public boolean isLarge() {
        return false;
    }

    public long size() {
        return form.size();
    }

    public boolean isEmpty() {
        return form.size() == 0;
    }

    /** The field, or null. */
    public HashField get(byte[] name) {
        return form.get(name);
    }

    /**
     * Sets a field's value.
     *
     * @param keepExpiry whether an existing field keeps its expiry (HINCRBY); otherwise it loses it (HSET)
     * @return whether the field is new
     */
    public boolean put(byte[] name, byte[] value, boolean keepExpiry) {
        return form.put(name, value, keepExpiry);
    }

    /** @return whether the field existed */
    public boolean remove(byte[] name) {
        return form.remove(name);
    }

    /** Sets the expiry of a field that exists, in unix milliseconds. */
    public void setExpireAt(byte[] name, long expireAt) {
        form.setExpireAt(name, expireAt);
    }

    /** Clears the expiry of a field that exists. */
    public void persist(byte[] name) {
        form.setExpireAt(name, HashField.NO_EXPIRY);
    }

    /** The field at a position of {@link #iterator}'s order, 0 to size - 1: O(1) small, O(log n) large. */
    public HashField at(long index) {
        return form.at(index);
    }

    /** Every field: in insertion order (with expiring fields first, see {@link SmallHash}) when small. */
    public Iterator<HashField> iterator() {
        return form.iterator();
    }

    /** The soonest field expiry, or {@link HashField#NO_EXPIRY}. */
    public long nextExpiry() {
        return form.nextExpiry();
    }

    /**
     * Removes fields whose expiry is before {@code nowMillis}, soonest first, at most {@code limit}.
     *
     * @return the names removed, for the caller to log
     */
    public List<byte[]> removeExpired(long nowMillis, int limit) {
        return form.removeExpired(nowMillis, limit);
    }

    /**
     * One step of HSCAN from {@code cursor}: visits about {@code count} fields (every field when small)
     * and returns the next cursor, 0 when done. A field present for a whole scan is visited.
     */
    public long scan(long cursor, long count, Consumer<HashField> visitor) {
        return form.scan(cursor, count, visitor);
    }
}
