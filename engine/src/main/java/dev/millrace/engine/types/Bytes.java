package dev.millrace.engine.types;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Big-endian fixed-width integers and unsigned LEB128 varints in byte arrays. Stateless. The
 * fixed-width ones go through array views, one (bounds-checked) load or store each instead of a
 * byte loop: tree descents read a child's count per level.
 */
public final class Bytes {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    public static void putLong(byte[] b, int at, long v) {
        LONG.set(b, at, v);
    }

    public static long getLong(byte[] b, int at) {
        return (long) LONG.get(b, at);
    }

    public static void putInt(byte[] b, int at, int v) {
        INT.set(b, at, v);
    }

    public static int getInt(byte[] b, int at) {
        return (int) INT.get(b, at);
    }

    public static int varintLength(int v) {
        int n = 1;
        while ((v & ~0x7f) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /** Writes {@code v} at {@code at}; returns the position after it. */
    public static int putVarint(byte[] b, int at, int v) {
        while ((v & ~0x7f) != 0) {
            b[at++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b[at++] = (byte) v;
        return at;
    }

    /** The length of {@code v} as an unsigned LEB128 varint: 1 to 10 bytes. */
    public static int varlongLength(long v) {
        int n = 1;
        while ((v & ~0x7fL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /** Writes {@code v} as an unsigned LEB128 varint at {@code at}; returns the position after it. */
    public static int putVarlong(byte[] b, int at, long v) {
        while ((v & ~0x7fL) != 0) {
            b[at++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b[at++] = (byte) v;
        return at;
    }

    /**
     * Unsigned lexicographic order, a prefix before its extensions: the order of keys in a
     * {@link PagedTree} (and of Redis's memcmp-then-length comparison of strings).
     */
    static int compare(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, b);
    }
}
