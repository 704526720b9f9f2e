package dev.millrace.storage.keyspace;

import dev.millrace.engine.keyspace.MemoryKeyStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The KeyStore contract on real Chronicle Map files, plus growth, chunking and persistence. */
class ChronicleKeyStoreTest {
    @TempDir
    Path dir;
    @TempDir
    Path copies;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code size} random bytes, the same for the same seed. */
    static byte[] value(int size, int seed) {
        byte[] v = new byte[size];
        new Random(seed).nextBytes(v);
        return v;
    }

    @Test
    void getPutRemoveAndSizeArePerDatabase() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            store.put(0, b("k"), b("zero"));
            store.put(1, b("k"), b("one"));
            store.put(1, b("other"), b("x"));
            assertArrayEquals(b("zero"), store.get(0, b("k")));
            assertArrayEquals(b("one"), store.get(1, b("k")));
            assertNull(store.get(2, b("k")));
            assertEquals(1, store.size(0));
            assertEquals(2, store.size(1));

            store.put(1, b("k"), b("uno"));
            assertEquals(2, store.size(1), "overwrite does not change the count");
            assertArrayEquals(b("uno"), store.get(1, b("k")));

            assertTrue(store.remove(1, b("k")));
            assertFalse(store.remove(1, b("k")));
            assertNull(store.get(1, b("k")));
            assertEquals(1, store.size(1));
            assertArrayEquals(b("zero"), store.get(0, b("k")));
        }
    }

    @Test
    void valuesOfEverySizeRoundTripAndReplacedChunksAreCollected() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            // v2 is the largest value inline beside its 4-byte map key (tag, slot, "v2"), v3 the smallest chunked one.
            int[] sizes = {0, 1024, EntryLayout.INLINE_MAX - 4, EntryLayout.INLINE_MAX - 3, 2 << 20, 20 << 20};
            for (int i = 0; i < sizes.length; i++) {
                store.put(0, b("v" + i), value(sizes[i], i));
            }
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(value(sizes[i], i), store.get(0, b("v" + i)), "size " + sizes[i]);
            }
            assertEquals(sizes.length, store.size(0));

            // Overwrite the 20 MB value with a small one, delete the 2 MB one: their chunks go.
            store.put(0, b("v5"), b("small"));
            assertTrue(store.remove(0, b("v4")));
            store.finishHousekeeping();
            assertArrayEquals(b("small"), store.get(0, b("v5")));
            long inlineEntries = 4;
            long chunksOfV3 = 1;
            assertEquals(inlineEntries + 1 + chunksOfV3, store.rawEntryCount());
        }
    }

    private static byte[] patched(byte[] record, int offset, byte[] bytes) {
        byte[] out = record.clone();
        System.arraycopy(bytes, 0, out, offset, bytes.length);
        return out;
    }

    @Test
    void patchWritesInPlaceInlineAndInTheTouchedChunksOnly() {
        byte[] small = value(100, 1);
        byte[] big = value(3 * EntryLayout.CHUNK_SIZE + 100, 2);
        byte[] clock = {9, 8, 7, 6};
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            store.put(0, b("small"), small);
            store.put(0, b("big"), big);
            long entries = store.rawEntryCount();

            store.patch(0, b("small"), 3, clock);
            small = patched(small, 3, clock);
            store.patch(0, b("small"), 96, clock);
            small = patched(small, 96, clock);
            for (int offset : new int[]{3, EntryLayout.CHUNK_SIZE - 2, 2 * EntryLayout.CHUNK_SIZE, big.length - 4}) {
                store.patch(0, b("big"), offset, clock);
                big = patched(big, offset, clock);
            }
            assertArrayEquals(small, store.get(0, b("small")));
            assertArrayEquals(big, store.get(0, b("big")));
            assertEquals(entries, store.rawEntryCount(), "no entry added");
            assertFalse(store.housekeepingPending(), "no chunk version replaced");

            assertThrows(IllegalArgumentException.class, () -> store.patch(0, b("small"), 97, new byte[4]));
            assertThrows(IllegalArgumentException.class, () -> store.patch(0, b("big"), 3 * EntryLayout.CHUNK_SIZE + 97, new byte[4]));
            assertThrows(IllegalArgumentException.class, () -> store.patch(0, b("absent"), 0, new byte[1]));
            assertThrows(IllegalArgumentException.class, () -> store.patch(1, b("small"), 0, new byte[1]));
            assertArrayEquals(small, store.get(0, b("small")), "a refused patch writes nothing");
        }
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            assertArrayEquals(small, store.get(0, b("small")), "persisted");
            assertArrayEquals(big, store.get(0, b("big")));
        }
    }

    @Test
    void patchFindsRecordsInOlderGenerations() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16, 1024)) {
            store.put(0, b("big"), value(EntryLayout.CHUNK_SIZE + 10, 3));
            int n = 0;
            while (store.generationIds().size() < 2) {
                store.put(0, b("k" + n), value(20, n));
                n++;
            }
            byte[] clock = {1, 2, 3, 4};
            for (int i = 0; i < n; i++) {
                store.patch(0, b("k" + i), 16, clock);
            }
            store.patch(0, b("big"), EntryLayout.CHUNK_SIZE + 2, clock);
            for (int i = 0; i < n; i++) {
                assertArrayEquals(patched(value(20, i), 16, clock), store.get(0, b("k" + i)));
            }
            assertArrayEquals(patched(value(EntryLayout.CHUNK_SIZE + 10, 3), EntryLayout.CHUNK_SIZE + 2, clock), store.get(0, b("big")));
        }
    }

    @Test
    void swapExchangesDatabasesAndFlushEmptiesOne() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            for (int i = 0; i < 500; i++) {
                store.put(0, b("a" + i), b("A"));
            }
            store.put(3, b("b"), b("B"));
            store.swap(0, 3);
            assertEquals(1, store.size(0));
            assertEquals(500, store.size(3));
            assertArrayEquals(b("B"), store.get(0, b("b")));
            assertArrayEquals(b("A"), store.get(3, b("a7")));
            assertNull(store.get(0, b("a7")));

            store.flush(3);
            assertEquals(0, store.size(3));
            assertNull(store.get(3, b("a7")));
            store.put(3, b("a7"), b("new"));
            assertArrayEquals(b("new"), store.get(3, b("a7")));
            assertEquals(1, store.size(3));

            store.finishHousekeeping();
            assertEquals(2, store.rawEntryCount(), "the flushed slot's 500 entries were swept");
            assertArrayEquals(b("B"), store.get(0, b("b")));
        }
    }

    @Test
    void longKeysLeaveNothingBehindAndSurviveAReopen() {
        byte[] longKey = value(EntryLayout.INLINE_MAX + 1, 1);
        byte[] hugeKey = value(3 << 20, 2);
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            store.put(0, longKey, b("a"));
            store.put(0, hugeKey, value(100_000, 3));
            store.put(0, b("short"), value(EntryLayout.INLINE_MAX, 4));
        }
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            assertArrayEquals(b("a"), store.get(0, longKey));
            assertArrayEquals(value(100_000, 3), store.get(0, hugeKey));
            assertArrayEquals(value(EntryLayout.INLINE_MAX, 4), store.get(0, b("short")));
            assertEquals(3, store.size(0));
            java.util.HexFormat hex = java.util.HexFormat.of();
            Set<String> keys = new HashSet<>();
            store.scan(0, 0, 10, (k, v) -> keys.add(hex.formatHex(k)));
            assertEquals(Set.of(hex.formatHex(longKey), hex.formatHex(hugeKey), hex.formatHex(b("short"))), keys);

            assertTrue(store.remove(0, longKey));
            assertTrue(store.rename(0, hugeKey, 0, b("renamed")));
            assertTrue(store.remove(0, b("short")));
            store.finishHousekeeping();
            // The renamed value's two chunks and its entry: the names and their chunks are gone.
            assertEquals(3, store.rawEntryCount());
            assertArrayEquals(value(100_000, 3), store.get(0, b("renamed")));
            store.put(1, hugeKey, b("h"));
            store.flush(1);
            store.finishHousekeeping();
            assertEquals(3, store.rawEntryCount(), "a flushed long key goes with its name");
        }
    }

    @Test
    void flushSweepsChunkedValuesToo() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            store.put(1, b("big"), value(3 << 20, 1));
            store.put(1, b("small"), b("s"));
            store.flush(1);
            store.finishHousekeeping();
            assertEquals(0, store.rawEntryCount());
        }
    }

    @Test
    void growsFarPastTheInitialSizeWithoutErrors() throws Exception {
        int n = 60_000;
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16, 1024)) {
            for (int i = 0; i < n; i++) {
                store.put(i % 3, b("key:" + i), b("value:" + i));
                if (i % 7 == 0) {
                    store.put(i % 3, b("key:" + i), value(200, i));
                }
            }
            assertTrue(store.generationIds().get(store.generationIds().size() - 1) > 3, "grew several times");
            assertEquals(n, store.size(0) + store.size(1) + store.size(2));
            for (int i = 0; i < n; i++) {
                byte[] expected = i % 7 == 0 ? value(200, i) : b("value:" + i);
                assertArrayEquals(expected, store.get(i % 3, b("key:" + i)));
            }
            store.finishHousekeeping();
            assertEquals(1, store.generationIds().size());
            long current = store.generationIds().get(0);
            for (long id = 1; id < current; id++) {
                assertFalse(Files.exists(Generation.fileOf(dir, id)), "migrated generation " + id + " deleted");
            }
        }
    }

    @Test
    void withoutPreparingAheadTheStoreStillGrowsAndPreparesAgainWhenAskedTo() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16, 1024)) {
            store.prepareAhead(false);
            for (int i = 0; i < 800; i++) {
                store.put(0, b("key:" + i), b("value:" + i));
            }
            // Past half full and nothing prepared: no thread was asked to create generation 2.
            assertEquals(List.of(1L), store.generationIds());
            assertFalse(Files.exists(Generation.fileOf(dir, 2)));
            for (int i = 800; i < 1500; i++) {
                store.put(0, b("key:" + i), b("value:" + i));
            }
            assertEquals(2L, store.generationIds().get(store.generationIds().size() - 1), "grew when full");

            // Generation 2 is more than half full: the next write asks for generation 3 in the background.
            store.prepareAhead(true);
            int n = 1501;
            store.put(0, b("key:1500"), b("value:1500"));
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(Generation.fileOf(dir, 3)));
            assertEquals(2L, store.generationIds().get(store.generationIds().size() - 1), "prepared, not started");
            assertEquals(n, store.size(0));
            for (int i = 0; i < n; i++) {
                assertArrayEquals(b("value:" + i), store.get(0, b("key:" + i)));
            }
        }
    }

    @Test
    void aHugeValueGrowsTheStoreInOneStep() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16, 1024)) {
            byte[] big = value(40 << 20, 9);
            store.put(0, b("huge"), big);
            assertArrayEquals(big, store.get(0, b("huge")));
            assertTrue(store.generationIds().size() <= 2, "pre-sized for the value: " + store.generationIds());
        }
    }

    @Test
    void scanVisitsEveryKeyPresentThroughoutDespiteInsertsDeletesAndGrowth() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16, 1024)) {
            // Entries of ~140 bytes: generations then have segments of 512 entries (smaller entries
            // get bigger segments), so the scan takes many steps and the churn below outgrows the store.
            byte[] padded = new byte[120];
            Set<String> stable = new HashSet<>();
            for (int i = 0; i < 3000; i++) {
                store.put(0, b("stable:" + i), padded);
                stable.add("stable:" + i);
            }
            store.put(1, b("stable:0"), b("other db"));
            Set<String> seen = new HashSet<>();
            long generationsBefore = store.generationIds().get(store.generationIds().size() - 1);
            long cursor = 0;
            int step = 0;
            do {
                cursor = store.scan(0, cursor, 10, (k, v) -> seen.add(new String(k, StandardCharsets.UTF_8)));
                // Churn between steps: enough inserts to force several generations, deletes of other keys.
                for (int i = 0; i < 200; i++) {
                    store.put(0, b("churn:" + step + ":" + i), padded);
                }
                if (step > 0) {
                    store.remove(0, b("churn:" + (step - 1) + ":5"));
                }
                step++;
            } while (cursor != 0);
            assertTrue(store.generationIds().get(store.generationIds().size() - 1) > generationsBefore + 1,
                    "the store grew during the scan");
            Set<String> missing = new HashSet<>(stable);
            missing.removeAll(seen);
            assertEquals(Set.of(), missing);
        }
    }

    @Test
    void aScanStepOnASmallDatabaseDoesNotWalkTheWholeStore() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16, 1024)) {
            for (int i = 0; i < 50_000; i++) {
                store.put(1, b("big:" + i), b("v"));
            }
            store.finishHousekeeping();
            store.put(0, b("lonely"), b("v"));

            List<String> seen = new ArrayList<>();
            int steps = 0;
            long cursor = 0;
            do {
                cursor = store.scan(0, cursor, 10, (key, record) -> seen.add(new String(key, StandardCharsets.UTF_8)));
                steps++;
            } while (cursor != 0);
            // Ten keys asked for: a step looks at about the first generation's 1,024 entries, not all 50,000.
            assertTrue(steps > 10, "a full pass took " + steps + " steps");
            assertEquals(List.of("lonely"), seen);
        }
    }

    @Test
    void aSmallStoreIsScannedInOneStepAsRedisScansASmallDictionary() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            for (int i = 0; i < 100; i++) {
                store.put(1, b("other:" + i), b("v"));
            }
            store.put(0, b("hello"), b("v"));
            List<String> seen = new ArrayList<>();
            // Fewer keys than asked for: the step goes on to the end, as Redis does within ten buckets per key.
            assertEquals(0, store.scan(0, 0, 2, (key, record) -> seen.add(new String(key, StandardCharsets.UTF_8))));
            assertEquals(List.of("hello"), seen);
        }
    }

    @Test
    void scanReturnsEachKeyOfAQuietDatabaseWithItsRecord() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            Map<String, String> expected = new HashMap<>();
            for (int i = 0; i < 2000; i++) {
                store.put(2, b("k" + i), b("v" + i));
                expected.put("k" + i, "v" + i);
            }
            store.put(2, b("big"), value(300_000, 3));
            store.put(0, b("elsewhere"), b("x"));
            Map<String, byte[]> seen = new HashMap<>();
            long cursor = 0;
            int calls = 0;
            do {
                cursor = store.scan(2, cursor, 100, (k, v) -> seen.put(new String(k, StandardCharsets.UTF_8), v));
                calls++;
            } while (cursor != 0);
            assertTrue(calls > 5, "visited in steps: " + calls);
            assertEquals(2001, seen.size());
            expected.forEach((k, v) -> assertArrayEquals(b(v), seen.get(k)));
            assertArrayEquals(value(300_000, 3), seen.get("big"));
            assertEquals(0, store.scan(2, 999L << 32, 10, (k, v) -> { }), "a cursor past the end finishes");
        }
    }

    @Test
    void randomKeyPicksFromTheDatabaseOnly() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            assertNull(store.randomKey(0));
            for (int i = 0; i < 5000; i++) {
                store.put(0, b("many" + i), b("v"));
            }
            store.put(1, b("lonely"), b("v"));
            assertArrayEquals(b("lonely"), store.randomKey(1), "found even when the db is a tiny part of the map");
            Set<String> picked = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                String k = new String(store.randomKey(0), StandardCharsets.UTF_8);
                assertTrue(k.startsWith("many"), k);
                picked.add(k);
            }
            assertTrue(picked.size() > 25, "random, not fixed: " + picked.size());
        }
    }

    @Test
    void everythingPersistsAcrossCloseAndReopen() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16, 1024)) {
            for (int i = 0; i < 5000; i++) {
                store.put(0, b("k" + i), b("v" + i));
            }
            store.put(4, b("big"), value(1 << 20, 4));
            store.put(5, b("gone"), b("x"));
            store.swap(4, 6);
            store.flush(5);
            store.put(0, b("big"), value(2 << 20, 1));
            store.put(0, b("big"), b("replaced"));
            assertTrue(store.housekeepingPending());
        }
        assertTrue(ChronicleKeyStore.isCleanlyClosed(dir));
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16, 1024)) {
            assertFalse(ChronicleKeyStore.isCleanlyClosed(dir), "marked open while in use");
            assertEquals(5001, store.size(0));
            assertEquals(0, store.size(4));
            assertEquals(0, store.size(5));
            assertEquals(1, store.size(6));
            assertArrayEquals(value(1 << 20, 4), store.get(6, b("big")));
            assertArrayEquals(b("replaced"), store.get(0, b("big")));
            assertArrayEquals(b("v4321"), store.get(0, b("k4321")));
            store.finishHousekeeping();
            assertEquals(5001 + 1 + 16, store.rawEntryCount(), "5001 inline, 1 descriptor, 16 chunks of 64 KB");
        }
    }

    @Test
    void aStoreThatWasNotClosedIsRefused() throws Exception {
        ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16);
        store.put(0, b("k"), b("v"));
        // Simulate a crash: copy the files while the store is open, as kill -9 would leave them.
        Path crashed = copies.resolve("crashed");
        dev.millrace.storage.DurableFiles.copyDirectory(dir, crashed);
        store.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ChronicleKeyStore.open(crashed, 16));
        assertTrue(e.getMessage().contains("not closed cleanly"), e.getMessage());
    }

    @Test
    void behavesLikeTheMemoryStoreUnderRandomOperations() {
        Random random = new Random(42);
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 4, 1024);
             MemoryKeyStore model = new MemoryKeyStore(4)) {
            for (int op = 0; op < 40_000; op++) {
                int db = random.nextInt(4);
                byte[] key = b("k" + random.nextInt(3000));
                int kind = random.nextInt(1000);
                if (kind < 500) {
                    byte[] v = value(random.nextInt(10) == 0 ? random.nextInt(150_000) : random.nextInt(300), op);
                    store.put(db, key, v);
                    model.put(db, key, v);
                } else if (kind < 800) {
                    assertEquals(model.remove(db, key), store.remove(db, key));
                } else if (kind < 950) {
                    assertArrayEquals(model.get(db, key), store.get(db, key));
                } else if (kind < 995) {
                    byte[] current = model.get(db, key);
                    if (current == null || current.length == 0) {
                        assertThrows(IllegalArgumentException.class, () -> store.patch(db, key, 0, new byte[1]));
                    } else {
                        int offset = random.nextInt(current.length);
                        byte[] bytes = value(1 + random.nextInt(Math.min(current.length - offset, 70_000)), op);
                        store.patch(db, key, offset, bytes);
                        model.patch(db, key, offset, bytes);
                    }
                } else if (kind < 998) {
                    store.swap(db, (db + 1) % 4);
                    model.swap(db, (db + 1) % 4);
                } else {
                    store.flush(db);
                    model.flush(db);
                }
                assertEquals(model.size(db), store.size(db));
            }
            for (int db = 0; db < 4; db++) {
                List<byte[]> keys = new ArrayList<>();
                long cursor = 0;
                do {
                    cursor = store.scan(db, cursor, 50, (k, v) -> keys.add(k));
                } while (cursor != 0);
                assertEquals(model.size(db), keys.size(), "a quiet scan visits each key once");
                for (byte[] k : keys) {
                    assertArrayEquals(model.get(db, k), store.get(db, k));
                }
            }
        }
    }
}
