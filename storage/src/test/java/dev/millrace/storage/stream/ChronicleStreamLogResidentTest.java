package dev.millrace.storage.stream;

import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.stream.StreamLog;
import dev.millrace.storage.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Reading a long log end to end, forward or backward, leaves only a window of it resident in the
 * process, not every page read (the reader maps 256 MiB chunks and Chronicle keeps them mapped).
 */
class ChronicleStreamLogResidentTest {
    private static final int ENTRIES = 96_000;
    private static final int VALUE_BYTES = 1_000;

    @TempDir
    Path dir;

    @Test
    void readingALongLogLeavesAWindowResidentNotTheLog() throws IOException {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "resident pages are read from /proc");
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, ChronicleStreamLogs.Settings.defaults(
                new MutableClock(1_800_000_000_000L)))) {
            StreamLog log = logs.open(1);
            for (long n = 1; n <= ENTRIES; n++) {
                log.append(n, new StreamId(n, 0), fieldsOf(n));
            }
            Path logDir = logs.logDirectory(1);
            long logBytes = ENTRIES * (long) VALUE_BYTES;
            for (long n = 1; n <= ENTRIES; n++) {
                check(log.read(n), n);
            }
            long forward = readOnlyResident(logDir);
            for (long n = ENTRIES; n >= 1; n--) {
                check(log.read(n), n);
            }
            long backward = readOnlyResident(logDir);
            // Two of ReadPages's 4 MiB release steps at most, against the ~96 MB read.
            long bound = 2 * (4L << 20);
            assertTrue(forward < bound && backward < bound, "resident after reading " + (logBytes >> 20)
                    + " MB forward: " + (forward >> 20) + " MB, backward: " + (backward >> 20) + " MB");
        }
    }

    private static byte[][] fieldsOf(long n) {
        byte[] value = new byte[VALUE_BYTES];
        Arrays.fill(value, (byte) ('a' + n % 26));
        return new byte[][]{"f".getBytes(), value};
    }

    private static void check(StreamEntry entry, long n) {
        assertArrayEquals(fieldsOf(n)[1], entry.fieldsAndValues()[1], "entry " + n);
    }

    /** Resident bytes of this process's read-only mappings of files under {@code logDir}. */
    private static long readOnlyResident(Path logDir) throws IOException {
        List<String> smaps = Files.readAllLines(Path.of("/proc/self/smaps"));
        String prefix = logDir.toAbsolutePath().toString();
        long resident = 0;
        boolean counting = false;
        for (String line : smaps) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 5 && parts[0].contains("-") && parts[1].length() == 4) {
                counting = parts.length >= 6 && parts[5].startsWith(prefix) && parts[1].startsWith("r-");
            } else if (counting && line.startsWith("Rss:")) {
                resident += Long.parseLong(parts[1]) << 10;
            }
        }
        return resident;
    }
}
