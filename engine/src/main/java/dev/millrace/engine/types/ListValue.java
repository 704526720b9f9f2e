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
 *   <li><em>small</em>, Redis's single listpack node: the elements encoded in the key's record
 *       ({@link #encodeSmall()}) as {@code varint count, then per element varint length and bytes},
 *       worked on in place and decoded into objects only for iteration and LREM. Every operation is
 *       O(n) in the list's bytes, which the bound keeps small;</li>
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
    /**
     * The small form while no operation has needed its elements as objects: the encoding,
     * {@code enc[encStart, enc.length)}. It may be the record's own array: changes never write into it
     * (each makes one new array with the change spliced in), so LPUSH, RPOP, LINDEX, LSET and LRANGE
     * on a small list work on the bytes, with no object per element. Null otherwise.
     */
    private byte[] enc;
    private int encStart;
    /** The encoded form's element count. */
    private int encCount;
    /** The small form's elements once an operation needed them (iteration, LREM), or null. */
    private ArrayList<byte[]> small;
    /** The small form's encoded size without the count: the sum of each element's length prefix and bytes. */
    private long smallBytes;
    /** The large form, or null while small. */
    private PagedTree tree;

    private ListValue(int fill, Supplier<Pages> newPages, PagedTree tree) {
        this.fill = fill;
        this.newPages = newPages;
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
        ListValue list = new ListValue(fill, newPages, null);
        list.enc = new byte[]{0};
        return list;
    }

    /**
     * The small list encoded at {@code offset} of {@code payload} (by {@link #encodeSmall()}), up to the
     * array's end. O(1): the elements are read where they are.
     */
    public static ListValue decodeSmall(byte[] payload, int offset, int fill, Supplier<Pages> newPages) {
        ListValue list = new ListValue(fill, newPages, null);
        int[] pos = {offset};
        list.encCount = readVarint(payload, pos);
        list.enc = payload;
        list.encStart = offset;
        list.smallBytes = payload.length - pos[0];
        return list;
    }

    /** The length of the small list encoded at {@code offset}, read without decoding it. O(1). */
    public static long smallSize(byte[] payload, int offset) {
        return readVarint(payload, new int[]{offset});
    }

    /** A large list. */
    public static ListValue ofTree(PagedTree tree) {
        return new ListValue(0, null, tree);
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
        return tree == null;
    }

    /** The large form's tree (its root must be saved after changes); only when not {@link #isSmall()}. */
    public PagedTree tree() {
        if (tree == null) {
            throw new IllegalStateException("a small list has no tree");
        }
        return tree;
    }

    /** The small form's encoding; only when {@link #isSmall()}. O(n) unless the encoding is at hand. */
    public byte[] encodeSmall() {
        if (tree != null) {
            throw new IllegalStateException("a large list is not encoded inline");
        }
        if (enc != null) {
            return encStart == 0 ? enc : Arrays.copyOfRange(enc, encStart, enc.length);
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
        if (tree != null) {
            return tree.size();
        }
        return enc != null ? encCount : small.size();
    }

    /** The element at {@code index} (0 &lt;= index &lt; size). O(n) small (a scan, no copies but its own), O(log n) large. */
    public byte[] get(long index) {
        if (tree != null) {
            return tree.get(index).value();
        }
        if (enc != null) {
            return elementAt(entryAt(checkedIndex(index, encCount)));
        }
        return small.get(checkedInt(index));
    }

    /** Replaces the element at {@code index}; returns the previous one. */
    public byte[] set(long index, byte[] element) {
        if (tree != null) {
            return tree.setAt(index, element);
        }
        int at = enc != null ? entryAt(checkedIndex(index, encCount)) : -1;
        byte[] previous = enc != null ? elementAt(at) : small.get(checkedInt(index));
        long bytes = smallBytes + encodedSize(element) - encodedSize(previous);
        if (enc != null && fitsSmall(fill, encCount, bytes)) {
            splice(at, entryEnd(at), element, 0);
            return previous;
        }
        elements().set(checkedInt(index), element);
        smallBytes = bytes;
        convertIfOutgrown();
        return previous;
    }

    /** Inserts {@code element} at {@code index} (0 &lt;= index &lt;= size; size appends). O(log n) large. */
    public void insert(long index, byte[] element) {
        if (tree != null) {
            tree.insertAt(index, element);
            return;
        }
        if (enc != null && fitsSmall(fill, encCount + 1L, smallBytes + encodedSize(element))) {
            int at = index == encCount ? enc.length : entryAt(checkedIndex(index, encCount));
            splice(at, at, element, 1);
            return;
        }
        elements().add(checkedInt(index), element);
        smallBytes += encodedSize(element);
        convertIfOutgrown();
    }

    /** Pushes at the head or the tail. */
    public void push(boolean head, byte[] element) {
        insert(head ? 0 : size(), element);
    }

    /** Removes and returns the element at {@code index}. O(log n) large. */
    public byte[] remove(long index) {
        if (tree != null) {
            return tree.removeAt(index).value();
        }
        if (enc != null) {
            int at = entryAt(checkedIndex(index, encCount));
            byte[] removed = elementAt(at);
            splice(at, entryEnd(at), null, -1);
            return removed;
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
        if (tree != null) {
            tree.removeRange(from, to);
            return;
        }
        if (enc != null) {
            if (from < to) {
                int start = entryAt(checkedIndex(from, encCount));
                int end = to == encCount ? enc.length : entryAt(checkedIndex(to, encCount));
                splice(start, end, null, (int) (from - to));
            }
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
        if (tree == null) {
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
        if (tree != null) {
            tree.forEachValue(fromIndex, count, visitor);
            return;
        }
        if (enc != null) {
            checkedIndex(fromIndex + count, encCount + 1L);
            int[] pos = {entryAt(checkedIndex(fromIndex, encCount + 1L))};
            for (long i = 0; i < count; i++) {
                int length = readVarint(enc, pos);
                visitor.accept(enc, pos[0], length);
                pos[0] += length;
            }
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
        if (tree != null) {
            Iterator<PagedTree.Entry> entries = forward ? tree.iterator(fromIndex) : tree.descendingIterator(fromIndex);
            return new Iterator<>() {
                @Override public boolean hasNext() { return entries.hasNext(); }
                @Override public byte[] next() { return entries.next().value(); }
            };
        }
        List<byte[]> elements = elements();
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

    /** The small form's elements as objects: decodes the encoding the first time, and the list is the form from then on. */
    private ArrayList<byte[]> elements() {
        if (small != null) {
            return small;
        }
        int[] pos = {encStart};
        int count = readVarint(enc, pos);
        ArrayList<byte[]> elements = new ArrayList<>(count + 4);
        for (int i = 0; i < count; i++) {
            int length = readVarint(enc, pos);
            elements.add(Arrays.copyOfRange(enc, pos[0], pos[0] + length));
            pos[0] += length;
        }
        small = elements;
        enc = null;
        return elements;
    }

    // ---- the encoded small form: varint count, then per element varint length and bytes

    /** Where element {@code index}'s entry starts in {@link #enc} (index = count: the end). O(index). */
    private int entryAt(int index) {
        int[] pos = {encStart};
        readVarint(enc, pos);
        for (int i = 0; i < index; i++) {
            int length = readVarint(enc, pos);
            pos[0] += length;
        }
        return pos[0];
    }

    /** A copy of the element whose entry starts at {@code at}. */
    private byte[] elementAt(int at) {
        int[] pos = {at};
        int length = readVarint(enc, pos);
        return Arrays.copyOfRange(enc, pos[0], pos[0] + length);
    }

    /** Where the entry starting at {@code at} ends. */
    private int entryEnd(int at) {
        int[] pos = {at};
        int length = readVarint(enc, pos);
        return pos[0] + length;
    }

    /**
     * Replaces {@code enc[from, to)} with {@code element}'s entry (nothing when null) and adds
     * {@code countDelta} to the count: one new array holding the count, the entries before, the entry
     * and the entries after.
     */
    private void splice(int from, int to, byte[] element, int countDelta) {
        int entriesStart = encStart + Bytes.varintLength(encCount);
        int newCount = encCount + countDelta;
        int entryLength = element == null ? 0 : (int) encodedSize(element);
        byte[] out = new byte[Bytes.varintLength(newCount) + (from - entriesStart) + entryLength + (enc.length - to)];
        int at = Bytes.putVarint(out, 0, newCount);
        System.arraycopy(enc, entriesStart, out, at, from - entriesStart);
        at += from - entriesStart;
        if (element != null) {
            at = Bytes.putVarint(out, at, element.length);
            System.arraycopy(element, 0, out, at, element.length);
            at += element.length;
        }
        System.arraycopy(enc, to, out, at, enc.length - to);
        smallBytes += entryLength - (to - from);
        enc = out;
        encStart = 0;
        encCount = newCount;
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

    /** {@code index} as an int, when 0 &lt;= index &lt; bound. */
    private static int checkedIndex(long index, long bound) {
        if (index < 0 || index >= bound) {
            throw new IndexOutOfBoundsException("index " + index + " of " + bound);
        }
        return (int) index;
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
