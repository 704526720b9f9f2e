package dev.millrace.storage;

import com.sun.jna.Platform;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a sparse file holds data. Chronicle Queue grows its files sparse, a block at a time, so most
 * of a young cycle file is holes; reading a hole through a mapping still costs a zero-filled page of
 * page cache, and a scan for written bytes need not read them at all: a hole reads as zeros.
 *
 * <p>Asks the file system ({@code lseek} with {@code SEEK_DATA} and {@code SEEK_HOLE}, Linux 3.1+;
 * ext4 counts pages written but not yet allocated as data). Where that cannot be asked (another
 * system, a file system without it, the libc binding not loading), the whole range is data: the
 * caller then reads it all, as it would without this class. Stateless; thread-safe.
 */
public final class SparseFiles {
    private SparseFiles() {
    }

    /**
     * The parts of {@code [from, to)} of {@code file} that may hold non-zero bytes, in order, as
     * {@code {start, end}} pairs; the rest is holes.
     */
    public static List<long[]> dataRegions(Path file, long from, long to) {
        if (from >= to) {
            return List.of();
        }
        List<long[]> whole = List.of(new long[]{from, to});
        if (!Platform.isLinux()) {
            return whole;
        }
        try {
            int fd = Libc.open(file.toString(), Libc.O_RDONLY);
            if (fd < 0) {
                return whole;
            }
            try {
                List<long[]> regions = new ArrayList<>();
                long at = from;
                while (at < to) {
                    long data = Libc.lseek(fd, at, Libc.SEEK_DATA);
                    if (data < 0) {
                        // ENXIO: no data at or after at (the rest is a hole); anything else: not supported.
                        return Libc.errno() == Libc.ENXIO ? regions : whole;
                    }
                    if (data >= to) {
                        break;
                    }
                    long hole = Libc.lseek(fd, data, Libc.SEEK_HOLE);
                    if (hole < 0) {
                        return whole;
                    }
                    regions.add(new long[]{data, Math.min(hole, to)});
                    at = hole;
                }
                return regions;
            } finally {
                Libc.close(fd);
            }
        } catch (LinkageError e) {
            return whole;
        }
    }
}
