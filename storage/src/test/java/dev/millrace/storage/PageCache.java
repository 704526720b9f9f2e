package dev.millrace.storage;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import net.openhft.chronicle.core.OS;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** What of a file is in the page cache, for tests of how storage touches its files (Linux only). */
public final class PageCache {
    public static final long PAGE = 4096;

    static {
        Native.register(PageCache.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private PageCache() {
    }

    private static native int mincore(Pointer address, long length, byte[] vector);

    /** {@code syscall(2)}, for cachestat, which libc does not wrap. */
    private static native long syscall(long number, int fd, Pointer range, Pointer stat, int flags);

    private static final long SYS_CACHESTAT = 451;

    /** How many of {@code file}'s pages are in the page cache ({@code mincore} of a fresh mapping). */
    public static long pagesCached(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long address = OS.map(channel, FileChannel.MapMode.READ_ONLY, 0, size);
            try {
                byte[] vector = new byte[(int) ((size + PAGE - 1) / PAGE)];
                if (mincore(new Pointer(address), size, vector) != 0) {
                    throw new IOException("mincore failed with errno " + Native.getLastError());
                }
                long cached = 0;
                for (byte page : vector) {
                    cached += page & 1;
                }
                return cached;
            } finally {
                OS.unmap(address, size);
            }
        }
    }

    /**
     * How many pages of {@code file}'s first {@code length} bytes are dirty in the page cache (written
     * and not yet written back): {@code cachestat(2)}, Linux 6.5 and later on x86-64; -1 where it is
     * not available.
     */
    public static long pagesDirty(Path file, long length) {
        if (!Platform.isLinux() || !Platform.isIntel() || !Platform.is64Bit()) {
            return -1;
        }
        int fd = Libc.open(file.toString(), Libc.O_RDONLY);
        if (fd < 0) {
            throw new IllegalStateException("cannot open " + file + ": errno " + Libc.errno());
        }
        try {
            Memory range = new Memory(16);
            range.setLong(0, 0);
            range.setLong(8, length);
            Memory stat = new Memory(40);
            if (syscall(SYS_CACHESTAT, fd, range, stat, 0) != 0) {
                return -1; // ENOSYS before Linux 6.5
            }
            return stat.getLong(8); // struct cachestat: nr_cache, nr_dirty, ...
        } finally {
            Libc.close(fd);
        }
    }
}
