package dev.millrace.storage.keyspace;

import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.stream.StreamLogs;
import dev.millrace.engine.types.NodeCache;
import dev.millrace.storage.ChronicleSettings;
import dev.millrace.storage.DurableFiles;
import dev.millrace.storage.keyspace.EntryLayout.Descriptor;
import dev.millrace.storage.keyspace.EntryLayout.Owned;
import dev.millrace.storage.keyspace.Generation.CapacityExceeded;
import dev.millrace.storage.keyspace.Generation.Previous;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;

/**
 * The keyspace on persisted Chronicle Maps: all databases in one map, each key prefixed by its
 * database's slot, and the pages of large collections beside the keys (layout in
 * {@link EntryLayout} and docs/storage-format.md).
 *
 * <ul>
 *   <li><b>SWAPDB</b> exchanges two entries of the db-to-slot table: O(1).</li>
 *   <li><b>FLUSHDB</b> gives the database a fresh slot, O(1); the old slot's entries are deleted
 *       by an incremental sweep, one segment per operation.</li>
 *   <li><b>Large records</b> and pages (over {@link EntryLayout#INLINE_MAX}) are split into chunk entries
 *       under a fresh version; an overwrite or DEL queues the old version's chunks for incremental
 *       deletion, so both stay O(1) apart from writing the new value.</li>
 *   <li><b>Pages</b> are entries of their own, keyed by (object id, page number), stored like
 *       records (chunked when large). An owner record ({@link #putOwner}) carries its object id and
 *       page limit; when it is removed, overwritten by a record that does not own the same object,
 *       or swept, its pages are queued for incremental deletion ({@link RetiredEntries}).</li>
 *   <li><b>RENAME</b> moves a key entry's map value (an inline record, or a chunked one's
 *       descriptor, with its owner trailer) to the new key: O(1) in the size of the value.</li>
 *   <li><b>Growth</b>: a map's capacity is fixed when it is created, so the store is a list of
 *       generations. When the newest is full a bigger one is created; new writes go to it, every
 *       operation moves a few entries from the oldest generation into it (as Redis rehashes its
 *       dicts), lookups check the newest first, and a generation is deleted once empty. A map key
 *       lives in exactly one generation. An insert that still finds no room (a burst during
 *       migration) starts another generation and is retried there, so callers never see a capacity
 *       error.</li>
 *   <li><b>SCAN</b>: a cursor is (generation, segment). Entries only ever move to a newer
 *       generation and never change segment within one, so visiting generations oldest first,
 *       segment by segment, visits every key present for the whole scan at least once.</li>
 *   <li><b>Counts</b> per database are kept in memory and written to {@code keyspace.meta} at
 *       {@link #close}, with the slot table and the pending housekeeping.</li>
 * </ul>
 *
 * <p>A store opened here must have been closed cleanly (its meta file says so): after a crash a
 * Chronicle Map is not trustworthy (a dead writer's segment lock, an entry dropped while being
 * overwritten), so {@code ChronicleStorage} rebuilds it from a snapshot and the AOF instead.
 *
 * <p>Not thread-safe: the execution thread only (like every {@link KeyStore}). Operations are O(1)
 * plus a bounded amount of housekeeping; {@link #scan} is O(entries in the segments it visits: about
 * ten per key asked for, at least the first generation's size) and
 * {@link #randomKey} is O(segment size) expected, O(all entries) when the database is a tiny part of
 * the store.
 */
public final class ChronicleKeyStore implements KeyStore {
    static {
        ChronicleSettings.apply();
    }

    private static final Logger log = LoggerFactory.getLogger(ChronicleKeyStore.class);
    static final String META_FILE = "keyspace.meta";
    private static final int META_FORMAT = 1;
    /** Small enough that a fresh server (and every test) starts with a map of about 4 MB. */
    public static final long DEFAULT_INITIAL_ENTRIES = 16 * 1024;
    /**
     * Later generations are sized for the entries the store holds (their average size), down to
     * this: sizing 50-byte entries as 88-byte ones made a million small strings cost 60% more memory.
     */
    private static final double MIN_AVERAGE_VALUE_SIZE = 8;
    private static final int MIGRATE_PER_STEP = 16;
    /** Entries one {@link #scan} step may look at per key it is asked for. */
    private static final long SCAN_ENTRIES_PER_KEY = 10;

