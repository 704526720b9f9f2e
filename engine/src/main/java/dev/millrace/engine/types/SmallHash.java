package dev.millrace.engine.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The small form of a hash (Redis's listpack, and its 7.4 "listpackex" variant once field expiry was
 * used on it): every field encoded into the key's record. Operations are O(n) in the fields, as on
 * Redis's listpack, and the hash is small by definition. While no field expires, HGET, HSET and HDEL
 * work on the encoding itself (a scan and one splice); what needs the fields as objects (iteration,
 * field expiry) decodes them into a list once.
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

    /**
     * While no field carries an expiry and no operation has needed the fields as objects: the
     * encoding, {@code enc[start, enc.length)}. It is the record's own array until the first change,
     * which copies it (each change makes one new array with the change spliced in), so HGET, HSET and
     * HDEL work on the bytes in place, with no object per field. Null once {@link #fields} is used.
     */
    private byte[] enc;
    private int start;
    /** The fields as objects, once an operation needed them (iteration, expiries); then enc is null. */
    private List<HashField> fields;
    private boolean fieldExpiryUsed;

    SmallHash() {
        this.enc = new byte[]{0, 0};
    }

    static SmallHash decode(byte[] bytes, int offset) {
        SmallHash hash = new SmallHash();
        hash.enc = bytes;
        hash.start = offset;
        hash.fieldExpiryUsed = (bytes[offset] & FLAG_FIELD_EXPIRY_USED) != 0;
        if ((bytes[offset] & FLAG_EXPIRIES) != 0) {
            hash.fields();
        }
        return hash;
    }

    /** The fields as objects: decodes the encoding the first time, and the list is the hash from then on. */
    List<HashField> fields() {
        if (fields != null) {
            return fields;
        }
        byte[] bytes = enc;
        boolean expiries = (bytes[start] & FLAG_EXPIRIES) != 0;
        int[] at = {start + 1 + (expiries ? 8 : 0)};
        int count = (int) readVarint(bytes, at);
        List<HashField> decoded = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] name = readBytes(bytes, at);
            byte[] value = readBytes(bytes, at);
            long expireAt = HashField.NO_EXPIRY;
            if (expiries) {
                expireAt = Bytes.getLong(bytes, at[0]);
                at[0] += 8;
            }
            decoded.add(new HashField(name, value, expireAt));
        }
        fields = decoded;
        enc = null;
        return decoded;
    }

    byte[] encode() {
        if (fields == null) {
            // changes never write into enc (each makes a new array), so it can be handed out as it is
            byte flags = (byte) (fieldExpiryUsed ? FLAG_FIELD_EXPIRY_USED : 0);
            if (start == 0 && enc[0] == flags) {
                return enc;
            }
            byte[] out = Arrays.copyOfRange(enc, start, enc.length);
            out[0] = flags;
            return out;
        }
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
        return fields != null ? fields.size() : readVarint(enc, new int[]{start + 1});
    }

    @Override
    public HashField get(byte[] name) {
        if (fields == null) {
            int at = find(name);
            if (at < 0) {
                return null;
            }
            int[] pos = {at};
            readVarint(enc, pos);
            pos[0] += name.length;
            return new HashField(name, readBytes(enc, pos), HashField.NO_EXPIRY);
        }
        int i = indexOf(name);
        return i < 0 ? null : fields.get(i);
    }

    @Override
    public boolean put(byte[] name, byte[] value, boolean keepExpiry) {
        if (fields == null) {
            int at = find(name);
            if (at < 0) {
                splice(enc.length, enc.length, name, value, 1);
                return true;
            }
            splice(at, entryEnd(at), name, value, 0); // no field has an expiry to keep or lose
            return false;
        }
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
        if (fields == null) {
            int at = find(name);
            if (at < 0) {
                return false;
            }
            splice(at, entryEnd(at), null, null, -1);
            return true;
        }
        int i = indexOf(name);
        if (i < 0) {
            return false;
        }
        fields.remove(i);
        return true;
    }

    @Override
    public void setExpireAt(byte[] name, long expireAt) {
        List<HashField> fields = fields();
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
        return fields().get((int) index);
    }

    @Override
    public Iterator<HashField> iterator() {
        return fields().iterator();
    }

    @Override
    public long nextExpiry() {
        if (fields == null) {
            return HashField.NO_EXPIRY; // the encoded form is kept only while no field expires
        }
        return fields.isEmpty() ? HashField.NO_EXPIRY : fields.get(0).expireAt();
    }

    @Override
    public List<byte[]> removeExpired(long nowMillis, int limit) {
        if (fields == null) {
            return List.of();
        }
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

    // ---- the encoded form, without expiries: flags, varint count, then varint-prefixed name and value per field

    /** Where the entry of field {@code name} starts in {@link #enc}, or -1. */
    private int find(byte[] name) {
        byte[] b = enc;
        int[] pos = {start + 1};
        int count = (int) readVarint(b, pos);
        for (int i = 0; i < count; i++) {
            int entry = pos[0];
            int nameLength = (int) readVarint(b, pos);
            int nameStart = pos[0];
            pos[0] = nameStart + nameLength;
            int valueLength = (int) readVarint(b, pos);
            if (Arrays.equals(b, nameStart, nameStart + nameLength, name, 0, name.length)) {
                return entry;
            }
            pos[0] += valueLength;
        }
        return -1;
    }

    /** Where the entry starting at {@code at} ends. */
    private int entryEnd(int at) {
        int[] pos = {at};
        int nameLength = (int) readVarint(enc, pos);
        pos[0] += nameLength;
        int valueLength = (int) readVarint(enc, pos);
        return pos[0] + valueLength;
    }

    /**
     * Replaces {@code enc[from, to)} with the entry (name, value), or nothing when name is null, and
     * adds {@code countDelta} to the count: one new array holding the header, the bytes before, the
     * entry and the bytes after.
     */
    private void splice(int from, int to, byte[] name, byte[] value, int countDelta) {
        int[] pos = {start + 1};
        int count = (int) readVarint(enc, pos);
        int entriesStart = pos[0];
        int newCount = count + countDelta;
        int entryLength = name == null ? 0 : Bytes.varintLength(name.length) + name.length
                + Bytes.varintLength(value.length) + value.length;
        int headerLength = 1 + Bytes.varintLength(newCount);
        byte[] out = new byte[headerLength + (from - entriesStart) + entryLength + (enc.length - to)];
        out[0] = enc[start];
        int at = Bytes.putVarint(out, 1, newCount);
        System.arraycopy(enc, entriesStart, out, at, from - entriesStart);
        at += from - entriesStart;
        if (name != null) {
            at = putBytes(out, at, name);
            at = putBytes(out, at, value);
        }
        System.arraycopy(enc, to, out, at, enc.length - to);
        enc = out;
        start = 0;
    }

    /** The whole hash in one step, cursor 0: Redis's listpack ignores COUNT. */
    @Override
    public long scan(long cursor, long count, Consumer<HashField> visitor) {
        fields().forEach(visitor);
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
