package dev.millrace.storage;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The libc calls the storage layer makes itself, bound through JNA (already on the class path for
 * Chronicle) with direct mapping: no per-call reflection. Binding happens on first use and loads JNA
 * (about a second on a cold JVM), so callers make the first call off the hot path.
 */
public final class Libc {
    public static final int MADV_RANDOM = 1;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_HUGEPAGE = 14;
    public static final int MADV_PAGEOUT = 21;
    public static final int MADV_POPULATE_WRITE = 23;
    public static final int EINVAL = 22;

    static {
        Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Libc() {
    }

    /** {@code madvise(2)}; returns 0 or -1, the error then in {@link #errno()}. */
    public static native int madvise(long address, long length, int advice);

    /** The errno of this thread's last failed call through this class. */
    public static int errno() {
        return Native.getLastError();
    }
}
