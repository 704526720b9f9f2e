package dev.millrace.engine.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The small form of a hash (Redis's listpack, and its 7.4 "listpackex" variant once field expiry was
 * used on it): every field in a list, encoded into the key's record. Operations are O(n) in the
 * fields, as on Redis's listpack, and the hash is small by definition.
 *
 * <p>Order is Redis's listpack order, which HGETALL, HKEYS, HVALS, HSCAN and HRANDFIELD show: fields
 * with an expiry come first, soonest first (a field whose expiry is set goes before the fields that
 * already expire at the same time), then the fields without one in the order they were added or lost
 * their expiry. A new field is appended; overwriting a field keeps its place unless the overwrite
 * clears its expiry, which moves it to the end.
 *
 * <p>Encoding (see docs/storage-format.md): a flags byte (bit 0: field expiry was used on the hash;
 * bit 1: fields carry expiries), the soonest field expiry (8 bytes, only with bit 1), the field
 * count (unsigned LEB128), then per field its name and value (each LEB128 length and bytes) and,
 * with bit 1, its expiry (8 bytes, -1 for none). Integers are big-endian.
 *
 * <p>Not thread-safe.
 */
final class SmallHash implements HashForm {
    static final int FLAG_FIELD_EXPIRY_USED = 1;
    static final int FLAG_EXPIRIES = 2;

    private final List<HashField> fields;
    private boolean fieldExpiryUsed;

    SmallHash() {
        this(new ArrayList<>(), false);
    }

    private SmallHash(List<HashField> fields, boolean fieldExpiryUsed) {
        this.fields = fields;
        this.fieldExpiryUsed = fieldExpiryUsed;
    }

    static SmallHash decode(byte[] bytes, int offset) {
        int flags = bytes[offset];
        boolean expiries = (flags & FLAG_EXPIRIES) != 0;
        int[] at = {offset + 1 + (expiries ? 8 : 0)};
        int count = (int) readVarint(bytes, at);
        List<HashField> fields = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] name = readBytes(bytes, at);
            byte[] value = readBytes(bytes, at);
            long expireAt = HashField.NO_EXPIRY;
            if (expiries) {
                expireAt = Bytes.getLong(bytes, at[0]);
                at[0] += 8;
            }
            fields.add(new HashField(name, value, expireAt));
        }
        return new SmallHash(fields, (flags & FLAG_FIELD_EXPIRY_USED) != 0);
    }

    byte[] encode() {
        long next = nextExpiry();
        boolean expiries = next != HashField.NO_EXPIRY;
        int size = 1 + (expiries ? 8 : 0) + Bytes.varintLength(fields.size());
        for (HashField field : fields) {
            size += Bytes.varintLength(field.name().length) + field.name().length
                    + Bytes.varintLength(field.value().length) + field.value().length + (expiries ? 8 : 0);
        }
        byte[] out = new byte[size];
        out[0] = (byte) ((fieldExpiryUsed ? FLAG_FIELD_EXPIRY_USED : 0) | (expiries ? FLAG_EXPIRIES : 0));
        int at = 1;
        if (expiries) {
            Bytes.putLong(out, at, next);
            at += 8;
        }
        at = Bytes.putVarint(out, at, fields.size());
        for (HashField field : fields) {
            at = putBytes(out, at, field.name());
            at = putBytes(out, at, field.value());
            if (expiries) {
                Bytes.putLong(out, at, field.expireAt());
                at += 8;
            }
        }
        return out;
    }

    boolean fieldExpiryUsed() {
        return fieldExpiryUsed;
    }

    void useFieldExpiry() {
        fieldExpiryUsed = true;
    }

    @Override
    public long size() {
        return fields.size();
    }

    @Override
    public HashField get(byte[] name) {
        int i = indexOf(name);
        return i < 0 ? null : fields.get(i);
    }

    @Override
    public boolean put(byte[] name, byte[] value, boolean keepExpiry) {
        int i = indexOf(name);
        if (i < 0) {
            fields.add(new HashField(name, value, HashField.NO_EXPIRY));
            return true;
        }
        HashField old = fields.get(i);
        if (keepExpiry || !old.hasExpiry()) {
            fields.set(i, old.withValue(value));
        } else {
            fields.remove(i);
            fields.add(new HashField(name, value, HashField.NO_EXPIRY));
        }
        return false;
    }

    @Override
    public boolean remove(byte[] name) {
        int i = indexOf(name);
        if (i < 0) {
            return false;
        }
        fields.remove(i);
        return true;
    }

    @Override
    public void setExpireAt(byte[] name, long expireAt) {
        int i = indexOf(name);
        HashField field = fields.remove(i).withExpireAt(expireAt);
        if (expireAt == HashField.NO_EXPIRY) {
            fields.add(field);
            return;
        }
        int at = 0;
        while (at < fields.size() && fields.get(at).hasExpiry() && fields.get(at).expireAt() < expireAt) {
            at++;
        }
        fields.add(at, field);
    }

    @Override
    public HashField at(long index) {
        return fields.get((int) index);
    }

    @Override
    public Iterator<HashField> iterator() {
        return fields.iterator();
    }

    @Override
    public long nextExpiry() {
        return fields.isEmpty() ? HashField.NO_EXPIRY : fields.get(0).expireAt();
    }

    @Override
    public List<byte[]> removeExpired(long nowMillis, int limit) {
        int n = 0;
        while (n < fields.size() && n < limit && fields.get(n).expiredAt(nowMillis)) {
            n++;
        }
        List<HashField> expired = fields.subList(0, n);
        List<byte[]> names = new ArrayList<>(n);
        expired.forEach(f -> names.add(f.name()));
        expired.clear();
        return names;
    }

    /** Every field, for a conversion to the large form. */
    List<HashField> fields() {
        return fields;
    }

    /** The whole hash in one step, cursor 0: Redis's listpack ignores COUNT. */
    @Override
    public long scan(long cursor, long count, Consumer<HashField> visitor) {
        fields.forEach(visitor);
        return 0;
    }

    private int indexOf(byte[] name) {
        for (int i = 0; i < fields.size(); i++) {
            if (Arrays.equals(fields.get(i).name(), name)) {
                return i;
            }
        }
        return -1;
    }

    // ---- encoding helpers -------------------------------------------------------------------------

    private static int putBytes(byte[] out, int at, byte[] bytes) {
        at = Bytes.putVarint(out, at, bytes.length);
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    private static long readVarint(byte[] b, int[] at) {
        long v = 0;
        int shift = 0;
        while (true) {
            int c = b[at[0]++] & 0xff;
            v |= (long) (c & 0x7F) << shift;
            if (c < 0x80) {
                return v;
            }
            shift += 7;
        }
    }

    private static byte[] readBytes(byte[] b, int[] at) {
        int length = (int) readVarint(b, at);
        byte[] out = Arrays.copyOfRange(b, at[0], at[0] + length);
        at[0] += length;
        return out;
    }
}
