package dev.millrace.engine.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * A list value in one of two forms, behind one positional API:
 * <ul>
 *   <li><em>small</em>, Redis's single listpack node: the elements held in memory, encoded into the
 *       key's record by {@link #encodeSmall()} as {@code varint count, then per element varint length
 *       and bytes}. Every change is O(n) in the list's bytes, which the bound keeps small;</li>
 *   <li><em>large</em>, Redis's quicklist of many nodes: a positional {@link PagedTree}, so access by
 *       index, push and pop at either end, and a range from either end cost O(log n) page reads (plus
 *       the elements returned), never O(n).</li>
 * </ul>
 * A small list becomes large when a write makes it outgrow what Redis puts in one quicklist node
 * ({@link #fitsSmall}); a large list never becomes small again, as Redis 7.0 never turns a quicklist
 * back into a listpack. Conversion is O(n) once.
 *
 * <p>Indexes are 0-based from the head. Not thread-safe: used on the execution thread only.
 */
public final class ListValue {
    /** Redis's SIZE_SAFETY_LIMIT: a node of a count-bounded list ({@code fill > 0}) stays below 8 KiB too. */
    private static final long SAFETY_LIMIT_BYTES = 8192;
    /** Redis clamps list-max-listpack-size to -5 (64 KiB nodes) ... */
    private static final int MOST_NEGATIVE_FILL = -5;
    /** ... and to 2^15 entries per node. */
    private static final int LARGEST_FILL = 1 << 15;

    private final int fill;
    private final Supplier<Pages> newPages;
    /** The small form's elements, or null once large. */
    private ArrayList<byte[]> small;
    /** The small form's encoded size without the count: the sum of each element's length prefix and bytes. */
    private long smallBytes;
    /** The large form, or null while small. */
    private PagedTree tree;

    private ListValue(int fill, Supplier<Pages> newPages, ArrayList<byte[]> small, long smallBytes, PagedTree tree) {
        this.fill = fill;
        this.newPages = newPages;
        this.small = small;
        this.smallBytes = smallBytes;
        this.tree = tree;
    }

    /**
     * A new empty list (small).
     *
     * @param fill     list-max-listpack-size: negative -1..-5 bound the small form to 4..64 KiB, positive
     *                 to that many elements (and 8 KiB)
     * @param newPages where the list's pages go when it becomes large; called at most once
     */
    public static ListValue empty(int fill, Supplier<Pages> newPages) {
        return new ListValue(fill, newPages, new ArrayList<>(), 0, null);
    }

    /** The small list encoded at {@code offset} of {@code payload} (by {@link #encodeSmall()}). O(n). */
    public static ListValue decodeSmall(byte[] payload, int offset, int fill, Supplier<Pages> newPages) {
        int[] pos = {offset};
        int count = readVarint(payload, pos);
        ArrayList<byte[]> elements = new ArrayList<>(count + 4);
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            int start = pos[0];
            int length = readVarint(payload, pos);
            byte[] element = new byte[length];
            System.arraycopy(payload, pos[0], element, 0, length);
            pos[0] += length;
            elements.add(element);
            bytes += pos[0] - start;
        }
        return new ListValue(fill, newPages, elements, bytes, null);
    }

    /** The length of the small list encoded at {@code offset}, read without decoding it. O(1). */
    public static long smallSize(byte[] payload, int offset) {
        return readVarint(payload, new int[]{offset});
    }

    /** A large list. */
    public static ListValue ofTree(PagedTree tree) {
        return new ListValue(0, null, null, 0, tree);
    }

    /**
     * Whether {@code count} elements taking {@code bytes} in the small encoding fit the small form under
     * list-max-listpack-size {@code fill}, as they would fit one Redis quicklist node.
     */
    public static boolean fitsSmall(int fill, long count, long bytes) {
        if (fill >= 0) {
            return count <= Math.min(fill, LARGEST_FILL) && bytes <= SAFETY_LIMIT_BYTES;
        }
        int level = Math.max(fill, MOST_NEGATIVE_FILL);
        return bytes <= 4096L << (-level - 1);
    }

    public boolean isSmall() {
        return small != null;
    }

    /** The large form's tree (its root must be saved after changes); only when not {@link #isSmall()}. */
    public PagedTree tree() {
        if (tree == null) {
            throw new IllegalStateException("a small list has no tree");
        }
        return tree;
    }

    /** The small form's encoding; only when {@link #isSmall()}. O(n). */
    public byte[] encodeSmall() {
        if (small == null) {
            throw new IllegalStateException("a large list is not encoded inline");
        }
        int count = small.size();
        byte[] out = new byte[Bytes.varintLength(count) + (int) smallBytes];
        int pos = Bytes.putVarint(out, 0, count);
        for (byte[] element : small) {
            pos = Bytes.putVarint(out, pos, element.length);
            System.arraycopy(element, 0, out, pos, element.length);
            pos += element.length;
        }
        return out;
    }

    public long size() {
        return small != null ? small.size() : tree.size();
    }

    /** The element at {@code index} (0 &lt;= index &lt; size). O(1) small, O(log n) large. */
    public byte[] get(long index) {
        return small != null ? small.get(checkedInt(index)) : tree.get(index).value();
    }

    /** Replaces the element at {@code index}; returns the previous one. */
    public byte[] set(long index, byte[] element) {
        if (small == null) {
            return tree.setAt(index, element);
        }
        byte[] previous = small.set(checkedInt(index), element);
        smallBytes += encodedSize(element) - encodedSize(previous);
        convertIfOutgrown();
        return previous;
    }

    /** Inserts {@code element} at {@code index} (0 &lt;= index &lt;= size; size appends). O(log n) large. */
    public void insert(long index, byte[] element) {
        if (small == null) {
            tree.insertAt(index, element);
            return;
        }
        small.add(checkedInt(index), element);
        smallBytes += encodedSize(element);
        convertIfOutgrown();
    }

    /** Pushes at the head or the tail. */
    public void push(boolean head, byte[] element) {
        insert(head ? 0 : size(), element);
    }

    /** Removes and returns the element at {@code index}. O(log n) large. */
    public byte[] remove(long index) {
        if (small == null) {
            return tree.removeAt(index).value();
        }
        byte[] removed = small.remove(checkedInt(index));
        smallBytes -= encodedSize(removed);
        return removed;
    }

    /** Removes and returns the head or the tail element; the list must not be empty. */
    public byte[] pop(boolean head) {
        return remove(head ? 0 : size() - 1);
    }

    /** Removes the elements at indexes [from, to). O(log n + removed) large. */
    public void removeRange(long from, long to) {
        if (small == null) {
            tree.removeRange(from, to);
            return;
        }
        List<byte[]> range = small.subList(checkedInt(from), checkedInt(to));
        for (byte[] element : range) {
            smallBytes -= encodedSize(element);
        }
        range.clear();
    }

    /**
     * Removes occurrences of {@code element}: the first {@code count} from the head when count &gt; 0,
     * the last -count from the tail when count &lt; 0, all when 0 (Redis's LREM; {@link Long#MIN_VALUE}
     * removes all, from the tail). O(n) to find them, then O(log n) each in the large form.
     *
     * @return how many were removed
     */
    public long removeOccurrences(byte[] element, long count) {
        boolean fromTail = count < 0;
        long limit = fromTail ? -count : count;
        long size = size();
        List<Long> found = new ArrayList<>();
        Iterator<byte[]> elements = fromTail ? descendingIterator(size - 1) : iterator(0);
        for (long index = 0; elements.hasNext(); index++) {
            if (Arrays.equals(elements.next(), element)) {
                found.add(fromTail ? size - 1 - index : index);
                if (limit != 0 && found.size() == limit) {
                    break;
                }
            }
        }
        if (small != null) {
            Set<Long> doomed = new HashSet<>(found);
            ArrayList<byte[]> kept = new ArrayList<>(small.size() - found.size());
            for (int i = 0; i < small.size(); i++) {
                if (doomed.contains((long) i)) {
                    smallBytes -= encodedSize(small.get(i));
                } else {
                    kept.add(small.get(i));
                }
            }
            small = kept;
        } else {
            // Highest index first, so the indexes still to remove do not shift.
            found.sort(Comparator.reverseOrder());
            for (long index : found) {
                tree.removeAt(index);
            }
        }
        return found.size();
    }

    /**
     * Hands the elements at indexes {@code fromIndex} .. {@code fromIndex + count - 1} to {@code visitor}
     * in order, in place: no copy per element (LRANGE). O(log n + count) large, O(count) small.
     */
    public void forEach(long fromIndex, long count, BytesVisitor visitor) {
        if (small == null) {
            tree.forEachValue(fromIndex, count, visitor);
            return;
        }
        for (byte[] element : small.subList(checkedInt(fromIndex), checkedInt(fromIndex + count))) {
            visitor.accept(element, 0, element.length);
        }
    }

    /** The elements from {@code fromIndex} towards the tail. O(log n) to start, then O(1) each. */
    public Iterator<byte[]> iterator(long fromIndex) {
        return walk(fromIndex, true);
    }

    /** The elements from {@code fromIndex} towards the head. O(log n) to start, then O(1) each. */
    public Iterator<byte[]> descendingIterator(long fromIndex) {
        return walk(fromIndex, false);
    }

    private Iterator<byte[]> walk(long fromIndex, boolean forward) {
        if (small == null) {
            Iterator<PagedTree.Entry> entries = forward ? tree.iterator(fromIndex) : tree.descendingIterator(fromIndex);
            return new Iterator<>() {
                @Override public boolean hasNext() { return entries.hasNext(); }
                @Override public byte[] next() { return entries.next().value(); }
            };
        }
        List<byte[]> elements = small;
        return new Iterator<>() {
            private long at = fromIndex;

            @Override
            public boolean hasNext() {
                return at >= 0 && at < elements.size();
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                byte[] element = elements.get((int) at);
                at += forward ? 1 : -1;
                return element;
            }
        };
    }

    /** Becomes large once the small form no longer fits its bound. */
    private void convertIfOutgrown() {
        if (fitsSmall(fill, small.size(), smallBytes)) {
            return;
        }
        PagedTree converted = PagedTree.create(newPages.get());
        for (byte[] element : small) {
            converted.insertAt(converted.size(), element);
        }
        tree = converted;
        small = null;
        smallBytes = 0;
    }

    private static long encodedSize(byte[] element) {
        return Bytes.varintLength(element.length) + element.length;
    }

    private static int checkedInt(long index) {
        if (index < 0 || index > Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException("index " + index);
        }
        return (int) index;
    }

    /** An unsigned LEB128 varint at {@code pos[0]}, advancing it. */
    private static int readVarint(byte[] b, int[] pos) {
        int value = 0;
        int shift = 0;
        while (true) {
            int octet = b[pos[0]++] & 0xff;
            value |= (octet & 0x7f) << shift;
            if (octet < 0x80) {
                return value;
            }
            shift += 7;
        }
    }
}
