package dev.millrace.storage;

import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SparseFilesTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    /** A file grown sparse, with bytes written (not yet synced) at two places: the data regions hold them, the holes nothing. */
    @Test
    void theDataRegionsOfASparseFileCoverWhatWasWrittenAndNotTheHoles() throws IOException {
        assumeTrue(Platform.isLinux(), "SEEK_DATA is Linux's");
        Path file = dir.resolve("sparse");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(5 * MIB);
            raf.seek(100);
            raf.write(1);
            raf.seek(3 * MIB + 10);
            raf.write(new byte[5000]);
        }
        List<long[]> regions = SparseFiles.dataRegions(file, 0, 5 * MIB);
        assertEquals(2, regions.size(), "regions");
        assertTrue(regions.get(0)[0] <= 100 && regions.get(0)[1] > 100 && regions.get(0)[1] <= MIB, "first region");
        assertTrue(regions.get(1)[0] <= 3 * MIB + 10 && regions.get(1)[1] >= 3 * MIB + 5010, "second region");
        long dataBytes = regions.stream().mapToLong(r -> r[1] - r[0]).sum();
        assertTrue(dataBytes <= 64 << 10, dataBytes + " bytes of data regions for 5,001 bytes written");

        assertEquals(List.of(), SparseFiles.dataRegions(file, MIB, 3 * MIB), "a range inside the hole");
        List<long[]> clipped = SparseFiles.dataRegions(file, 3 * MIB + 20, 3 * MIB + 30);
        assertEquals(1, clipped.size());
        assertEquals(3 * MIB + 20, clipped.get(0)[0]);
        assertEquals(3 * MIB + 30, clipped.get(0)[1], "regions are clipped to the range asked");
        assertEquals(List.of(), SparseFiles.dataRegions(file, 4 * MIB, 5 * MIB), "the hole at the end");
    }

    /** Where the file system cannot be asked (here: no such file), the whole range counts as data, so the caller reads it all. */
    @Test
    void whenItCannotAskTheWholeRangeIsData() {
        List<long[]> regions = SparseFiles.dataRegions(dir.resolve("missing"), 10, 5000);
        assertEquals(1, regions.size());
        assertEquals(10, regions.get(0)[0]);
        assertEquals(5000, regions.get(0)[1]);
        assertEquals(List.of(), SparseFiles.dataRegions(dir.resolve("missing"), 7, 7), "an empty range");
    }
}
