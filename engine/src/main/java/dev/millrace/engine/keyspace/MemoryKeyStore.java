package dev.millrace.engine.keyspace;

import dev.millrace.engine.stream.MemoryStreamLogs;
import dev.millrace.engine.stream.StreamLogs;
import dev.millrace.engine.types.NodeCache;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * A {@link KeyStore} on the Java heap, for tests in every module and for tools: a real implementation
 * of the port (the server itself uses the Chronicle store), with the same SCAN contract as the Chronicle store: keys live in a fixed number of buckets by hash
 * and a cursor names the next bucket, so a key present for the whole scan is always visited.
 */
public final class MemoryKeyStore implements KeyStore {
    private static final int BUCKETS = 64;

    private final List<List<Map<ByteBuffer, byte[]>>> dbs = new ArrayList<>();
    private final Random random = new Random(1);
    /**
     * Pages by (object id, page number). An owner's pages below its page limit are deleted with it,
     * at once here (in the background in the Chronicle store); pages at or above the limit are left,
     * as there, so tests that count pages catch a collection that did not save its page limit.
     */
    private final Map<Long, Map<Long, byte[]>> pages = new HashMap<>();
    /** Which pages each owner record owns, per database by key, kept beside the records. */
    private final Map<ByteBuffer, Owned>[] owners;
    private long nextObjectId = 1;
    private long nextStreamObjectId = FIRST_STREAM_OBJECT_ID;
    private long pageWrites;
    /** Calls of {@link #scan} per database. */
    private final long[] scans;
    /** Buckets one scan call looks at, at most (see {@link #limitScanCalls}). */
    private int bucketsPerScan = BUCKETS;
    private final NodeCache nodeCache = new NodeCache(8L << 20);
    private final MemoryStreamLogs streamLogs = new MemoryStreamLogs();

    private record Owned(long objectId, long pageLimit) {
    }

    @SuppressWarnings("unchecked")
    public MemoryKeyStore(int databases) {
        owners = new Map[databases];
        scans = new long[databases];
        for (int i = 0; i < databases; i++) {
            dbs.add(newDb());
            owners[i] = new HashMap<>();
        }
    }

    private static List<Map<ByteBuffer, byte[]>> newDb() {
        List<Map<ByteBuffer, byte[]>> buckets = new ArrayList<>();
        for (int b = 0; b < BUCKETS; b++) {
            buckets.add(new HashMap<>());
        }
        return buckets;
    }

    private Map<ByteBuffer, byte[]> bucket(int db, byte[] key) {
        ByteBuffer k = ByteBuffer.wrap(key);
        return dbs.get(db).get(Math.floorMod(k.hashCode(), BUCKETS));
    }

    @Override
    public byte[] get(int db, byte[] key) {
        byte[] v = bucket(db, key).get(ByteBuffer.wrap(key));
        return v == null ? null : v.clone();
    }

    @Override
    public void put(int db, byte[] key, byte[] record) {
        bucket(db, key).put(ByteBuffer.wrap(key.clone()), record.clone());
        dropOwned(db, key, 0);
    }

    /** In place, as the Chronicle store does: a patched owner record keeps its pages (unlike a put). */
    @Override
    public void patch(int db, byte[] key, int offset, byte[] bytes) {
        byte[] record = bucket(db, key).get(ByteBuffer.wrap(key));
        if (record == null || offset < 0 || offset + bytes.length > record.length) {
            throw new IllegalArgumentException("patch of " + bytes.length + " bytes at " + offset + " outside the record");
        }
        System.arraycopy(bytes, 0, record, offset, bytes.length);
    }

    @Override
    public boolean remove(int db, byte[] key) {
        dropOwned(db, key, 0);
        return bucket(db, key).remove(ByteBuffer.wrap(key)) != null;
    }

    @Override
    public boolean rename(int fromDb, byte[] from, int toDb, byte[] to) {
        byte[] record = bucket(fromDb, from).remove(ByteBuffer.wrap(from));
        if (record == null) {
            return false;
        }
        Owned owned = owners[fromDb].remove(ByteBuffer.wrap(from));
        dropOwned(toDb, to, owned == null ? 0 : owned.objectId());
        bucket(toDb, to).put(ByteBuffer.wrap(to.clone()), record);
        if (owned != null) {
            owners[toDb].put(ByteBuffer.wrap(to.clone()), owned);
        }
        return true;
    }

    @Override
    public long newObjectId() {
        return nextObjectId++;
    }

    @Override
    public long newStreamObjectId() {
        return nextStreamObjectId++;
    }

