package dev.millrace.engine.types;

import java.util.Arrays;

/**
 * Redis's intset: a sorted array of distinct signed 64-bit integers, the small form of a set whose
 * members are all integers. As Redis's, its elements take the narrowest width (2, 4 or 8 bytes) that
 * fits every one of them, and the width only ever grows.
 *
 * <p>Layout (docs/storage-format.md): one byte, the width; then the elements, ascending, each
 * big-endian in {@code width} bytes. An intset is a plain byte array owned by the caller: the
 * changing operations return a new array (or the same one when nothing changed). Lookups are binary
 * searches, O(log n); a change copies the array, O(n), which is what Redis's intset costs too.
 *
 * <p>Stateless; thread-safe.
 */
public final class IntSet {
    private static final byte[] EMPTY = {2};

    private IntSet() {
    }

    /** A new empty intset. */
    public static byte[] empty() {
        return EMPTY.clone();
    }

    /** The intset of a sorted array of distinct values. O(n). */
    public static byte[] of(long[] sortedDistinct, int count) {
        int width = 2;
        if (count > 0) {
            width = Math.max(widthFor(sortedDistinct[0]), widthFor(sortedDistinct[count - 1]));
        }
        byte[] set = new byte[1 + count * width];
        set[0] = (byte) width;
        for (int i = 0; i < count; i++) {
            write(set, i, width, sortedDistinct[i]);
        }
        return set;
    }

    public static int size(byte[] set) {
        return (set.length - 1) / set[0];
    }

    /** The element at {@code index} in ascending order. O(1). */
    public static long get(byte[] set, int index) {
        int width = set[0];
        int at = 1 + index * width;
        long v = set[at]; // sign-extended first byte
        for (int i = 1; i < width; i++) {
            v = (v << 8) | (set[at + i] & 0xff);
        }
        return v;
    }

    /**
     * Binary search. O(log n).
     *
     * @return the index of {@code value}, or {@code -(insertion point) - 1} when absent
     */
    public static int indexOf(byte[] set, long value) {
        int low = 0;
        int high = size(set) - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long v = get(set, mid);
            if (v < value) {
                low = mid + 1;
            } else if (v > value) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -(low + 1);
    }

    public static boolean contains(byte[] set, long value) {
        return indexOf(set, value) >= 0;
    }

    /** The intset with {@code value} added: {@code set} itself when it was there already. O(n). */
    public static byte[] add(byte[] set, long value) {
        int index = indexOf(set, value);
        if (index >= 0) {
            return set;
        }
        int at = -index - 1;
        int size = size(set);
        int width = Math.max(set[0], widthFor(value));
        byte[] out = new byte[1 + (size + 1) * width];
        out[0] = (byte) width;
        if (width == set[0]) {
            System.arraycopy(set, 1, out, 1, at * width);
            System.arraycopy(set, 1 + at * width, out, 1 + (at + 1) * width, (size - at) * width);
        } else {
            for (int i = 0; i < size; i++) {
                write(out, i < at ? i : i + 1, width, get(set, i));
            }
        }
        write(out, at, width, value);
        return out;
    }

    /** The intset without the element at {@code index}. O(n). */
    public static byte[] removeAt(byte[] set, int index) {
        int width = set[0];
        byte[] out = Arrays.copyOf(set, set.length - width);
        System.arraycopy(set, 1 + (index + 1) * width, out, 1 + index * width, set.length - 1 - (index + 1) * width);
        return out;
    }

    /** The intset without {@code value}: {@code set} itself when it was not there. O(n). */
    public static byte[] remove(byte[] set, long value) {
        int index = indexOf(set, value);
        return index < 0 ? set : removeAt(set, index);
    }

    private static int widthFor(long value) {
        if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
            return 2;
        }
        if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            return 4;
        }
        return 8;
    }

    private static void write(byte[] set, int index, int width, long value) {
        int at = 1 + index * width;
        for (int i = width - 1; i >= 0; i--) {
            set[at + i] = (byte) value;
            value >>= 8;
        }
    }
}
