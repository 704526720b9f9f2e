package dev.millrace.engine.types;

import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A Redis hash: field names to values, each field with an optional expiry of its own (Redis 7.4's
 * hash-field TTL), in one of two forms chosen as Redis chooses its encodings. A small hash
 * ({@link SmallHash}, Redis's listpack) lives inside the key's record, in insertion order; it turns
 * large ({@link LargeHash}, Redis's hashtable) for good when it gets more fields than
 * {@link Limits#maxEntries} or a name or value longer than {@link Limits#maxValueLength}, at the
 * moments Redis 7.0 converts. The large form keeps its fields in pages, and its record holds only
 * {@link #encode its header}.
 *
 * <p>Expired fields are not hidden here: the caller removes them ({@link #removeExpired}) before it
 * reads, so that their removal is logged.
 *
 * <p>Not thread-safe: the execution thread opens, changes and encodes a hash within one command.
 */
public final class HashValue {
    /**
     * The small form's limits, Redis's {@code hash-max-listpack-entries} and
     * {@code hash-max-listpack-value}.
     */
    public record Limits(long maxEntries, long maxValueLength) {
        /** For a hash that is only read: it never converts. */
        public static final Limits READ_ONLY = new Limits(Long.MAX_VALUE, Long.MAX_VALUE);
    }

    private final Limits limits;
    private final Supplier<? extends Pages> newPages;
    /** Exactly one of the two is set. */
    private SmallHash small;
    private LargeHash large;

    private HashValue(Limits limits, Supplier<? extends Pages> newPages, SmallHash small, LargeHash large) {
        this.limits = limits;
        this.newPages = newPages;
        this.small = small;
        this.large = large;
    }

    /**
     * A new, empty hash.
     *
     * @param newPages where a conversion to the large form gets its pages
     */
    public static HashValue empty(Limits limits, Supplier<? extends Pages> newPages) {
        return new HashValue(limits, newPages, new SmallHash(), null);
    }

    /** The small hash whose {@link #encode encoding} starts at {@code offset} of {@code bytes}. */
    public static HashValue decodeSmall(byte[] bytes, int offset, Limits limits, Supplier<? extends Pages> newPages) {
        return new HashValue(limits, newPages, SmallHash.decode(bytes, offset), null);
    }

    /** The large hash on {@code pages} whose {@link #encode header} starts at {@code offset} of {@code bytes}. */
    public static HashValue openLarge(Pages pages, byte[] bytes, int offset) {
        return new HashValue(Limits.READ_ONLY, null, null, LargeHash.open(pages, bytes, offset));
    }

    /**
     * The soonest field expiry of an encoded hash (small or large), read from its first bytes without
     * decoding it, or {@link HashField#NO_EXPIRY}: how active expiry finds hashes with fields to
     * remove in O(1).
     */
    public static long nextExpiryOf(byte[] bytes, int offset) {
        return (bytes[offset] & SmallHash.FLAG_EXPIRIES) != 0 ? Bytes.getLong(bytes, offset + 1) : HashField.NO_EXPIRY;
    }

    /** Whether an encoded small hash is a "listpackex" (see {@link #fieldExpiryUsed}), read in place. */
    public static boolean fieldExpiryUsedOf(byte[] bytes, int offset) {
        return (bytes[offset] & SmallHash.FLAG_FIELD_EXPIRY_USED) != 0;
    }

    /** The bytes to store: the whole hash when small, the header when large. */
    public byte[] encode() {
        return small != null ? small.encode() : large.encode();
    }

    /** Whether the hash has its large form (Redis's hashtable encoding). */
    public boolean isLarge() {
        return large != null;
    }

    /** The pages of a large hash. */
    public Pages pages() {
        return large.pages();
    }

    /**
     * Whether the field-expiry commands have set expiries on this small hash: Redis 7.4 then keeps it
     * as a "listpackex", which OBJECT ENCODING shows.
     */
    public boolean fieldExpiryUsed() {
        return small != null && small.fieldExpiryUsed();
    }

    /** Marks a small hash as one the field-expiry commands worked on (see {@link #fieldExpiryUsed}). */
    public void useFieldExpiry() {
        if (small != null) {
            small.useFieldExpiry();
        }
    }

    private HashForm form() {
        return small != null ? small : large;
    }

    public long size() {
        return form().size();
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** The field, or null. O(n) small, O(log n) large. */
    public HashField get(byte[] name) {
        return form().get(name);
    }

    /**
     * Before HSET or HSETNX writes arguments {@code from} to {@code to} (inclusive) of {@code args}:
     * a small hash turns large if one of them is longer than the limit, as Redis 7.0's
     * hashTypeTryConversion does (whatever becomes of them).
     */
    public void prepareFor(byte[][] args, int from, int to) {
        if (small == null) {
            return;
        }
        for (int i = from; i <= to; i++) {
            if (args[i].length > limits.maxValueLength()) {
                convert();
                return;
            }
        }
    }

    /**
     * Sets a field's value. A small hash turns large first when the name or value is longer than the
     * limit, and after when it has more fields than the limit.
     *
     * @param keepExpiry whether an existing field keeps its expiry (HINCRBY); otherwise it loses it (HSET)
     * @return whether the field is new
     */
    public boolean put(byte[] name, byte[] value, boolean keepExpiry) {
        if (small != null && (name.length > limits.maxValueLength() || value.length > limits.maxValueLength())) {
            convert();
        }
        boolean added = form().put(name, value, keepExpiry);
        if (small != null && small.size() > limits.maxEntries()) {
            convert();
        }
        return added;
    }

    /** @return whether the field existed */
    public boolean remove(byte[] name) {
        return form().remove(name);
    }

    /** Sets the expiry of a field that exists, in unix milliseconds. */
    public void setExpireAt(byte[] name, long expireAt) {
        form().setExpireAt(name, expireAt);
    }

    /** Clears the expiry of a field that exists. */
    public void persist(byte[] name) {
        form().setExpireAt(name, HashField.NO_EXPIRY);
    }

    /** The field at a position of {@link #iterator}'s order, 0 to size - 1: O(1) small, O(log n) large. */
    public HashField at(long index) {
        return form().at(index);
    }

    /**
     * Every field: when small in insertion order (expiring fields first, see {@link SmallHash}), when
     * large in the order of their names' hashes.
     */
    public Iterator<HashField> iterator() {
        return form().iterator();
    }

    /** The soonest field expiry, or {@link HashField#NO_EXPIRY}. */
    public long nextExpiry() {
        return form().nextExpiry();
    }

    /**
     * Removes fields whose expiry is before {@code nowMillis}, soonest first, at most {@code limit}.
     * O(n) small, O(removed log n) large.
     *
     * @return the names removed, for the caller to log
     */
    public List<byte[]> removeExpired(long nowMillis, int limit) {
        return form().removeExpired(nowMillis, limit);
    }

    /**
     * One step of HSCAN from {@code cursor}: visits about {@code count} fields (every field when small)
     * and returns the next cursor, 0 when done. A field present for a whole scan is visited.
     */
    public long scan(long cursor, long count, Consumer<HashField> visitor) {
        return form().scan(cursor, count, visitor);
    }

    /** Small to large, for good. O(n log n). */
    private void convert() {
        LargeHash converted = LargeHash.create(newPages.get());
        for (HashField field : small.fields()) {
            converted.put(field.name(), field.value(), false);
            if (field.hasExpiry()) {
                converted.setExpireAt(field.name(), field.expireAt());
            }
        }
        large = converted;
        small = null;
    }
}
