package dev.millrace.engine.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The large form of a hash (Redis's hashtable): fields in a {@link PagedTree} keyed by
 * {@link Hashing#hash64} of the name (8 bytes, big-endian) followed by the name, so the order is the
 * hash's and HSCAN's cursor is a position in it; and, once a field has had an expiry, a second tree
 * keyed by expiry (8 bytes) followed by the name, so the soonest expiry is found in O(log n).
 * Every single-field operation is O(log n); nothing reads the whole hash but iteration.
 *
 * <p>Field values in the tree: a tag byte (0: no expiry; 1: an 8-byte expiry follows), then the
 * value. Header (docs/storage-format.md), after the record's ObjectPages: a flags byte (bit 1: some
 * field has an expiry, and the soonest one follows as 8 bytes; bit 2: the expiry tree exists and
 * its root follows the fields tree's), then the tree roots. Integers are big-endian.
 *
 * <p>Not thread-safe.
 */
final class LargeHash implements HashForm {
    static final int FLAG_EXPIRY_TREE = 4;
    private static final int HASH_BYTES = 8;
    private static final byte NO_EXPIRY_TAG = 0;
    private static final byte EXPIRY_TAG = 1;
    private static final byte[] EMPTY = new byte[0];

    private final Pages pages;
    private final PagedTree fields;
    /** Field expiries, created the first time a field gets one; null before. */
    private PagedTree expiries;

    private LargeHash(Pages pages, PagedTree fields, PagedTree expiries) {
        this.pages = pages;
        this.fields = fields;
        this.expiries = expiries;
    }

    /** A new, empty large hash on fresh pages. */
    static LargeHash create(Pages pages) {
        return new LargeHash(pages, PagedTree.create(pages), null);
    }

    /** The large hash whose {@link #encode header} starts at {@code offset}. */
    static LargeHash open(Pages pages, byte[] bytes, int offset) {
        int flags = bytes[offset];
        int at = offset + 1 + ((flags & SmallHash.FLAG_EXPIRIES) != 0 ? 8 : 0);
        PagedTree fields = new PagedTree(pages, PagedTree.Root.decode(bytes, at));
        PagedTree expiries = (flags & FLAG_EXPIRY_TREE) != 0
                ? new PagedTree(pages, PagedTree.Root.decode(bytes, at + PagedTree.Root.SIZE)) : null;
        return new LargeHash(pages, fields, expiries);
    }

    /** The header to store: flags, soonest expiry, tree roots. */
    byte[] encode() {
        long next = nextExpiry();
        boolean hasNext = next != HashField.NO_EXPIRY;
        byte[] out = new byte[1 + (hasNext ? 8 : 0) + PagedTree.Root.SIZE * (expiries == null ? 1 : 2)];
        out[0] = (byte) ((hasNext ? SmallHash.FLAG_EXPIRIES : 0) | (expiries == null ? 0 : FLAG_EXPIRY_TREE));
        int at = 1;
        if (hasNext) {
            Bytes.putLong(out, at, next);
            at += 8;
        }
        fields.root().encode(out, at);
        if (expiries != null) {
            expiries.root().encode(out, at + PagedTree.Root.SIZE);
        }
        return out;
    }

    Pages pages() {
        return pages;
    }

    @Override
    public long size() {
        return fields.size();
    }

    @Override
    public HashField get(byte[] name) {
        byte[] stored = fields.get(fieldKey(name));
        return stored == null ? null : field(name, stored);
    }

    @Override
    public boolean put(byte[] name, byte[] value, boolean keepExpiry) {
        byte[] key = fieldKey(name);
        // One descent in the common case (no expiry): write first, then mend an expiry found.
        byte[] previous = fields.put(key, stored(value, HashField.NO_EXPIRY));
        long expireAt = previous == null ? HashField.NO_EXPIRY : expireAtOf(previous);
        if (expireAt != HashField.NO_EXPIRY) {
            if (keepExpiry) {
                fields.put(key, stored(value, expireAt));
            } else {
                expiries.remove(expiryKey(expireAt, name));
            }
        }
        return previous == null;
    }

    @Override
    public boolean remove(byte[] name) {
        byte[] previous = fields.remove(fieldKey(name));
        if (previous == null) {
            return false;
        }
        long expireAt = expireAtOf(previous);
        if (expireAt != HashField.NO_EXPIRY) {
            expiries.remove(expiryKey(expireAt, name));
        }
        return true;
    }

    @Override
    public void setExpireAt(byte[] name, long expireAt) {
        byte[] key = fieldKey(name);
        HashField field = field(name, fields.get(key));
        if (field.hasExpiry()) {
            expiries.remove(expiryKey(field.expireAt(), name));
        }
        if (expireAt != HashField.NO_EXPIRY) {
            if (expiries == null) {
                expiries = PagedTree.create(pages);
            }
            expiries.put(expiryKey(expireAt, name), EMPTY);
        }
        fields.put(key, stored(field.value(), expireAt));
    }

    @Override
    public HashField at(long index) {
        return field(fields.get(index));
    }

    @Override
    public Iterator<HashField> iterator() {
        Iterator<PagedTree.Entry> entries = fields.iterator(0);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public HashField next() {
                return field(entries.next());
            }
        };
    }

    @Override
    public long nextExpiry() {
        return expiries == null || expiries.size() == 0 ? HashField.NO_EXPIRY : Bytes.getLong(expiries.get(0).key(), 0);
    }

    @Override
    public List<byte[]> removeExpired(long nowMillis, int limit) {
        List<byte[]> names = new ArrayList<>();
        while (names.size() < limit && expiries != null && expiries.size() > 0) {
            byte[] key = expiries.get(0).key();
            if (Bytes.getLong(key, 0) >= nowMillis) {
                break;
            }
            expiries.removeAt(0);
            byte[] name = Arrays.copyOfRange(key, 8, key.length);
            fields.remove(fieldKey(name));
            names.add(name);
        }
        return names;
    }

    /**
     * Visits {@code count} fields from the first whose hash is at least {@code cursor} (unsigned), and
     * the fields after them that share the last one's hash, so a cursor never splits equal hashes;
     * returns the next field's hash, 0 at the end. The first step (cursor 0) visits every field of
     * hash 0, so a returned cursor is never 0 by accident. O(log n + count).
     */
    @Override
    public long scan(long cursor, long count, Consumer<HashField> visitor) {
        byte[] start = new byte[HASH_BYTES];
        Bytes.putLong(start, 0, cursor);
        Iterator<PagedTree.Entry> entries = fields.iterator(fields.rank(start));
        long visited = 0;
        long lastHash = 0;
        while (entries.hasNext()) {
            PagedTree.Entry entry = entries.next();
            long hash = Bytes.getLong(entry.key(), 0);
            if (visited >= count && hash != lastHash) {
                return hash;
            }
            visitor.accept(field(entry));
            visited++;
            lastHash = hash;
        }
        return 0;
    }

    // ---- keys and values ----------------------------------------------------------------------

    private static byte[] fieldKey(byte[] name) {
        byte[] key = new byte[HASH_BYTES + name.length];
        Bytes.putLong(key, 0, Hashing.hash64(name));
        System.arraycopy(name, 0, key, HASH_BYTES, name.length);
        return key;
    }

    private static byte[] expiryKey(long expireAt, byte[] name) {
        byte[] key = new byte[8 + name.length];
        Bytes.putLong(key, 0, expireAt);
        System.arraycopy(name, 0, key, 8, name.length);
        return key;
    }

    private static byte[] stored(byte[] value, long expireAt) {
        if (expireAt == HashField.NO_EXPIRY) {
            byte[] out = new byte[1 + value.length];
            out[0] = NO_EXPIRY_TAG;
            System.arraycopy(value, 0, out, 1, value.length);
            return out;
        }
        byte[] out = new byte[9 + value.length];
        out[0] = EXPIRY_TAG;
        Bytes.putLong(out, 1, expireAt);
        System.arraycopy(value, 0, out, 9, value.length);
        return out;
    }

    private static long expireAtOf(byte[] stored) {
        return stored[0] == EXPIRY_TAG ? Bytes.getLong(stored, 1) : HashField.NO_EXPIRY;
    }

    private static HashField field(byte[] name, byte[] stored) {
        int valueAt = stored[0] == EXPIRY_TAG ? 9 : 1;
        return new HashField(name, Arrays.copyOfRange(stored, valueAt, stored.length), expireAtOf(stored));
    }

    private static HashField field(PagedTree.Entry entry) {
        byte[] key = entry.key();
        return field(Arrays.copyOfRange(key, HASH_BYTES, key.length), entry.value());
    }
}
