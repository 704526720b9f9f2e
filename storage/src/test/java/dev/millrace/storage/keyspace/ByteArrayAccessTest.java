package dev.millrace.storage.keyspace;

import net.openhft.chronicle.algo.hashing.LongHashFunction;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.hash.serialization.impl.ByteArrayDataAccess;
import net.openhft.chronicle.hash.serialization.impl.ByteArraySizedReader;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.MapSegmentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ByteArrayAccess} must be indistinguishable, on disk, from Chronicle's own byte[] access:
 * same hash, same equality, same bytes written, so maps written before it existed read the same.
 */
class ByteArrayAccessTest {
    @TempDir
    Path dir;

    /** Lengths around every word boundary the comparison and hashing loops have, then random ones. */
    private static List<byte[]> arrays(long seed) {
        Random random = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int len = 0; len <= 70; len++) {
            byte[] a = new byte[len];
            random.nextBytes(a);
            out.add(a);
        }
        for (int i = 0; i < 200; i++) {
            byte[] a = new byte[random.nextInt(3000)];
            random.nextBytes(a);
            out.add(a);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void hashesAsChronicleAccessDoes(long seed) {
        ByteArrayAccess ours = new ByteArrayAccess();
        ByteArrayDataAccess chronicle = new ByteArrayDataAccess();
        for (LongHashFunction f : List.of(LongHashFunction.xx_r39(), LongHashFunction.city_1_1(), LongHashFunction.murmur_3())) {
            for (byte[] a : arrays(seed)) {
                assertEquals(chronicle.getData(a).hash(f), ours.getData(a).hash(f), "length " + a.length);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 5})
    void equivalentComparesEveryByte(long seed) {
        ByteArrayAccess ours = new ByteArrayAccess();
        Random random = new Random(seed);
        for (byte[] a : arrays(seed)) {
            // The stored copy sits at an odd offset of a bigger store, as entries do in a map.
            BytesStore<?, byte[]> stored = BytesStore.wrap(new byte[a.length + 11]);
            stored.write(7, a, 0, a.length);
            Data<byte[]> data = ours.getData(a);
            assertTrue(data.equivalent(stored, 7), "length " + a.length);
            if (a.length > 0) {
                int flip = random.nextInt(a.length);
                stored.writeByte(7 + flip, (byte) (a[flip] ^ (1 << random.nextInt(8))));
                assertFalse(data.equivalent(stored, 7), "length " + a.length + ", byte " + flip + " differs");
            }
        }
    }

    @Test
    void writesTheArrayAndWrapsItOnlyWhenAsked() {
        ByteArrayAccess ours = new ByteArrayAccess();
        byte[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        Data<byte[]> data = ours.getData(a);
        BytesStore<?, byte[]> target = BytesStore.wrap(new byte[16]);
        data.writeTo(target, 3);
        byte[] out = new byte[10];
        target.read(3, out, 0, 10);
        assertArrayEquals(a, out);
        assertEquals(10, data.size());
        assertEquals(a[4], data.bytes().readByte(data.offset() + 4));
        assertArrayEquals(a, data.getUsing(null));
        assertTrue(data.get() == a);
    }

    private ChronicleMapBuilder<byte[], byte[]> builder(boolean ours) {
        ChronicleMapBuilder<byte[], byte[]> b = ChronicleMap.of(byte[].class, byte[].class)
                .entries(4096).averageKeySize(20).averageValueSize(40).entriesPerSegment(256);
        return ours ? b.keyReaderAndDataAccess(ByteArraySizedReader.INSTANCE, new ByteArrayAccess())
                .valueReaderAndDataAccess(ByteArraySizedReader.INSTANCE, new ByteArrayAccess()) : b;
    }

    private static List<String> layout(ChronicleMap<byte[], byte[]> map) {
        List<String> out = new ArrayList<>();
        for (int s = 0; s < map.segments(); s++) {
            try (MapSegmentContext<byte[], byte[], ?> c = map.segmentContext(s)) {
                int segment = s;
                c.forEachSegmentEntry(e -> out.add(segment + ":" + Arrays.toString(Generation.copyOf(e.key()))
                        + "=" + Arrays.toString(Generation.copyOf(e.value()))));
            }
        }
        return out;
    }

    @Test
    void entriesLandWhereChronicleAccessPutsThemAndFilesOpenEitherWay() throws IOException {
        File stock = dir.resolve("stock.cm3").toFile();
        File mine = dir.resolve("ours.cm3").toFile();
        Random random = new Random(6);
        List<byte[][]> entries = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            byte[] k = new byte[4 + random.nextInt(40)];
            byte[] v = new byte[random.nextInt(100)];
            random.nextBytes(k);
            random.nextBytes(v);
            EntryLayout.putInt(k, 0, i); // distinct keys
            entries.add(new byte[][]{k, v});
        }
        List<String> stockLayout;
        try (ChronicleMap<byte[], byte[]> a = builder(false).createPersistedTo(stock);
             ChronicleMap<byte[], byte[]> b = builder(true).createPersistedTo(mine)) {
            for (byte[][] kv : entries) {
                a.put(kv[0], kv[1]);
                b.put(kv[0], kv[1]);
            }
            for (int i = 0; i < entries.size(); i += 3) {
                a.remove(entries.get(i)[0]);
                b.remove(entries.get(i)[0]);
            }
            stockLayout = layout(a);
            assertEquals(stockLayout, layout(b), "same segments, same order, same bytes");
        }
        // A file written with Chronicle's access opens with ours and the other way round.
        try (ChronicleMap<byte[], byte[]> a = builder(true).createPersistedTo(stock);
             ChronicleMap<byte[], byte[]> b = builder(false).createPersistedTo(mine)) {
            assertEquals(stockLayout, layout(a));
            assertEquals(stockLayout, layout(b));
            for (int i = 0; i < entries.size(); i++) {
                byte[] expected = i % 3 == 0 ? null : entries.get(i)[1];
                assertArrayEquals(expected, a.get(entries.get(i)[0]));
                assertArrayEquals(expected, b.get(entries.get(i)[0]));
            }
            // The header decides (docs/storage-format.md): files from before keep Chronicle's access.
            assertEquals(ByteArrayDataAccess.class, ((VanillaChronicleHash<?, ?, ?, ?>) a).keyDataAccess.getClass());
            assertEquals(ByteArrayAccess.class, ((VanillaChronicleHash<?, ?, ?, ?>) b).keyDataAccess.getClass());
        }
    }
}
