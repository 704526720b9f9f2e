package dev.millrace.storage.keyspace;

import dev.millrace.engine.keyspace.MemoryKeyStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static dev.millrace.storage.keyspace.KeyStoreContract.b;
import static dev.millrace.storage.keyspace.KeyStoreContract.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pages and owners in the Chronicle store beyond the shared contract ({@link KeyStoreContract}):
 * nothing left behind, persistence of pending deletions and object ids, growth, O(1) rename.
 */
class ChronicleKeyStorePagesTest {
    @TempDir
    Path dir;

    private static void writePages(ChronicleKeyStore store, long id, int pages, int size) {
        for (int page = 0; page < pages; page++) {
            store.putPage(id, page, bytes(size, id * 100_000 + page));
        }
    }

    private static void assertPages(ChronicleKeyStore store, long id, int pages, int size) {
        for (int page = 0; page < pages; page++) {
            assertArrayEquals(bytes(size, id * 100_000 + page), store.getPage(id, page), "page " + page + " of " + id);
        }
    }

    @Test
    void deletedOwnersLeaveNoEntriesBehind() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            store.put(0, b("plain"), b("p"));
            long base = store.rawEntryCount();
            long small = store.newObjectId();
            writePages(store, small, 300, 200);
            long large = store.newObjectId();
            store.putPage(large, 0, bytes(5 << 20, 1));
            store.putPage(large, 1, bytes(100, 2));
            store.putOwner(0, b("small"), b("r"), small, 300);
            store.putOwner(1, b("large"), bytes(200_000, 3), large, 2);
            store.putOwner(2, b("renamed"), b("r"), store.newObjectId(), 0);
            assertTrue(store.rawEntryCount() > base + 300 + 80);

