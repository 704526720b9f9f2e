package dev.millrace.storage.keyspace;

import net.openhft.chronicle.bytes.RandomDataInput;

/**
 * The byte layout of the keyspace map's entries (docs/storage-format.md, "Keyspace map"). Two kinds
 * of entry share one map:
 * <pre>
 *   key entry    map key   = 0x01, slot (unsigned LEB128 varint), user key bytes
 *                map value = record bytes, 0x00                        (inline record)
 *                          | version (8), length (8), chunks (4), 0x01   (chunked record)
 *   chunk entry  map key   = 0x02, version (8), chunk number (4)
 *                map value = up to {@link #CHUNK_SIZE} bytes of the record
 * </pre>
 * Integers are big-endian. The form byte is last so an inline record is read with a single copy.
 * A slot names one logical database's contents: SWAPDB exchanges slots, FLUSHDB takes a fresh one.
 * Versions are unique per store, so a chunked record's chunks never collide with another's.
 * Stateless.
 */
final class EntryLayout {
    static final byte TAG_KEY = 1;
    static final byte TAG_CHUNK = 2;
    static final byte FORM_INLINE = 0;
    static final byte FORM_CHUNKED = 1;
    /** Records above this size are split into chunk entries; Chronicle Map rejects entries of ~0.4-1.7 MB. */
    static final int INLINE_MAX = 64 * 1024;
    static final int CHUNK_SIZE = 64 * 1024;
    static final int DESCRIPTOR_SIZE = 8 + 8 + 4 + 1;

    private EntryLayout() {
    }

    static byte[] keyEntry(int slot, byte[] key) {
        int slotLen = varintLength(slot);
        byte[] out = new byte[1 + slotLen + key.length];
        out[0] = TAG_KEY;
        int pos = 1;
        int v = slot;
        while ((v & ~0x7f) != 0) {
            out[pos++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        System.arraycopy(key, 0, out, pos, key.length);
        return out;
    }

    static byte[] chunkEntry(long version, int chunk) {
        byte[] out = new byte[1 + 8 + 4];
        out[0] = TAG_CHUNK;
        putLong(out, 1, version);
        putInt(out, 9, chunk);
        return out;
    }

    /**
     * The slot of a key entry given as map-key bytes, or -1 for any other kind of entry (or a
     * malformed one).
     */
    static int slotOf(RandomDataInput bytes, long offset, long size) {
        if (size < 2 || bytes.readByte(offset) != TAG_KEY) {
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

    /** The user key of a key entry's map-key bytes (whose slot {@link #slotOf} returned). */
    static byte[] userKey(byte[] keyEntry) {
        int pos = 1;
        while ((keyEntry[pos] & 0x80) != 0) {
            pos++;
        }
        pos++;
        return java.util.Arrays.copyOfRange(keyEntry, pos, keyEntry.length);
    }

    static boolean isChunked(byte[] value) {
        return value[value.length - 1] == FORM_CHUNKED;
    }

    static byte[] inlineValue(byte[] record) {
        byte[] out = java.util.Arrays.copyOf(record, record.length + 1);
        out[record.length] = FORM_INLINE;
        return out;
    }

    static byte[] inlineRecord(byte[] value) {
        return java.util.Arrays.copyOf(value, value.length - 1);
    }

    /** A chunked record's directory: where its chunks are and how long it is. */
    record Descriptor(long version, long length, int chunks) {
        byte[] encode() {
            byte[] out = new byte[DESCRIPTOR_SIZE];
            putLong(out, 0, version);
            putLong(out, 8, length);
            putInt(out, 16, chunks);
            out[20] = FORM_CHUNKED;
            return out;
        }

        static Descriptor decode(byte[] value) {
            return new Descriptor(getLong(value, 0), getLong(value, 8), getInt(value, 16));
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
