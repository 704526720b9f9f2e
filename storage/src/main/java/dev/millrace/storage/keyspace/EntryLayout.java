package dev.millrace.storage.keyspace;

import net.openhft.chronicle.bytes.RandomDataInput;

/**
 * The byte layout of the keyspace map's entries (docs/storage-format.md, "Keyspace map"). These
 * kinds of entry share one map:
 * <pre>
 *   key entry    map key   = 0x01, slot (unsigned LEB128 varint), user key bytes
 *                map value = body, [owner trailer], form byte
 *   long key     map key   = 0x04, slot, SHA-256 of the user key         (keys over {@link #INLINE_MAX})
 *                map value = as a key entry's
 *   key name     map key   = 0x05, slot, SHA-256 of the user key         (one per long key)
 *                map value = the user key as a body, form byte            (never an owner)
 *   page entry   map key   = 0x03, object id (8), page number (8)
 *                map value = body, form byte                             (never an owner)
 *   chunk entry  map key   = 0x02, version (8), chunk number (4)
 *                map value = up to {@link #CHUNK_SIZE} bytes of a record, page or key name
 *
 *   body          = the record or page bytes                            (form bit 0 clear: inline)
 *                 | version (8), length (8), chunks (4)                 (form bit 0 set: chunked)
 *   owner trailer = object id (8), page limit (8)                       (form bit 1 set)
 * </pre>
 * So the form byte is 0x00 inline, 0x01 chunked, 0x02 inline owner, 0x03 chunked owner. Integers are
 * big-endian. The form byte is last and the body first, so an inline value is read with a single
 * copy and patched at record offsets in place. A value is inline only when it and its map key fit
 * in {@link #INLINE_MAX} together, so that every entry fits in a segment tier whatever its key's
 * length (Chronicle Map refuses a larger entry). A key longer than that is found by its digest: its
 * entry would not fit a tier, and its name entry keeps the key for SCAN and RANDOMKEY. A slot names one logical database's contents:
 * SWAPDB exchanges slots, FLUSHDB takes a fresh one. Versions are unique per store, so one value's
 * chunks never collide with another's; object ids are unique per store too. Stateless.
 */
final class EntryLayout {
    static final byte TAG_KEY = 1;
    static final byte TAG_CHUNK = 2;
    static final byte TAG_PAGE = 3;
    static final byte TAG_LONG_KEY = 4;
    static final byte TAG_KEY_NAME = 5;
    static final byte FORM_INLINE = 0;
    /** Form bit: the body is a {@link Descriptor} of chunk entries. */
    static final byte FORM_CHUNKED = 1;
    /** Form bit: an {@link Owned} trailer precedes the form byte. */
    static final byte FORM_OWNER = 2;
    /** Values above this size are split into chunk entries; Chronicle Map rejects entries of ~0.4-1.7 MB. */
    static final int INLINE_MAX = 64 * 1024;
    static final int CHUNK_SIZE = 64 * 1024;
    static final int DESCRIPTOR_SIZE = 8 + 8 + 4;
    static final int OWNER_SIZE = 8 + 8;
    /** No object: object ids start at 1. */
    static final long NO_OBJECT = 0;

    private EntryLayout() {
    }

    /** The map key of a user key in a slot: its bytes, or for a key over {@link #INLINE_MAX} their digest. */
    static byte[] keyEntry(int slot, byte[] key) {
        return key.length > INLINE_MAX ? slotted(TAG_LONG_KEY, slot, sha256(key)) : slotted(TAG_KEY, slot, key);
    }

    static boolean isLongKey(byte[] keyEntry) {
        return keyEntry[0] == TAG_LONG_KEY;
    }

    /** The map key of the entry that holds a long key's name. */
    static byte[] nameEntry(byte[] longKeyEntry) {
        byte[] out = longKeyEntry.clone();
        out[0] = TAG_KEY_NAME;
        return out;
    }