    private final Path dir;
    private final long initialEntries;
    /** Oldest first; the last one takes every write. */
    private final List<Generation> generations = new ArrayList<>();
    private int[] dbSlot;
    private long[] dbCount;
    private int nextSlot;
    private long nextVersion;
    private long nextObjectId;
    private long nextStreamObjectId;
    /** Decoded inner nodes of the collections' trees over this store's pages (engine PagedTree). */
    private final NodeCache nodeCache = new NodeCache(NODE_CACHE_BYTES);
    private StreamLogs streamLogs;
    /** Until the engine applies {@code collection-cache-size} (its default). */
    private static final long NODE_CACHE_BYTES = 512L << 20;
    /** Slots of flushed databases whose entries the sweep has not deleted yet. */
    private final Set<Integer> garbageSlots = new HashSet<>();
    /** The slots the current sweep pass deletes (garbage when the pass started). */
    private final Set<Integer> sweepingSlots = new HashSet<>();
    private long sweepGeneration;
    private int sweepSegment;
    private int migrateSegment;
    /** Chunks and pages nothing refers to any more, awaiting deletion. */
    private final RetiredEntries retired = new RetiredEntries(this::objectGone, nodeCache::remove);
    /**
     * The next generation, created on a background thread once the newest is half full: creating a
     * map preallocates its file (about 3 s for 4 M entries), which must not stall the execution thread.
     */
    private CompletableFuture<Generation> prepared;
    /**
     * Whether the next generation is prepared ahead (see {@link #prepared}). Off while a recovery
     * replays the log: creating a generation twice the size of the keyspace keeps a core busy for
     * seconds (Chronicle reads every page of the new map's lookup tables), and during a replay that
     * core is the one the replay needs. A replay that does fill the newest generation creates the
     * next one at once, as without preparation.
     */
    private boolean prepareAhead = true;
    private boolean closed;

