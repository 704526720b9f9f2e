package dev.millrace.engine.types;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * The small form of a sorted set (Redis's listpack encoding): every element inline in one byte array,
 * ordered by (score, member). The layout (docs/storage-format.md) is an int element count, then per
 * element a varint member length, the member, and the score's 8 IEEE bits, big-endian.
 *
 * <p>A score of -0 is stored as 0: Redis's listpack keeps integral scores as integers, which have no
 * negative zero (the skiplist form keeps it).
 *
 * <p>Every operation walks the array, O(n), as Redis's listpack does, and the lexicographic lookups
 * follow Redis's listpack walks exactly (a linear scan from the start or from the end), which matters
 * only when the members of a lex range have different scores. Execution thread only.
 */
final class ZSetListpack implements ZSetForm {
    private static final int HEADER = 4;

    private byte[] bytes;

    private ZSetListpack(byte[] bytes) {
        this.bytes = bytes;
    }

    static ZSetListpack empty() {
        return new ZSetListpack(new byte[HEADER]);
    }

    /** Wraps an encoding this class produced; the caller hands the array over. */
    static ZSetListpack of(byte[] encoded) {
        return new ZSetListpack(encoded);
    }

    /** The encoding (this form's own array: copy it before changing the set again). */
    byte[] bytes() {
        return bytes;
    }

    @Override
    public long size() {
        return sizeAt(bytes, 0);
    }

    /** The element count of an encoding that starts at {@code offset}. */
    static long sizeAt(byte[] encoded, int offset) {
        return Bytes.getInt(encoded, offset);
    }

    // ---------------------------------------------------------------- reading entries

    private int memberLength(int at) {
        int value = 0;
        int shift = 0;
        byte b;
        do {
            b = bytes[at++];
            value |= (b & 0x7f) << shift;
            shift += 7;
        } while (b < 0);
        return value;
    }

    private int memberStart(int at) {
        while (bytes[at] < 0) {
            at++;
        }
        return at + 1;
    }

    private byte[] member(int at) {
        int start = memberStart(at);
        return Arrays.copyOfRange(bytes, start, start + memberLength(at));
    }

    private double score(int at) {
        return Double.longBitsToDouble(Bytes.getLong(bytes, memberStart(at) + memberLength(at)));
    }

    private int next(int at) {
        return memberStart(at) + memberLength(at) + 8;
    }

    private ZSet.Element element(int at) {
        return new ZSet.Element(member(at), score(at));
    }

    private boolean memberEquals(int at, byte[] member) {
        int start = memberStart(at);
        return memberLength(at) == member.length
                && Arrays.equals(bytes, start, start + member.length, member, 0, member.length);
    }

    private int compareMember(int at, byte[] member) {
        int start = memberStart(at);
        return Arrays.compareUnsigned(bytes, start, start + memberLength(at), member, 0, member.length);
    }

    /** The offset of every element, in order. */
    private int[] offsets() {
        int n = (int) size();
        int[] offsets = new int[n];
        int at = HEADER;
        for (int i = 0; i < n; i++) {
            offsets[i] = at;
            at = next(at);
        }
        return offsets;
    }

    /** The offset of the element at {@code index}; {@code index == size} gives the end of the array. */
    private int offsetOf(long index) {
        int at = HEADER;
        for (long i = 0; i < index; i++) {
            at = next(at);
        }
        return at;
    }

    /** The index of the member, or -1. */
    private int indexOf(byte[] member) {
        int n = (int) size();
        int at = HEADER;
        for (int i = 0; i < n; i++) {
            if (memberEquals(at, member)) {
                return i;
            }
            at = next(at);
        }
        return -1;
    }

    @Override
    public Double score(byte[] member) {
        int n = (int) size();
        int at = HEADER;
        for (int i = 0; i < n; i++) {
            if (memberEquals(at, member)) {
                return score(at);
            }
            at = next(at);
        }
        return null;
    }

    @Override
    public long rank(byte[] member) {
        return indexOf(member);
    }

    @Override
    public ZSet.Element get(long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("index " + index + " of " + size());
        }
        return element(offsetOf(index));
    }

    @Override
    public Iterator<ZSet.Element> iterator(long index, boolean ascending) {
        int[] offsets = offsets();
        return new Iterator<>() {
            private long i = index;

            @Override
            public boolean hasNext() {
                return i >= 0 && i < offsets.length;
            }

            @Override
            public ZSet.Element next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ZSet.Element element = element(offsets[(int) i]);
                i += ascending ? 1 : -1;
                return element;
            }
        };
    }

    // ---------------------------------------------------------------- ranges, as Redis's zzl* walks

    @Override
    public long firstIndex(ScoreRange range) {
        if (!overlaps(range)) {
            return -1;
        }
        int n = (int) size();
        int at = HEADER;
        for (int i = 0; i < n; i++) {
            double score = score(at);
            if (range.aboveMin(score)) {
                return range.belowMax(score) ? i : -1;
            }
            at = next(at);
        }
        return -1;
    }

    @Override
    public long lastIndex(ScoreRange range) {
        if (!overlaps(range)) {
            return -1;
        }
        int[] offsets = offsets();
        for (int i = offsets.length - 1; i >= 0; i--) {
            double score = score(offsets[i]);
            if (range.belowMax(score)) {
                return range.aboveMin(score) ? i : -1;
            }
        }
        return -1;
    }

    /** Redis's zzlIsInRange: the range is not empty, the last element reaches min, the first max. */
    private boolean overlaps(ScoreRange range) {
        int n = (int) size();
        return !range.isEmpty() && n > 0 && range.aboveMin(score(offsetOf(n - 1))) && range.belowMax(score(HEADER));
    }

    @Override
    public long firstIndex(LexRange range) {
        if (!overlaps(range)) {
            return -1;
        }
        int n = (int) size();
        int at = HEADER;
        for (int i = 0; i < n; i++) {
            byte[] member = member(at);
            if (range.aboveMin(member)) {
                return range.belowMax(member) ? i : -1;
            }
            at = next(at);
        }
        return -1;
    }

    @Override
    public long lastIndex(LexRange range) {
        if (!overlaps(range)) {
            return -1;
        }
        int[] offsets = offsets();
        for (int i = offsets.length - 1; i >= 0; i--) {
            byte[] member = member(offsets[i]);
            if (range.belowMax(member)) {
                return range.aboveMin(member) ? i : -1;
            }
        }
        return -1;
    }

    /** Redis's zzlIsInLexRange. */
    private boolean overlaps(LexRange range) {
        int n = (int) size();
        return !range.isEmpty() && n > 0 && range.aboveMin(member(offsetOf(n - 1))) && range.belowMax(member(HEADER));
    }

    @Override
    public long lexCount(LexRange range) {
        long first = firstIndex(range);
        if (first < 0) {
            return 0;
        }
        long count = 0;
        for (Iterator<ZSet.Element> it = iterator(first, true); it.hasNext() && range.belowMax(it.next().member()); ) {
            count++;
        }
        return count;
    }

    // ---------------------------------------------------------------- changes

    /** Inserts before the first element that sorts after (score, member), as Redis's zzlInsert. */
    @Override
    public void insert(byte[] member, double score) {
        if (score == 0) {
            score = 0.0;
        }
        int n = (int) size();
        int at = HEADER;
        for (int i = 0; i < n; i++) {
            double s = score(at);
            if (s > score || (s == score && compareMember(at, member) > 0)) {
                break;
            }
            at = next(at);
        }
        int length = Bytes.varintLength(member.length) + member.length + 8;
        byte[] grown = new byte[bytes.length + length];
        System.arraycopy(bytes, 0, grown, 0, at);
        int pos = Bytes.putVarint(grown, at, member.length);
        System.arraycopy(member, 0, grown, pos, member.length);
        Bytes.putLong(grown, pos + member.length, Double.doubleToRawLongBits(score));
        System.arraycopy(bytes, at, grown, at + length, bytes.length - at);
        Bytes.putInt(grown, 0, n + 1);
        bytes = grown;
    }

    @Override
    public void update(byte[] member, double oldScore, double newScore) {
        remove(member);
        insert(member, newScore);
    }

    @Override
    public boolean remove(byte[] member) {
        int index = indexOf(member);
        if (index < 0) {
            return false;
        }
        removeRange(index, index + 1);
        return true;
    }

    @Override
    public void removeRange(long from, long to) {
        if (from >= to) {
            return;
        }
        int start = offsetOf(from);
        int end = start;
        for (long i = from; i < to; i++) {
            end = next(end);
        }
        byte[] shrunk = new byte[bytes.length - (end - start)];
        System.arraycopy(bytes, 0, shrunk, 0, start);
        System.arraycopy(bytes, end, shrunk, start, bytes.length - end);
        Bytes.putInt(shrunk, 0, (int) (size() - (to - from)));
        bytes = shrunk;
    }

    /** A listpack is scanned in one call, whatever the count, as Redis does. */
    @Override
    public long scan(long cursor, long count, Consumer<ZSet.Element> visitor) {
        int n = (int) size();
        int at = HEADER;
        for (int i = 0; i < n; i++) {
            visitor.accept(element(at));
            at = next(at);
        }
        return 0;
    }
}
