package dev.millrace.storage.keyspace;

import dev.millrace.engine.keyspace.KeyStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page and owner part of the {@link KeyStore} contract, run against every implementation (one
 * subclass each) so they cannot drift apart. A store may delete a removed owner's pages in the
 * background: {@link #settle} lets it finish before the scenarios look.
 */
abstract class KeyStoreContract {
    private static final int DATABASES = 16;
    protected KeyStore store;

    /** A fresh, empty store of {@value #DATABASES} databases. */
    protected abstract KeyStore open();

    /** Completes any background work the store has pending (deleting pages of removed owners). */
    protected abstract void settle();

    @BeforeEach
    void openStore() {
        store = open();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int size, long seed) {
        byte[] v = new byte[size];
        new Random(seed).nextBytes(v);
        return v;
    }

    /** A new object with {@code pages} pages of {@code size} bytes, page {@code i} seeded by (id, i). */
    private long objectWithPages(int pages, int size) {
        long id = store.newObjectId();
        for (int page = 0; page < pages; page++) {
            store.putPage(id, page, bytes(size, id * 1000 + page));
        }
        return id;
    }

    private void assertPagesPresent(long id, int pages, int size) {
        for (int page = 0; page < pages; page++) {
            assertArrayEquals(bytes(size, id * 1000 + page), store.getPage(id, page), "page " + page + " of " + id);
        }
    }

    private void assertPagesGone(long id, int pages) {
        for (int page = 0; page < pages; page++) {
            assertNull(store.getPage(id, page), "page " + page + " of " + id);
        }
    }

    @Test
    void pagesOfEverySizeRoundTrip() {
        long id = store.newObjectId();
        int[] sizes = {0, 1, 4096, 64 * 1024, 64 * 1024 + 1, 1 << 20, 3 << 20};
        for (int page = 0; page < sizes.length; page++) {
            store.putPage(id, page, bytes(sizes[page], page));
        }
        for (int page = 0; page < sizes.length; page++) {
            assertArrayEquals(bytes(sizes[page], page), store.getPage(id, page), "size " + sizes[page]);
        }
        assertNull(store.getPage(id, sizes.length));
        assertNull(store.getPage(store.newObjectId(), 0), "another object has no pages");

        // Overwrites between the inline and chunked forms, both ways.
        store.putPage(id, 5, bytes(10, 50));
        store.putPage(id, 1, bytes(2 << 20, 51));
        assertArrayEquals(bytes(10, 50), store.getPage(id, 5));
        assertArrayEquals(bytes(2 << 20, 51), store.getPage(id, 1));

        byte[] mine = bytes(100, 7);
        store.putPage(id, 2, mine);
        mine[0]++;
        assertArrayEquals(bytes(100, 7), store.getPage(id, 2), "the store keeps its own copy");
        store.getPage(id, 2)[0]++;
        assertArrayEquals(bytes(100, 7), store.getPage(id, 2), "reads return the caller's own copy");

        store.removePage(id, 1);
        store.removePage(id, 6);
        store.removePage(id, 99);
        assertNull(store.getPage(id, 1));
        assertNull(store.getPage(id, 6));
        assertArrayEquals(bytes(sizes[4], 4), store.getPage(id, 4));
        settle();
        assertArrayEquals(bytes(sizes[3], 3), store.getPage(id, 3));
    }

    @Test
    void patchingAPageChangesOnlyTheGivenBytesInlineOrChunked() {
        long id = store.newObjectId();
        byte[] small = bytes(4096, 1);
        byte[] large = bytes(200 * 1024, 2);
        store.putPage(id, 0, small);
        store.putPage(id, 1, large);
        byte[] patch = {1, 2, 3, 4, 5, 6, 7, 8};
        store.patchPage(id, 0, 100, patch);
        // across the boundary of two 64 KiB chunks
        store.patchPage(id, 1, 64 * 1024 - 3, patch);
        System.arraycopy(patch, 0, small, 100, 8);
        System.arraycopy(patch, 0, large, 64 * 1024 - 3, 8);
        assertArrayEquals(small, store.getPage(id, 0));
        assertArrayEquals(large, store.getPage(id, 1));
    }

    @Test
    void objectIdsAreNeverHandedOutTwice() {
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertTrue(ids.add(store.newObjectId()));
        }
    }

    @Test
    void streamIdsComeInOrderFromTheirOwnRange() {
        long first = store.newStreamObjectId();
        assertTrue(first >= KeyStore.FIRST_STREAM_OBJECT_ID);
        for (int i = 1; i < 100; i++) {
            assertTrue(store.newObjectId() < KeyStore.FIRST_STREAM_OBJECT_ID);
            assertEquals(first + i, store.newStreamObjectId(), "the next stream's id is known ahead");
        }
    }

    @Test
    void pagesAreNotKeys() {
        long id = objectWithPages(50, 300);
        assertEquals(0, store.size(0));
        assertNull(store.randomKey(0));
        assertEquals(List.of(), scanAll(0));
        store.put(0, b("k"), b("v"));
        store.putOwner(0, b("owner"), b("record"), id, 50);
        assertEquals(2, store.size(0));
        assertEquals(Set.of("k", "owner"), new HashSet<>(scanAll(0)));
        for (int i = 0; i < 20; i++) {
            String key = new String(store.randomKey(0), StandardCharsets.UTF_8);
            assertTrue(key.equals("k") || key.equals("owner"), key);
        }
        store.flush(0);
        settle();
        assertEquals(0, store.size(0));
        assertEquals(List.of(), scanAll(0));
    }

    private List<String> scanAll(int db) {
        List<String> keys = new ArrayList<>();
        long cursor = 0;
        do {
            cursor = store.scan(db, cursor, 10, (k, v) -> keys.add(new String(k, StandardCharsets.UTF_8)));
        } while (cursor != 0);
        return keys;
    }

    @Test
    void anOwnerRecordReadsAndPatchesAsItsRecordOnly() {
        long id = objectWithPages(3, 100);
        byte[] small = bytes(40, 1);
        byte[] large = bytes(200_000, 2);
        store.putOwner(0, b("small"), small, id, 3);
        store.putOwner(1, b("large"), large, store.newObjectId(), 0);
        assertArrayEquals(small, store.get(0, b("small")));
        assertArrayEquals(large, store.get(1, b("large")));
        assertEquals(1, store.size(0));
        assertEquals(1, store.size(1));

        byte[] clock = {1, 2, 3, 4};
        store.patch(0, b("small"), 36, clock);
        store.patch(1, b("large"), 70_000, clock);
        System.arraycopy(clock, 0, small, 36, 4);
        System.arraycopy(clock, 0, large, 70_000, 4);
        assertArrayEquals(small, store.get(0, b("small")));
        assertArrayEquals(large, store.get(1, b("large")));
        assertThrows(IllegalArgumentException.class, () -> store.patch(0, b("small"), 37, clock));
        assertThrows(IllegalArgumentException.class, () -> store.patch(0, b("absent"), 0, clock));
        settle();
        assertPagesPresent(id, 3, 100);
    }

    @Test
    void removingAnOwnerDeletesExactlyThePagesBelowItsLimit() {
        long id = objectWithPages(5, 100);
        long other = objectWithPages(2, 100);
        store.putOwner(0, b("k"), b("r"), id, 4);
        assertTrue(store.remove(0, b("k")));
        assertFalse(store.remove(0, b("k")));
        assertEquals(0, store.size(0));
        settle();
        assertPagesGone(id, 4);
        assertArrayEquals(bytes(100, id * 1000 + 4), store.getPage(id, 4), "page 4 is above the limit the owner claimed");
        assertPagesPresent(other, 2, 100);
    }

    @Test
    void largePagesOfARemovedOwnerAreDeletedToo() {
        long id = store.newObjectId();
        store.putPage(id, 0, bytes(3 << 20, 1));
        store.putPage(id, 1, bytes(10, 2));
        store.putOwner(0, b("k"), bytes(100_000, 3), id, 2);
        store.remove(0, b("k"));
        settle();
        assertPagesGone(id, 2);
    }

    @Test
    void overwritingAnOwnerWithAPlainRecordDeletesItsPages() {
        long id = objectWithPages(3, 100);
        store.putOwner(0, b("k"), b("r"), id, 3);
        store.put(0, b("k"), b("plain"));
        assertArrayEquals(b("plain"), store.get(0, b("k")));
        assertEquals(1, store.size(0));
        settle();
        assertPagesGone(id, 3);
        store.remove(0, b("k"));
        settle();
    }

    @Test
    void overwritingAnOwnerWithAnotherObjectsOwnerDeletesTheOldPagesOnly() {
        long first = objectWithPages(3, 100);
        long second = objectWithPages(4, 100);
        store.putOwner(0, b("k"), b("one"), first, 3);
        store.putOwner(0, b("k"), b("two"), second, 4);
        assertArrayEquals(b("two"), store.get(0, b("k")));
        assertEquals(1, store.size(0));
        settle();
        assertPagesGone(first, 3);
        assertPagesPresent(second, 4, 100);
    }

    @Test
    void savingTheSameObjectAgainKeepsItsPagesAndTheNewLimitCounts() {
        long id = objectWithPages(2, 100);
        store.putOwner(0, b("k"), b("v1"), id, 2);
        for (int page = 2; page < 6; page++) {
            store.putPage(id, page, bytes(100, id * 1000 + page));
            store.putOwner(0, b("k"), b("v" + page), id, page + 1);
        }
        store.putOwner(0, b("k"), bytes(100_000, 9), id, 6);
        store.putOwner(0, b("k"), b("small again"), id, 6);
        settle();
        assertPagesPresent(id, 6, 100);
        assertArrayEquals(b("small again"), store.get(0, b("k")));
        store.remove(0, b("k"));
        settle();
        assertPagesGone(id, 6);
    }

    @Test
    void flushDeletesTheFlushedDatabasesOwnersPages() {
        long kept = objectWithPages(3, 100);
        long flushed = objectWithPages(3, 100);
        store.putOwner(0, b("k"), b("r"), kept, 3);
        store.putOwner(1, b("k"), b("r"), flushed, 3);
        store.put(1, b("plain"), b("p"));
        store.flush(1);
        assertEquals(0, store.size(1));
        assertNull(store.get(1, b("k")));
        settle();
        assertPagesGone(flushed, 3);
        assertPagesPresent(kept, 3, 100);
        assertArrayEquals(b("r"), store.get(0, b("k")));
    }

    @Test
    void swapThenFlushDeletesThePagesOfTheDatabaseThatWasFlushed() {
        long a = objectWithPages(3, 100);
        long b = objectWithPages(3, 100);
        store.putOwner(2, b("a"), b("ra"), a, 3);
        store.putOwner(3, b("b"), b("rb"), b, 3);
        store.swap(2, 3);
        assertArrayEquals(b("ra"), store.get(3, b("a")));
        store.flush(2);
        settle();
        assertPagesGone(b, 3);
        assertPagesPresent(a, 3, 100);
        store.remove(3, b("a"));
        settle();
        assertPagesGone(a, 3);
    }

    @Test
    void renameMovesAnOwnerAcrossDatabasesWithItsPages() {
        long id = objectWithPages(3, 100);
        byte[] record = bytes(150_000, 4);
        store.putOwner(0, b("from"), record, id, 3);
        assertTrue(store.rename(0, b("from"), 5, b("to")));
        assertNull(store.get(0, b("from")));
        assertArrayEquals(record, store.get(5, b("to")));
        assertEquals(0, store.size(0));
        assertEquals(1, store.size(5));
        assertFalse(store.rename(0, b("from"), 5, b("elsewhere")), "the source is gone");
        settle();
        assertPagesPresent(id, 3, 100);

        // The moved record still owns the pages: removing it deletes them.
        store.remove(5, b("to"));
        settle();
        assertPagesGone(id, 3);
    }

    @Test
    void renameOntoAnExistingOwnerRetiresTheTargetsPages() {
        long source = objectWithPages(3, 100);
        long target = objectWithPages(3, 100);
        store.putOwner(0, b("s"), b("source"), source, 3);
        store.putOwner(0, b("t"), b("target"), target, 3);
        store.put(0, b("x"), b("plain"));
        assertTrue(store.rename(0, b("s"), 0, b("t")));
        assertEquals(2, store.size(0));
        assertArrayEquals(b("source"), store.get(0, b("t")));
        settle();
        assertPagesGone(target, 3);
        assertPagesPresent(source, 3, 100);

        // A plain record renamed onto the owner retires its pages too.
        assertTrue(store.rename(0, b("x"), 0, b("t")));
        assertEquals(1, store.size(0));
        settle();
        assertPagesGone(source, 3);
    }

    @Test
    void renameOfAPlainRecordAndOntoItself() {
        byte[] big = bytes(300_000, 5);
        store.put(1, b("big"), big);
        store.put(2, b("small"), b("s"));
        assertTrue(store.rename(1, b("big"), 2, b("small")));
        assertEquals(0, store.size(1));
        assertEquals(1, store.size(2));
        assertArrayEquals(big, store.get(2, b("small")));

        long id = objectWithPages(2, 100);
        store.putOwner(2, b("owner"), b("r"), id, 2);
        assertTrue(store.rename(2, b("owner"), 2, b("owner")), "a key renamed onto itself stays");
        assertFalse(store.rename(2, b("absent"), 2, b("absent")));
        settle();
        assertArrayEquals(b("r"), store.get(2, b("owner")));
        assertPagesPresent(id, 2, 100);
        assertEquals(2, store.size(2));
        settle();
        assertArrayEquals(big, store.get(2, b("small")));
    }

    /** A key of {@code length} bytes, distinct per (length, seed). */
    private static byte[] key(int length, int seed) {
        byte[] k = bytes(length, length * 31L + seed);
        if (length > 0) {
            k[0] = (byte) seed;
        }
        return k;
    }

    private List<String> scanHex(int db) {
        List<String> keys = new ArrayList<>();
        long cursor = 0;
        do {
            cursor = store.scan(db, cursor, 10, (k, v) -> keys.add(hex(k)));
        } while (cursor != 0);
        return keys;
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /**
     * Redis takes keys up to 512 MB. A Chronicle Map entry must fit in a segment tier, so a long key
     * with a large value, or any key over 64 KiB, needs its own form in the map.
     */
    @Test
    void keysOfEveryLengthHoldValuesOfEverySize() {
        int[] keyLengths = {1, 1_000, EntryLayout.INLINE_MAX - 40, EntryLayout.INLINE_MAX, EntryLayout.INLINE_MAX + 1, 300_000, 2 << 20};
        int[] valueSizes = {3, 60_000, 200_000};
        Set<String> expected = new HashSet<>();
        for (int keyLength : keyLengths) {
            for (int v = 0; v < valueSizes.length; v++) {
                store.put(1, key(keyLength, v), bytes(valueSizes[v], keyLength + v));
                expected.add(hex(key(keyLength, v)));
            }
        }
        for (int keyLength : keyLengths) {
            for (int v = 0; v < valueSizes.length; v++) {
                assertArrayEquals(bytes(valueSizes[v], keyLength + v), store.get(1, key(keyLength, v)), keyLength + "-byte key, value " + v);
            }
        }
        assertEquals(expected.size(), store.size(1));
        assertEquals(expected, new HashSet<>(scanHex(1)));
        assertTrue(expected.contains(hex(store.randomKey(1))));

        byte[] longKey = key(300_000, 1);
        store.put(1, longKey, b("overwritten"));
        assertEquals(expected.size(), store.size(1), "an overwrite adds no key");
        store.patch(1, longKey, 4, b("W"));
        assertArrayEquals(b("overWritten"), store.get(1, longKey));
        assertEquals(expected.size(), scanHex(1).size(), "an overwrite adds no name");

        assertTrue(store.rename(1, longKey, 2, b("short")), "long to short");
        assertTrue(store.rename(2, b("short"), 2, key(2 << 20, 7)), "short to long");
        assertArrayEquals(b("overWritten"), store.get(2, key(2 << 20, 7)));
        assertEquals(List.of(hex(key(2 << 20, 7))), scanHex(2));
        assertTrue(store.rename(1, key(EntryLayout.INLINE_MAX + 1, 0), 2, key(2 << 20, 7)), "long onto long");
        assertArrayEquals(bytes(3, EntryLayout.INLINE_MAX + 1), store.get(2, key(2 << 20, 7)));
        assertEquals(1, store.size(2));
        assertEquals(expected.size() - 2, store.size(1));

        long id = objectWithPages(2, 100);
        store.putOwner(3, key(100_000, 9), b("owner"), id, 2);
        assertArrayEquals(b("owner"), store.get(3, key(100_000, 9)));
        assertTrue(store.remove(3, key(100_000, 9)));
        assertFalse(store.remove(3, key(100_000, 9)));
        assertNull(store.get(3, key(100_000, 9)));
        assertEquals(List.of(), scanHex(3));
        settle();
        assertPagesGone(id, 2);

        store.flush(1);
        settle();
        assertEquals(0, store.size(1));
        assertNull(store.get(1, key(2 << 20, 2)));
        assertEquals(List.of(), scanHex(1));
    }
}
