package dev.millrace.engine.keyspace;

import dev.millrace.engine.stream.StreamLogs;
import dev.millrace.engine.testing.StoreContents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RecordWriteBack} against a plain store given the same operations: every answer the same,
 * the same contents once flushed, and a key's record written to the store once per flush however
 * often it was put.
 */
class RecordWriteBackTest {

    /** A real store that counts the owner puts reaching it. */
    private static final class CountingStore implements KeyStore {
        final MemoryKeyStore store = new MemoryKeyStore(2);
        int ownerPuts;
        int puts;
        int gets;

        @Override public byte[] get(int db, byte[] key) {
            gets++;
            return store.get(db, key);
        }
        @Override public void put(int db, byte[] key, byte[] record) {
            puts++;
            store.put(db, key, record);
        }
        @Override public void patch(int db, byte[] key, int offset, byte[] bytes) {
            store.patch(db, key, offset, bytes);
        }
        @Override public boolean remove(int db, byte[] key) { return store.remove(db, key); }
        @Override public long size(int db) { return store.size(db); }
        @Override public long scan(int db, long cursor, int count, BiConsumer<byte[], byte[]> visitor) {
            return store.scan(db, cursor, count, visitor);
        }
        @Override public byte[] randomKey(int db) { return store.randomKey(db); }
        @Override public void flush(int db) { store.flush(db); }
        @Override public void swap(int db1, int db2) { store.swap(db1, db2); }
        @Override public boolean rename(int fromDb, byte[] from, int toDb, byte[] to) {
            return store.rename(fromDb, from, toDb, to);
        }
        @Override public long newObjectId() { return store.newObjectId(); }
        @Override public long newStreamObjectId() { return store.newStreamObjectId(); }
        @Override public void putOwner(int db, byte[] key, byte[] record, long objectId, long pageLimit) {
            ownerPuts++;
            store.putOwner(db, key, record, objectId, pageLimit);
        }
        @Override public byte[] getPage(long objectId, long page) { return store.getPage(objectId, page); }
        @Override public void putPage(long objectId, long page, byte[] bytes) { store.putPage(objectId, page, bytes); }
        @Override public void removePage(long objectId, long page) { store.removePage(objectId, page); }
        @Override public StreamLogs streamLogs() { return store.streamLogs(); }
        @Override public void close() { store.close(); }
    }

    /** An owner record of {@code type} for object {@code objectId}, its payload marked by {@code mark}. */
    private static byte[] owner(ValueType type, long objectId, int mark) {
        byte[] payload = new byte[ObjectPages.SIZE + 4];
        Record.putLong(payload, 0, objectId);
        Record.putLong(payload, 8, 1);
        payload[ObjectPages.SIZE] = (byte) mark;
        return Record.collection(type, 0, Record.NO_EXPIRY, payload, true).encode();
    }

