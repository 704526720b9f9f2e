package dev.millrace.storage;

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
}