            store.remove(0, b("small"));
            store.rename(2, b("renamed"), 1, b("large"));
            store.flush(1);
            store.finishHousekeeping();
            assertEquals(base, store.rawEntryCount(), "pages, their chunks and the records' chunks all deleted");
            assertFalse(store.housekeepingPending());
        }
    }

    @Test
    void renameMovesAChunkedOwnerWithoutCopyingItsChunks() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            long id = store.newObjectId();
            writePages(store, id, 3, 100);
            byte[] record = bytes(20 << 20, 4);
            store.putOwner(0, b("from"), record, id, 3);
            long entries = store.rawEntryCount();
            assertTrue(store.rename(0, b("from"), 3, b("to")));
            assertEquals(entries, store.rawEntryCount(), "the same entries: the key entry moved, no chunk written");
            store.finishHousekeeping();
            assertEquals(entries, store.rawEntryCount(), "nothing retired: the chunks and pages are the moved record's");
            assertArrayEquals(record, store.get(3, b("to")));
            byte[] clock = {5, 6, 7, 8};
            store.patch(3, b("to"), 10 << 20, clock);
            System.arraycopy(clock, 0, record, 10 << 20, 4);
            assertArrayEquals(record, store.get(3, b("to")));
            assertPages(store, id, 3, 100);
        }
    }

    @Test
    void pendingPageDeletionsAndObjectIdsSurviveCloseAndReopen() {
        long deleted;
        long kept;
        long lastId;
        long lastStreamId;
        long base;
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            store.put(0, b("plain"), b("p"));
            base = store.rawEntryCount();
            deleted = store.newObjectId();
            writePages(store, deleted, 500, 100);
            store.putPage(deleted, 500, bytes(300_000, 5));
            store.putOwner(0, b("gone"), b("r"), deleted, 501);
            kept = store.newObjectId();
            writePages(store, kept, 20, 100);
            store.putOwner(1, b("kept"), bytes(100_000, 6), kept, 20);
            for (int i = 0; i < 100; i++) {
                lastId = store.newObjectId();
            }
            lastId = store.newObjectId();
            lastStreamId = store.newStreamObjectId();
            store.remove(0, b("gone"));
            store.get(1, b("kept"));
            assertTrue(store.housekeepingPending(), "pages still queued at close");
        }
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            assertTrue(store.housekeepingPending(), "the queue was saved");
            assertTrue(store.newObjectId() > lastId, "object ids continue after the last one handed out");
            assertEquals(lastStreamId + 1, store.newStreamObjectId(), "and so do stream ids");
            store.finishHousekeeping();
            for (int page = 0; page <= 500; page++) {
                assertNull(store.getPage(deleted, page));
            }
            assertPages(store, kept, 20, 100);
            assertArrayEquals(bytes(100_000, 6), store.get(1, b("kept")));
            long keptEntries = 1 + 2 + 20;
            assertEquals(base + keptEntries, store.rawEntryCount());
        }
    }

    @Test
    void pagesGrowTheStoreAndStayReadableThroughMigration() {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16, 1024)) {
            List<Long> objects = new ArrayList<>();
            for (int o = 0; o < 12; o++) {
                long id = store.newObjectId();
                objects.add(id);
                writePages(store, id, 1000, 150);
                store.putOwner(0, b("c" + o), b("r" + o), id, 1000);
                // Read back while older generations are still being migrated.
                assertPages(store, objects.get(o / 2), 1000, 150);
            }
            assertTrue(store.generationIds().get(store.generationIds().size() - 1) > 3, "pages made it grow: " + store.generationIds());
            assertEquals(12, store.size(0), "pages are not counted as keys");
            store.finishHousekeeping();
            assertEquals(1, store.generationIds().size());
            for (long id : objects) {
                assertPages(store, id, 1000, 150);
            }
            for (int o = 0; o < 6; o++) {
                store.remove(0, b("c" + o));
            }
            store.finishHousekeeping();
            assertEquals(6 + 6 * 1000, store.rawEntryCount());
        }
    }

    @Test
    void aMetaFileFromBeforePagesOpensWithObjectIdsFromOne() throws Exception {
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            store.put(0, b("k"), b("v"));
        }
        Path meta = dir.resolve(ChronicleKeyStore.META_FILE);
        java.util.Properties p = dev.millrace.storage.DurableFiles.readProperties(meta);
        p.remove("nextObjectId");
        p.remove("stalePages");
        dev.millrace.storage.DurableFiles.writeProperties(meta, p, "older format");
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, 16)) {
            assertEquals(1, store.newObjectId());
            assertArrayEquals(b("v"), store.get(0, b("k")));
        }
    }

    /**
     * Random operations on collections (owner records and their pages) against MemoryKeyStore, with
     * growth, flushes, swaps and renames; after settling, every page of every object agrees.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void behavesLikeTheMemoryStoreWithOwnersAndPages(long seed) {
        Random random = new Random(seed);
        int databases = 4;
        Map<Long, Integer> pageLimits = new HashMap<>();
        try (ChronicleKeyStore store = ChronicleKeyStore.open(dir, databases, 1024);
             MemoryKeyStore model = new MemoryKeyStore(databases)) {
            for (int op = 0; op < 12_000; op++) {
                int db = random.nextInt(databases);
                byte[] key = b("k" + random.nextInt(40));
                int kind = random.nextInt(100);
                if (kind < 40) {
                    // A collection write: a page of the key's object (or a new object), then the owner.
                    byte[] record = model.get(db, key);
                    long id = record != null && record.length >= 8 && record[0] == 'O' && random.nextInt(10) > 0
                            ? EntryLayout.getLong(record, 1) : newObject(store, model);
                    int limit = pageLimits.getOrDefault(id, 0);
                    long page = random.nextInt(limit + 1);
                    byte[] bytes = bytes(random.nextInt(20) == 0 ? 70_000 + random.nextInt(100_000) : random.nextInt(400), op);
                    store.putPage(id, page, bytes);
                    model.putPage(id, page, bytes);
                    limit = Math.max(limit, (int) page + 1);
                    pageLimits.put(id, limit);
                    byte[] owner = new byte[9 + random.nextInt(random.nextInt(30) == 0 ? 100_000 : 50)];
                    owner[0] = 'O';
                    EntryLayout.putLong(owner, 1, id);
                    store.putOwner(db, key, owner, id, limit);
                    model.putOwner(db, key, owner, id, limit);
                } else if (kind < 50) {
                    byte[] v = bytes(random.nextInt(100), op);
                    store.put(db, key, v);
                    model.put(db, key, v);
                } else if (kind < 60) {
                    assertEquals(model.remove(db, key), store.remove(db, key));
                } else if (kind < 70) {
                    int toDb = random.nextInt(databases);
                    byte[] to = b("k" + random.nextInt(40));
                    assertEquals(model.rename(db, key, toDb, to), store.rename(db, key, toDb, to));
                } else if (kind < 75) {
                    long id = 1 + random.nextInt(pageLimits.size() + 1);
                    long page = random.nextInt(pageLimits.getOrDefault(id, 0) + 1);
                    store.removePage(id, page);
                    model.removePage(id, page);
                } else if (kind < 97) {
                    assertArrayEquals(model.get(db, key), store.get(db, key));
                } else if (kind < 99) {
                    store.swap(db, (db + 1) % databases);
                    model.swap(db, (db + 1) % databases);
                } else {
                    store.flush(db);
                    model.flush(db);
                }
                assertEquals(model.size(db), store.size(db));
            }
            store.finishHousekeeping();
            for (Map.Entry<Long, Integer> object : pageLimits.entrySet()) {
                for (long page = 0; page < object.getValue(); page++) {
                    assertArrayEquals(model.getPage(object.getKey(), page), store.getPage(object.getKey(), page),
                            "page " + page + " of " + object.getKey());
                }
            }
            Set<String> keys = new HashSet<>();
            for (int db = 0; db < databases; db++) {
                for (int k = 0; k < 40; k++) {
                    assertArrayEquals(model.get(db, b("k" + k)), store.get(db, b("k" + k)));
                }
                long cursor = 0;
                int d = db;
                do {
                    cursor = store.scan(db, cursor, 20, (k, v) -> keys.add(d + ":" + new String(k)));
                } while (cursor != 0);
            }
            assertEquals(model.size(0) + model.size(1) + model.size(2) + model.size(3), keys.size());
        }
    }

    private static long newObject(ChronicleKeyStore store, MemoryKeyStore model) {
        long id = store.newObjectId();
        assertEquals(model.newObjectId(), id, "both hand out ids from 1");
        return id;
    }
}
