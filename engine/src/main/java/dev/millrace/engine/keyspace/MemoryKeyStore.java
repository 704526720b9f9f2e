package dev.millrace.engine.keyspace;

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

    public MemoryKeyStore(int databases) {
        for (int i = 0; i < databases; i++) {
            dbs.add(newDb());
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
    }

    @Override
    public boolean remove(int db, byte[] key) {
        return bucket(db, key).remove(ByteBuffer.wrap(key)) != null;
    }

    @Override
    public long size(int db) {
        long n = 0;
        for (Map<ByteBuffer, byte[]> b : dbs.get(db)) {
            n += b.size();
        }
        return n;
    }

    @Override
    public long scan(int db, long cursor, int count, BiConsumer<byte[], byte[]> visitor) {
        if (cursor < 0 || cursor >= BUCKETS) {
            return 0;
        }
        int bucket = (int) cursor;
        int visited = 0;
        while (bucket < BUCKETS && visited < Math.max(count, 1)) {
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
    }

    @Override
    public void swap(int db1, int db2) {
        List<Map<ByteBuffer, byte[]>> a = dbs.get(db1);
        dbs.set(db1, dbs.get(db2));
        dbs.set(db2, a);
    }

    @Override
    public void close() {
    }
}
