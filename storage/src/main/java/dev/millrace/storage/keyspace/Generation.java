package dev.millrace.storage.keyspace;

import dev.millrace.storage.MappedPages;
import dev.millrace.storage.keyspace.EntryLayout.Descriptor;
import dev.millrace.storage.keyspace.EntryLayout.Owned;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.hash.serialization.impl.ByteArraySizedReader;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * One Chronicle Map file of the keyspace. The store grows by adding a bigger generation and moving
 * entries into it (see {@link ChronicleKeyStore}); each generation keeps the counters that decide
 * when it is full. A key's segment within a generation never changes, which SCAN relies on.
 *
 * <p>Execution thread only (the store's thread). Every operation is one hash lookup in one segment,
 * except {@link #forEachInSegment}, which is O(entries in the segment).
 */
final class Generation implements AutoCloseable {
    /**
     * The key part of the entry size a generation is sized for. Chronicle Map sizes its chunks and
     * segment tiers from the sum of the average key and value sizes only, so later generations take
     * the observed average entry size minus this as their average value size.
     */
    static final double AVERAGE_KEY_SIZE = 24;
    /** Small segments keep SCAN steps, sweeps and migration steps short; 512 measured as fast as Chronicle's default. */
    static final int MIN_ENTRIES_PER_SEGMENT = 512;
    /**
     * The largest entry every segment tier must hold: a map key and an inline value of
     * {@link EntryLayout#INLINE_MAX} bytes together, or a chunk of that size, with their trailers
     * and headers (EntryLayout keeps every entry within this, whatever the user key's length).
     * Chronicle Map refuses an entry larger than a tier ("Entry is too large"), and a tier holds
     * about entries-per-segment average entries.
     */
    static final int LARGEST_ENTRY = EntryLayout.INLINE_MAX + 1024;
    /**
     * A map file at least this big has its pages released after creation ({@link MappedPages}); a
     * small one (a fresh server's first generation, tests) is not worth loading the native binding.
     */
    static final long RELEASE_PAGES_FROM_BYTES = 32L << 20;
    /**
     * Chronicle Map adds overflow tiers up to this factor before an insert throws: the store starts
     * a bigger generation at 1x, so this is head-room for the entries written while it migrates.
     */
    static final double MAX_BLOAT_FACTOR = 4;

    final long id;
    final long entries;
    final double averageValueSize;
    final Path file;
    private final ChronicleMap<byte[], byte[]> map;
    long rawCount;
    long rawBytes;

    /**
     * What a write or removal found under the key before it: whether anything, the chunks its value
     * was split into (null when inline), the pages it owned (null when none).
     */
    record Previous(boolean existed, Descriptor chunked, Owned owned) {
        static final Previous NONE = new Previous(false, null, null);
        static final Previous INLINE = new Previous(true, null, null);
    }

    /** An insert failed because the map has no room left: the caller grows the store and retries. */
    static final class CapacityExceeded extends Exception {
        CapacityExceeded(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private Generation(long id, long entries, double averageValueSize, Path file, ChronicleMap<byte[], byte[]> map,
                       long rawCount, long rawBytes) {
        this.id = id;
        this.entries = entries;
        this.averageValueSize = averageValueSize;
        this.file = file;
        this.map = map;
        this.rawCount = rawCount;
        this.rawBytes = rawBytes;
    }

    static Path fileOf(Path dir, long id) {
        return dir.resolve(String.format("keyspace-%06d.cm3", id));
    }

    /** Creates the generation's file, or reopens it when it exists (a cleanly closed store). */
    static Generation open(Path dir, long id, long entries, double averageValueSize, long rawCount, long rawBytes) {
        Path file = fileOf(dir, id);
        boolean created = !Files.exists(file);
        try {
            ChronicleMap<byte[], byte[]> map = ChronicleMap.of(byte[].class, byte[].class)
                    .name("millrace-keyspace-" + id)
                    // Allocation-free byte[] access (the default wraps each array in a new BytesStore).
                    .keyReaderAndDataAccess(ByteArraySizedReader.INSTANCE, new ByteArrayAccess())
                    .valueReaderAndDataAccess(ByteArraySizedReader.INSTANCE, new ByteArrayAccess())
                    .entries(entries)
                    .averageKeySize(AVERAGE_KEY_SIZE)
                    .averageValueSize(averageValueSize)
                    .entriesPerSegment(entriesPerSegment(averageValueSize))
                    .maxBloatFactor(MAX_BLOAT_FACTOR)
                    // The live map is never recovered after a crash (it is rebuilt from a snapshot and
                    // the AOF), and snapshots carry their own checksum, so entry checksums buy nothing.
                    .checksumEntries(false)
                    .createPersistedTo(file.toFile());
            if (created && Files.size(file) >= RELEASE_PAGES_FROM_BYTES) {
                // Creating the map made all of it resident; from here on only used pages are.
                MappedPages.releaseAndAccessRandomly(file);
            }
            return new Generation(id, entries, averageValueSize, file, map, rawCount, rawBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open keyspace map " + file, e);
        }
    }

    /**
     * Entries per segment for entries of {@code AVERAGE_KEY_SIZE + averageValueSize} bytes: at least
     * {@link #MIN_ENTRIES_PER_SEGMENT}, and enough that a tier holds {@link #LARGEST_ENTRY} (at most
     * 2,080 for the smallest entries the store sizes for, 32 bytes).
     * (Only read when the map is created; a reopened map keeps the layout in its header.)
     */
    static int entriesPerSegment(double averageValueSize) {
        long needed = (long) Math.ceil(LARGEST_ENTRY / (AVERAGE_KEY_SIZE + averageValueSize));
        return (int) Math.max(MIN_ENTRIES_PER_SEGMENT, needed);
    }

    /** Bytes of keys and values this generation was sized for. */
    long byteBudget() {
        return (long) (entries * (AVERAGE_KEY_SIZE + averageValueSize));
    }

    boolean full() {
        return rawCount >= entries || rawBytes >= byteBudget();
    }

    int segments() {
        return map.segments();
    }

    /** The map value stored under the map key {@code k}, or null. */
    byte[] get(byte[] k) {
        return map.get(k);
    }

    Previous put(byte[] k, byte[] v) throws CapacityExceeded {
        try (ExternalMapQueryContext<byte[], byte[], ?> c = map.queryContext(k)) {
            c.updateLock().lock();
            MapEntry<byte[], byte[]> e = c.entry();
            Data<byte[]> value = c.wrapValueAsData(v);
            if (e == null) {
                c.insert(c.absentEntry(), value);
                rawCount++;
                rawBytes += k.length + v.length;
                return Previous.NONE;
            }
            Previous previous = previousOf(e.value());
            long oldSize = e.value().size();
            c.replaceValue(e, value);
            rawBytes += v.length - oldSize;
            return previous;
        } catch (IllegalStateException e) {
            throw capacity(e);
        }
    }

    Previous remove(byte[] k) {
        try (ExternalMapQueryContext<byte[], byte[], ?> c = map.queryContext(k)) {
            c.updateLock().lock();
            MapEntry<byte[], byte[]> e = c.entry();
            if (e == null) {
                return Previous.NONE;
            }
            Previous previous = previousOf(e.value());
            rawCount--;
            rawBytes -= k.length + e.value().size();
            c.remove(e);
            return previous;
        }
    }

    /**
     * Removes {@code k} and returns its value (a fresh copy), or null when {@code k} is not here:
     * one lookup. RENAME moves an entry's value this way without reading a chunked value's chunks.
     */
    byte[] take(byte[] k) {
        try (ExternalMapQueryContext<byte[], byte[], ?> c = map.queryContext(k)) {
            c.updateLock().lock();
            MapEntry<byte[], byte[]> e = c.entry();
            if (e == null) {
                return null;
            }
            byte[] value = copyOf(e.value());
            rawCount--;
            rawBytes -= k.length + value.length;
            c.remove(e);
            return value;
        }
    }

    /**
     * Overwrites part of a key entry's inline record in place: {@code bytes} at record offset
     * {@code offset}. A chunked record is left alone: its descriptor is returned so the caller can
     * patch the chunks.
     *
     * @return {@link Previous#NONE} when {@code k} is not here, {@link Previous#INLINE} when written
     * @throws IllegalArgumentException when the record is shorter than {@code offset + bytes.length}
     */
    Previous patchRecord(byte[] k, int offset, byte[] bytes) {
        try (ExternalMapQueryContext<byte[], byte[], ?> c = map.queryContext(k)) {
            c.writeLock().lock();
            MapEntry<byte[], byte[]> e = c.entry();
            if (e == null) {
                return Previous.NONE;
            }
            Previous found = previousOf(e.value());
            if (found.chunked() == null) {
                // The inline value is the record followed by its trailer.
                long size = e.value().size();
                byte form = e.value().bytes().readByte(e.value().offset() + size - 1);
                writeInPlace(e.value(), size - EntryLayout.trailerSize(form), offset, bytes, 0, bytes.length);
            }
            return found;
        }
    }

    /**
     * Overwrites {@code len} bytes of the value of {@code k} (a chunk entry) at {@code at}, in place.
     *
     * @return whether {@code k} is here
     */
    boolean patchValue(byte[] k, long at, byte[] bytes, int from, int len) {
        try (ExternalMapQueryContext<byte[], byte[], ?> c = map.queryContext(k)) {
            c.writeLock().lock();
            MapEntry<byte[], byte[]> e = c.entry();
            if (e == null) {
                return false;
            }
            writeInPlace(e.value(), e.value().size(), at, bytes, from, len);
            return true;
        }
    }

    /**
     * Writes into an entry's value where it lies in the map's memory: same size, so no entry moves.
     * The caller holds the segment's write lock. (Entry checksums are off, so none needs updating.)
     */
    private static void writeInPlace(Data<byte[]> value, long writable, long at, byte[] bytes, int from, int len) {
        if (at < 0 || at + len > writable) {
            throw new IllegalArgumentException("patch of " + len + " bytes at " + at + " outside a value of " + writable);
        }
        ((RandomDataOutput<?>) value.bytes()).write(value.offset() + at, bytes, from, len);
    }

    /**
     * Visits the entries of one segment under its lock while {@code visitor} returns true. The
     * visitor may remove the visited entry with {@link #removeVisited}; it must not touch this
     * generation otherwise.
     *
     * @return the entries the segment held: an empty one is skipped without walking its hash slots
     */
    long forEachInSegment(int segment, Predicate<MapEntry<byte[], byte[]>> visitor) {
        try (MapSegmentContext<byte[], byte[], ?> c = map.segmentContext(segment)) {
            long entries = c.size();
            if (entries > 0) {
                c.forEachSegmentEntryWhile(visitor);
            }
            return entries;
        }
    }

    /** Removes the entry {@link #forEachInSegment} is visiting and returns what it held. */
    Previous removeVisited(MapEntry<byte[], byte[]> e) {
        // Chunk entries hold raw bytes; key and page entries end with a form byte.
        boolean chunk = e.key().bytes().readByte(e.key().offset()) == EntryLayout.TAG_CHUNK;
        Previous previous = chunk ? Previous.INLINE : previousOf(e.value());
        rawCount--;
        rawBytes -= e.key().size() + e.value().size();
        e.doRemove();
        return previous;
    }

    /**
     * A fresh copy of an entry's key or value. ({@code Data.get()} reuses one array per context, so
     * arrays collected during an iteration would alias.)
     */
    static byte[] copyOf(Data<byte[]> data) {
        byte[] out = new byte[Math.toIntExact(data.size())];
        data.bytes().read(data.offset(), out, 0, out.length);
        return out;
    }

    /** What a key or page entry's value holds besides its bytes: its chunks and owned pages. */
    private static Previous previousOf(Data<byte[]> value) {
        long size = value.size();
        long offset = value.offset();
        byte form = value.bytes().readByte(offset + size - 1);
        if (form == EntryLayout.FORM_INLINE) {
            return Previous.INLINE;
        }
        Descriptor chunked = null;
        if ((form & EntryLayout.FORM_CHUNKED) != 0) {
            byte[] descriptor = new byte[EntryLayout.DESCRIPTOR_SIZE];
            value.bytes().read(offset, descriptor, 0, descriptor.length);
            chunked = Descriptor.decode(descriptor);
        }
        Owned owned = null;
        if ((form & EntryLayout.FORM_OWNER) != 0) {
            byte[] trailer = new byte[EntryLayout.OWNER_SIZE];
            value.bytes().read(offset + size - 1 - trailer.length, trailer, 0, trailer.length);
            owned = Owned.decode(trailer);
        }
        return new Previous(true, chunked, owned);
    }

    private static CapacityExceeded capacity(IllegalStateException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("segment tier")) {
            return new CapacityExceeded(e);
        }
        throw e;
    }

    /** Writes the map's dirty pages to disk (msync). */
    void msync() {
        ((VanillaChronicleHash<?, ?, ?, ?>) map).msync();
    }

    @Override
    public void close() {
        map.close();
    }
}
