package dev.millrace.storage.stream;

import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.types.Bytes;

import java.util.Arrays;

/**
 * The byte layout of a stream log excerpt (docs/storage-format.md, "Stream logs"), one excerpt per
 * entry, big-endian, encoded into an array and written (and read) as one block, because Chronicle's
 * checks per {@code writeLong} call cost more than the bytes:
 * <pre>
 *   long  entry number   1, 2, 3 ... (dense within the log)
 *   long  ID ms          unsigned
 *   long  ID seq         unsigned
 *   long  bytes before   the {@link StreamEntry#size} of every entry numbered below this one, from
 *                        the log's first entry ever (retention by size reads a range's bytes from two
 *                        excerpts)
 *   int   element count  the length of fieldsAndValues (field, value, field, value ...)
 *   per element: int length, bytes
 * </pre>
 * An instance holds the array entries are encoded into; one thread at a time (the owner's).
 */
final class EntryFormat {
    /** Number, ID ms, ID seq, bytes before, element count. */
    static final int HEADER_BYTES = 36;
    private static final int BYTES_BEFORE_OFFSET = 24;
    /** Arrays up to this size are kept for the next entry; a larger one is dropped after use. */
    private static final int KEPT_SCRATCH_BYTES = 64 << 10;

    private byte[] scratch = new byte[256];

    /** An excerpt that is not a well-formed entry; the reader adds where it is. */
    static final class BadExcerpt extends RuntimeException {
        BadExcerpt(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Entry {@code number}'s excerpt, in an array that is valid until the next call.
     *
     * @param size the entry's {@link StreamEntry#size}
     * @return the array; the excerpt is its first {@code HEADER_BYTES + size} bytes
     */
    byte[] encode(long number, StreamId id, long bytesBefore, byte[][] fieldsAndValues, long size) {
        int length = Math.toIntExact(HEADER_BYTES + size);
        byte[] out = length <= scratch.length ? scratch : new byte[length];
        if (length <= KEPT_SCRATCH_BYTES && out != scratch) {
            scratch = out;
        }
        Bytes.putLong(out, 0, number);
        id.encode(out, 8);
        Bytes.putLong(out, BYTES_BEFORE_OFFSET, bytesBefore);
        Bytes.putInt(out, 32, fieldsAndValues.length);
        int pos = HEADER_BYTES;
        for (byte[] element : fieldsAndValues) {
            Bytes.putInt(out, pos, element.length);
            System.arraycopy(element, 0, out, pos + 4, element.length);
            pos += 4 + element.length;
        }
        return out;
    }

    /** The header of an excerpt: what reading one needs but the elements. */
    record Header(long number, StreamId id, long bytesBefore, long size) {
        /** The bytes before the entry after this one. */
        long bytesAfter() {
            return bytesBefore + size;
        }
    }

    /**
     * Decodes the header of {@code excerpt}, at least its first {@link #HEADER_BYTES} bytes.
     *
     * @param length the excerpt's whole length
     */
    static Header header(byte[] excerpt, long length) {
        if (length < HEADER_BYTES) {
            throw new BadExcerpt("an excerpt of " + length + " bytes is shorter than an entry's header");
        }
        return new Header(Bytes.getLong(excerpt, 0), StreamId.decode(excerpt, 8), Bytes.getLong(excerpt, BYTES_BEFORE_OFFSET),
                length - HEADER_BYTES);
    }

    static long number(byte[] excerpt) {
        return Bytes.getLong(excerpt, 0);
    }

    /** Decodes a whole excerpt. */
    static StreamEntry entry(byte[] excerpt) {
        Header header = header(excerpt, excerpt.length);
        int count = Bytes.getInt(excerpt, 32);
        if (count < 0 || count > (excerpt.length - HEADER_BYTES) / 4) {
            throw new BadExcerpt("bad element count " + count);
        }
        byte[][] fieldsAndValues = new byte[count][];
        int pos = HEADER_BYTES;
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
}
