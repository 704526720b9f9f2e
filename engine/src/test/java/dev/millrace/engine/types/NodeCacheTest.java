package dev.millrace.engine.types;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NodeCache}'s eviction (second chance) and write-back, on nodes of one size. */
class NodeCacheTest {
    private static final int NODE = Node.emptyLeaf().footprint();
    private static final long OBJECT = 3;

    /** Pages that only record what was written to them. */
    private static final class WrittenPages implements Pages {
        final Map<Long, byte[]> written = new HashMap<>();

        @Override public byte[] read(long page) { throw new UnsupportedOperationException(); }
        @Override public void write(long page, byte[] bytes) { written.put(page, bytes.clone()); }
        @Override public void free(long page) { }
        @Override public long allocate() { throw new UnsupportedOperationException(); }
    }

    @Test
    void aNodeUsedSinceItWasCachedGetsASecondChanceAndTheNextOneGoes() {
        NodeCache cache = new NodeCache(3L * NODE);
        Node a = Node.emptyLeaf();
        Node b = Node.emptyLeaf();
        Node c = Node.emptyLeaf();
        cache.put(OBJECT, 1, a);
        cache.put(OBJECT, 2, b);
        cache.put(OBJECT, 3, c);
        assertSame(a, cache.get(OBJECT, 1));
        cache.put(OBJECT, 4, Node.emptyLeaf());

        assertNull(cache.get(OBJECT, 2), "the eldest node not used since: evicted");
        assertSame(a, cache.get(OBJECT, 1), "used since it was cached: moved to the back instead");
        assertSame(c, cache.get(OBJECT, 3));
        assertNotNull(cache.get(OBJECT, 4));

        // all three were just used: each gets its one second chance, then the front one (3) goes; the
        // node just cached stays, its caller is about to use it
        cache.put(OBJECT, 5, Node.emptyLeaf());
        assertNull(cache.get(OBJECT, 3));
        assertNotNull(cache.get(OBJECT, 5));
        assertSame(a, cache.get(OBJECT, 1));
    }

    @Test
    void anUnwrittenNodeStaysUntilTheFlushHasWrittenIt() {
        NodeCache cache = new NodeCache(2L * NODE);
        WrittenPages pages = new WrittenPages();
        Node changed = Node.emptyLeaf();
        cache.putUnwritten(OBJECT, 1, changed, pages);
        for (long page = 2; page <= 4; page++) {
            cache.put(OBJECT, page, Node.emptyLeaf());
        }
        assertSame(changed, cache.get(OBJECT, 1), "never evicted while unwritten");
        assertEquals(Map.of(), pages.written);

        cache.putUnwritten(OBJECT, 1, changed, pages); // changed again in place: still one write
        cache.flush();
        assertEquals(1, pages.written.size());
        assertArrayEquals(changed.bytes(), pages.written.get(1L));
        assertEquals(2, cachedAmong(cache, 4), "trimmed to its budget after the flush");
    }

    @Test
    void aForgottenObjectsChangesAreNeverWritten() {
        NodeCache cache = new NodeCache(1 << 20);
        WrittenPages pages = new WrittenPages();
        cache.putUnwritten(OBJECT, 1, Node.emptyLeaf(), pages);
        cache.putUnwritten(OBJECT + 1, 1, Node.emptyLeaf(), pages);
        cache.forget(OBJECT);
        cache.flush();
        assertEquals(1, pages.written.size(), "only the other object's node");
    }

    @Test
    void aBatchEndWritesBackWhenHalfTheBudgetIsUnwrittenDownToAQuarter() {
        NodeCache cache = new NodeCache(8L * NODE);
        WrittenPages pages = new WrittenPages();
        for (long page = 1; page <= 4; page++) {
            cache.putUnwritten(OBJECT, page, Node.emptyLeaf(), pages);
        }
        cache.endBatch();
        assertEquals(Map.of(), pages.written, "half the budget unwritten: nothing written yet");

        cache.putUnwritten(OBJECT, 5, Node.emptyLeaf(), pages);
        cache.endBatch();
        assertEquals(Set.of(1L, 2L, 3L), pages.written.keySet(), "the eldest changes, down to a quarter");
        assertEquals(2L * NODE, cache.unwrittenBytes());
    }