    private static byte[] slotted(byte tag, int slot, byte[] bytes) {
        int slotLen = varintLength(slot);
        byte[] out = new byte[1 + slotLen + bytes.length];
        out[0] = tag;
        int pos = 1;
        int v = slot;
        while ((v & ~0x7f) != 0) {
            out[pos++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        System.arraycopy(bytes, 0, out, pos, bytes.length);
        return out;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    static byte[] chunkEntry(long version, int chunk) {
        byte[] out = new byte[1 + 8 + 4];
        out[0] = TAG_CHUNK;
        putLong(out, 1, version);
        putInt(out, 9, chunk);
        return out;
    }

    static byte[] pageEntry(long objectId, long page) {
        byte[] out = new byte[1 + 8 + 8];
        out[0] = TAG_PAGE;
        putLong(out, 1, objectId);
        putLong(out, 9, page);
        return out;
    }

    /**
     * The slot of a key entry (short or long) given as map-key bytes, or -1 for any other kind of
     * entry (or a malformed one).
     */
    static int keySlotOf(RandomDataInput bytes, long offset, long size) {
        byte tag = size < 2 ? 0 : bytes.readByte(offset);
        return tag == TAG_KEY || tag == TAG_LONG_KEY ? slotOf(bytes, offset, size) : -1;
    }

    /**
     * The slot of an entry that belongs to a database (a key entry, short or long, or a key name)
     * given as map-key bytes, or -1 for any other kind of entry (or a malformed one).
     */
    static int slotOf(RandomDataInput bytes, long offset, long size) {
        byte tag = size < 2 ? 0 : bytes.readByte(offset);
        if (tag != TAG_KEY && tag != TAG_LONG_KEY && tag != TAG_KEY_NAME) {
            return -1;
        }
        int slot = 0;
        for (int i = 0; i < 5 && 1 + i < size; i++) {
            int b = bytes.readByte(offset + 1 + i) & 0xff;
            slot |= (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return slot;
            }
        }
        return -1;
    }

    /** The user key of a short key entry's map-key bytes (whose slot {@link #keySlotOf} returned). */
    static byte[] shortUserKey(byte[] keyEntry) {
        int pos = 1;
        while ((keyEntry[pos] & 0x80) != 0) {
            pos++;
        }
        pos++;
        return java.util.Arrays.copyOfRange(keyEntry, pos, keyEntry.length);
    }

    // ---------------------------------------------------------------- values of key and page entries

    /** Whether {@code bytes} go inline in the value of {@code mapKey}: the two fit in {@link #INLINE_MAX} together. */
    static boolean fitsInline(byte[] mapKey, int bytes) {
        return mapKey.length + (long) bytes <= INLINE_MAX;
    }

    /** Bytes after the body: the owner trailer, if any, and the form byte. */
    static int trailerSize(byte form) {
        return (form & FORM_OWNER) != 0 ? OWNER_SIZE + 1 : 1;
    }

    static boolean isChunked(byte[] value) {
        return (value[value.length - 1] & FORM_CHUNKED) != 0;
    }

    /** A value holding {@code bytes} whole, owning {@code owned} (or nothing when null). One copy. */
    static byte[] inlineValue(byte[] bytes, Owned owned) {
        return withTrailer(bytes, FORM_INLINE, owned);
    }

    /** A value whose bytes are in the chunk entries {@code d} names, owning {@code owned} (or nothing). */
    static byte[] chunkedValue(Descriptor d, Owned owned) {
        byte[] body = new byte[DESCRIPTOR_SIZE];
        putLong(body, 0, d.version());
        putLong(body, 8, d.length());
        putInt(body, 16, d.chunks());
        return withTrailer(body, FORM_CHUNKED, owned);
    }

    private static byte[] withTrailer(byte[] body, byte form, Owned owned) {
        if (owned != null) {
            form |= FORM_OWNER;
        }
        byte[] out = java.util.Arrays.copyOf(body, body.length + trailerSize(form));
        if (owned != null) {
            putLong(out, body.length, owned.objectId());
            putLong(out, body.length + 8, owned.pageLimit());
        }
        out[out.length - 1] = form;
        return out;
    }

    /** The bytes of an inline value (without its trailer). */
    static byte[] inlineBytes(byte[] value) {
        return java.util.Arrays.copyOf(value, value.length - trailerSize(value[value.length - 1]));
    }

    /** The object a value owns, or {@link #NO_OBJECT}. */
    static long ownedObject(byte[] value) {
        byte form = value[value.length - 1];
        return (form & FORM_OWNER) != 0 ? getLong(value, value.length - 1 - OWNER_SIZE) : NO_OBJECT;
    }

    /** A chunked value's directory: where its chunks are and how long its bytes are. */
    record Descriptor(long version, long length, int chunks) {
        /** The descriptor at the start of a chunked value (given whole, or as its first {@link #DESCRIPTOR_SIZE} bytes). */
        static Descriptor decode(byte[] value) {
            return new Descriptor(getLong(value, 0), getLong(value, 8), getInt(value, 16));
        }
    }

    /** An owner record's claim: the pages of {@code objectId} numbered below {@code pageLimit}. */
    record Owned(long objectId, long pageLimit) {
        /** The trailer as its {@link #OWNER_SIZE} bytes. */
        static Owned decode(byte[] trailer) {
            return new Owned(getLong(trailer, 0), getLong(trailer, 8));
        }
    }

    private static int varintLength(int v) {
        int n = 1;
        while ((v & ~0x7f) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    static void putInt(byte[] b, int at, int v) {
        for (int i = 3; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static int getInt(byte[] b, int at) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }
}