    /** One daemon thread for all stores: creating map files is rare and I/O bound. */
    private static final ExecutorService PREPARER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "millrace-keyspace-grow");
        t.setDaemon(true);
        return t;
    });

    private ChronicleKeyStore(Path dir, long initialEntries) {
        this.dir = dir;
        this.initialEntries = initialEntries;
    }

    /** Opens the store in {@code dir}, creating it when empty. */
    public static ChronicleKeyStore open(Path dir, int databases) {
        return open(dir, databases, DEFAULT_INITIAL_ENTRIES);
    }

    /**
     * @param initialEntries entries the first generation is sized for; later generations are sized
     *        from the data
     * @throws IllegalStateException when the store in {@code dir} was not closed cleanly
     */
    public static ChronicleKeyStore open(Path dir, int databases, long initialEntries) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChronicleKeyStore store = new ChronicleKeyStore(dir, initialEntries);
        Properties meta = DurableFiles.readProperties(dir.resolve(META_FILE));
        if (meta == null) {
            store.createEmpty(databases);
        } else {
            store.load(meta, databases);
        }
        store.saveMeta("open");
        return store;
    }

    /** Whether {@code dir} holds a store that was closed cleanly (and so may be opened). */
    public static boolean isCleanlyClosed(Path dir) {
        Properties meta = DurableFiles.readProperties(dir.resolve(META_FILE));
        return meta != null && "closed".equals(meta.getProperty("state"));
    }

    /** Turns preparing the next generation ahead off (during a recovery's replay) or back on. */
    public void prepareAhead(boolean on) {
        prepareAhead = on;
    }

    private void createEmpty(int databases) {
        dbSlot = new int[databases];
        dbCount = new long[databases];
        for (int db = 0; db < databases; db++) {
            dbSlot[db] = db;
        }
        nextSlot = databases;
        nextVersion = 1;
        nextObjectId = 1;
        nextStreamObjectId = FIRST_STREAM_OBJECT_ID;
        generations.add(Generation.open(dir, 1, initialEntries, Generation.AVERAGE_KEY_SIZE * 4, 0, 0));
    }

    // ---------------------------------------------------------------- KeyStore

    @Override
    public byte[] get(int db, byte[] key) {
        housekeeping();
        byte[] value = getRaw(EntryLayout.keyEntry(dbSlot[db], key));
        return value == null ? null : bytesOf(value);
    }

    @Override
    public void put(int db, byte[] key, byte[] record) {
        housekeeping();
        byte[] k = EntryLayout.keyEntry(dbSlot[db], key);
        putKey(db, key, k, valueOf(k, record, null));
    }

    /**
     * Stores the record with its claim on the object's pages. Overwriting an owner of the same object
     * (the collection saving its header) deletes nothing; any other previous value is retired as
     * {@link #put} does.
     */
    @Override
    public void putOwner(int db, byte[] key, byte[] record, long objectId, long pageLimit) {
        housekeeping();
        byte[] k = EntryLayout.keyEntry(dbSlot[db], key);
        putKey(db, key, k, valueOf(k, record, new Owned(objectId, pageLimit)));
    }

    /**
     * Writes the map value of user key {@code key} (map key {@code k}), counting a new key and
     * retiring what the key held; a new long key gets its name entry.
     */
    private void putKey(int db, byte[] key, byte[] k, byte[] value) {
        Previous previous = write(k, value);
        if (!previous.existed()) {
            dbCount[db]++;
            if (EntryLayout.isLongKey(k)) {
                byte[] name = EntryLayout.nameEntry(k);
                retired.retire(write(name, valueOf(name, key, null)), EntryLayout.NO_OBJECT);
            }
        }
        retired.retire(previous, EntryLayout.ownedObject(value));
    }

    /** Removes a long key's name entry once the key is gone. */
    private void removeName(byte[] k) {
        if (EntryLayout.isLongKey(k)) {
            retired.retire(removeRaw(EntryLayout.nameEntry(k)), EntryLayout.NO_OBJECT);
        }
    }

    /** The map value of map key {@code k} for a record or page: inline, or its chunks written and their descriptor. */
    private byte[] valueOf(byte[] k, byte[] bytes, Owned owned) {
        if (EntryLayout.fitsInline(k, bytes.length)) {
            return EntryLayout.inlineValue(bytes, owned);
        }
        return EntryLayout.chunkedValue(writeChunks(bytes), owned);
    }

    /**
     * Writes in place, wherever the entries are: an inline record in its key entry, a chunked one
     * only in the chunk(s) the range touches. O(bytes), plus one lookup per generation searched and
     * per chunk touched.
     *
     * @throws IllegalArgumentException when the key is absent or its record shorter than the range
     */
    @Override
    public void patch(int db, byte[] key, int offset, byte[] bytes) {
        housekeeping();
        patchEntry(EntryLayout.keyEntry(dbSlot[db], key), offset, bytes);
    }

    /** As {@link #patch}, for a page: a tree's count updates write 8 bytes, not the page. */
    @Override
    public void patchPage(long objectId, long page, int offset, byte[] bytes) {
        housekeeping();
        patchEntry(EntryLayout.pageEntry(objectId, page), offset, bytes);
    }

    private void patchEntry(byte[] k, int offset, byte[] bytes) {
        Previous found = Previous.NONE;
        for (int i = generations.size() - 1; i >= 0 && !found.existed(); i--) {
            found = generations.get(i).patchRecord(k, offset, bytes);
        }
        if (!found.existed()) {
            throw new IllegalArgumentException("patch of an entry that is not in the store");
        }
        if (found.chunked() != null) {
            patchChunks(found.chunked(), offset, bytes);
        }
    }

    private void patchChunks(Descriptor d, int offset, byte[] bytes) {
        if (offset < 0 || offset + (long) bytes.length > d.length()) {
            throw new IllegalArgumentException("patch of " + bytes.length + " bytes at " + offset + " outside a record of " + d.length());
        }
        int done = 0;
        while (done < bytes.length) {
            int at = offset + done;
            int chunk = at / EntryLayout.CHUNK_SIZE;
            int within = at % EntryLayout.CHUNK_SIZE;
            int len = Math.min(bytes.length - done, EntryLayout.CHUNK_SIZE - within);
            byte[] k = EntryLayout.chunkEntry(d.version(), chunk);
            boolean written = false;
            for (int i = generations.size() - 1; i >= 0 && !written; i--) {
                written = generations.get(i).patchValue(k, within, bytes, done, len);
            }
            if (!written) {
                throw new IllegalStateException("keyspace corrupt: chunk " + chunk + " of version " + d.version() + " missing");
            }
            done += len;
        }
    }

    @Override
    public boolean remove(int db, byte[] key) {
        housekeeping();
        byte[] k = EntryLayout.keyEntry(dbSlot[db], key);
        Previous previous = removeRaw(k);
        if (!previous.existed()) {
            return false;
        }
        dbCount[db]--;
        retired.retire(previous, EntryLayout.NO_OBJECT);
        removeName(k);
        return true;
    }

    /**
     * Moves the key entry's map value to the target key: an inline record, or a chunked record's
     * descriptor, with its owner trailer; chunks and pages stay where they are. What the target held
     * is retired. O(1) in the size of the value (an inline value is at most 64 KiB).
     */
    @Override
    public boolean rename(int fromDb, byte[] from, int toDb, byte[] to) {
        housekeeping();
        byte[] source = EntryLayout.keyEntry(dbSlot[fromDb], from);
        byte[] target = EntryLayout.keyEntry(dbSlot[toDb], to);
        if (Arrays.equals(source, target)) {
            return getRaw(source) != null;
        }
        byte[] value = null;
        for (int i = generations.size() - 1; i >= 0 && value == null; i--) {
            value = generations.get(i).take(source);
        }
        if (value == null) {
            return false;
        }
        dbCount[fromDb]--;
        removeName(source);
        putKey(toDb, to, target, value);
        return true;
    }

    @Override
    public long size(int db) {
        return dbCount[db];
    }

    /**
     * Visits whole segments until it has {@code count} keys of the database, or has looked at ten
     * entries per key asked for (an empty segment counts as one), but at least as many as the first
     * generation holds, so a small store is walked in one step, as Redis's SCAN walks a small
     * dictionary in one call. Without the bound, a step for a database that is a small part of a big
     * store walked the whole store; Redis's SCAN likewise stops after ten buckets per key asked for.
     */
    @Override
    public long scan(int db, long cursor, int count, BiConsumer<byte[], byte[]> visitor) {
        housekeeping();
        int slot = dbSlot[db];
        long genId = cursor == 0 ? generations.get(0).id : cursor >>> 32;
        int segment = cursor == 0 ? 0 : (int) cursor;
        List<byte[][]> found = new ArrayList<>();
        long entriesLeft = Math.max((long) Math.max(1, count) * SCAN_ENTRIES_PER_KEY, initialEntries);
        long next = 0;
        while (true) {
            Generation g = firstGenerationFrom(genId);
            if (g == null) {
                break;
            }
            if (g.id != genId) {
                genId = g.id;
                segment = 0;
            }
            if (segment < 0 || segment >= g.segments()) {
                genId++;
                segment = 0;
                continue;
            }
            long entries = g.forEachInSegment(segment, e -> {
                if (EntryLayout.keySlotOf(e.key().bytes(), e.key().offset(), e.key().size()) == slot) {
                    found.add(new byte[][]{Generation.copyOf(e.key()), Generation.copyOf(e.value())});
                }
                return true;
            });
            segment++;
            entriesLeft -= Math.max(1, entries);
            if (found.size() >= Math.max(count, 1) || entriesLeft <= 0) {
                next = segment < g.segments() ? (g.id << 32) | segment
                        : g == current() ? 0 : ((g.id + 1) << 32);
                break;
            }
        }
        // The visitor runs outside the segment lock: it may read or even change the store.
        for (byte[][] kv : found) {
            visitor.accept(userKey(kv[0]), bytesOf(kv[1]));
        }
        return next;
    }

    @Override
    public byte[] randomKey(int db) {
        housekeeping();
        if (dbCount[db] == 0) {
            return null;
        }
        int slot = dbSlot[db];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 64; attempt++) {
            Generation g = generations.get(random.nextInt(generations.size()));
            byte[] key = randomKeyInSegment(g, random.nextInt(g.segments()), slot);
            if (key != null) {
                return userKey(key);
            }
        }
        // A database that is a tiny part of the store: walk every segment from a random place.
        int start = random.nextInt(generations.size());
        for (int i = 0; i < generations.size(); i++) {
            Generation g = generations.get((start + i) % generations.size());
            int first = random.nextInt(g.segments());
            for (int s = 0; s < g.segments(); s++) {
                byte[] key = randomKeyInSegment(g, (first + s) % g.segments(), slot);
                if (key != null) {
                    return userKey(key);
                }
            }
        }
        throw new IllegalStateException("database " + db + " counts " + dbCount[db] + " keys but none was found");
    }

    /** The map key of a uniformly chosen key of {@code slot} in one segment (reservoir sampling), or null. */
    private static byte[] randomKeyInSegment(Generation g, int segment, int slot) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[][] chosen = new byte[1][];
        int[] seen = new int[1];
        g.forEachInSegment(segment, e -> {
            if (EntryLayout.keySlotOf(e.key().bytes(), e.key().offset(), e.key().size()) == slot
                    && random.nextInt(++seen[0]) == 0) {
                chosen[0] = Generation.copyOf(e.key());
            }
            return true;
        });
        return chosen[0];
    }

    /** The user key of a key entry's map key: in the map key, or in a long key's name entry. */
    private byte[] userKey(byte[] k) {
        if (!EntryLayout.isLongKey(k)) {
            return EntryLayout.shortUserKey(k);
        }
        byte[] name = getRaw(EntryLayout.nameEntry(k));
        if (name == null) {
            throw new IllegalStateException("keyspace corrupt: a long key without its name entry");
        }
        return bytesOf(name);
    }

    @Override
    public void flush(int db) {
        if (dbCount[db] == 0) {
            return;
        }
        garbageSlots.add(dbSlot[db]);
        dbSlot[db] = nextSlot++;
        dbCount[db] = 0;
    }

    @Override
    public void swap(int db1, int db2) {
        int slot = dbSlot[db1];
        dbSlot[db1] = dbSlot[db2];
        dbSlot[db2] = slot;
        long count = dbCount[db1];
        dbCount[db1] = dbCount[db2];
        dbCount[db2] = count;
    }

    private void objectGone(long objectId) {
        nodeCache.forget(objectId); // its unwritten nodes must not bring pages back
        if (streamLogs != null) {
            streamLogs.retire(objectId);
        }
    }

    /** Gives the store the logs its stream records name; the storage facade does it once, at open. */
    public void attachStreamLogs(StreamLogs logs) {
        this.streamLogs = logs;
    }

    @Override
    public StreamLogs streamLogs() {
        if (streamLogs == null) {
            throw new IllegalStateException("no stream logs attached to the keyspace in " + dir);
        }
        return streamLogs;
    }

    /** Object ids come from their own counter, saved in {@code keyspace.meta}; the first is 1. */
    @Override
    public NodeCache nodeCache() {
        return nodeCache;
    }

    @Override
    public long newObjectId() {
        return nextObjectId++;
    }

    /** From a counter of their own, saved beside the objects'. */
    @Override
    public long newStreamObjectId() {
        return nextStreamObjectId++;
    }

    @Override
    public byte[] getPage(long objectId, long page) {
        housekeeping();
        byte[] value = getRaw(EntryLayout.pageEntry(objectId, page));
        return value == null ? null : bytesOf(value);
    }

    @Override
    public void putPage(long objectId, long page, byte[] bytes) {
        housekeeping();
        byte[] k = EntryLayout.pageEntry(objectId, page);
        retired.retire(write(k, valueOf(k, bytes, null)), EntryLayout.NO_OBJECT);
    }

    @Override
    public void removePage(long objectId, long page) {
        housekeeping();
        retired.retire(removeRaw(EntryLayout.pageEntry(objectId, page)), EntryLayout.NO_OBJECT);
    }

    /**
     * A clean shutdown: msyncs every map, then records the state (counts, slots, pending
     * housekeeping) as "closed" so the next {@link #open} trusts the files. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        nodeCache.flush(); // the map is trusted after a clean close only because this writes everything back
        closed = true;
        for (Generation g : generations) {
            g.msync();
        }
        saveMeta("closed");
        for (Generation g : generations) {
            g.close();
        }
        discardPrepared();
    }

    /**
     * Copies the store as it is now into the new directory {@code target}, as a store closed there
     * (its map files and a "closed" meta), so that {@link #open} on {@code target} gives these
     * contents: a snapshot taken without a log to rebuild it from. Consistent because this thread is
     * the only writer and no operation is in progress; the caller must have written back anything
     * held above the store ({@code Keyspace.flushPages}). The files are copied by the kernel from the
     * page cache the maps share, not synced: the caller syncs them off this thread. O(map files).
     */
    public void copyTo(Path target) {
        nodeCache.flush();
        try {
            Files.createDirectories(target);
            for (Generation g : generations) {
                try (FileChannel from = FileChannel.open(g.file, StandardOpenOption.READ);
                     FileChannel to = FileChannel.open(target.resolve(g.file.getFileName()),
                             StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    long size = from.size();
                    for (long at = 0; at < size; ) {
                        at += from.transferTo(at, size - at, to);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the keyspace to " + target, e);
        }
        saveMeta(target, "closed");
    }

    // ---------------------------------------------------------------- observability

    /** The ids of the map generations, oldest first: more than one while the store grows. */
    public List<Long> generationIds() {
        return generations.stream().map(g -> g.id).toList();
    }

    /**
     * Whether flushed databases, replaced large values, pages of removed owners or an old generation
     * still await housekeeping.
     */
    public boolean housekeepingPending() {
        return generations.size() > 1 || !garbageSlots.isEmpty() || !retired.isEmpty();
    }

    /** One step of housekeeping, the one every operation starts with, for an idle server. */
    @Override
    public boolean tidyWhileIdle() {
        if (housekeepingPending()) {
            housekeeping();
        }
        return housekeepingPending();
    }

    /** Runs housekeeping until none is pending (tests; a snapshot before it is published). */
    public void finishHousekeeping() {
        while (housekeepingPending()) {
            housekeeping();
        }
    }

    /** Map entries of every kind in every generation (keys, pages, chunks, not yet swept garbage). */
    public long rawEntryCount() {
        return generations.stream().mapToLong(g -> g.rawCount).sum();
    }

    // ---------------------------------------------------------------- values and chunks

    /** The record or page bytes of a key or page entry's map value, assembled from chunks if need be. */
    private byte[] bytesOf(byte[] value) {
        if (!EntryLayout.isChunked(value)) {
            return EntryLayout.inlineBytes(value);
        }
        Descriptor d = Descriptor.decode(value);
        byte[] record = new byte[Math.toIntExact(d.length())];
        for (int i = 0; i < d.chunks(); i++) {
            byte[] chunk = getRaw(EntryLayout.chunkEntry(d.version(), i));
            if (chunk == null) {
                throw new IllegalStateException("keyspace corrupt: chunk " + i + " of version " + d.version() + " missing");
            }
            System.arraycopy(chunk, 0, record, i * EntryLayout.CHUNK_SIZE, chunk.length);
        }
        return record;
    }

    private Descriptor writeChunks(byte[] record) {
        if (current().rawBytes + record.length * 1.1 > current().byteBudget()) {
            startGeneration(record.length);
        }
        long version = nextVersion++;
        int chunks = (record.length + EntryLayout.CHUNK_SIZE - 1) / EntryLayout.CHUNK_SIZE;
        for (int i = 0; i < chunks; i++) {
            int from = i * EntryLayout.CHUNK_SIZE;
            byte[] chunk = Arrays.copyOfRange(record, from, Math.min(record.length, from + EntryLayout.CHUNK_SIZE));
            putRaw(EntryLayout.chunkEntry(version, i), chunk);
        }
        return new Descriptor(version, record.length, chunks);
    }

    // ---------------------------------------------------------------- generations

    private Generation current() {
        return generations.get(generations.size() - 1);
    }

    private byte[] getRaw(byte[] k) {
        for (int i = generations.size() - 1; i >= 0; i--) {
            byte[] v = generations.get(i).get(k);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /**
     * Writes a key or page entry into the newest generation and removes it from older ones; grows the
     * store when the newest is full.
     *
     * @return what the entry held before
     */
    private Previous write(byte[] k, byte[] value) {
        Previous previous = putRaw(k, value);
        if (!previous.existed()) {
            previous = removeFromOlderGenerations(k);
        }
        Generation current = current();
        if (current.full()) {
            startGeneration(0);
        } else if (prepareAhead && prepared == null && (current.rawCount * 2 >= current.entries || current.rawBytes * 2 >= current.byteBudget())) {
            prepareNextGeneration();
        }
        return previous;
    }

    /** Writes into the newest generation, growing the store when it has no room. */
    private Previous putRaw(byte[] k, byte[] v) {
        while (true) {
            try {
                return current().put(k, v);
            } catch (CapacityExceeded e) {
                log.info("keyspace generation {} has no room left ({}); growing", current().id, e.getMessage());
                startGeneration(k.length + v.length);
            }
        }
    }

    /** Removes {@code k} from whichever generation holds it. */
    private Previous removeRaw(byte[] k) {
        for (int i = generations.size() - 1; i >= 0; i--) {
            Previous previous = generations.get(i).remove(k);
            if (previous.existed()) {
                return previous;
            }
        }
        return Previous.NONE;
    }

    private Previous removeFromOlderGenerations(byte[] k) {
        for (int i = generations.size() - 2; i >= 0; i--) {
            Previous previous = generations.get(i).remove(k);
            if (previous.existed()) {
                return previous;
            }
        }
        return Previous.NONE;
    }

    private Generation firstGenerationFrom(long id) {
        for (Generation g : generations) {
            if (g.id >= id) {
                return g;
            }
        }
        return null;
    }

    /** Entries and average value size for a generation holding twice {@code liveCount} entries of {@code liveBytes}. */
    private double[] sizeFor(long liveCount, long liveBytes) {
        liveCount = Math.max(1, liveCount);
        double averageValue = Math.max(MIN_AVERAGE_VALUE_SIZE,
                Math.min(EntryLayout.INLINE_MAX, (double) liveBytes / liveCount - Generation.AVERAGE_KEY_SIZE));
        long entries = Math.max(initialEntries, 2 * liveCount);
        entries = Math.max(entries, (long) Math.ceil(2.0 * liveBytes / (Generation.AVERAGE_KEY_SIZE + averageValue)));
        return new double[]{entries, averageValue};
    }

    /** Starts creating the generation the store will need when the newest one is full. */
    private void prepareNextGeneration() {
        Generation current = current();
        // When it is full, the newest holds about its capacity; older ones are migrated by then.
        double fill = Math.max((double) current.rawCount / current.entries, (double) current.rawBytes / current.byteBudget());
        double[] size = sizeFor((long) (current.rawCount / fill), (long) (current.rawBytes / fill));
        long id = current.id + 1;
        prepared = CompletableFuture.supplyAsync(
                () -> Generation.open(dir, id, (long) size[0], size[1], 0, 0), PREPARER);
    }

    /**
     * Adds a generation sized for twice the live data plus {@code extraBytes} about to be written;
     * every later write goes there and housekeeping moves the older generations' entries into it.
     * Uses the prepared generation when it is big enough.
     */
    private void startGeneration(long extraBytes) {
        long liveCount = rawEntryCount();
        long liveBytes = generations.stream().mapToLong(g -> g.rawBytes).sum() + extraBytes;
        double[] size = sizeFor(liveCount, liveBytes);
        Generation next = null;
        if (prepared != null) {
            Generation candidate = takePrepared();
            if (candidate == null) {
                // creating it failed (logged); create one here
            } else if (candidate.entries >= size[0] / 2 && candidate.byteBudget() >= liveBytes * 1.5) {
                next = candidate;
            } else {
                candidate.close();
                deleteFile(candidate.file);
            }
        }
        if (next == null) {
            next = Generation.open(dir, current().id + 1, (long) size[0], size[1], 0, 0);
        }
        log.info("keyspace grows: generation {} for {} entries of ~{} B ({} entries, {} bytes live)",
                next.id, next.entries, (long) next.averageValueSize, liveCount, liveBytes);
        generations.add(next);
    }

    /** Waits for the prepared generation and hands it over; null if creating it failed. */
    private Generation takePrepared() {
        try {
            return prepared.join();
        } catch (java.util.concurrent.CompletionException e) {
            log.warn("preparing the next keyspace generation failed", e.getCause());
            return null;
        } finally {
            prepared = null;
        }
    }

    private void discardPrepared() {
        if (prepared != null) {
            Generation g = takePrepared();
            if (g != null) {
                g.close();
                deleteFile(g.file);
            }
        }
    }

    private static void deleteFile(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- housekeeping

    /** A bounded step of each pending chore; called at the start of every operation. */
    private void housekeeping() {
        if (closed) {
            throw new IllegalStateException("keyspace store is closed");
        }
        if (!retired.isEmpty()) {
            retired.step(this::removeRaw);
        }
        if (generations.size() > 1) {
            migrateStep();
        }
        if (!garbageSlots.isEmpty()) {
            sweepStep();
        }
    }

    /** Moves up to {@link #MIGRATE_PER_STEP} entries from the oldest generation into the newest. */
    private void migrateStep() {
        Generation oldest = generations.get(0);
        List<byte[][]> moved = new ArrayList<>(MIGRATE_PER_STEP);
        oldest.forEachInSegment(migrateSegment, e -> {
            moved.add(new byte[][]{Generation.copyOf(e.key()), Generation.copyOf(e.value())});
            oldest.removeVisited(e);
            return moved.size() < MIGRATE_PER_STEP;
        });
        // Outside the old segment's lock. The newest generation cannot hold these keys: every write
        // to a key goes to the newest generation and removes it from the older ones.
        for (byte[][] kv : moved) {
            putRaw(kv[0], kv[1]);
        }
        if (moved.isEmpty() && ++migrateSegment >= oldest.segments()) {
            generations.remove(0);
            migrateSegment = 0;
            oldest.close();
            deleteFile(oldest.file);
            log.info("keyspace generation {} migrated and deleted", oldest.id);
        }
    }

    /**
     * Deletes the entries of flushed slots in one segment. A pass visits every segment of every
     * generation in (generation, segment) order; entries only move to newer generations, so a pass
     * sees every entry of the slots it started with.
     */
    private void sweepStep() {
        if (sweepingSlots.isEmpty()) {
            sweepingSlots.addAll(garbageSlots);
            sweepGeneration = generations.get(0).id;
            sweepSegment = 0;
        }
        Generation g = firstGenerationFrom(sweepGeneration);
        if (g == null) {
            garbageSlots.removeAll(sweepingSlots);
            sweepingSlots.clear();
            return;
        }
        if (g.id != sweepGeneration) {
            sweepGeneration = g.id;
            sweepSegment = 0;
        }
        List<Previous> removed = new ArrayList<>();
        g.forEachInSegment(sweepSegment, e -> {
            int slot = EntryLayout.slotOf(e.key().bytes(), e.key().offset(), e.key().size());
            if (slot >= 0 && sweepingSlots.contains(slot)) {
                removed.add(g.removeVisited(e));
            }
            return true;
        });
        removed.forEach(previous -> retired.retire(previous, EntryLayout.NO_OBJECT));
        if (++sweepSegment >= g.segments()) {
            sweepGeneration = g.id + 1;
            sweepSegment = 0;
        }
    }

    // ---------------------------------------------------------------- meta file

    private void saveMeta(String state) {
        saveMeta(dir, state);
    }

    private void saveMeta(Path storeDir, String state) {
        Properties p = new Properties();
        p.setProperty("format", Integer.toString(META_FORMAT));
        p.setProperty("state", state);
        p.setProperty("initialEntries", Long.toString(initialEntries));
        p.setProperty("databases", Integer.toString(dbSlot.length));
        for (int db = 0; db < dbSlot.length; db++) {
            p.setProperty("db." + db + ".slot", Integer.toString(dbSlot[db]));
            p.setProperty("db." + db + ".count", Long.toString(dbCount[db]));
        }
        p.setProperty("nextSlot", Integer.toString(nextSlot));
        p.setProperty("nextVersion", Long.toString(nextVersion));
        p.setProperty("nextObjectId", Long.toString(nextObjectId));
        p.setProperty("nextStreamObjectId", Long.toString(nextStreamObjectId));
        StringBuilder gens = new StringBuilder();
        for (Generation g : generations) {
            gens.append(gens.length() == 0 ? "" : ",").append(g.id);
            p.setProperty("generation." + g.id + ".entries", Long.toString(g.entries));
            p.setProperty("generation." + g.id + ".averageValueSize", Double.toString(g.averageValueSize));
            p.setProperty("generation." + g.id + ".count", Long.toString(g.rawCount));
            p.setProperty("generation." + g.id + ".bytes", Long.toString(g.rawBytes));
        }
        p.setProperty("generations", gens.toString());
        p.setProperty("migrateSegment", Integer.toString(migrateSegment));
        p.setProperty("garbageSlots", join(garbageSlots));
        p.setProperty("sweepingSlots", join(sweepingSlots));
        p.setProperty("sweepGeneration", Long.toString(sweepGeneration));
        p.setProperty("sweepSegment", Integer.toString(sweepSegment));
        retired.save(p);
        DurableFiles.writeProperties(storeDir.resolve(META_FILE), p, "Millrace keyspace state (see docs/storage-format.md)");
    }

    private void load(Properties p, int databases) {
        if (Integer.parseInt(p.getProperty("format")) != META_FORMAT) {
            throw new IllegalStateException("unknown keyspace meta format " + p.getProperty("format") + " in " + dir);
        }
        if (!"closed".equals(p.getProperty("state"))) {
            throw new IllegalStateException("keyspace in " + dir + " was not closed cleanly; rebuild it from a snapshot and the AOF");
        }
        int stored = Integer.parseInt(p.getProperty("databases"));
        nextSlot = Integer.parseInt(p.getProperty("nextSlot"));
        dbSlot = new int[databases];
        dbCount = new long[databases];
        for (int db = 0; db < Math.max(databases, stored); db++) {
            if (db >= stored) {
                dbSlot[db] = nextSlot++;
                continue;
            }
            int slot = Integer.parseInt(p.getProperty("db." + db + ".slot"));
            long count = Long.parseLong(p.getProperty("db." + db + ".count"));
            if (db >= databases) {
                if (count > 0) {
                    throw new IllegalStateException("the keyspace in " + dir + " has keys in database " + db
                            + " but the server is configured with " + databases + " databases");
                }
                continue;
            }
            dbSlot[db] = slot;
            dbCount[db] = count;
        }
        nextVersion = Long.parseLong(p.getProperty("nextVersion"));
        // Stores written before pages existed have no object ids yet.
        nextObjectId = Long.parseLong(p.getProperty("nextObjectId", "1"));
        // Streams made before they had a range of their own took ids from the objects' counter.
        nextStreamObjectId = Long.parseLong(p.getProperty("nextStreamObjectId", Long.toString(FIRST_STREAM_OBJECT_ID)));
        for (String id : split(p.getProperty("generations"))) {
            String prefix = "generation." + id + ".";
            generations.add(Generation.open(dir, Long.parseLong(id),
                    Long.parseLong(p.getProperty(prefix + "entries")),
                    Double.parseDouble(p.getProperty(prefix + "averageValueSize")),
                    Long.parseLong(p.getProperty(prefix + "count")),
                    Long.parseLong(p.getProperty(prefix + "bytes"))));
        }
        migrateSegment = Integer.parseInt(p.getProperty("migrateSegment"));
        split(p.getProperty("garbageSlots")).forEach(s -> garbageSlots.add(Integer.parseInt(s)));
        split(p.getProperty("sweepingSlots")).forEach(s -> sweepingSlots.add(Integer.parseInt(s)));
        sweepGeneration = Long.parseLong(p.getProperty("sweepGeneration"));
        sweepSegment = Integer.parseInt(p.getProperty("sweepSegment"));
        retired.load(p);
    }

    private static String join(Set<Integer> slots) {
        return String.join(",", slots.stream().sorted().map(String::valueOf).toList());
    }

    private static List<String> split(String csv) {
        return csv == null || csv.isEmpty() ? List.of() : List.of(csv.split(","));
    }
}
