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
    public static final int MS_SYNC = 4;
    public static final int EINVAL = 22;
    public static final int ENXIO = 6;
    public static final int O_RDONLY = 0;
    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;
    public static final int PRIO_PROCESS = 0;

    static {
        Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Libc() {
    }

    /** {@code madvise(2)}; returns 0 or -1, the error then in {@link #errno()}. */
    public static native int madvise(long address, long length, int advice);

    /** {@code msync(2)}; returns 0 or -1, the error then in {@link #errno()}. */
    public static native int msync(long address, long length, int flags);

    /** {@code open(2)} without a mode; returns a descriptor or -1. */
    public static native int open(String path, int flags);

    /** {@code lseek(2)}; returns the new offset or -1. */
    public static native long lseek(int fd, long offset, int whence);

    public static native int close(int fd);

    /** {@code setpriority(2)}; on Linux {@code (PRIO_PROCESS, 0, nice)} sets the calling thread's nice value. */
    public static native int setpriority(int which, int who, int prio);

    /** The errno of this thread's last failed call through this class. */
    public static int errno() {
        return Native.getLastError();
    }
}
