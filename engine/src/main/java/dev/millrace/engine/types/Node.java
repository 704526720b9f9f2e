package dev.millrace.engine.types;

import java.util.Arrays;

/**
 * One {@link PagedTree} node, worked on in its page bytes (docs/storage-format.md, "Collection
 * pages"):
 * <pre>
 *   leaf    byte 0, int entry count, then per entry: varint key length, key, varint value length, value
 *   inner   byte 1, int child count, then per child: long page, long entries below it,
 *           varint separator length, separator
 * </pre>
 * Integers big-endian, varints unsigned LEB128. {@code sep(i)} is the smallest key child i may hold;
 * {@code sep(0)} is empty. Reading a node only indexes where its entries start (no copies); a search
 * compares keys in place; a change splices the bytes once, in place. The buffer is the caller's own
 * copy; a node that grows a second time gets room to spare after its entries, so the pushes and pops
 * that hit one node again and again (a list's ends) shift bytes within it instead of copying it into
 * a new array each time, while a node changed once (a random member of a big sorted set) stays
 * exact, with nothing to trim: {@link #bytes()} trims the spare room off when the node is written.
 */
final class Node {
    static final byte[] EMPTY = new byte[0];
    static final int HEADER_BYTES = 1 + 4;
    private static final byte LEAF = 0;
    private static final byte INNER = 1;

    final boolean leaf;
    /** The page bytes, {@code off[n]} of them; the rest is room for growth. */
    private byte[] buf;
    /** Whether the node has grown since it was read: the next growth leaves room to spare. */
    private boolean grown;
    int n;
    /** off[i] is where entry i starts; off[n] is the end of the buffer. */
    private int[] off;

    private Node(byte[] buf) {
        this.buf = buf;
        this.leaf = buf[0] == LEAF;
        index();
    }

    /** The node held in a page's bytes (which it takes over). */
    static Node of(byte[] page) {
        return new Node(page);
    }

    static Node emptyLeaf() {
        return new Node(new byte[]{LEAF, 0, 0, 0, 0});
    }

    static Node emptyInner() {
        return new Node(new byte[]{INNER, 0, 0, 0, 0});
    }

    /** The page bytes of this node: not a copy unless the buffer has room to spare. */
    byte[] bytes() {
        return buf.length == off[n] ? buf : Arrays.copyOf(buf, off[n]);
    }

    /** Size of the encoding. */
    int size() {
        return off[n];
    }

    private void index() {
        n = Bytes.getInt(buf, 1);
        if (off == null || off.length < n + 1) {
            off = new int[n + 1 + (n >> 1) + 1];
        }
        int pos = HEADER_BYTES;
        for (int i = 0; i < n; i++) {
            off[i] = pos;
            if (leaf) {
                pos = skipBytes(pos);
                pos = skipBytes(pos);
            } else {
                pos = skipBytes(pos + 16);
            }
        }
        off[n] = pos;
        if (pos != buf.length) {
            throw new IllegalStateException("corrupt tree page: entries end at " + pos + " of " + buf.length);
        }
    }

