package dev.millrace.engine.types;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tree nodes are written back lazily ({@link NodeCache}): what batches changed stays unwritten while
 * it fits half of the cache ({@code collection-cache-size}), so a node changed over many batches is written once; past that the
 * nodes changed longest ago are written at the end of a batch; a flush writes everything. A
 * collection deleted before its nodes were written leaves no page behind, and what reads pages from
 * the store (COPY, a replay into another engine) sees every change. A cron tick that saw no write
 * writes a slice of what is unwritten, so a SAVE after a burst finds little left.
 */
class NodeWriteBackTest {
    private final EngineHarness h = new EngineHarness();

    /** {@code n} pipelined LPUSHes of one element each. */
    private static List<List<String>> pushes(String key, int from, int n) {
        List<List<String>> batch = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            batch.add(List.of("LPUSH", key, "element-" + i));
        }
        return batch;
    }

    @Test
    void pushesOverManyBatchesReachTheStoreOnceWhenFlushed() {
        h.run("CONFIG", "SET", "list-max-listpack-size", "4");
        long writesBefore = h.store().pageWrites();
        h.runBatch(pushes("l", 0, 300));
        long afterFirst = h.store().pageWrites();
        for (int batch = 1; batch < 10; batch++) {
            h.runBatch(pushes("l", batch * 300, 300));
        }
        assertEquals(afterFirst, h.store().pageWrites(), "2700 more pushes in 9 batches, well within the cache: nothing written");
        assertTrue(h.store().nodeCache().hasUnwritten());
        h.engine.keyspace().flushPages();
        assertFalse(h.store().nodeCache().hasUnwritten());
        long writes = h.store().pageWrites() - writesBefore;
        assertTrue(writes < 300, "each changed page written once, not per push or per batch: " + writes);
        long pages = h.store().pageCount();
        assertTrue(pages > 10, "a 3000-element list spans many pages: " + pages);
        assertEquals(3000L, h.run("LLEN", "l"));
        assertEquals(List.of("element-2999", "element-2998"), h.run("LRANGE", "l", "0", "1"));
        assertEquals(List.of("element-1", "element-0"), h.run("LRANGE", "l", "-2", "-1"));
    }

    @Test
    void ticksWithoutWritesWriteUnwrittenNodesBackSliceBySlice() {
        h.run("CONFIG", "SET", "zset-max-listpack-entries", "0");
        NodeCache cache = h.store().nodeCache();
        List<List<String>> batch = new ArrayList<>();
        for (int i = 0; i < 120_000; i++) {
            batch.add(List.of("ZADD", "z", String.valueOf(i), "member-" + "x".repeat(100) + i));
        }
        h.runBatch(batch);
        long unwritten = cache.unwrittenBytes();
        assertTrue(unwritten > 8L << 20, "many changed nodes: " + unwritten);

        h.engine.cron();
        assertEquals(unwritten, cache.unwrittenBytes(), "writes since the last tick: nothing written back");
        h.run("ZCARD", "z");
        h.run("PING");
        h.engine.cron();
        long afterOneTick = cache.unwrittenBytes();
        assertTrue(afterOneTick < unwritten, "a tick with reads only writes back: " + afterOneTick);

        h.run("ZADD", "z", "-1", "new");
        long writes = h.store().pageWrites();
        h.engine.cron();
        assertEquals(writes, h.store().pageWrites(), "a write since the last tick: nothing written back");
        for (int tick = 0; cache.hasUnwritten(); tick++) {
            assertTrue(tick < 100, "ticks without writes drain the cache");
            h.engine.cron();
        }
        assertEquals(120_001L, h.run("ZCARD", "z"));
        assertEquals(List.of("member-" + "x".repeat(100) + 119_999), h.run("ZRANGE", "z", "-1", "-1"));
    }

    @Test
    void pastHalfOfTheCacheUnwrittenABatchEndWritesTheEldestChanges() {
        h.run("CONFIG", "SET", "zset-max-listpack-entries", "0");
        assertEquals("OK", h.run("CONFIG", "SET", "collection-cache-size", "8mb"));
        NodeCache cache = h.store().nodeCache();
        long budget = 8L << 20;
        assertEquals(budget, cache.maxBytes());
        int key = 0;
        for (int round = 0; cache.unwrittenBytes() <= budget / 2 - 64 * 1024; round++) {
            assertTrue(round < 100, "changes stay unwritten across batches until half of the cache");
            List<List<String>> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++, key++) {
                batch.add(List.of("ZADD", "z" + key, "1", "m".repeat(200) + key, "2", "n".repeat(200) + key));
            }
            h.runBatch(batch);
        }
        long writesBefore = h.store().pageWrites();
        List<List<String>> more = new ArrayList<>();
        for (int i = 0; i < 1000; i++, key++) {
            more.add(List.of("ZADD", "z" + key, "1", "m".repeat(200) + key, "2", "n".repeat(200) + key));
        }
        h.runBatch(more);
        assertTrue(h.store().pageWrites() > writesBefore, "over the budget: written back");
        assertTrue(cache.unwrittenBytes() <= budget / 4, "down to a quarter: " + cache.unwrittenBytes());
        assertEquals(List.of("m".repeat(200) + "0"), h.run("ZRANGE", "z0", "0", "0"), "the eldest, written, still read right");
        assertEquals(2L, h.run("ZCARD", "z" + (key - 1)));
    }

    @Test
    void collectionsDeletedOrOverwrittenInTheirBatchLeaveNoPage() {
        h.run("CONFIG", "SET", "list-max-listpack-size", "4");
        long before = h.store().pageCount();
        List<List<String>> batch = pushes("gone", 0, 2000);
        batch.add(List.of("DEL", "gone"));
        batch.addAll(pushes("kept", 0, 50));
        batch.add(List.of("SET", "kept", "now a string"));
        h.runBatch(batch);
        assertEquals(before, h.store().pageCount(), "pages of collections gone in the batch");
        assertEquals("now a string", h.run("GET", "kept"));
    }

    @Test
    void deletedOrFlushedCollectionsLeaveNoNodeInTheCache() {
        h.run("CONFIG", "SET", "list-max-listpack-size", "4");
        NodeCache cache = h.store().nodeCache();
        for (String deletion : List.of("DEL", "FLUSHALL")) {
            for (int batch = 0; batch < 5; batch++) {
                h.runBatch(pushes("gone", batch * 600, 600));
            }
            h.engine.keyspace().flushPages(); // written: the nodes stay cached as clean ones
            assertTrue(cache.cachedBytes() > 10_000, deletion + ": the list's nodes are cached: " + cache.cachedBytes());
            h.run(deletion.equals("DEL") ? new String[]{"DEL", "gone"} : new String[]{"FLUSHALL"});
            assertEquals(0, cache.cachedBytes(), deletion + ": the deleted list's nodes left with its pages");
        }
    }

    @Test
    void copyInTheMiddleOfABatchCopiesTheUnwrittenChanges() {
        h.run("CONFIG", "SET", "list-max-listpack-size", "4");
        List<List<String>> batch = pushes("src", 0, 1000);
        batch.add(List.of("COPY", "src", "dst"));
        batch.addAll(pushes("src", 1000, 10));
        h.runBatch(batch);
        assertEquals(1000L, h.run("LLEN", "dst"));
        assertEquals(1010L, h.run("LLEN", "src"));
        assertEquals(List.of("element-999"), h.run("LRANGE", "dst", "0", "0"));
        assertEquals(List.of("element-1009"), h.run("LRANGE", "src", "0", "0"));
    }

    @Test
    void sortedSetsAndHashesChangedManyTimesInABatchReplayToTheSameContent() {
        h.run("CONFIG", "SET", "zset-max-listpack-entries", "0");
        h.run("CONFIG", "SET", "hash-max-listpack-entries", "0");
        List<List<String>> batch = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            batch.add(List.of("ZADD", "z", Integer.toString(i % 500), "m" + i));
            batch.add(List.of("HSET", "h", "f" + (i % 700), "v" + i));
            if (i % 3 == 0) {
                batch.add(List.of("ZREM", "z", "m" + (i / 2)));
                batch.add(List.of("HDEL", "h", "f" + (i / 3)));
            }
        }
        h.runBatch(batch);
        EngineHarness replayed = new EngineHarness();
        replayed.run("CONFIG", "SET", "zset-max-listpack-entries", "0");
        replayed.run("CONFIG", "SET", "hash-max-listpack-entries", "0");
        h.logged.forEach(replayed.engine::replay);
        assertFalse(replayed.store().nodeCache().hasUnwritten(), "replay writes back after each record");
        assertEquals(h.run("ZCARD", "z"), replayed.run("ZCARD", "z"));
        assertEquals(h.run("HLEN", "h"), replayed.run("HLEN", "h"));
        assertEquals(h.run("ZRANGE", "z", "0", "-1", "WITHSCORES"), replayed.run("ZRANGE", "z", "0", "-1", "WITHSCORES"));
        assertEquals(h.run("HGETALL", "h"), replayed.run("HGETALL", "h"));
    }
}
