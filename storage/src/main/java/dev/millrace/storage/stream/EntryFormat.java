package dev.millrace.storage.stream;

import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.types.Bytes;

import java.util.Arrays;

/**
 * The byte layout of a stream log excerpt (docs/storage-format.md, "Stream logs"), one excerpt per
 * entry, encoded into an array and written (and read) as one block, because Chronicle's checks per
 * {@code writeLong} call cost more than the bytes. Version 2, written since the seventh session,
 * spells every number as an unsigned LEB128 varint:
 * <pre>
 *   byte    0xC2            version 2 (a version-1 excerpt starts with its entry number's top byte, 0)
 *   varint  entry number    1, 2, 3 ... (dense within the log)
 *   varint  ID ms, ID seq   unsigned
 *   varint  bytes before    the {@link StreamEntry#size} of every entry numbered below this one, from
 *                           the log's first entry ever (retention by size reads a range's bytes from
 *                           two excerpts)
 *   varint  size            this entry's {@link StreamEntry#size} (a header read gives bytes after)
 *   varint  element count   the length of fieldsAndValues (field, value, field, value ...)
 *   per element: varint length, bytes
 * </pre>
 * An {@code XADD s * f v} excerpt takes about 23 bytes instead of version 1's 46: the page cache a log
 * fills, and the pages the writer faults in, shrink with it. Version 1 (fixed width, big-endian:
 * long number, long ID ms, long ID seq, long bytes before, int element count, then per element int
 * length and bytes) is still read, so logs written before keep working and new entries follow old
 * ones in the same file. An instance holds the array entries are encoded into; one thread at a time
 * (the owner's).
 */
final class EntryFormat {
    static final byte VERSION_2 = (byte) 0xC2;
    /** The longest version-2 header: marker, five 10-byte varints, a 5-byte count. */
    static final int MAX_HEADER_BYTES = 1 + 5 * 10 + 5;
    /** Version 1's fixed header: number, ID ms, ID seq, bytes before, element count. */
    static final int V1_HEADER_BYTES = 36;
    private static final int V1_BYTES_BEFORE_OFFSET = 24;
    /** Arrays up to this size are kept for the next entry; a larger one is dropped after use. */
    private static final int KEPT_SCRATCH_BYTES = 64 << 10;

    private byte[] scratch = new byte[256];
    private int encodedLength;

