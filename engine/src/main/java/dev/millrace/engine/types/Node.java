package dev.millrace.engine.types;

import java.util.Arrays;

/**
 * One decoded {@link PagedTree} node: a leaf's entries, or an inner node's children with their
 * entry counts and separators ({@code sep[i]} is the smallest key child i may hold; {@code sep[0]}
 * is empty). {@link #bytes} tracks the size of the node's encoding ({@link NodeCodec}), so splitting
 * needs no re-encoding. A working copy: mutated freely, then encoded back.
 */
final class Node {
    final boolean leaf;
    int n;
    // leaf
    byte[][] keys;
    byte[][] values;
    // inner
    long[] child;
    long[] count;
    byte[][] sep;
    /** Size of the encoding, header included. */
    int bytes;

    private Node(boolean leaf, int capacity) {
        this.leaf = leaf;
        if (leaf) {
            keys = new byte[capacity][];
            values = new byte[capacity][];
        } else {
            child = new long[capacity];
            count = new long[capacity];
            sep = new byte[capacity][];
        }
        bytes = NodeCodec.HEADER_BYTES;
    }

    static Node emptyLeaf() {
        return new Node(true, 8);
    }

    static Node emptyInner() {
        return new Node(false, 8);
    }

    static Node leaf(int capacity) {
        return new Node(true, Math.max(capacity, 1));
    }

    static Node inner(int capacity) {
        return new Node(false, Math.max(capacity, 1));
    }

    // ---------------------------------------------------------------- leaf

    /** Binary search: the entry's index, or -(insertion point) - 1. */
    int find(byte[] key) {
        int lo = 0;
        int hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Bytes.compare(keys[mid], key);
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
        if (n == keys.length) {
            keys = Arrays.copyOf(keys, n * 2);
            values = Arrays.copyOf(values, n * 2);
        }
        System.arraycopy(keys, at, keys, at + 1, n - at);
        System.arraycopy(values, at, values, at + 1, n - at);
        keys[at] = key;
        values[at] = value;
        n++;
        bytes += NodeCodec.leafEntryBytes(key, value);
    }

    void setValue(int at, byte[] value) {
        bytes += NodeCodec.leafEntryBytes(keys[at], value) - NodeCodec.leafEntryBytes(keys[at], values[at]);
        values[at] = value;
    }

    void removeEntry(int at) {
        removeEntries(at, at + 1);
    }

    void removeEntries(int from, int to) {
        for (int i = from; i < to; i++) {
            bytes -= NodeCodec.leafEntryBytes(keys[i], values[i]);
        }
        System.arraycopy(keys, to, keys, from, n - to);
        System.arraycopy(values, to, values, from, n - to);
        Arrays.fill(keys, n - (to - from), n, null);
        Arrays.fill(values, n - (to - from), n, null);
        n -= to - from;
    }

    // ---------------------------------------------------------------- inner

    /** The child whose key range holds {@code key}: the last one whose separator is &lt;= key. */
    int childFor(byte[] key) {
        int lo = 1;
        int hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Bytes.compare(sep[mid], key) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return lo - 1;
    }

    void insertChild(int at, long page, long entries, byte[] separator) {
        if (n == child.length) {
            child = Arrays.copyOf(child, n * 2);
            count = Arrays.copyOf(count, n * 2);
            sep = Arrays.copyOf(sep, n * 2);
        }
        System.arraycopy(child, at, child, at + 1, n - at);
        System.arraycopy(count, at, count, at + 1, n - at);
        System.arraycopy(sep, at, sep, at + 1, n - at);
        child[at] = page;
        count[at] = entries;
        sep[at] = separator;
        n++;
        bytes += NodeCodec.innerEntryBytes(separator);
    }

    void removeChild(int at) {
        bytes -= NodeCodec.innerEntryBytes(sep[at]);
        System.arraycopy(child, at + 1, child, at, n - at - 1);
        System.arraycopy(count, at + 1, count, at, n - at - 1);
        System.arraycopy(sep, at + 1, sep, at, n - at - 1);
        n--;
        sep[n] = null;
        if (at == 0 && n > 0) {
            setSeparator(0, NodeCodec.EMPTY);
        }
    }

    void setSeparator(int at, byte[] separator) {
        bytes += NodeCodec.innerEntryBytes(separator) - NodeCodec.innerEntryBytes(sep[at]);
        sep[at] = separator;
    }

    long total() {
        if (leaf) {
            return n;
        }
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += count[i];
        }
        return total;
    }

    // ---------------------------------------------------------------- split and merge

    /** Where to split so both halves have about half the bytes, each at least one entry. */
    int splitPoint() {
        int half = (bytes - NodeCodec.HEADER_BYTES) / 2;
        int acc = 0;
        for (int i = 0; i < n - 1; i++) {
            acc += leaf ? NodeCodec.leafEntryBytes(keys[i], values[i]) : NodeCodec.innerEntryBytes(sep[i]);
            if (acc >= half) {
                return i + 1;
            }
        }
        return n - 1;
    }

    /** Moves entries from {@code at} on into a new node and returns it. */
    Node splitOff(int at) {
        int moved = n - at;
        Node right = leaf ? leaf(moved * 2) : inner(moved * 2);
        for (int i = at; i < n; i++) {
            if (leaf) {
                right.insertEntry(i - at, keys[i], values[i]);
            } else {
                right.insertChild(i - at, child[i], count[i], sep[i]);
            }
        }
        if (leaf) {
            removeEntries(at, n);
        } else {
            for (int i = n - 1; i >= at; i--) {
                bytes -= NodeCodec.innerEntryBytes(sep[i]);
                sep[i] = null;
            }
            n = at;
        }
        return right;
    }

    /**
     * Appends every entry of {@code right}, the next sibling. For inner nodes, {@code joint} (the
     * parent's separator for {@code right}) becomes the separator of right's first child.
     */
    void append(Node right, byte[] joint) {
        for (int i = 0; i < right.n; i++) {
            if (leaf) {
                insertEntry(n, right.keys[i], right.values[i]);
            } else {
                insertChild(n, right.child[i], right.count[i], i == 0 ? joint : right.sep[i]);
            }
        }
    }
}
