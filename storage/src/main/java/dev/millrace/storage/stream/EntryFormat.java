package dev.millrace.storage.stream;

import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The byte layout of a stream log excerpt (docs/storage-format.md, "Stream logs"), little-endian as
 * Chronicle Bytes writes, one excerpt per entry:
 * <pre>
 *   byte  kind           ENTRY (1)
 *   long  entry number   1, 2, 3 ... (dense within the log)
 *   long  ID ms          unsigned
 *   long  ID seq         unsigned
 *   int   element count  the length of fieldsAndValues (field, value, field, value ...)
 *   per element: int length, bytes
 * </pre>
 * Stateless.
 */
final class EntryFormat {
    static final byte ENTRY = 1;
    /** kind, number, ms, seq, element count. */
    static final int HEADER_BYTES = 1 + 8 + 8 + 8 + 4;

    private EntryFormat() {
    }

    /** An excerpt that is not a well-formed entry; the reader adds where it is. */
    static final class BadExcerpt extends RuntimeException {
        BadExcerpt(String message) {
            super(message, null, false, false);
        }
    }

    /** The excerpt size of an entry. */
    static long size(byte[][] fieldsAndValues) {
        long size = HEADER_BYTES;
        for (byte[] element : fieldsAndValues) {
            size += 4 + element.length;
        }
        return size;
    }

    static void write(Bytes<?> out, long number, StreamId id, byte[][] fieldsAndValues) {
        out.writeByte(ENTRY).writeLong(number).writeLong(id.ms()).writeLong(id.seq()).writeInt(fieldsAndValues.length);
        for (byte[] element : fieldsAndValues) {
            out.writeInt(element.length).write(element);
        }
    }

    /**
     * Reads the kind and number of the excerpt in {@code in}, leaving the position at the ID.
     *
     * @return the entry number
     */
    static long readNumber(Bytes<?> in) {
        if (in.readRemaining() < HEADER_BYTES || in.readByte() != ENTRY) {
            throw new BadExcerpt("not a stream entry");
        }
        return in.readLong();
    }

    /** Reads the ID; the position must be just after the number. */
    static StreamId readId(Bytes<?> in) {
        return new StreamId(in.readLong(), in.readLong());
    }

    /** Reads the ID and the elements; the position must be just after the number. */
    static StreamEntry readEntry(Bytes<?> in) {
        StreamId id = readId(in);
        int count = in.readInt();
        if (count < 0 || count > in.readRemaining() / 4) {
            throw new BadExcerpt("bad element count " + count);
        }
        byte[][] fieldsAndValues = new byte[count][];
        for (int i = 0; i < count; i++) {
            int length = in.readRemaining() >= 4 ? in.readInt() : -1;
            if (length < 0 || length > in.readRemaining()) {
                throw new BadExcerpt("element " + i + " overruns the excerpt");
            }
            byte[] element = new byte[length];
            in.read(element);
            fieldsAndValues[i] = element;
        }
        return new StreamEntry(id, fieldsAndValues);
    }
}
