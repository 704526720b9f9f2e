package dev.millrace.engine.types;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PagedTree against simple models (a TreeMap for keyed trees, an ArrayList for positional ones):
 * random operations with small nodes so trees get deep, comparing contents, ranks and iteration,
 * and checking after each step that counts, separators and pages are consistent and no page leaks.
 */
class PagedTreeTest {

    /**
     * Pages in a map, counting live pages so leaks show; with a node cache when asked (its write-back
     * means a page can be allocated and freed without ever being written).
     */
    static final class MapPages implements Pages {
        final Map<Long, byte[]> pages = new HashMap<>();
        final Set<Long> allocated = new HashSet<>();
        final NodeCache cache;
        long next;

        MapPages(boolean cached) {
            // a small cache, so eviction happens too
            this.cache = cached ? new NodeCache(2048) : null;
        }

        MapPages() {
            this(false);
        }

        @Override public NodeCache nodeCache() { return cache; }
        @Override public long objectId() { return 7; }

        @Override public byte[] read(long page) {
            byte[] b = pages.get(page);
            if (b == null) {
                throw new IllegalStateException("missing page " + page);
            }
            return b.clone();
        }
        @Override public void write(long page, byte[] bytes) { pages.put(page, bytes.clone()); }
        @Override public void free(long page) {
            if (!allocated.remove(page)) {
                throw new IllegalStateException("double free of page " + page);
            }
            pages.remove(page);
        }
        @Override public long allocate() {
            allocated.add(next);
            return next++;
        }
    }

