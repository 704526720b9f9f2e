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
 * copy; a node that grows a second time gets room to spare, so the pushes and pops that hit one node
 * again and again (a list's ends) work within it instead of copying it into a new array each time,
 * while a node changed once (a random member of a big sorted set) stays exact, with nothing to trim:
 * {@link #bytes()} trims the spare room off when the node is written. The spare room goes where the
 * node grows: after its entries, or before them (header included) for changes at its head, where
 * the header moves instead of every entry, so a push or pop at a list's head is O(entry), not O(leaf).
 * Positions are absolute in the buffer; the offsets index has its spare room at the same end.
 */
final class Node {
    static final byte[] EMPTY = new byte[0];
    static final int HEADER_BYTES = 1 + 4;
    private static final byte LEAF = 0;
    private static final byte INNER = 1;

    final boolean leaf;
    /** The page bytes are {@code buf[base, off[ob + n])}; the rest is room for growth. */
    private byte[] buf;
    /** Where the page (its header) starts in {@link #buf}. */
    private int base;
    /** Whether the node has grown since it was read: the next growth leaves room to spare. */
    private boolean grown;
    int n;
    /** off[ob + i] is where entry i starts in {@link #buf}; off[ob + n] is the end of the page. */
    private int[] off;
    /** Where entry 0's offset is in {@link #off}. */
    private int ob;
    /**
     * pre[ob + i] is the first 4 bytes of entry i's key (a leaf's key, an inner node's separator),
     * big-endian, zero-padded: a binary search compares these before the key's bytes, so its probes
     * read the key bytes of one or two entries instead of seven scattered lines of a cold leaf. Kept
     * beside {@link #off}, same indexes, same room.
     */
    private int[] pre;
    /**
     * Whether the searched entries' prefixes are not all equal (the first and the last differ), so
     * comparing them decides probes; when keys share their first 4 bytes (a sorted set's members
     * named {@code user:...}) the search reads the keys as before, without the prefixes.
     */
    private boolean prefixesDiffer;

    // NodeCache's bookkeeping, kept here so that a lookup reaches the node without an entry object
    // in between (see NodeCache). Execution thread only, like the cache.
    /** The (object, page) the node is cached as, while {@link #cached}. */
    long cacheObject;
    long cachePage;
    /** In the cache's table. */
    boolean cached;
    /** In the cache's eviction queue (possibly no longer cached: the queue drops such nodes). */
    boolean cacheQueued;
    /** Used since the eviction pass last met it. */
    boolean cacheReferenced;
    /** Changed and not yet written to the store. */
    boolean cachePending;
    /** The footprint when last cached or changed (nodes change size in place). */
    int cacheSize;

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
        int end = o(n);
        return base == 0 && buf.length == end ? buf : Arrays.copyOfRange(buf, base, end);
    }

    /** Size of the encoding. */
    int size() {
        return o(n) - base;
    }

    /**
     * The heap this node holds: its buffer, offsets and prefixes with their spare room, and the
     * objects' headers (about twice {@link #size()} for a leaf of small entries).
     */
    int footprint() {
        return buf.length + 8 * off.length + OBJECT_OVERHEAD;
    }

    /** The Node, its buffer's, offsets' and prefixes' array headers and the scratch length array, roughly. */
    private static final int OBJECT_OVERHEAD = 72 + 16 + 16 + 16 + 20;

    /** Where entry {@code i} starts in {@link #buf} (i = n: the end of the page). */
    private int o(int i) {
        return off[ob + i];
    }

    private void index() {
        n = Bytes.getInt(buf, 1);
        if (off == null || off.length < n + 1) {
            off = new int[n + 1 + (n >> 1) + 1];
            pre = new int[off.length];
        }
        int pos = HEADER_BYTES;
        for (int i = 0; i < n; i++) {
            off[i] = pos;
            pre[i] = prefixAt(pos);
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
        notePrefixes();
    }

    /** The first 4 bytes of the key (or separator) of the entry at {@code pos}, big-endian, zero-padded. */
    private int prefixAt(int pos) {
        int start = field(leaf ? pos : pos + 16, len);
        return prefix(buf, start, len[0]);
    }

    private static int prefix(byte[] b, int start, int length) {
        int p = 0;
        for (int i = 0; i < 4; i++) {
            p = p << 8 | (i < length ? b[start + i] & 0xff : 0);
        }
        return p;
    }

    /**
     * Entry i's key (a leaf's key, an inner node's separator) against {@code key}, unsigned
     * lexicographic: by their prefixes when {@code byPrefix} and they differ, else by the bytes.
     */
    private int compareKey(int i, byte[] key, boolean byPrefix, int keyPrefix) {
        if (byPrefix && pre[ob + i] != keyPrefix) {
            return Integer.compareUnsigned(pre[ob + i], keyPrefix);
        }
        int start = field(leaf ? o(i) : o(i) + 16, len);
        return Arrays.compareUnsigned(buf, start, start + len[0], key, 0, key.length);
    }

    /** Sets {@link #prefixesDiffer} for the entries a search compares (an inner node's from 1). */
    private void notePrefixes() {
        int first = leaf ? 0 : 1;
        prefixesDiffer = n - first >= 2 && pre[ob + first] != pre[ob + n - 1];
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
        return copyField(o(i));
    }

    byte[] value(int i) {
        int start = field(o(i), len);
        return copyField(start + len[0]);
    }

    /** Hands the value of entry i to {@code visitor} in place, without a copy. */
    void visitValue(int i, BytesVisitor visitor) {
        int start = field(o(i), len);
        start = field(start + len[0], len);
        visitor.accept(buf, start, len[0]);
    }

    /** Binary search: the entry's index, or -(insertion point) - 1. */
    int find(byte[] key) {
        int lo = 0;
        int hi = n - 1;
        boolean byPrefix = prefixesDiffer;
        int keyPrefix = byPrefix ? prefix(key, 0, key.length) : 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareKey(mid, key, byPrefix, keyPrefix);
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
        splice(o(at), o(at), leafEntry(key, value), 1);
    }

    void setValue(int at, byte[] value) {
        int start = field(o(at), len);
        start = field(start + len[0], len);
        if (len[0] == value.length) { // a score, a same-sized field value: overwritten where it is
            System.arraycopy(value, 0, buf, start, value.length);
            return;
        }
        splice(o(at), o(at + 1), leafEntry(key(at), value), 0);
    }

    void removeEntries(int from, int to) {
        splice(o(from), o(to), EMPTY, -(to - from));
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
        return Bytes.getLong(buf, o(i));
    }

    long count(int i) {
        return Bytes.getLong(buf, o(i) + 8);
    }

    /** Where child i's entry count lies in the page: patched in place when only counts change. */
    int countOffset(int i) {
        return o(i) + 8 - base;
    }

    /** The 8 bytes of child i's entry count, as stored. */
    byte[] countBytes(int i) {
        return Arrays.copyOfRange(buf, o(i) + 8, o(i) + 16);
    }

    /** Changes a child's entry count in place. */
    void addCount(int i, long delta) {
        Bytes.putLong(buf, o(i) + 8, count(i) + delta);
    }

    byte[] sep(int i) {
        return copyField(o(i) + 16);
    }

    /** The child whose key range holds {@code key}: the last one whose separator is &lt;= key. */
    int childFor(byte[] key) {
        int lo = 1;
        int hi = n - 1;
        boolean byPrefix = prefixesDiffer;
        int keyPrefix = byPrefix ? prefix(key, 0, key.length) : 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (compareKey(mid, key, byPrefix, keyPrefix) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return lo - 1;
    }

    void insertChild(int at, long page, long entries, byte[] separator) {
        splice(o(at), o(at), innerEntry(page, entries, separator), 1);
    }

    void removeChild(int at) {
        splice(o(at), o(at + 1), EMPTY, -1);
        if (at == 0 && n > 0) {
            setSeparator(0, EMPTY);
        }
    }

    void setSeparator(int at, byte[] separator) {
        splice(o(at), o(at + 1), innerEntry(child(at), count(at), separator), 0);
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
        return HEADER_BYTES + o(to) - o(from);
    }

    /** Where to split so both halves have about half the bytes, each at least one entry. */
    int splitPoint() {
        int half = o(0) + (o(n) - o(0)) / 2;
        for (int i = 1; i < n; i++) {
            if (o(i) >= half) {
                return i;
            }
        }
        return n - 1;
    }

    /** Moves entries from {@code at} on into a new node and returns it. */
    Node splitOff(int at) {
        int end = o(n);
        byte[] right = new byte[HEADER_BYTES + end - o(at)];
        right[0] = buf[base];
        Bytes.putInt(right, 1, n - at);
        System.arraycopy(buf, o(at), right, HEADER_BYTES, end - o(at));
        splice(o(at), end, EMPTY, -(n - at));
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
        byte[] entries = Arrays.copyOfRange(right.buf, right.o(0), right.o(right.n));
        splice(o(n), o(n), entries, right.n);
    }

    /**
     * Replaces the whole entries at bytes [from, to) with the {@code insert} bytes, changing the entry
     * count by {@code entriesDelta}. The offsets index is shifted, not rebuilt: only the inserted
     * entries are scanned. A change at the head moves the header instead of the entries after it.
     */
    private void splice(int from, int to, byte[] insert, int entriesDelta) {
        int shift = insert.length - (to - from);
        if (from == o(0)) {
            if (shift > base || entriesDelta > ob) {
                int moved = makeRoomAtFront(shift, entriesDelta);
                from += moved;
                to += moved;
            }
            spliceAtHead(from, to, insert, entriesDelta);
            return;
        }
        int end = o(n);
        int newEnd = end + shift;
        if (newEnd > buf.length) {
            // A quarter to spare once a node grows again: it is likely to keep growing until it splits.
            byte[] larger = new byte[grown ? newEnd + ((newEnd - base) >> 2) + 16 : newEnd];
            System.arraycopy(buf, base, larger, base, from - base);
            System.arraycopy(buf, to, larger, from + insert.length, end - to);
            buf = larger;
            grown = true;
        } else if (shift != 0) {
            System.arraycopy(buf, to, buf, from + insert.length, end - to);
        }
        System.arraycopy(insert, 0, buf, from, insert.length);
        int first = entryAt(from);
        int removed = entryAt(to) - first;
        int inserted = removed + entriesDelta;
        int newN = n + entriesDelta;
        int[] newOff = off;
        int[] newPre = pre;
        if (ob + newN + 1 > off.length) {
            newOff = new int[ob + newN + 1 + (newN >> 1) + 1];
            newPre = new int[newOff.length];
            System.arraycopy(off, 0, newOff, 0, ob + first);
            System.arraycopy(pre, 0, newPre, 0, ob + first);
        }
        // the entries after the replaced ones keep their order and move by the size difference
        System.arraycopy(off, ob + first + removed, newOff, ob + first + inserted, n + 1 - (first + removed));
        System.arraycopy(pre, ob + first + removed, newPre, ob + first + inserted, n + 1 - (first + removed));
        for (int i = ob + first + inserted; i <= ob + newN; i++) {
            newOff[i] += shift;
        }
        if (newOff != off) {
            off = newOff; // a reference store marks the card of an old node: only when it changes
            pre = newPre;
        }
        n = newN;
        Bytes.putInt(buf, base + 1, n);
        indexInserted(first, inserted, from, from + insert.length);
    }

    /**
     * {@link #splice} at the head (from is entry 0's start), with room before the page for the size
     * difference and before entry 0's offset for the new entries: the header moves by the size
     * difference, the inserted bytes end where the replaced ones did, the entries after stay put.
     */
    private void spliceAtHead(int from, int to, byte[] insert, int entriesDelta) {
        int shift = insert.length - (to - from);
        int inserted = entryAt(to) + entriesDelta;
        System.arraycopy(buf, base, buf, base - shift, HEADER_BYTES);
        base -= shift;
        System.arraycopy(insert, 0, buf, from - shift, insert.length);
        ob -= entriesDelta;
        n += entriesDelta;
        Bytes.putInt(buf, base + 1, n);
        indexInserted(0, inserted, from - shift, to);
    }

    /**
     * Makes room before the page for a head change growing it by {@code shift} bytes and before
     * entry 0's offset for {@code entriesDelta} more entries (with room to spare once the node grows
     * again, as at the tail).
     *
     * @return how far the page moved in the buffer
     */
    private int makeRoomAtFront(int shift, int entriesDelta) {
        int moved = 0;
        if (shift > base) {
            int size = o(n) - base;
            int room = shift + (grown ? ((size + shift) >> 2) + 16 : 0);
            byte[] larger = new byte[room + size];
            System.arraycopy(buf, base, larger, room, size);
            moved = room - base;
            buf = larger;
            base = room;
            for (int i = ob; i <= ob + n; i++) {
                off[i] += moved;
            }
        }
        if (entriesDelta > ob) {
            int room = entriesDelta + (grown ? (n >> 1) + 1 : 0);
            int[] larger = new int[room + n + 1];
            System.arraycopy(off, ob, larger, room, n + 1);
            int[] largerPre = new int[larger.length];
            System.arraycopy(pre, ob, largerPre, room, n + 1);
            off = larger;
            pre = largerPre;
            ob = room;
        }
        grown = true;
        return moved;
    }

    /** Indexes the {@code count} entries spliced in at bytes [pos, end) as entries first.. on. */
    private void indexInserted(int first, int count, int pos, int end) {
        for (int i = ob + first; i < ob + first + count; i++) {
            off[i] = pos;
            pre[i] = prefixAt(pos);
            pos = leaf ? skipBytes(skipBytes(pos)) : skipBytes(pos + 16);
        }
        if (pos != end) {
            throw new IllegalStateException("spliced entries end at " + pos + ", not " + end);
        }
        notePrefixes();
    }

    /** The index of the entry starting at byte {@code pos} (n for the end). */
    private int entryAt(int pos) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (off[ob + mid] < pos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