    /** An excerpt that is not a well-formed entry; the reader adds where it is. */
    static final class BadExcerpt extends RuntimeException {
        BadExcerpt(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Entry {@code number}'s excerpt, in an array that is valid until the next call; its length is
     * {@link #encodedLength}.
     *
     * @param size the entry's {@link StreamEntry#size}
     */
    byte[] encode(long number, StreamId id, long bytesBefore, byte[][] fieldsAndValues, long size) {
        int length = 1 + Bytes.varlongLength(number) + Bytes.varlongLength(id.ms()) + Bytes.varlongLength(id.seq())
                + Bytes.varlongLength(bytesBefore) + Bytes.varlongLength(size) + Bytes.varintLength(fieldsAndValues.length);
        for (byte[] element : fieldsAndValues) {
            length = Math.addExact(length, Bytes.varintLength(element.length) + element.length);
        }
        byte[] out = length <= scratch.length ? scratch : new byte[length];
        if (length <= KEPT_SCRATCH_BYTES && out != scratch) {
            scratch = out;
        }
        out[0] = VERSION_2;
        int pos = Bytes.putVarlong(out, 1, number);
        pos = Bytes.putVarlong(out, pos, id.ms());
        pos = Bytes.putVarlong(out, pos, id.seq());
        pos = Bytes.putVarlong(out, pos, bytesBefore);
        pos = Bytes.putVarlong(out, pos, size);
        pos = Bytes.putVarint(out, pos, fieldsAndValues.length);
        for (byte[] element : fieldsAndValues) {
            pos = Bytes.putVarint(out, pos, element.length);
            System.arraycopy(element, 0, out, pos, element.length);
            pos += element.length;
        }
        encodedLength = pos;
        return out;
    }

    /** The length of the excerpt {@link #encode} returned last. */
    int encodedLength() {
        return encodedLength;
    }

    /** The header of an excerpt: what reading one needs but the elements. */
    record Header(long number, StreamId id, long bytesBefore, long size) {
        /** The bytes before the entry after this one. */
        long bytesAfter() {
            return bytesBefore + size;
        }
    }

    /**
     * Decodes the header of an excerpt from its first bytes: {@code excerpt} holds at least
     * {@link #MAX_HEADER_BYTES} of them, or the whole excerpt when it is shorter.
     *
     * @param length the excerpt's whole length
     */
    static Header header(byte[] excerpt, long length) {
        if (length > 0 && excerpt[0] == VERSION_2) {
            Cursor in = new Cursor(excerpt, 1, (int) Math.min(length, excerpt.length));
            long number = in.varlong();
            StreamId id = new StreamId(in.varlong(), in.varlong());
            return new Header(number, id, in.varlong(), in.varlong());
        }
        if (length < V1_HEADER_BYTES) {
            throw new BadExcerpt("an excerpt of " + length + " bytes is shorter than an entry's header");
        }
        return new Header(Bytes.getLong(excerpt, 0), StreamId.decode(excerpt, 8), Bytes.getLong(excerpt, V1_BYTES_BEFORE_OFFSET),
                length - V1_HEADER_BYTES);
    }

    static long number(byte[] excerpt) {
        return excerpt.length > 0 && excerpt[0] == VERSION_2 ? new Cursor(excerpt, 1, excerpt.length).varlong()
                : Bytes.getLong(excerpt, 0);
    }

    /** Decodes a whole excerpt. */
    static StreamEntry entry(byte[] excerpt) {
        Header header = header(excerpt, excerpt.length);
        if (excerpt[0] == VERSION_2) {
            Cursor in = new Cursor(excerpt, 1, excerpt.length);
            for (int i = 0; i < 5; i++) {
                in.varlong(); // the header's numbers
            }
            int count = in.length("element count", excerpt.length);
            byte[][] fieldsAndValues = new byte[count][];
            for (int i = 0; i < count; i++) {
                fieldsAndValues[i] = in.bytes(in.length("element " + i, excerpt.length));
            }
            if (in.pos != excerpt.length) {
                throw new BadExcerpt((excerpt.length - in.pos) + " bytes after the last element");
            }
            return new StreamEntry(header.id(), fieldsAndValues);
        }
        int count = Bytes.getInt(excerpt, 32);
        if (count < 0 || count > (excerpt.length - V1_HEADER_BYTES) / 4) {
            throw new BadExcerpt("bad element count " + count);
        }
        byte[][] fieldsAndValues = new byte[count][];
        int pos = V1_HEADER_BYTES;
        for (int i = 0; i < count; i++) {
            int length = pos + 4 <= excerpt.length ? Bytes.getInt(excerpt, pos) : -1;
            if (length < 0 || length > excerpt.length - pos - 4) {
                throw new BadExcerpt("element " + i + " overruns the excerpt");
            }
            fieldsAndValues[i] = Arrays.copyOfRange(excerpt, pos + 4, pos + 4 + length);
            pos += 4 + length;
        }
        return new StreamEntry(header.id(), fieldsAndValues);
    }

    /** Reads a version-2 excerpt's varints and bytes, refusing to run past {@code end}. */
    private static final class Cursor {
        private final byte[] in;
        private final int end;
        private int pos;

        Cursor(byte[] in, int pos, int end) {
            this.in = in;
            this.pos = pos;
            this.end = end;
        }

        long varlong() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new BadExcerpt("a varint runs past the excerpt's " + end + " bytes");
                }
                byte b = in[pos++];
                v |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw new BadExcerpt("a varint longer than 10 bytes");
        }

        /** A count or length, which must fit what is left of the excerpt. */
        int length(String what, int excerptLength) {
            long v = varlong();
            if (v > excerptLength - pos) {
                throw new BadExcerpt(what + " of " + v + " overruns the excerpt");
            }
            return (int) v;
        }

        byte[] bytes(int length) {
            byte[] out = Arrays.copyOfRange(in, pos, pos + length);
            pos += length;
            return out;
        }
    }
}