    @Override
    public void putOwner(int db, byte[] key, byte[] record, long objectId, long pageLimit) {
        dropOwned(db, key, objectId);
        bucket(db, key).put(ByteBuffer.wrap(key.clone()), record.clone());
        owners[db].put(ByteBuffer.wrap(key.clone()), new Owned(objectId, pageLimit));
    }

    @Override
    public byte[] getPage(long objectId, long page) {
        Map<Long, byte[]> object = pages.get(objectId);
        byte[] bytes = object == null ? null : object.get(page);
        return bytes == null ? null : bytes.clone();
    }

    @Override
    public void putPage(long objectId, long page, byte[] bytes) {
        pageWrites++;
        pages.computeIfAbsent(objectId, id -> new HashMap<>()).put(page, bytes.clone());
    }

    /** Page writes and patches that reached this store: lets tests see the node cache's write-back. */
    public long pageWrites() {
        return pageWrites;
    }

    @Override
    public void removePage(long objectId, long page) {
        Map<Long, byte[]> object = pages.get(objectId);
        if (object != null) {
            object.remove(page);
        }
    }

    @Override
    public StreamLogs streamLogs() {
        return streamLogs;
    }

    @Override
    public NodeCache nodeCache() {
        return nodeCache;
    }

    /**
     * Pages held by live objects, as the store holds them once the node cache has written back
     * everything: lets tests check that deleted collections leave nothing behind.
     */
    public long pageCount() {
        nodeCache.flush();
        return pages.values().stream().mapToLong(Map::size).sum();
    }

    /** Deletes the pages a key's record owns, unless they are object {@code keep}'s. */
    private void dropOwned(int db, byte[] key, long keep) {
        Owned owned = owners[db].get(ByteBuffer.wrap(key));
        if (owned != null && owned.objectId() != keep) {
            owners[db].remove(ByteBuffer.wrap(key));
            deletePages(owned);
        }
    }

    private void deletePages(Owned owned) {
        streamLogs.retire(owned.objectId());
        nodeCache.forget(owned.objectId());
        Map<Long, byte[]> object = pages.get(owned.objectId());
        for (long page = 0; page < owned.pageLimit(); page++) {
            nodeCache.remove(owned.objectId(), page); // as the Chronicle store's page deletion does
        }
        if (object != null) {
            object.keySet().removeIf(page -> page >= 0 && page < owned.pageLimit());
            if (object.isEmpty()) {
                pages.remove(owned.objectId());
            }
        }
    }

    @Override
    public long size(int db) {
        long n = 0;
        for (Map<ByteBuffer, byte[]> b : dbs.get(db)) {
            n += b.size();
        }
        return n;
    }

    /** Calls of {@link #scan} on database {@code db}: lets tests see what a background walk visits. */
    public long scans(int db) {
        return scans[db];
    }

    /**
     * Makes each scan call look at no more than {@code buckets} buckets, as a Chronicle store's scan
     * step stops after looking at ten entries per key asked for: a sparse database then answers a
     * call with few keys or none, and a walk needs many calls for a pass.
     */
    public void limitScanCalls(int buckets) {
        bucketsPerScan = buckets;
    }

    @Override
    public long scan(int db, long cursor, int count, BiConsumer<byte[], byte[]> visitor) {
        scans[db]++;
        if (cursor < 0 || cursor >= BUCKETS) {
            return 0;
        }
        int bucket = (int) cursor;
        int end = (int) Math.min(BUCKETS, cursor + bucketsPerScan);
        int visited = 0;
        while (bucket < end && visited < Math.max(count, 1)) {
            for (Map.Entry<ByteBuffer, byte[]> e : new ArrayList<>(dbs.get(db).get(bucket).entrySet())) {
                visitor.accept(e.getKey().array().clone(), e.getValue().clone());
                visited++;
            }
            bucket++;
        }
        return bucket >= BUCKETS ? 0 : bucket;
    }

    @Override
    public byte[] randomKey(int db) {
        List<ByteBuffer> keys = new ArrayList<>();
        for (Map<ByteBuffer, byte[]> b : dbs.get(db)) {
            keys.addAll(b.keySet());
        }
        return keys.isEmpty() ? null : keys.get(random.nextInt(keys.size())).array().clone();
    }

    @Override
    public void flush(int db) {
        dbs.set(db, newDb());
        owners[db].values().forEach(this::deletePages);
        owners[db].clear();
    }

    @Override
    public void swap(int db1, int db2) {
        List<Map<ByteBuffer, byte[]>> a = dbs.get(db1);
        dbs.set(db1, dbs.get(db2));
        dbs.set(db2, a);
        Map<ByteBuffer, Owned> o = owners[db1];
        owners[db1] = owners[db2];
        owners[db2] = o;
    }

    @Override
    public void close() {
        nodeCache.flush();
    }
}
