package dev.millrace.engine.types;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A counted B+tree whose nodes are {@link Pages}: the structure behind every large collection.
 * Each inner node stores, per child, the page number, the number of entries below it and a
 * separator key, so the tree answers both "where is this key" and "what is at index i" in
 * O(log n) page reads, and a change rewrites only the pages on one root-to-leaf path.
 *
 * <p>Two kinds of tree share the code. A <em>keyed</em> tree keeps its entries ordered by key bytes
 * (unsigned lexicographic, a prefix before its extensions) with unique keys: hashes, sets, sorted
 * sets. A <em>positional</em> tree (a list) has empty keys and is addressed only by index. A tree is
 * used in one way only; mixing {@link #put} and {@link #insertAt} on one tree breaks its order.
 *
 * <p>Pages ({@link Node} has the byte layout, docs/storage-format.md describes it): a node is
 * split when its encoding passes {@link #MAX_LEAF_BYTES} (leaves) or {@link #MAX_INNER_BYTES} (inner
 * nodes) and merged with a neighbour when the two fit in one node. A single entry larger than that
 * gets a leaf of its own. An insert or removal that splits nothing rewrites only its leaf: the
 * counts on the path above it are patched in place, 8 bytes per level. With a {@link NodeCache},
 * writes and patches reach the pages once per batch (write-back), however many changes the batch
 * made to a node.
 *
 * <p>The owner keeps the {@link Root} (root page, height, size) in its record and must save it after
 * every change. Execution thread only; iterators are invalidated by any change to the tree.
 */
public final class PagedTree {
    /**
     * A leaf is split once its encoding is larger than this. Every change to a leaf rewrites it, so
     * leaves are kept small; inner nodes change only when a child splits or merges (count changes
     * are patched) and are cached, so they are larger, which keeps trees shallow.
     */
    static final int MAX_LEAF_BYTES = 2048;
    static final int MAX_INNER_BYTES = 4 * MAX_LEAF_BYTES;
    /** A change inside a node rather than at one of its ends (see {@link #store}). */
    private static final int ANYWHERE = -1;

    /** One entry: key (empty in a positional tree) and value. */
    public record Entry(byte[] key, byte[] value) {
    }

    /**
     * The state the owner persists: the root's page, the height (0 = the root is a leaf) and the
     * number of entries.
     */
    public record Root(long page, int height, long size) {
        public static final int SIZE = 8 + 4 + 8;

        public void encode(byte[] out, int offset) {
            Bytes.putLong(out, offset, page);
            Bytes.putInt(out, offset + 8, height);
            Bytes.putLong(out, offset + 12, size);
        }

        public static Root decode(byte[] bytes, int offset) {
            return new Root(Bytes.getLong(bytes, offset), Bytes.getInt(bytes, offset + 8), Bytes.getLong(bytes, offset + 12));
        }
    }

    private final Pages pages;
    private final NodeCache cache;
    private final long objectId;
    private final int maxLeafBytes;
    private final int maxInnerBytes;
    private long rootPage;
    private int height;
    private long size;
    /** Where the last {@link #childAt} descent continues: the index within the child it chose. */
    private long within;

    public PagedTree(Pages pages, Root root) {
        this(pages, root, MAX_LEAF_BYTES);
    }

    /** With smaller nodes (inner ones twice a leaf), so tests build deep trees from few entries. */
    PagedTree(Pages pages, Root root, int maxLeafBytes) {
        this.pages = pages;
        this.cache = pages.nodeCache();
        this.objectId = pages.objectId();
        this.maxLeafBytes = maxLeafBytes;
        this.maxInnerBytes = maxLeafBytes == MAX_LEAF_BYTES ? MAX_INNER_BYTES : 2 * maxLeafBytes;
        this.rootPage = root.page();
        this.height = root.height();
        this.size = root.size();
    }

    /** A new empty tree: one empty leaf page. */
    public static PagedTree create(Pages pages) {
        return create(pages, MAX_LEAF_BYTES);
    }

    static PagedTree create(Pages pages, int maxLeafBytes) {
        long page = pages.allocate();
        pages.write(page, Node.emptyLeaf().bytes());
        return new PagedTree(pages, new Root(page, 0, 0), maxLeafBytes);
    }

    public Root root() {
        return new Root(rootPage, height, size);
    }

    public long size() {
        return size;
    }

    // ---------------------------------------------------------------- keyed access

    /** The value stored under {@code key}, or null. O(log n). */
    public byte[] get(byte[] key) {
        Node node = load(rootPage);
        while (!node.leaf) {
            node = load(node.child(node.childFor(key)));
        }
        int at = node.find(key);
        return at >= 0 ? node.value(at) : null;
    }

    /** Stores {@code value} under {@code key}; returns the previous value or null. O(log n). */
    public byte[] put(byte[] key, byte[] value) {
        Change change = new Change();
        Split split = put(rootPage, key, value, change);
        growIfSplit(split);
        size += change.delta;
        return change.previous;
    }

    /** Removes {@code key}; returns its value or null when absent. O(log n). */
    public byte[] remove(byte[] key) {
        Change change = new Change();
        removeKey(rootPage, key, change);
        if (change.delta != 0) {
            size += change.delta;
            shrinkRoot();
        }
        return change.previous;
    }

    /** The number of entries whose key is smaller than {@code key}: its index when present. O(log n). */
    public long rank(byte[] key) {
        long rank = 0;
        Node node = load(rootPage);
        while (!node.leaf) {
            int i = node.childFor(key);
            for (int c = 0; c < i; c++) {
                rank += node.count(c);
            }
            node = load(node.child(i));
        }
        int at = node.find(key);
        return rank + (at >= 0 ? at : -at - 1);
    }

    // ---------------------------------------------------------------- access by index

    /** The entry at {@code index} (0 &lt;= index &lt; size). O(log n). */
    public Entry get(long index) {
        checkIndex(index, size);
        Node node = load(rootPage);
        long at = index;
        long total = size;
        while (!node.leaf) {
            int i = childAt(node, at, total, false);
            at = within;
            total = node.count(i);
            node = load(node.child(i));
        }
        return new Entry(node.key((int) at), node.value((int) at));
    }

    /** Inserts {@code value} at {@code index} (0 &lt;= index &lt;= size) of a positional tree. O(log n). */
    public void insertAt(long index, byte[] value) {
        checkIndex(index, size + 1);
        Split split = insertAt(rootPage, index, size, value);
        growIfSplit(split);
        size++;
    }

    /** Replaces the value at {@code index}; returns the previous one. O(log n). */
    public byte[] setAt(long index, byte[] value) {
        checkIndex(index, size);
        Change change = new Change();
        growIfSplit(setAt(rootPage, index, size, value, change));
        return change.previous;
    }

    /** Removes the entry at {@code index} and returns it. O(log n). */
    public Entry removeAt(long index) {
        checkIndex(index, size);
        Entry[] removed = new Entry[1];
        removeAt(rootPage, index, size, removed);
        size--;
        shrinkRoot();
        return removed[0];
    }

    /**
     * Removes the entries at indexes {@code from} (inclusive) to {@code to} (exclusive). O(log n +
     * removed): whole subtrees in the range are dropped without reading their leaves.
     */
    public void removeRange(long from, long to) {
        if (from < 0 || to > size || from > to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + size);
        }
        if (from == to) {
            return;
        }
        removeRange(rootPage, height, from, to);
        size -= to - from;
        shrinkRoot();
    }

    /**
     * Frees every page of the tree, the root's included: for an owner dropping a whole tree that lives
     * among other structures on the same pages (a stream's consumer group). The tree must not be used
     * afterwards. O(pages).
     */
    public void free() {
        freeSubtree(rootPage, height);
        size = 0;
    }

    /**
     * Hands the values at indexes {@code fromIndex} .. {@code fromIndex + count - 1} to {@code visitor}
     * in order, in place (no copies: LRANGE's replies). O(log n + count).
     */
    public void forEachValue(long fromIndex, long count, BytesVisitor visitor) {
        if (fromIndex < 0 || count < 0 || fromIndex + count > size) {
            throw new IndexOutOfBoundsException("range of " + count + " from " + fromIndex + " of " + size);
        }
        if (count == 0) {
            return;
        }
        Walk walk = new Walk(fromIndex, true);
        for (long i = 0; i < count; i++) {
            walk.leaf().visitValue(walk.advance(), visitor);
        }
    }

    /** Entries from {@code fromIndex} upwards, in order. */
    public Iterator<Entry> iterator(long fromIndex) {
        return new Walk(fromIndex, true);
    }

    /** Entries from {@code fromIndex} down to index 0. */
    public Iterator<Entry> descendingIterator(long fromIndex) {
        return new Walk(fromIndex, false);
    }

    // ---------------------------------------------------------------- recursion: keyed

    /** What an operation did below a node: entries added (+1) or removed (-1), the old value. */
    private static final class Change {
        int delta;
        byte[] previous;
    }

    /** A node split in two: the new right half's page, its first-key separator and both counts. */
    private record Split(long rightPage, byte[] separator, long leftCount, long rightCount) {
    }

    private Split put(long page, byte[] key, byte[] value, Change change) {
        Node node = load(page);
        if (node.leaf) {
            int at = node.find(key);
            if (at >= 0) {
                change.previous = node.value(at);
                if (Arrays.equals(change.previous, value)) {
                    // the same value again (SADD of a member, HSET of an unchanged field): no page write
                    return null;
                }
                node.setValue(at, value);
                return store(page, node, ANYWHERE);
            }
            node.insertEntry(-at - 1, key, value);
            change.delta = 1;
            return store(page, node, -at - 1);
        }
        int i = node.childFor(key);
        Split split = put(node.child(i), key, value, change);
        if (split == null) {
            addCount(page, node, i, change.delta);
            return null;
        }
        node.addCount(i, change.delta);
        absorb(node, i, split);
        return store(page, node, i + 1);
    }

    private void removeKey(long page, byte[] key, Change change) {
        Node node = load(page);
        if (node.leaf) {
            int at = node.find(key);
            if (at >= 0) {
                change.previous = node.value(at);
                node.removeEntries(at, at + 1);
                change.delta = -1;
                write(page, node);
            }
            return;
        }
        int i = node.childFor(key);
        removeKey(node.child(i), key, change);
        if (change.delta != 0) {
            shrunk(page, node, i);
        }
    }

    // ---------------------------------------------------------------- recursion: by index

    /** Inserts at {@code index} below {@code page}, a node holding {@code total} entries. */
    private Split insertAt(long page, long index, long total, byte[] value) {
        Node node = load(page);
        if (node.leaf) {
            node.insertEntry((int) index, Node.EMPTY, value);
            return store(page, node, (int) index);
        }
        // An index at a child's end goes into that child (appending to the last leaf).
        int i = childAt(node, index, total, true);
        Split split = insertAt(node.child(i), within, node.count(i), value);
        if (split == null) {
            addCount(page, node, i, 1);
            return null;
        }
        node.addCount(i, 1);
        absorb(node, i, split);
        return store(page, node, i + 1);
    }

    private Split setAt(long page, long index, long total, byte[] value, Change change) {
        Node node = load(page);
        if (node.leaf) {
            change.previous = node.value((int) index);
            node.setValue((int) index, value);
            return store(page, node, ANYWHERE);
        }
        int i = childAt(node, index, total, false);
        Split split = setAt(node.child(i), within, node.count(i), value, change);
        if (split == null) {
            return null;
        }
        absorb(node, i, split);
        return store(page, node, i + 1);
    }

    private void removeAt(long page, long index, long total, Entry[] removed) {
        Node node = load(page);
        if (node.leaf) {
            int at = (int) index;
            removed[0] = new Entry(node.key(at), node.value(at));
            node.removeEntries(at, at + 1);
            write(page, node);
            return;
        }
        int i = childAt(node, index, total, false);
        removeAt(node.child(i), within, node.count(i), removed);
        shrunk(page, node, i);
    }

    /** Removes [from, to) below {@code page}, a node {@code level} levels above the leaves. */
    private void removeRange(long page, int level, long from, long to) {
        Node node = load(page);
        if (node.leaf) {
            node.removeEntries((int) from, (int) to);
            write(page, node);
            return;
        }
        long start = 0;
        int i = 0;
        while (i < node.n) {
            long count = node.count(i);
            long end = start + count;
            long lo = Math.max(from, start);
            long hi = Math.min(to, end);
            if (lo >= hi) {
                i++;
            } else if (lo == start && hi == end && node.n > 1) {
                freeSubtree(node.child(i), level - 1);
                node.removeChild(i);
            } else {
                removeRange(node.child(i), level - 1, lo - start, hi - start);
                node.addCount(i, -(hi - lo));
                i++;
            }
            start = end;
            if (start >= to) {
                break;
            }
        }
        // At most the two edge children are partly emptied; merge them where they now fit.
        for (int c = Math.min(i, node.n - 1); c >= 0 && c >= i - 2; c--) {
            if (c < node.n) {
                rebalance(node, c);
            }
        }
        write(page, node);
    }

    private void freeSubtree(long page, int level) {
        if (level > 0) {
            Node node = load(page);
            for (int i = 0; i < node.n; i++) {
                freeSubtree(node.child(i), level - 1);
            }
        }
        free(page);
    }

    // ---------------------------------------------------------------- node maintenance

    /** Changes a child's count and writes just that count. */
    private void addCount(long page, Node node, int i, long delta) {
        if (delta != 0) {
            node.addCount(i, delta);
            patchCount(page, node, i);
        }
    }

    /** Child {@code i} lost an entry: fix its count, and merge it away if it became small. */
    private void shrunk(long page, Node node, int i) {
        node.addCount(i, -1);
        if (rebalance(node, i)) {
            write(page, node);
        } else {
            patchCount(page, node, i);
        }
    }

    private int maxBytes(Node node) {
        return node.leaf ? maxLeafBytes : maxInnerBytes;
    }

    /** Records a child's split in its parent: the right half becomes child {@code i + 1}. */
    private static void absorb(Node parent, int i, Split split) {
        if (split != null) {
            parent.addCount(i, split.leftCount - parent.count(i));
            parent.insertChild(i + 1, split.rightPage, split.rightCount, split.separator);
        }
    }

    /**
     * Writes a node, first splitting it in two when it has grown too large. {@code added} is the entry
     * (or child) the change just added, or {@link #ANYWHERE}: one added at either end of the node is
     * split off alone, so the rest stays one full node. Pushes at a list's head or tail (and keys
     * inserted in order) so leave full nodes behind them instead of half-full ones: half the pages, and
     * the node being pushed into is small after a split, so each insert shifts fewer bytes. Any other
     * change splits the node in halves by bytes.
     */
    private Split store(long page, Node node, int added) {
        if (node.size() <= maxBytes(node) || node.n < 2) {
            write(page, node);
            return null;
        }
        // An inner node's new child is the right half of a split child: at the head that is child 1.
        // (A keyed inner node's new child has a longer separator than the empty one of child 0, so
        // the full side is checked against the bound.)
        int max = maxBytes(node);
        int mid;
        if ((added == 0 || (!node.leaf && added == 1)) && node.sizeOf(1, node.n) <= max) {
            mid = 1;
        } else if (added == node.n - 1 && node.sizeOf(0, node.n - 1) <= max) {
            mid = node.n - 1;
        } else {
            mid = node.splitPoint();
        }
        Node right = node.splitOff(mid);
        byte[] separator;
        if (node.leaf) {
            separator = shortestSeparator(node.key(node.n - 1), right.key(0));
        } else {
            // The right node's first separator moves up; its child keeps no separator of its own.
            separator = right.sep(0);
            right.setSeparator(0, Node.EMPTY);
        }
        long rightPage = pages.allocate();
        write(page, node);
        write(rightPage, right);
        return new Split(rightPage, separator, node.total(), right.total());
    }

    /**
     * The shortest key s with left &lt; s &lt;= right: a prefix of {@code right}. Keeps separators small
     * when keys share a long prefix or are long. Positional trees (empty keys) get an empty one.
     */
    static byte[] shortestSeparator(byte[] left, byte[] right) {
        int common = 0;
        int max = Math.min(left.length, right.length);
        while (common < max && left[common] == right[common]) {
            common++;
        }
        return Arrays.copyOf(right, Math.min(right.length, common + 1));
    }

    /**
     * After child {@code i} of {@code parent} shrank: merges it with a neighbour when the two fit in one
     * node, or drops it when it is empty. The parent is written by the caller.
     *
     * @return whether the parent changed (beyond counts)
     */
    private boolean rebalance(Node parent, int i) {
        if (parent.n < 2) {
            return false;
        }
        Node child = load(parent.child(i));
        if (child.n == 0 && child.leaf) {
            free(parent.child(i));
            parent.removeChild(i);
            return true;
        }
        if (child.size() > maxBytes(child) / 4) {
            return false;
        }
        int left = i > 0 ? i - 1 : i;
        int right = left + 1;
        Node a = left == i ? child : load(parent.child(left));
        Node b = right == i ? child : load(parent.child(right));
        byte[] joint = parent.sep(right);
        if (a.size() + b.size() + (a.leaf ? 0 : joint.length + 20) > maxBytes(a)) {
            return false;
        }
        a.append(b, joint);
        write(parent.child(left), a);
        free(parent.child(right));
        parent.addCount(left, parent.count(right));
        parent.removeChild(right);
        return true;
    }

    private void growIfSplit(Split split) {
        if (split == null) {
            return;
        }
        Node root = Node.emptyInner();
        root.insertChild(0, rootPage, split.leftCount, Node.EMPTY);
        root.insertChild(1, split.rightPage, split.rightCount, split.separator);
        long page = pages.allocate();
        write(page, root);
        rootPage = page;
        height++;
    }

    /** An inner root left with one child hands the root to it. */
    private void shrinkRoot() {
        while (height > 0) {
            Node root = load(rootPage);
            if (root.n != 1) {
                return;
            }
            free(rootPage);
            rootPage = root.child(0);
            height--;
        }
    }

    private Node load(long page) {
        if (cache != null) {
            Node cached = cache.get(objectId, page);
            if (cached != null) {
                return cached;
            }
        }
        Node node = Node.of(pages.read(page));
        if (cache != null) {
            cache.put(objectId, page, node);
        }
        return node;
    }

    /**
     * Writes a node's page (every write goes through here, so the node cache stays right): with a
     * cache, when the batch ends ({@link NodeCache#flush}); without one, now.
     */
    private void write(long page, Node node) {
        if (cache != null) {
            cache.putUnwritten(objectId, page, node, pages);
        } else {
            pages.write(page, node.bytes());
        }
    }

    /** Writes the count of child {@code i} that just changed: 8 bytes in place, or with the node's write-back. */
    private void patchCount(long page, Node node, int i) {
        if (cache == null || !cache.markUnwritten(objectId, page, node, pages)) {
            pages.patch(page, node.countOffset(i), node.countBytes(i));
        }
    }

    private void free(long page) {
        pages.free(page);
        if (cache != null) {
            cache.remove(objectId, page);
        }
    }

    /**
     * The child of inner {@code node}, which holds {@code total} entries, that holds index {@code at};
     * the index within that child is left in {@link #within}. The counts are scanned from whichever
     * end of the node is nearer, so the ends of a list (pushes, pops, ranges from either end) read one
     * count per level instead of the node's whole fan-out. With {@code endInclusive}, an index at a
     * child's end belongs to that child (where an insert appends); without, to the next one.
     */
    private int childAt(Node node, long at, long total, boolean endInclusive) {
        int last = node.n - 1;
        if (at * 2 < total) {
            int i = 0;
            long count = node.count(0);
            while (i < last && (endInclusive ? at > count : at >= count)) {
                at -= count;
                count = node.count(++i);
            }
            within = at;
            return i;
        }
        int i = last;
        long start = total - node.count(last);
        while (i > 0 && (endInclusive ? start >= at : start > at)) {
            start -= node.count(--i);
        }
        within = at - start;
        return i;
    }

    private static void checkIndex(long index, long bound) {
        if (index < 0 || index >= bound) {
            throw new IndexOutOfBoundsException("index " + index + " of " + bound);
        }
    }

    // ---------------------------------------------------------------- iteration

    /** An in-order walk holding the path of nodes from the root to the current leaf. */
    private final class Walk implements Iterator<Entry> {
        private final boolean forward;
        private final Node[] path = new Node[height + 1];
        private final int[] position = new int[height + 1];
        private long remaining;

        Walk(long fromIndex, boolean forward) {
            this.forward = forward;
            if (fromIndex < 0 || fromIndex >= size) {
                remaining = 0;
                return;
            }
            remaining = forward ? size - fromIndex : fromIndex + 1;
            Node node = load(rootPage);
            long at = fromIndex;
            long total = size;
            for (int level = 0; level < height; level++) {
                int i = childAt(node, at, total, false);
                at = within;
                total = node.count(i);
                path[level] = node;
                position[level] = i;
                node = load(node.child(i));
            }
            path[height] = node;
            position[height] = (int) at;
        }

        @Override
        public boolean hasNext() {
            return remaining > 0;
        }

        @Override
        public Entry next() {
            Node leaf = leaf();
            int at = advance();
            return new Entry(leaf.key(at), leaf.value(at));
        }

        /** The leaf holding the next entry. */
        Node leaf() {
            if (remaining == 0) {
                throw new NoSuchElementException();
            }
            Node leaf = path[height];
            while (position[height] < 0 || position[height] >= leaf.n) {
                leaf = step();
            }
            return leaf;
        }

        /** Moves past the next entry (its {@link #leaf} found first) and returns its index in that leaf. */
        int advance() {
            int at = position[height];
            position[height] += forward ? 1 : -1;
            remaining--;
            return at;
        }

        /** Moves to the next (or previous) leaf through the nearest ancestor that has one. */
        private Node step() {
            int level = height - 1;
            while (true) {
                position[level] += forward ? 1 : -1;
                if (position[level] >= 0 && position[level] < path[level].n) {
                    break;
                }
                level--;
            }
            for (int l = level; l < height; l++) {
                Node child = load(path[l].child(position[l]));
                path[l + 1] = child;
                position[l + 1] = forward ? 0 : child.n - 1;
            }
            return path[height];
        }
    }
}
