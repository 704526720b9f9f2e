package dev.millrace.engine.types;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The skiplist form's costs, counted in page reads on a 50,000-element set: every single-element
 * operation and every range bound reads a bounded number of pages per tree level, never the whole
 * set; a LIMIT range reads its start's path and then the leaves it walks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZSetCostTest {
    private static final int SIZE = 50_000;

    /** Pages in a map, counting reads. */
    private static final class CountingPages implements Pages {
        private final PagedTreeTest.MapPages pages = new PagedTreeTest.MapPages();
        long reads;

        @Override public byte[] read(long page) {
            reads++;
            return pages.read(page);
        }
        @Override public void write(long page, byte[] bytes) { pages.write(page, bytes); }
        @Override public void free(long page) { pages.free(page); }
        @Override public long allocate() { return pages.allocate(); }
    }

    private final CountingPages pages = new CountingPages();
    private ZSet scored;
    private ZSet lexical;
    private long perLookup;

    private static byte[] member(int i) {
        return ("member:" + i).getBytes(StandardCharsets.US_ASCII);
    }

    /** Built once: the tests change nothing the others look at. */
    @BeforeAll
    void buildLargeSets() {
        ZSet.Limits limits = new ZSet.Limits(128, 64);
        scored = ZSet.createFor(member(0), limits, () -> pages);
        lexical = ZSet.createFor(member(0), limits, () -> pages);
        for (int i = 0; i < SIZE; i++) {
            scored.add(member(i), i, ZSet.AddOptions.PLAIN);
            lexical.add(member(i), 0, ZSet.AddOptions.PLAIN);
        }
        int levels = Math.max(scored.scoreRoot().height(), scored.memberRoot().height()) + 1;
        assertTrue(levels >= 3, "the trees are deep enough to tell O(log n) from O(n): " + levels);
        perLookup = levels;
    }

    private long reads(Runnable op) {
        long before = pages.reads;
        op.run();
        return pages.reads - before;
    }

    private void assertLogarithmic(String what, long lookups, Runnable op) {
        long reads = reads(op);
        assertTrue(reads <= lookups * perLookup, what + " read " + reads + " pages");
    }

    @Test
    void singleElementOperationsReadOnePathPerTreeLookup() {
        byte[] m = member(45_678);
        assertLogarithmic("ZSCORE", 1, () -> assertEquals(45_678.0, scored.score(m)));
        assertLogarithmic("ZRANK", 2, () -> assertTrue(scored.rank(m) >= 45_678));
        // an insert's or update's descent, plus the pages a split may read
        assertLogarithmic("ZADD new", 4, () -> scored.add(member(SIZE + 1), 45_000.5, ZSet.AddOptions.PLAIN));
        assertLogarithmic("ZADD update", 6, () -> scored.add(m, 45_000.25, ZSet.AddOptions.PLAIN));
        assertLogarithmic("ZREM", 6, () -> assertTrue(scored.remove(m)));
        assertLogarithmic("by index", 1, () -> scored.get(SIZE / 2));
    }

    @Test
    void rangeBoundsAndCountsAreRanks() {
        ScoreRange range = ScoreRange.parse("(1000".getBytes(), "40000".getBytes());
        assertLogarithmic("ZCOUNT", 4, () -> assertEquals(39_000, scored.count(range)));
        LexRange lex = LexRange.parse("[member:2".getBytes(), "(member:3".getBytes());
        assertLogarithmic("ZLEXCOUNT", 6, () -> assertEquals(11_111, lexical.lexCount(lex)));
    }

    @Test
    void aLimitedRangeReadsItsStartAndTheLeavesItWalks() {
        ScoreRange range = ScoreRange.parse("25000".getBytes(), "+inf".getBytes());
        long reads = reads(() -> {
            long first = scored.firstIndex(range);
            Iterator<ZSet.Element> it = scored.iterator(first + 100, true);
            for (int i = 0; i < 10; i++) {
                assertEquals(25_100 + i, it.next().score());
            }
        });
        assertTrue(reads <= 4 * perLookup + 2, "ZRANGEBYSCORE LIMIT 100 10 read " + reads + " pages");
    }
}
