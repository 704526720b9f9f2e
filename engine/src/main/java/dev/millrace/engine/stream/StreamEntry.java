package dev.millrace.engine.stream;

/**
 * One stream entry: its ID and its fields and values, alternating ({@code field, value, field,
 * value ...}).
 */
public record StreamEntry(StreamId id, byte[][] fieldsAndValues) {

    /** The bytes an entry's fields and values take in a log: each one's length (4) and bytes. */
    public static long size(byte[][] fieldsAndValues) {
        long size = 0;
        for (byte[] part : fieldsAndValues) {
            size += 4 + part.length;
        }
        return size;
    }
}