    private static void assertSameContents(KeyStore expected, KeyStore actual, String after) {
        Map<String, byte[]> want = StoreContents.of(expected, 2);
        Map<String, byte[]> got = StoreContents.of(actual, 2);
        assertEquals(want.keySet(), got.keySet(), after);
        for (String key : want.keySet()) {
            assertArrayEquals(want.get(key), got.get(key), after + ": " + key);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void answersAsThePlainStoreDoes(int seed) {
        Random random = new Random(seed);
        MemoryKeyStore plain = new MemoryKeyStore(2);
        MemoryKeyStore backing = new MemoryKeyStore(2);
        RecordWriteBack writeBack = new RecordWriteBack(backing);
        List<String> done = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            int db = random.nextInt(2);
            byte[] key = {(byte) ('a' + random.nextInt(3))};
            int op = random.nextInt(14);
            done.add(op + "@" + db + ":" + (char) key[0]);
            String after = "after " + done.subList(Math.max(0, done.size() - 8), done.size());
            switch (op) {
                case 0, 1, 2, 3 -> {
                    byte[] record = owner(ValueType.STREAM, 1 + random.nextInt(3), random.nextInt(256));
                    plain.putOwner(db, key, record, Record.getLong(record, 7), 1);
                    writeBack.putOwner(db, key, record, Record.getLong(record, 7), 1);
                    record[record.length - 1] ^= 1; // the caller's array is not the store's
                }
                case 4 -> {
                    byte[] record = owner(ValueType.LIST, 10 + random.nextInt(3), random.nextInt(256));
                    plain.putOwner(db, key, record, Record.getLong(record, 7), 1);
                    writeBack.putOwner(db, key, record, Record.getLong(record, 7), 1);
                }
                case 5 -> {
                    byte[] value = {(byte) random.nextInt(256)};
                    byte[] record = new Record(ValueType.STRING, false, 0, Record.NO_EXPIRY, value).encode();
                    plain.put(db, key, record);
                    writeBack.put(db, key, record);
                    record[record.length - 1] ^= 1; // the caller's array is not the store's
                }
                case 6 -> {
                    byte[] want = plain.get(db, key);
                    byte[] got = writeBack.get(db, key);
                    assertArrayEquals(want, got, after);
                }
                case 7 -> {
                    if (plain.get(db, key) != null) {
                        byte[] clock = {1, 2, 3, (byte) random.nextInt(256)};
                        plain.patch(db, key, Record.ACCESS_CLOCK_OFFSET, clock);
                        writeBack.patch(db, key, Record.ACCESS_CLOCK_OFFSET, clock);
                    }
                }
                case 8 -> assertEquals(plain.remove(db, key), writeBack.remove(db, key), after);
                case 9 -> {
                    byte[] to = {(byte) ('a' + random.nextInt(3))};
                    int toDb = random.nextInt(2);
                    if (plain.get(db, key) != null && !(db == toDb && key[0] == to[0])) {
                        assertEquals(plain.rename(db, key, toDb, to), writeBack.rename(db, key, toDb, to), after);
                    }
                }
                case 10 -> assertEquals(plain.size(db), writeBack.size(db), after);
                case 11 -> {
                    plain.swap(0, 1);
                    writeBack.swap(0, 1);
                }
                case 12 -> {
                    writeBack.endBatch();
                    writeBack.writeBackHeld();
                    assertSameContents(plain, backing, after);
                }
                default -> {
                    writeBack.flushNodes();
                    assertSameContents(plain, backing, after);
                    assertEquals(plain.pageCount(), backing.pageCount(), after);
                }
            }
            assertSameContents(plain, writeBack, "seen through the write-back " + after);
        }
    }

    @Test
    void aRecordPutManyTimesReachesTheStoreOncePerFlush() {
        CountingStore store = new CountingStore();
        RecordWriteBack writeBack = new RecordWriteBack(store);
        byte[] key = {'s'};
        for (int i = 0; i < 32; i++) {
            writeBack.putOwner(0, key, owner(ValueType.STREAM, 1, i), 1, 1);
        }
        assertEquals(0, store.ownerPuts);
        assertArrayEquals(owner(ValueType.STREAM, 1, 31), writeBack.get(0, key));
        writeBack.flushNodes();
        assertEquals(1, store.ownerPuts);
        assertArrayEquals(owner(ValueType.STREAM, 1, 31), store.get(0, key));

        // another object under the key (a list now): the store gets it, once, at the flush
        for (int i = 0; i < 32; i++) {
            writeBack.putOwner(0, key, owner(ValueType.LIST, 2, i), 2, 1);
        }
        assertEquals(1, store.ownerPuts);
        writeBack.flushNodes();
        assertEquals(2, store.ownerPuts);

        // plain records too (INCR of one counter): one put per flush; another key writes the held one
        byte[] counter = {'c'};
        for (int i = 0; i < 32; i++) {
            writeBack.put(0, counter, new Record(ValueType.STRING, false, 0, Record.NO_EXPIRY, new byte[] {(byte) i}).encode());
        }
        assertEquals(0, store.puts);
        writeBack.put(0, new byte[] {'d'}, new Record(ValueType.STRING, false, 0, Record.NO_EXPIRY, new byte[] {1}).encode());
        assertEquals(1, store.puts, "the counter's last record, written when another key is put");
        writeBack.flushNodes();
        assertEquals(2, store.puts);
    }

    @Test
    void emptinessIsAnsweredWithoutWritingTheHeldRecord() {
        CountingStore store = new CountingStore();
        RecordWriteBack writeBack = new RecordWriteBack(store);
        assertTrue(writeBack.isEmpty(0));
        writeBack.put(0, new byte[] {'k'}, new Record(ValueType.STRING, false, 0, Record.NO_EXPIRY, new byte[] {1}).encode());
        assertFalse(writeBack.isEmpty(0), "the held record is a key of database 0");
        assertTrue(writeBack.isEmpty(1));
        assertEquals(0, store.puts, "asked at every SET: the record stays held");
        writeBack.writeBackHeld();
        assertFalse(writeBack.isEmpty(0));
        assertEquals(1, store.puts);
    }

    @Test
    void aRecordReadAgainComesFromTheStoreOnlyAfterSomethingMayHaveChangedIt() {
        CountingStore store = new CountingStore();
        RecordWriteBack writeBack = new RecordWriteBack(store);
        byte[] key = {'z'};
        byte[] record = new Record(ValueType.STRING, false, 0, Record.NO_EXPIRY, new byte[] {7}).encode();
        store.put(0, key, record);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(record, writeBack.get(0, key), "a script's five lookups of its key");
        }
        assertEquals(1, store.gets);
        assertNull(writeBack.get(1, key), "the same key in another database");
        assertArrayEquals(record, writeBack.get(0, key));
        assertEquals(2, store.gets, "a miss is not remembered and does not forget the record read");

        byte[] clock = {0, 0, 0, 9};
        writeBack.patch(0, key, Record.ACCESS_CLOCK_OFFSET, clock);
        assertEquals(9, Record.accessClockOf(writeBack.get(0, key)), "read again after a patch");
        assertEquals(3, store.gets);

        writeBack.remove(0, new byte[] {'o'});
        writeBack.get(0, key);
        assertEquals(4, store.gets, "any removal forgets it");
        writeBack.put(0, new byte[] {'o'}, record);
        writeBack.get(0, key);
        assertEquals(5, store.gets, "so does any put");
        writeBack.flushNodes();
        writeBack.get(0, key);
        writeBack.get(0, key);
        assertEquals(6, store.gets, "and a flush");
    }

