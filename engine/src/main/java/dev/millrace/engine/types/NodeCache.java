package dev.millrace.engine.types;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoded {@link PagedTree} nodes of one store (the store owns it: {@code KeyStore.nodeCache()}),
 * most recently used first. Inner nodes (about one page in a hundred) are on every path, and the
 * leaves where work concentrates (the ends of a list, a hot range of a sorted set) stay here too,
 * so most operations read no page from the store. Bounded by bytes; the least recently used node
 * goes first. Pages are keyed by (object id, page number): object ids are never reused, so entries of
 * deleted collections are never asked for again and age out.
 *
 * <p>Write-back per batch: a tree's change to a node is kept here, <em>unwritten</em>, and reaches the
 * store at {@link #flush}, which the engine calls once per batch (when the batch's effects go to the
 * log), after each replayed record, and the store calls when it closes. Thirty-two pipelined LPUSHes
 * on one list so write its head leaf and the counts above it once, not 32 times. Only ever a batch's
 * worth of work: the keyspace map is trusted only after a clean close (after a crash it is rebuilt
 * from a snapshot and the log), so a change never needs to be in the map before its batch ends.
 * Unwritten nodes are never evicted, and a command that changes more than the cache's budget
 * flushes as it goes; {@link #forget} drops the unwritten nodes of an object whose owner went away
 * (the store is deleting its pages: writing them later would leave pages nothing frees).
 *
 * <p>The trees keep it coherent: every write of a node replaces its entry, every free removes it.
 * Execution thread only.
 */
public final class NodeCache {
    private record PageKey(long object, long page) {
    }

    /** A node, its size when cached (nodes change size in place), and where it must still be written. */
    private static final class Cached {
        final Node node;
        final int size;
        /** The pages the node belongs to while the store does not have its latest bytes; else null. */
        Pages unwritten;

        Cached(Node node, Pages unwritten) {
            this.node = node;
            this.size = node.size();
            this.unwritten = unwritten;
        }
    }

    private final long maxBytes;
    private long bytes;
    private final LinkedHashMap<PageKey, Cached> nodes = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PageKey, Cached> eldest) {
            if (bytes > maxBytes && eldest.getValue().unwritten == null) {
                bytes -= eldest.getValue().size;
                return true;
            }
            return false; // over budget with an unwritten eldest: trimmed after the next flush
        }
    };
    /** The unwritten nodes, in the order they were first changed. */
    private final LinkedHashMap<PageKey, Cached> unwritten = new LinkedHashMap<>();
    /** Roughly the bytes of {@link #unwritten} (sizes when they became unwritten). */
    private long unwrittenBytes;

    public NodeCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    Node get(long object, long page) {
        Cached cached = nodes.get(new PageKey(object, page));
        return cached == null ? null : cached.node;
    }

    /** Caches a node just read from the store. */
    void put(long object, long page, Node node) {
        replace(new PageKey(object, page), new Cached(node, null));
    }

    /** Caches a changed node; {@link #flush} writes it to {@code pages}. */
    void putUnwritten(long object, long page, Node node, Pages pages) {
        PageKey key = new PageKey(object, page);
        Cached cached = new Cached(node, pages);
        replace(key, cached);
        unwritten.put(key, cached);
        unwrittenBytes += cached.size;
        if (unwrittenBytes > maxBytes) {
            flush(); // one command changed more than the cache holds (SORT STORE, ZUNIONSTORE ...)
        }
    }

    /**
     * Marks a cached node changed in place (a count patch); {@link #flush} writes it to {@code pages}.
     *
     * @return false when the node is not cached (the caller writes the change to the store itself)
     */
    boolean markUnwritten(long object, long page, Node node, Pages pages) {
        PageKey key = new PageKey(object, page);
        Cached cached = nodes.get(key);
        if (cached == null || cached.node != node) {
            return false;
        }
        if (cached.unwritten == null) {
            cached.unwritten = pages;
            unwritten.put(key, cached);
            unwrittenBytes += cached.size;
        }
        return true;
    }

    void remove(long object, long page) {
        PageKey key = new PageKey(object, page);
        Cached old = nodes.remove(key);
        if (old != null) {
            bytes -= old.size;
            old.unwritten = null;
        }
        unwritten.remove(key);
    }

    /** Drops the unwritten nodes of {@code object}, whose pages the store is deleting. O(unwritten nodes). */
    public void forget(long object) {
        Iterator<Map.Entry<PageKey, Cached>> it = unwritten.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<PageKey, Cached> e = it.next();
            if (e.getKey().object() == object) {
                e.getValue().unwritten = null;
                it.remove();
            }
        }
    }

    /** Writes every unwritten node to its pages, then trims the cache to its budget. */
    public void flush() {
        if (unwritten.isEmpty()) {
            return;
        }
        // A write may make the store retire an object (its housekeeping), which forgets the object's
        // nodes: they stay in the map until the end so that forget still finds them.
        List<Map.Entry<PageKey, Cached>> batch = new ArrayList<>(unwritten.entrySet());
        for (Map.Entry<PageKey, Cached> e : batch) {
            Cached cached = e.getValue();
            Pages pages = cached.unwritten;
            if (pages != null) {
                cached.unwritten = null;
                pages.write(e.getKey().page(), cached.node.bytes());
            }
        }
        unwritten.clear();
        unwrittenBytes = 0;
        Iterator<Cached> eldestFirst = nodes.values().iterator();
        while (bytes > maxBytes && eldestFirst.hasNext()) {
            bytes -= eldestFirst.next().size;
            eldestFirst.remove();
        }
    }

    /** Whether a change is still to be written (for tests and assertions). */
    public boolean hasUnwritten() {
        return !unwritten.isEmpty();
    }

    private void replace(PageKey key, Cached cached) {
        bytes += cached.size;
        Cached old = nodes.put(key, cached);
        if (old != null) {
            bytes -= old.size;
            old.unwritten = null;
        }
    }
}