    private static byte[] key(Random r) {
        // a small alphabet of keys so puts hit existing keys and removes find them; lengths vary
        int n = r.nextInt(400);
        String s = "k" + n + "x".repeat(n % 7 == 0 ? 40 : n % 3);
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] value(Random r) {
        byte[] v = new byte[r.nextInt(10) == 0 ? 300 : r.nextInt(20)];
        r.nextBytes(v);
        return v;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void keyedTreeMatchesTreeMap(long seed) {
        Random r = new Random(seed);
        MapPages pages = new MapPages(seed % 2 == 0);
        PagedTree tree = PagedTree.create(pages, 96 + r.nextInt(200));
        TreeMap<String, byte[]> model = new TreeMap<>();
        for (int step = 0; step < 3000; step++) {
            byte[] k = key(r);
            String mk = new String(k, StandardCharsets.ISO_8859_1);
            int op = r.nextInt(10);
            if (op < 5) {
                byte[] v = value(r);
                assertArrayEquals(model.put(mk, v), tree.put(k, v));
            } else if (op < 8) {
                assertArrayEquals(model.remove(mk), tree.remove(k));
            } else if (op < 9 && !model.isEmpty()) {
                long i = r.nextInt(model.size());
                String expected = new ArrayList<>(model.keySet()).get((int) i);
                PagedTree.Entry e = tree.removeAt(i);
                assertEquals(expected, new String(e.key(), StandardCharsets.ISO_8859_1));
                assertArrayEquals(model.remove(expected), e.value());
            } else if (!model.isEmpty()) {
                int from = r.nextInt(model.size());
                int to = from + r.nextInt(Math.min(model.size() - from, 60) + 1);
                List<String> keys = new ArrayList<>(model.keySet());
                tree.removeRange(from, to);
                keys.subList(from, to).forEach(model::remove);
            }
            assertArrayEquals(model.get(mk), tree.get(k));
            assertEquals(model.headMap(mk).size(), tree.rank(k));
            if (step % 50 == 0) {
                assertSameContents(model, tree);
                verify(pages, tree, true);
            }
        }
        assertSameContents(model, tree);
        verify(pages, tree, true);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    void positionalTreeMatchesArrayList(long seed) {
        Random r = new Random(seed);
        MapPages pages = new MapPages(seed % 2 == 0);
        PagedTree tree = PagedTree.create(pages, 64 + r.nextInt(200));
        List<byte[]> model = new ArrayList<>();
        for (int step = 0; step < 3000; step++) {
            int op = r.nextInt(12);
            if (op < 5 || model.isEmpty()) {
                int at = NodeTest.endBiasedPosition(r, model.size()); // pushes at either end dominate
                byte[] v = value(r);
                model.add(at, v);
                tree.insertAt(at, v);
            } else if (op < 8) {
                int at = r.nextBoolean() ? (r.nextBoolean() ? 0 : model.size() - 1) : r.nextInt(model.size());
                assertArrayEquals(model.remove(at), tree.removeAt(at).value());
            } else if (op < 10) {
                int at = r.nextInt(model.size());
                byte[] v = value(r);
                assertArrayEquals(model.set(at, v), tree.setAt(at, v));
            } else {
                int from = r.nextInt(model.size());
                int to = from + r.nextInt(model.size() - from + 1);
                tree.removeRange(from, to);
                model.subList(from, to).clear();
            }
            assertEquals(model.size(), tree.size());
            if (!model.isEmpty()) {
                int at = r.nextInt(model.size());
                assertArrayEquals(model.get(at), tree.get(at).value());
            }
            if (step % 50 == 0) {
                assertSameList(model, tree);
                verify(pages, tree, false);
            }
        }
        assertSameList(model, tree);
        verify(pages, tree, false);
    }

    /**
     * A descent by index scans an inner node's counts from its nearer end: every index, the ones at
     * child boundaries included, reads and inserts where a model says, from both ends of wide nodes.
     */
    @Test
    void descentsFromEitherEndAgreeOnEveryIndex() {
        MapPages pages = new MapPages(true);
        PagedTree tree = PagedTree.create(pages, 64);
        List<byte[]> model = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            byte[] v = ("v" + i).getBytes(StandardCharsets.US_ASCII);
            int at = i % 3 == 0 ? 0 : i % 3 == 1 ? model.size() : model.size() / 2;
            model.add(at, v);
            tree.insertAt(at, v);
        }
        assertTrue(tree.root().height() >= 2, "deep enough to have wide inner nodes");
        for (int i = 0; i < model.size(); i++) {
            assertArrayEquals(model.get(i), tree.get(i).value(), "index " + i);
        }
        for (int at = 0; at <= model.size(); at += 97) {
            byte[] v = ("x" + at).getBytes(StandardCharsets.US_ASCII);
            model.add(at, v);
            tree.insertAt(at, v);
        }
        for (int i = 0; i < 300; i++) {
            assertArrayEquals(model.remove(model.size() - 1), tree.removeAt(tree.size() - 1).value());
            assertArrayEquals(model.remove(0), tree.removeAt(0).value());
        }
        assertSameList(model, tree);
        verify(pages, tree, false);
    }

    /**
     * Pushes at one end of a list, and keys inserted in ascending order, split the full node at the
     * end they grow from: every leaf but the one being filled stays full, not half full.
     */
    @ParameterizedTest
    @ValueSource(strings = {"head", "tail", "ascending keys"})
    void growthAtOneEndLeavesFullLeaves(String how) {
        MapPages pages = new MapPages(true);
        PagedTree tree = PagedTree.create(pages);
        long bytes = 0;
        for (int i = 0; i < 30_000; i++) {
            byte[] v = String.format("element-%06d", i).getBytes(StandardCharsets.US_ASCII);
            switch (how) {
                case "head" -> tree.insertAt(0, v);
                case "tail" -> tree.insertAt(tree.size(), v);
                default -> tree.put(v, Node.EMPTY);
            }
            bytes += 2 + v.length;
        }
        verify(pages, tree, how.equals("ascending keys"));
        long leaves = pages.pages.values().stream().filter(page -> Node.of(page).leaf).count();
        long full = bytes / (PagedTree.MAX_LEAF_BYTES - Node.HEADER_BYTES - 16);
        assertTrue(leaves <= full + 1, leaves + " leaves for " + bytes + " bytes of entries");
    }

    @Test
    void reopensFromItsRoot() {
        MapPages pages = new MapPages();
        PagedTree tree = PagedTree.create(pages, 128);
        for (int i = 0; i < 500; i++) {
            tree.put(("key" + i).getBytes(StandardCharsets.US_ASCII), new byte[]{(byte) i});
        }
        byte[] saved = new byte[PagedTree.Root.SIZE];
        tree.root().encode(saved, 0);
        PagedTree reopened = new PagedTree(pages, PagedTree.Root.decode(saved, 0));
        assertEquals(500, reopened.size());
        assertTrue(reopened.root().height() >= 2);
        assertArrayEquals(new byte[]{(byte) 77}, reopened.get("key77".getBytes(StandardCharsets.US_ASCII)));
        assertNull(reopened.get("nokey".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void anEntryLargerThanANodeGetsALeafOfItsOwn() {
        MapPages pages = new MapPages();
        PagedTree tree = PagedTree.create(pages);
        byte[] big = new byte[3 * PagedTree.MAX_LEAF_BYTES];
        for (int i = 0; i < 50; i++) {
            tree.put(new byte[]{(byte) i}, i == 25 ? big : new byte[]{1, 2, 3});
        }
        assertArrayEquals(big, tree.get(new byte[]{25}));
        verify(pages, tree, true);
        tree.remove(new byte[]{25});
        verify(pages, tree, true);
    }

    @Test
    void emptiedTreeShrinksBackToOneLeaf() {
        MapPages pages = new MapPages();
        PagedTree tree = PagedTree.create(pages, 100);
        for (int i = 0; i < 1000; i++) {
            tree.insertAt(i, ("v" + i).getBytes(StandardCharsets.US_ASCII));
        }
        assertTrue(tree.root().height() > 1);
        tree.removeRange(0, 1000);
        assertEquals(0, tree.size());
        assertEquals(0, tree.root().height());
        assertEquals(1, pages.pages.size());
        assertFalse(tree.iterator(0).hasNext());
    }

    @Test
    void separatorsAreTheShortestPrefixThatSeparates() {
        byte[] a = "apple".getBytes(StandardCharsets.US_ASCII);
        assertEquals("b", new String(PagedTree.shortestSeparator(a, "banana".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII));
        assertEquals("applf", new String(PagedTree.shortestSeparator(a, "applfz".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII));
        assertEquals("apple!", new String(PagedTree.shortestSeparator(a, "apple!x".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII));
    }

    private static void assertSameContents(TreeMap<String, byte[]> model, PagedTree tree) {
        assertEquals(model.size(), tree.size());
        Iterator<PagedTree.Entry> it = tree.iterator(0);
        for (Map.Entry<String, byte[]> e : model.entrySet()) {
            PagedTree.Entry got = it.next();
            assertEquals(e.getKey(), new String(got.key(), StandardCharsets.ISO_8859_1));
            assertArrayEquals(e.getValue(), got.value());
        }
        assertFalse(it.hasNext());
        if (!model.isEmpty()) {
            List<String> keys = new ArrayList<>(model.descendingKeySet());
            Iterator<PagedTree.Entry> down = tree.descendingIterator(model.size() - 1);
            for (String k : keys) {
                assertEquals(k, new String(down.next().key(), StandardCharsets.ISO_8859_1));
            }
            assertFalse(down.hasNext());
        }
    }

    private static void assertSameList(List<byte[]> model, PagedTree tree) {
        Iterator<PagedTree.Entry> it = tree.iterator(0);
        for (byte[] v : model) {
            assertArrayEquals(v, it.next().value());
        }
        assertFalse(it.hasNext());
        // the copy-free walk, over all of it and over its middle third
        for (int from : new int[]{0, model.size() / 3}) {
            int count = from == 0 ? model.size() : model.size() / 3;
            List<byte[]> visited = new ArrayList<>();
            tree.forEachValue(from, count, (bytes, offset, length) -> visited.add(Arrays.copyOfRange(bytes, offset, offset + length)));
            assertEquals(count, visited.size());
            for (int i = 0; i < count; i++) {
                assertArrayEquals(model.get(from + i), visited.get(i));
            }
        }
        if (model.size() > 3) {
            int from = model.size() / 2;
            Iterator<PagedTree.Entry> down = tree.descendingIterator(from);
            for (int i = from; i >= 0; i--) {
                assertArrayEquals(model.get(i), down.next().value());
            }
            assertFalse(down.hasNext());
        }
    }

    /** Counts match, keys ordered within separator bounds, every live page reachable once. */
    private static void verify(MapPages pages, PagedTree tree, boolean keyed) {
        if (pages.cache != null) {
            pages.cache.flush(); // as the engine does at the end of a batch
            assertFalse(pages.cache.hasUnwritten());
        }
        PagedTree.Root root = tree.root();
        int[] reachable = {0};
        long total = verify(pages, root.page(), root.height(), null, null, keyed, reachable);
        assertEquals(root.size(), total);
        assertEquals(pages.pages.size(), reachable[0], "leaked or shared pages");
    }

    private static long verify(MapPages pages, long page, int level, byte[] low, byte[] high, boolean keyed, int[] reachable) {
        reachable[0]++;
        Node node = Node.of(pages.read(page));
        assertEquals(level == 0, node.leaf, "leaf at the wrong level");
        if (node.leaf) {
            for (int i = 0; keyed && i < node.n; i++) {
                if (i > 0) {
                    assertTrue(Bytes.compare(node.key(i - 1), node.key(i)) < 0, "keys out of order");
                }
                assertTrue(low == null || Bytes.compare(low, node.key(i)) <= 0, "key below its separator");
                assertTrue(high == null || Bytes.compare(node.key(i), high) < 0, "key above the next separator");
            }
            return node.n;
        }
        assertTrue(node.n >= 1);
        long total = 0;
        for (int i = 0; i < node.n; i++) {
            byte[] lo = i == 0 ? low : node.sep(i);
            byte[] hi = i + 1 < node.n ? node.sep(i + 1) : high;
            long below = verify(pages, node.child(i), level - 1, lo, hi, keyed, reachable);
            assertEquals(node.count(i), below, "count of child " + i);
            total += below;
        }
        return total;
    }
}
