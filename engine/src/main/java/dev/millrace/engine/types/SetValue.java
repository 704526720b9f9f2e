package dev.millrace.engine.types;

import dev.millrace.engine.util.Numbers;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A stored Redis set in one of Redis 7.0's two encodings, behind one set of operations:
 * <ul>
 *   <li><b>intset</b> ({@link IntSet}, kept in the key's record) while every member is an integer in
 *       canonical form that fits 64 bits and there are at most set-max-intset-entries of them;
 *       members come out in ascending numeric order, as Redis's do;</li>
 *   <li><b>hashtable</b>, a keyed {@link PagedTree} in the key's pages, once a member is not such an
 *       integer or the intset grows past the limit. Never converted back, as in Redis. Its entries
 *       are keyed by {@link Hashing#hash64} of the member (8 bytes, big-endian) followed by the member,
 *       with empty values: members come out in hash order, which SSCAN's cursor follows.</li>
 * </ul>
 *
 * <p>Costs: the hashtable form is O(log n) per member for add, remove, membership and access by
 * index (so a uniformly random member is {@code member(random index)}); the intset form is O(log n)
 * for lookups and O(n) for changes, n being at most the intset limit. The caller saves the form that
 * results ({@link #intset()} or {@link #tree()}'s root) after a change.
 *
 * <p>Execution thread only.
 */
public final class SetValue {
    private static final byte[] NO_VALUE = new byte[0];
    private static final int HASH_BYTES = 8;
    /** Redis caps set-max-intset-entries at 2^30 because of the intset's internals. */
    private static final long INTSET_HARD_LIMIT = 1L << 30;

    private final long maxIntsetEntries;
    private final Supplier<Pages> newPages;
    private byte[] intset;
    private PagedTree tree;

    private SetValue(byte[] intset, PagedTree tree, long maxIntsetEntries, Supplier<Pages> newPages) {
        this.intset = intset;
        this.tree = tree;
        this.maxIntsetEntries = maxIntsetEntries;
        this.newPages = newPages;
    }

    /** The intset limit Redis applies for a configured set-max-intset-entries. */
    public static long intsetLimit(long configured) {
        return Math.min(configured, INTSET_HARD_LIMIT);
    }

    /**
     * An intset-encoded set.
     *
     * @param maxIntsetEntries the limit past which it becomes a hashtable (see {@link #intsetLimit})
     * @param newPages         where a hashtable goes when it converts; called at most once
     */
    public static SetValue ofIntSet(byte[] intset, long maxIntsetEntries, Supplier<Pages> newPages) {
        return new SetValue(intset, null, maxIntsetEntries, newPages);
    }

    /** A hashtable-encoded set. */
    public static SetValue ofTree(PagedTree tree) {
        return new SetValue(null, tree, 0, null);
    }

    /**
     * A new, empty set in the encoding Redis's setTypeCreate picks for its first member: an intset for
     * an integer, else a hashtable in pages from {@code newPages}.
     */
    public static SetValue createFor(byte[] firstMember, long maxIntsetEntries, Supplier<Pages> newPages) {
        if (Numbers.parseLong(firstMember) != null) {
            return ofIntSet(IntSet.empty(), maxIntsetEntries, newPages);
        }
        return ofTree(PagedTree.create(newPages.get()));
    }

    public boolean isIntSet() {
        return intset != null;
    }

    /** The intset encoding, for saving; only while {@link #isIntSet()}. */
    public byte[] intset() {
        return intset;
    }

    /** The hashtable's tree, for saving its root; only while not {@link #isIntSet()}. */
    public PagedTree tree() {
        return tree;
    }

    public long size() {
        return intset != null ? IntSet.size(intset) : tree.size();
    }

    public boolean contains(byte[] member) {
        if (intset != null) {
            Long value = Numbers.parseLong(member);
            return value != null && IntSet.contains(intset, value);
        }
        return tree.get(treeKey(member)) != null;
    }

    /** Adds a member, converting an intset to a hashtable as Redis does. @return whether it was new */
    public boolean add(byte[] member) {
        if (intset != null) {
            Long value = Numbers.parseLong(member);
            if (value != null) {
                byte[] added = IntSet.add(intset, value);
                if (added == intset) {
                    return false;
                }
                intset = added;
                if (IntSet.size(intset) > maxIntsetEntries) {
                    toHashtable();
                }
                return true;
            }
            toHashtable();
        }
        return tree.put(treeKey(member), NO_VALUE) == null;
    }

    /** @return whether the member was there */
    public boolean remove(byte[] member) {
        if (intset != null) {
            Long value = Numbers.parseLong(member);
            if (value == null) {
                return false;
            }
            byte[] removed = IntSet.remove(intset, value);
            boolean changed = removed != intset;
            intset = removed;
            return changed;
        }
        return tree.remove(treeKey(member)) != null;
    }

    /** The member at {@code index} (0 to size - 1) in iteration order. O(1) intset, O(log n) hashtable. */
    public byte[] member(long index) {
        if (intset != null) {
            return Numbers.format(IntSet.get(intset, Math.toIntExact(index)));
        }
        return memberOf(tree.get(index).key());
    }

    /** Removes and returns the member at {@code index} in iteration order. */
    public byte[] removeAt(long index) {
        if (intset != null) {
            int at = Math.toIntExact(index);
            byte[] member = Numbers.format(IntSet.get(intset, at));
            intset = IntSet.removeAt(intset, at);
            return member;
        }
        return memberOf(tree.removeAt(index).key());
    }

    /**
     * Every member, in iteration order: ascending for an intset, hash order for a hashtable. The
     * iterator is invalidated by a change to the set.
     */
    public Iterator<byte[]> iterator() {
        if (intset != null) {
            byte[] snapshot = intset;
            return new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < IntSet.size(snapshot);
                }

                @Override
                public byte[] next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return Numbers.format(IntSet.get(snapshot, next++));
                }
            };
        }
        Iterator<PagedTree.Entry> entries = tree.iterator(0);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public byte[] next() {
                return memberOf(entries.next().key());
            }
        };
    }

    /**
     * One SSCAN step. An intset is visited whole and the scan ends (cursor 0), as in Redis. A hashtable
     * is visited in hash order from the first member whose hash, read unsigned, is at least
     * {@code cursor}: about {@code count} members (never stopping between members of equal hash, so a
     * resumed scan misses none), and the cursor returned is the next member's hash, or 0 at the end.
     * O(log n + count).
     */
    public long scan(long cursor, long count, Consumer<byte[]> visitor) {
        if (intset != null) {
            iterator().forEachRemaining(visitor);
            return 0;
        }
        byte[] from = new byte[HASH_BYTES];
        putLong(from, cursor);
        Iterator<PagedTree.Entry> entries = tree.iterator(tree.rank(from));
        long visited = 0;
        long lastHash = 0;
        while (entries.hasNext()) {
            byte[] key = entries.next().key();
            long hash = getLong(key);
            if (visited >= count && hash != lastHash) {
                return hash;
            }
            visitor.accept(memberOf(key));
            visited++;
            lastHash = hash;
        }
        return 0;
    }

    /** Rewrites an intset as a hashtable (Redis's setTypeConvert): O(n log n) for n at most the limit. */
    private void toHashtable() {
        PagedTree converted = PagedTree.create(newPages.get());
        for (int i = 0; i < IntSet.size(intset); i++) {
            converted.put(treeKey(Numbers.format(IntSet.get(intset, i))), NO_VALUE);
        }
        tree = converted;
        intset = null;
    }

    private static byte[] treeKey(byte[] member) {
        byte[] key = new byte[HASH_BYTES + member.length];
        putLong(key, Hashing.hash64(member));
        System.arraycopy(member, 0, key, HASH_BYTES, member.length);
        return key;
    }

    private static byte[] memberOf(byte[] treeKey) {
        return Arrays.copyOfRange(treeKey, HASH_BYTES, treeKey.length);
    }

    private static void putLong(byte[] b, long v) {
        for (int i = HASH_BYTES - 1; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] b) {
        long v = 0;
        for (int i = 0; i < HASH_BYTES; i++) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }
}