    private int skipBytes(int pos) {
        int len = 0;
        int shift = 0;
        int b;
        do {
            b = buf[pos++] & 0xff;
            len |= (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return pos + len;
    }

    /** Where the bytes of the varint-prefixed field at {@code pos} start; their length in lenOut[0]. */
    private int field(int pos, int[] lenOut) {
        int len = 0;
        int shift = 0;
        int b;
        do {
            b = buf[pos++] & 0xff;
            len |= (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        lenOut[0] = len;
        return pos;
    }

    private final int[] len = new int[1];

    private byte[] copyField(int pos) {
        int start = field(pos, len);
        return len[0] == 0 ? EMPTY : Arrays.copyOfRange(buf, start, start + len[0]);
    }

    // ---------------------------------------------------------------- leaf

    byte[] key(int i) {
        return copyField(off[i]);
    }

    byte[] value(int i) {
        int start = field(off[i], len);
        return copyField(start + len[0]);
    }

    /** Hands the value of entry i to {@code visitor} in place, without a copy. */
    void visitValue(int i, BytesVisitor visitor) {
        int start = field(off[i], len);
        start = field(start + len[0], len);
        visitor.accept(buf, start, len[0]);
    }

    /** Binary search: the entry's index, or -(insertion point) - 1. */
    int find(byte[] key) {
        int lo = 0;
        int hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int start = field(off[mid], len);
            int c = Arrays.compareUnsigned(buf, start, start + len[0], key, 0, key.length);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -lo - 1;
    }

    void insertEntry(int at, byte[] key, byte[] value) {
        splice(off[at], off[at], leafEntry(key, value), 1);
    }

    void setValue(int at, byte[] value) {
        splice(off[at], off[at + 1], leafEntry(key(at), value), 0);
    }

    void removeEntries(int from, int to) {
        splice(off[from], off[to], EMPTY, -(to - from));
    }

    private static byte[] leafEntry(byte[] key, byte[] value) {
        byte[] e = new byte[Bytes.varintLength(key.length) + key.length + Bytes.varintLength(value.length) + value.length];
        int pos = Bytes.putVarint(e, 0, key.length);
        System.arraycopy(key, 0, e, pos, key.length);
        pos = Bytes.putVarint(e, pos + key.length, value.length);
        System.arraycopy(value, 0, e, pos, value.length);
        return e;
    }

    // ---------------------------------------------------------------- inner

    long child(int i) {
        return Bytes.getLong(buf, off[i]);
    }

    long count(int i) {
        return Bytes.getLong(buf, off[i] + 8);
    }

    /** Where child i's entry count lies in the page: patched in place when only counts change. */
    int countOffset(int i) {
        return off[i] + 8;
    }

    /** The 8 bytes of child i's entry count, as stored. */
    byte[] countBytes(int i) {
        return Arrays.copyOfRange(buf, off[i] + 8, off[i] + 16);
    }

    /** Changes a child's entry count in place. */
    void addCount(int i, long delta) {
        Bytes.putLong(buf, off[i] + 8, count(i) + delta);
    }

    byte[] sep(int i) {
        return copyField(off[i] + 16);
    }

    /** The child whose key range holds {@code key}: the last one whose separator is &lt;= key. */
    int childFor(byte[] key) {
        int lo = 1;
        int hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int start = field(off[mid] + 16, len);
            if (Arrays.compareUnsigned(buf, start, start + len[0], key, 0, key.length) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return lo - 1;
    }

    void insertChild(int at, long page, long entries, byte[] separator) {
        splice(off[at], off[at], innerEntry(page, entries, separator), 1);
    }

    void removeChild(int at) {
        splice(off[at], off[at + 1], EMPTY, -1);
        if (at == 0 && n > 0) {
            setSeparator(0, EMPTY);
        }
    }

    void setSeparator(int at, byte[] separator) {
        splice(off[at], off[at + 1], innerEntry(child(at), count(at), separator), 0);
    }

    private static byte[] innerEntry(long page, long entries, byte[] separator) {
        byte[] e = new byte[16 + Bytes.varintLength(separator.length) + separator.length];
        Bytes.putLong(e, 0, page);
        Bytes.putLong(e, 8, entries);
        int pos = Bytes.putVarint(e, 16, separator.length);
        System.arraycopy(separator, 0, e, pos, separator.length);
        return e;
    }

    long total() {
        if (leaf) {
            return n;
        }
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += count(i);
        }
        return total;
    }

    // ---------------------------------------------------------------- split and merge

    /** The encoded size of a node holding entries [from, to) of this one. */
    int sizeOf(int from, int to) {
        return HEADER_BYTES + off[to] - off[from];
    }

    /** Where to split so both halves have about half the bytes, each at least one entry. */
    int splitPoint() {
        int half = HEADER_BYTES + (off[n] - HEADER_BYTES) / 2;
        for (int i = 1; i < n; i++) {
            if (off[i] >= half) {
                return i;
            }
        }
        return n - 1;
    }

    /** Moves entries from {@code at} on into a new node and returns it. */
    Node splitOff(int at) {
        int end = off[n];
        byte[] right = new byte[HEADER_BYTES + end - off[at]];
        right[0] = buf[0];
        Bytes.putInt(right, 1, n - at);
        System.arraycopy(buf, off[at], right, HEADER_BYTES, end - off[at]);
        splice(off[at], end, EMPTY, -(n - at));
        return new Node(right);
    }

    /**
     * Appends every entry of {@code right}, the next sibling. For inner nodes, {@code joint} (the
     * parent's separator for {@code right}) becomes the separator of right's first child.
     */
    void append(Node right, byte[] joint) {
        if (!leaf && right.n > 0) {
            right.setSeparator(0, joint);
        }
        byte[] entries = Arrays.copyOfRange(right.buf, HEADER_BYTES, right.off[right.n]);
        splice(off[n], off[n], entries, right.n);
    }

    /**
     * Replaces the whole entries at bytes [from, to) with the {@code insert} bytes, changing the entry
     * count by {@code entriesDelta}. The offsets index is shifted, not rebuilt: only the inserted
     * entries are scanned.
     */
    private void splice(int from, int to, byte[] insert, int entriesDelta) {
        int end = off[n];
        int newEnd = end - (to - from) + insert.length;
        if (newEnd > buf.length) {
            // A quarter to spare once a node grows again: it is likely to keep growing until it splits.
            byte[] larger = new byte[grown ? newEnd + (newEnd >> 2) + 16 : newEnd];
            System.arraycopy(buf, 0, larger, 0, from);
            System.arraycopy(buf, to, larger, from + insert.length, end - to);
            buf = larger;
            grown = true;
        } else if (to - from != insert.length) {
            System.arraycopy(buf, to, buf, from + insert.length, end - to);
        }
        System.arraycopy(insert, 0, buf, from, insert.length);
        int first = entryAt(from);
        int removed = entryAt(to) - first;
        int inserted = removed + entriesDelta;
        int shift = insert.length - (to - from);
        int newN = n + entriesDelta;
        int[] newOff = off.length >= newN + 1 ? off : Arrays.copyOf(off, newN + 1 + (newN >> 1) + 1);
        // the entries after the replaced ones keep their order and move by the size difference
        System.arraycopy(off, first + removed, newOff, first + inserted, n + 1 - (first + removed));
        for (int i = first + inserted; i <= newN; i++) {
            newOff[i] += shift;
        }
        if (newOff != off) {
            off = newOff; // a reference store marks the card of an old node: only when it changes
        }
        n = newN;
        Bytes.putInt(buf, 1, n);
        int pos = from;
        for (int i = first; i < first + inserted; i++) {
            off[i] = pos;
            pos = leaf ? skipBytes(skipBytes(pos)) : skipBytes(pos + 16);
        }
        if (pos != from + insert.length) {
            throw new IllegalStateException("spliced entries end at " + pos + ", not " + (from + insert.length));
        }
    }

    /** The index of the entry starting at byte {@code pos} (n for the end). */
    private int entryAt(int pos) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (off[mid] < pos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