    @Test
    void theDecodedValueIsHandedOutOnceAndOnlyForTheHeldRecord() {
        RecordWriteBack writeBack = new RecordWriteBack(new MemoryKeyStore(1));
        byte[] key = {'s'};
        byte[] record = owner(ValueType.STREAM, 1, 7);
        Object decoded = new Object();
        writeBack.putOwner(0, key, record, 1, 1);
        writeBack.holdDecoded(decoded);
        assertNull(writeBack.takeDecoded(owner(ValueType.STREAM, 1, 8)), "another state of the stream");
        writeBack.holdDecoded(decoded);
        assertSame(decoded, writeBack.takeDecoded(writeBack.get(0, key)));
        assertNull(writeBack.takeDecoded(record), "taken already");
        writeBack.holdDecoded(decoded);
        writeBack.patch(0, key, Record.ACCESS_CLOCK_OFFSET, new byte[] {0, 0, 0, 1});
        assertNull(writeBack.takeDecoded(writeBack.get(0, key)), "the record changed since");
        writeBack.holdDecoded(decoded);
        writeBack.flushNodes();
        assertNull(writeBack.takeDecoded(writeBack.get(0, key)), "flushed");
    }

    @Test
    void theRecordStaysHeldAcrossBatchesAndAnIdleWriteBackKeepsServingIt() {
        CountingStore store = new CountingStore();
        RecordWriteBack writeBack = new RecordWriteBack(store);
        byte[] key = {'s'};
        Object decoded = new Object();
        for (int i = 0; i < 3; i++) { // an XADD per batch (-P 1)
            writeBack.putOwner(0, key, owner(ValueType.STREAM, 1, i), 1, 1);
            writeBack.holdDecoded(decoded);
            writeBack.endBatch();
            assertSame(decoded, writeBack.takeDecoded(writeBack.get(0, key)), "an XADD of the next batch");
        }
        assertEquals(0, store.ownerPuts, "the ends of batches wrote nothing");
        assertEquals(0, store.gets);

        byte[] record = owner(ValueType.STREAM, 1, 7);
        writeBack.putOwner(0, key, record, 1, 1);
        writeBack.holdDecoded(decoded);
        writeBack.endBatch();
        writeBack.writeBackHeld();
        assertEquals(1, store.ownerPuts, "the server went idle: the held record reached the store");
        assertArrayEquals(record, store.get(0, key));
        int gets = store.gets;
        assertSame(decoded, writeBack.takeDecoded(writeBack.get(0, key)), "the next XADD");
        assertEquals(gets, store.gets, "answered without a store lookup");
        writeBack.writeBackHeld();
        assertEquals(1, store.ownerPuts, "nothing held, nothing written");

        // an XADD of the next batch saves again; then a patch of the held record forgets what it was decoded from
        writeBack.putOwner(0, key, owner(ValueType.STREAM, 1, 8), 1, 1);
        writeBack.holdDecoded(decoded);
        writeBack.endBatch();
        writeBack.patch(0, key, Record.ACCESS_CLOCK_OFFSET, new byte[] {0, 0, 0, 1});
        assertNull(writeBack.takeDecoded(writeBack.get(0, key)), "the record changed since");
        assertEquals(gets, store.gets, "the patched record is held");

        // a removal between batches forgets them too
        writeBack.putOwner(0, key, owner(ValueType.STREAM, 1, 9), 1, 1);
        writeBack.holdDecoded(decoded);
        writeBack.endBatch();
        writeBack.remove(0, key);
        assertNull(writeBack.get(0, key));
        assertNull(writeBack.takeDecoded(owner(ValueType.STREAM, 1, 9)));
    }
}
