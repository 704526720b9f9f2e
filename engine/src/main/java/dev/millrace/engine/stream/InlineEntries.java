package dev.millrace.engine.stream;

import dev.millrace.engine.types.Bytes;
import dev.millrace.engine.types.PagedTree;
import dev.millrace.engine.types.Pages;

/**
 * The entries of a small stream, kept in the keyspace on the stream's own pages until the stream
 * outgrows its {@link InlineLimit} and moves them to a log of its own: creating a stream then costs a
 * record and a page, not a log's directory and files (1-2 ms each, and about 20 KB of disk).
 *
 * <p>A keyed {@link PagedTree}: the entry number (8 bytes, big-endian, so keys sort as numbers) to
 * the entry, encoded as a running total of the bytes of the entries before it (8; it starts again at
 * 0 when the tree was emptied, so only differences mean anything: what retention by size reads), the
 * ID (16), then each field and value as its length (4) and bytes. Being part of the keyspace, the entries are saved,
 * snapshotted and recovered with the stream's record, so none of a log's reconciliation after a crash
 * applies (no entries beyond the record), and trimmed entries go at once.
 *
 * <p>An empty tree answers as a new log does: first number 1, last number 0. Execution thread only.
 */
final class InlineEntries implements StreamLog {
    private static final int ENTRY_AT = 8;
    private static final int FIELDS_AT = ENTRY_AT + StreamId.BYTES;

    private final Pages pages;
    /** Null until the first append. */
    private PagedTree tree;

    /** The entries whose tree has {@code root}, or none yet when {@code root} is null. */
    InlineEntries(Pages pages, PagedTree.Root root) {
        this.pages = pages;
        this.tree = root == null ? null : new PagedTree(pages, root);
    }

    /** The tree's root for the stream's record, or null while no entry was ever appended. */
    PagedTree.Root root() {
        return tree == null ? null : tree.root();
    }

    /** Entries held (trimmed ones are gone; XDEL'd ones stay until trimmed, as in a log). */
    long count() {
        return tree == null ? 0 : tree.size();
    }

    /** Their bytes ({@link StreamEntry#size}). */
    long bytes() {
        return count() == 0 ? 0 : bytesBefore(lastNumber() + 1) - bytesBefore(firstNumber());
    }

    /** Frees the tree's pages: the entries moved to the stream's log. */
    void free() {
        if (tree != null) {
            tree.free();
            tree = null;
        }
    }

    @Override
    public long firstNumber() {
        return count() == 0 ? 1 : number(tree.get(0));
    }

    @Override
    public long lastNumber() {
        return count() == 0 ? 0 : number(tree.get(tree.size() - 1));
    }

    @Override
    public void append(long number, StreamId id, byte[][] fieldsAndValues) {
        long bytesBefore = 0;
        if (count() > 0) {
            PagedTree.Entry last = tree.get(tree.size() - 1);
            long lastNumber = number(last);
            if (number <= lastNumber) {
                return; // held already, as a log skips an entry it has
            }
            if (number != lastNumber + 1) {
                throw new IllegalStateException("stream entries gap: appending " + number + " after " + lastNumber);
            }
            bytesBefore = bytesAfter(last.value());
        } else if (tree == null) {
            tree = PagedTree.create(pages);
        }
        tree.put(key(number), encode(bytesBefore, id, fieldsAndValues));
    }

    @Override
    public StreamId id(long number) {
        return StreamId.decode(value(number), ENTRY_AT);
    }

    @Override
    public StreamEntry read(long number) {
        return decode(value(number));
    }

    @Override
    public long bytesBefore(long number) {
        if (count() == 0) {
            return 0;
        }
        long last = lastNumber();
        if (number <= last) {
            return Bytes.getLong(value(number), 0);
        }
        return bytesAfter(value(last));
    }

    /** The bytes of the entries up to and including the one encoded in {@code value}. */
    private static long bytesAfter(byte[] value) {
        return Bytes.getLong(value, 0) + value.length - FIELDS_AT; // the fields' encoding is their size
    }

    @Override
    public void truncateAfter(long number) {
        if (count() > 0) {
            tree.removeRange(tree.rank(key(number + 1)), tree.size());
        }
    }

    @Override
    public void releaseBelow(long number) {
        if (count() > 0) {
            tree.removeRange(0, tree.rank(key(number)));
        }
    }

    private byte[] value(long number) {
        byte[] value = tree == null ? null : tree.get(key(number));
        if (value == null) {
            throw new IllegalStateException("stream entry " + number + " is not in the keyspace");
        }
        return value;
    }

    private static long number(PagedTree.Entry entry) {
        return Bytes.getLong(entry.key(), 0);
    }

    private static byte[] key(long number) {
        byte[] key = new byte[8];
        Bytes.putLong(key, 0, number);
        return key;
    }

    private static byte[] encode(long bytesBefore, StreamId id, byte[][] fieldsAndValues) {
        byte[] out = new byte[Math.toIntExact(FIELDS_AT + StreamEntry.size(fieldsAndValues))];
        Bytes.putLong(out, 0, bytesBefore);
        id.encode(out, ENTRY_AT);
        int at = FIELDS_AT;
        for (byte[] part : fieldsAndValues) {
            Bytes.putInt(out, at, part.length);
            System.arraycopy(part, 0, out, at + 4, part.length);
            at += 4 + part.length;
        }
        return out;
    }

    private static StreamEntry decode(byte[] value) {
        int parts = 0;
        for (int at = FIELDS_AT; at < value.length; at += 4 + Bytes.getInt(value, at)) {
            parts++;
        }
        byte[][] fieldsAndValues = new byte[parts][];
        int at = FIELDS_AT;
        for (int i = 0; i < parts; i++) {
            int length = Bytes.getInt(value, at);
            fieldsAndValues[i] = java.util.Arrays.copyOfRange(value, at + 4, at + 4 + length);
            at += 4 + length;
        }
        return new StreamEntry(StreamId.decode(value, ENTRY_AT), fieldsAndValues);
    }
}
