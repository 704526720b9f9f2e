package dev.millrace.engine.types;

import dev.millrace.engine.testing.RandomCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ListValue} against a plain {@link ArrayList} model: random operations (pushes, pops, inserts,
 * sets, removals, ranges, LREM, iteration from both ends), compared after each one, through the small
 * form, the conversion and the large form, with the value saved and reloaded from its encoding (or
 * its tree's root) along the way, as the keyspace does between commands. Each seed picks a
 * list-max-listpack-size, so both count and byte bounds convert.
 */
@ExtendWith(RandomCases.NameFailingCase.class)
class ListValueTest {
    private static final int[] FILLS = {-1, -2, -5, 0, 1, 3, 16, 128};

    static Stream<Integer> seeds() {
        return IntStream.range(0, 40).boxed();
    }

    /** The value under test and what it needs to be saved and reloaded. */
    private static final class Subject {
        final int fill;
        final PagedTreeTest.MapPages pages = new PagedTreeTest.MapPages();
        ListValue value;

        Subject(int fill) {
            this.fill = fill;
            value = ListValue.empty(fill, () -> pages);
        }

        /** Through the stored form, as a command ends and the next one loads the key. */
        void reload() {
            if (value.isSmall()) {
                value = ListValue.decodeSmall(value.encodeSmall(), 0, fill, () -> pages);
            } else {
                value = ListValue.ofTree(new PagedTree(pages, value.tree().root()));
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void behavesLikeAnArrayList(int seed) {
        Random random = new Random(RandomCases.random("ListValue").nextLong() ^ seed);
        Subject subject = new Subject(FILLS[seed % FILLS.length]);
        List<byte[]> model = new ArrayList<>();
        boolean wasLarge = false;
        for (int step = 0; step < 500; step++) {
            apply(random, subject.value, model);
            assertSame(model, subject.value, random);
            if (wasLarge) {
                assertFalse(subject.value.isSmall(), "a large list never turns small");
            } else {
                assertEquals(fitsSmall(subject.fill, model), subject.value.isSmall(), "small exactly while it fits");
            }
            wasLarge = !subject.value.isSmall();
            if (random.nextInt(5) == 0) {
                subject.reload();
                assertSame(model, subject.value, random);
            }
        }
    }

    private static boolean fitsSmall(int fill, List<byte[]> model) {
        long bytes = 0;
        for (byte[] element : model) {
            bytes += varintLength(element.length) + element.length;
        }
        return ListValue.fitsSmall(fill, model.size(), bytes);
    }

    private static int varintLength(int v) {
        return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : 4;
    }

    private static byte[] element(Random random) {
        int pick = random.nextInt(100);
        int length = pick < 2 ? 5000 + random.nextInt(4000) : pick < 10 ? 0 : random.nextInt(pick < 60 ? 8 : 200);
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        if (length > 0 && random.nextBoolean()) {
            bytes[0] = (byte) random.nextInt(3); // repeats, for LREM and its counts
            return Arrays.copyOf(bytes, 1);
        }
        return bytes;
    }

    private static void apply(Random random, ListValue value, List<byte[]> model) {
        int size = model.size();
        switch (random.nextInt(size == 0 ? 3 : 10)) {
            case 0 -> {
                byte[] e = element(random);
                value.push(true, e);
                model.add(0, e);
            }
            case 1 -> {
                int n = random.nextInt(random.nextInt(10) == 0 ? 300 : 4) + 1;
                for (int i = 0; i < n; i++) {
                    byte[] e = element(random);
                    value.push(false, e);
                    model.add(e);
                }
            }
            case 2 -> {
                int at = random.nextInt(size + 1);
                byte[] e = element(random);
                value.insert(at, e);
                model.add(at, e);
            }
            case 3 -> assertArrayEquals(model.remove(0), value.pop(true));
            case 4 -> assertArrayEquals(model.remove(size - 1), value.pop(false));
            case 5 -> {
                int at = random.nextInt(size);
                byte[] e = element(random);
                assertArrayEquals(model.set(at, e), value.set(at, e));
            }
            case 6 -> {
                int at = random.nextInt(size);
                assertArrayEquals(model.remove(at), value.remove(at));
            }
            case 7 -> {
                int from = random.nextInt(size + 1);
                int to = from + random.nextInt(Math.min(size - from, 20) + 1);
                value.removeRange(from, to);
                model.subList(from, to).clear();
            }
            case 8 -> {
                byte[] e = new byte[]{(byte) random.nextInt(3)};
                long count = random.nextInt(7) - 3;
                assertEquals(removeOccurrences(model, e, count), value.removeOccurrences(e, count));
            }
            default -> {
                int at = random.nextInt(size);
                assertArrayEquals(model.get(at), value.get(at));
            }
        }
    }

    /** LREM on the model: the first count from the head, the last -count from the tail, all for 0. */
    private static long removeOccurrences(List<byte[]> model, byte[] e, long count) {
        long removed = 0;
        if (count >= 0) {
            for (int i = 0; i < model.size() && (count == 0 || removed < count); ) {
                if (Arrays.equals(model.get(i), e)) {
                    model.remove(i);
                    removed++;
                } else {
                    i++;
                }
            }
        } else {
            for (int i = model.size() - 1; i >= 0 && removed < -count; i--) {
                if (Arrays.equals(model.get(i), e)) {
                    model.remove(i);
                    removed++;
                }
            }
        }
        return removed;
    }

    /**
     * Size, every element in order (in place, and by index), and iteration both ways from a random
     * index. Iteration decodes a small list's elements into objects, so it runs on a copy reloaded
     * from the encoding: the value itself stays in the form it is in, and its next operations run
     * on the encoding.
     */
    private static void assertSame(List<byte[]> model, ListValue value, Random random) {
        assertEquals(model.size(), value.size());
        List<byte[]> visited = new ArrayList<>();
        value.forEach(0, model.size(), (bytes, offset, length) -> visited.add(Arrays.copyOfRange(bytes, offset, offset + length)));
        assertEquals(model.size(), visited.size());
        for (int i = 0; i < model.size(); i++) {
            assertArrayEquals(model.get(i), visited.get(i), "forEach, element " + i);
        }
        if (!model.isEmpty()) {
            int at = random.nextInt(model.size());
            assertArrayEquals(model.get(at), value.get(at), "get " + at);
        }
        if (value.isSmall()) {
            value = ListValue.decodeSmall(value.encodeSmall(), 0, 0, null);
        }
        Iterator<byte[]> all = value.iterator(0);
        for (byte[] expected : model) {
            assertArrayEquals(expected, all.next());
        }
        assertFalse(all.hasNext());
        if (model.isEmpty()) {
            assertFalse(value.descendingIterator(0).hasNext());
            return;
        }
        int from = random.nextInt(model.size());
        Iterator<byte[]> down = value.descendingIterator(from);
        for (int i = from; i >= 0; i--) {
            assertArrayEquals(model.get(i), down.next());
        }
        assertFalse(down.hasNext());
        Iterator<byte[]> up = value.iterator(from);
        for (int i = from; i < model.size(); i++) {
            assertArrayEquals(model.get(i), up.next());
        }
    }

    @Test
    void bounds() {
        assertTrue(ListValue.fitsSmall(-2, 1000, 8192));
        assertFalse(ListValue.fitsSmall(-2, 1000, 8193));
        assertTrue(ListValue.fitsSmall(-1, 1, 4096));
        assertFalse(ListValue.fitsSmall(-1, 1, 4097));
        assertTrue(ListValue.fitsSmall(-100, 1, 65536), "fills below -5 mean -5");
        assertFalse(ListValue.fitsSmall(-100, 1, 65537));
        assertTrue(ListValue.fitsSmall(3, 3, 10));
        assertFalse(ListValue.fitsSmall(3, 4, 10));
        assertFalse(ListValue.fitsSmall(100, 5, 8193), "a count bound keeps the 8 KiB safety limit");
        assertFalse(ListValue.fitsSmall(0, 1, 1));
    }

    @Test
    void aLargeListGoesOnAfterItsPagesAreReopened() {
        Subject subject = new Subject(2);
        for (int i = 0; i < 5000; i++) {
            subject.value.push(i % 2 == 0, Integer.toString(i).getBytes());
        }
        subject.reload();
        assertEquals(5000, subject.value.size());
        assertArrayEquals("4998".getBytes(), subject.value.get(0));
        assertArrayEquals("4999".getBytes(), subject.value.get(4999));
        subject.value.removeRange(1, 4999);
        subject.reload();
        assertEquals(2, subject.value.size());
        assertFalse(subject.value.isSmall());
    }

    /** Counts the pages an operation reads and writes. */
    private static final class CountingPages implements Pages {
        final PagedTreeTest.MapPages pages = new PagedTreeTest.MapPages();
        long touched;

        @Override public byte[] read(long page) { touched++; return pages.read(page); }
        @Override public void write(long page, byte[] bytes) { touched++; pages.write(page, bytes); }
        @Override public void free(long page) { touched++; pages.free(page); }
        @Override public long allocate() { return pages.allocate(); }
    }

    @Test
    void workNearEitherEndOfALargeListTouchesOnePathOfPages() {
        CountingPages pages = new CountingPages();
        ListValue list = ListValue.empty(-2, () -> pages);
        int n = 150_000; // tail pushes leave full leaves: this many make a tree of height 2
        for (int i = 0; i < n; i++) {
            list.push(false, ("element-" + i).getBytes());
        }
        int height = list.tree().root().height();
        assertTrue(height >= 2, "a tree of some depth: " + height);
        long path = height + 1;
        List<Runnable> operations = List.of(
                () -> list.get(0),
                () -> list.get(list.size() - 1),
                () -> list.push(true, "head".getBytes()),
                () -> list.push(false, "tail".getBytes()),
                () -> list.pop(true),
                () -> list.pop(false),
                () -> list.set(list.size() - 2, "x".getBytes()),
                () -> take(list.iterator(0), 10),
                () -> take(list.descendingIterator(list.size() - 1), 10),
                () -> list.removeRange(0, 10));
        for (Runnable operation : operations) {
            pages.touched = 0;
            operation.run();
            assertTrue(pages.touched <= 4 * path + 4, "pages touched: " + pages.touched + " for height " + height);
        }
    }

    /** The first {@code n} elements of a walk: LRANGE's work. */
    private static void take(Iterator<byte[]> elements, int n) {
        for (int i = 0; i < n; i++) {
            elements.next();
        }
    }
}