    @Test
    void idleWriteBackWritesTheEldestChangesAboutTheBytesAsked() {
        NodeCache cache = new NodeCache(1 << 20);
        WrittenPages pages = new WrittenPages();
        for (long page = 1; page <= 5; page++) {
            cache.putUnwritten(OBJECT, page, Node.emptyLeaf(), pages);
        }
        cache.writeBackEldest(2L * NODE);
        assertEquals(Set.of(1L, 2L), pages.written.keySet(), "the two changed longest ago");
        cache.writeBackEldest(1);
        assertEquals(Set.of(1L, 2L, 3L), pages.written.keySet(), "at least one node per call");
        cache.writeBackEldest(Long.MAX_VALUE);
        assertEquals(Set.of(1L, 2L, 3L, 4L, 5L), pages.written.keySet());
        assertEquals(0, cache.unwrittenBytes());
        cache.writeBackEldest(NODE);
        assertEquals(5, pages.written.size(), "nothing left to write");
    }

    @Test
    void aSmallerBudgetWritesBackAndEvictsAtOnce() {
        NodeCache cache = new NodeCache(16L * NODE);
        WrittenPages pages = new WrittenPages();
        for (long page = 1; page <= 6; page++) {
            cache.putUnwritten(OBJECT, page, Node.emptyLeaf(), pages);
        }
        for (long page = 7; page <= 12; page++) {
            cache.put(OBJECT, page, Node.emptyLeaf());
        }
        cache.setMaxBytes(4L * NODE);
        assertEquals(4L * NODE, cache.maxBytes());
        assertEquals(Set.of(1L, 2L, 3L, 4L, 5L), pages.written.keySet());
        assertEquals(NODE, cache.unwrittenBytes(), "a quarter of the new budget left unwritten");
        assertEquals(4, cachedAmong(cache, 12), "evicted down to the new budget");
    }

    /** How many of pages 1..{@code pages} of {@link #OBJECT} the cache holds. */
    private static int cachedAmong(NodeCache cache, long pages) {
        int cached = 0;
        for (long page = 1; page <= pages; page++) {
            cached += cache.get(OBJECT, page) == null ? 0 : 1;
        }
        return cached;
    }

    /** The table (open addressing, removals shifting probe runs back) against a map, over growth and churn. */
    @Test
    void findsWhatWasCachedThroughGrowthAndRemovals() {
        NodeCache cache = new NodeCache(Long.MAX_VALUE);
        Map<Long, Node> model = new HashMap<>();
        Random random = new Random(7);
        for (int step = 0; step < 200_000; step++) {
            long object = random.nextInt(4);
            long page = random.nextInt(5_000);
            long key = object << 32 | page;
            switch (random.nextInt(3)) {
                case 0 -> {
                    Node node = Node.emptyLeaf();
                    cache.put(object, page, node);
                    model.put(key, node);
                }
                case 1 -> {
                    cache.remove(object, page);
                    model.remove(key);
                }
                default -> assertSame(model.get(key), cache.get(object, page), "object " + object + " page " + page);
            }
        }
        for (Map.Entry<Long, Node> e : model.entrySet()) {
            assertSame(e.getValue(), cache.get(e.getKey() >>> 32, e.getKey() & 0xffffffffL));
        }
    }

    @Test
    void aNodeIsCachedUnderOnePageOnly() {
        NodeCache cache = new NodeCache(1 << 20);
        Node node = Node.emptyLeaf();
        cache.put(OBJECT, 1, node);
        assertThrows(IllegalStateException.class, () -> cache.put(OBJECT, 2, node));
    }

    /** Under its budget the cache never runs an eviction pass: removed nodes must still leave the queue. */
    @Test
    void removedNodesDoNotPileUpInACacheUnderItsBudget() {
        NodeCache cache = new NodeCache(Long.MAX_VALUE);
        for (long page = 0; page < 100_000; page++) {
            cache.put(OBJECT, page, Node.emptyLeaf());
            cache.put(OBJECT + 1, page % 10, Node.emptyLeaf()); // replaces the node cached there
            cache.remove(OBJECT, page);
        }
        assertTrue(cache.queued() < 200, "queued: " + cache.queued());
        for (long page = 0; page < 10; page++) {
            assertNotNull(cache.get(OBJECT + 1, page));
        }
    }
}
