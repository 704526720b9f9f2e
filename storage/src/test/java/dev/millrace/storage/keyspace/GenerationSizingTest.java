package dev.millrace.storage.keyspace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.millrace.storage.keyspace.ChronicleKeyStoreTest.b;
import static dev.millrace.storage.keyspace.ChronicleKeyStoreTest.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How generations are sized for the entries they hold, and what that costs in resident memory:
 * generations grown for small entries still hold the largest inline value, and a freshly created
 * big map is not resident until its entries are written.
 */
class GenerationSizingTest {
    @TempDir
    Path dir;

    @Test
    void aGenerationGrownForSmallEntriesStillHoldsTheLargestInlineValueAndChunks() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16, 1024)) {
            for (int i = 0; i < 20_000; i++) {
                store.put(0, b("key:" + i), value(32, i));
            }
            store.finishHousekeeping();
            assertTrue(store.generationIds().get(0) > 3, "grew several times: " + store.generationIds());
            // Sized for ~50-byte entries, a segment tier must still fit a 64 KB entry (Chronicle Map
            // refuses an entry larger than a tier): the largest inline value beside its 8-byte map
            // key, the 64 KB chunks of a larger value, and the longest key kept in its entry.
            byte[] inline = value(EntryLayout.INLINE_MAX - 8, 1);
            byte[] chunked = value(3 * EntryLayout.CHUNK_SIZE + 5, 2);
            byte[] longestKey = value(EntryLayout.INLINE_MAX, 3);
            store.put(0, b("inline"), inline);
            store.put(0, b("chunked"), chunked);
            store.put(0, longestKey, inline);
            assertArrayEquals(inline, store.get(0, b("inline")));
            assertArrayEquals(chunked, store.get(0, b("chunked")));
            assertArrayEquals(inline, store.get(0, longestKey));
            assertArrayEquals(value(32, 7), store.get(0, b("key:7")));
            assertEquals(20_003, store.size(0));
        }
    }

    @Test
    void entriesPerSegmentGrowsForSmallEntriesSoATierHoldsTheLargestEntry() {
        assertEquals(Generation.MIN_ENTRIES_PER_SEGMENT, Generation.entriesPerSegment(200));
        for (double averageValue : new double[]{8, 28, 64}) {
            int perSegment = Generation.entriesPerSegment(averageValue);
            assertTrue(perSegment > Generation.MIN_ENTRIES_PER_SEGMENT, averageValue + " B values: " + perSegment);
            assertTrue(perSegment * (Generation.AVERAGE_KEY_SIZE + averageValue) >= Generation.LARGEST_ENTRY,
                    averageValue + " B values: a tier of " + perSegment + " entries");
        }
    }

    @Test
    void aNewBigGenerationIsResidentOnlyWhereEntriesAreWritten() throws IOException {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "resident pages are read from /proc");
        try (Generation g = Generation.open(dir, 1, 600_000, 28, 0, 0)) {
            long fileKb = Files.size(g.file) >> 10;
            assertTrue(fileKb << 10 >= Generation.RELEASE_PAGES_FROM_BYTES, "big enough to be released: " + fileKb + " KB");
            long empty = residentKb(g.file);
            assertTrue(empty < fileKb / 10, "empty map: " + empty + " KB resident of " + fileKb + " KB");

            for (int i = 0; i < 60_000; i++) {
                g.put(b("\u0001\u0000key:" + i), value(40, i));
            }
            long tenth = residentKb(g.file);
            assertTrue(tenth < fileKb / 2, "a tenth full: " + tenth + " KB resident of " + fileKb + " KB");
            assertArrayEquals(value(40, 59_999), g.get(b("\u0001\u0000key:59999")));
        } catch (Generation.CapacityExceeded e) {
            throw new AssertionError(e);
        }
    }

    /** Resident kB of this process's mappings of {@code file}, from /proc/self/smaps. */
    private static long residentKb(Path file) throws IOException {
        String path = file.toAbsolutePath().toString();
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        long kb = 0;
        boolean inFile = false;
        for (String line : lines) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inFile = line.endsWith(" " + path);
            } else if (inFile && line.startsWith("Rss:")) {
                kb += Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return kb;
    }
}
