package dev.millrace.engine.types;

import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * What each form of a hash ({@link SmallHash}, {@link LargeHash}) does; {@link HashValue} chooses the
 * form and converts between them. Field names are compared as bytes. Not thread-safe.
 */
interface HashForm {
    long size();

    /** The field, or null. */
    HashField get(byte[] name);

    /**
     * Sets a field's value.
     *
     * @param keepExpiry whether an existing field keeps its expiry (HINCRBY); otherwise it loses it (HSET)
     * @return whether the field is new
     */
    boolean put(byte[] name, byte[] value, boolean keepExpiry);

    /** @return whether the field existed */
    boolean remove(byte[] name);

    /** Sets or (with {@link HashField#NO_EXPIRY}) clears the expiry of a field that exists. */
    void setExpireAt(byte[] name, long expireAt);

    /** The field at a position of the iteration order, 0 to size - 1. */
    HashField at(long index);

    /** Every field in the form's order. */
    Iterator<HashField> iterator();

    /** The soonest field expiry, or {@link HashField#NO_EXPIRY}. */
    long nextExpiry();

    /**
     * Removes fields whose expiry is before {@code nowMillis}, soonest first, at most {@code limit}.
     *
     * @return the names removed
     */
    List<byte[]> removeExpired(long nowMillis, int limit);

    /**
     * One step of HSCAN: visits some fields from {@code cursor} on, about {@code count} of them, and
     * returns the cursor to continue from, 0 when done. A field present for a whole scan is visited.
     */
    long scan(long cursor, long count, Consumer<HashField> visitor);
}
