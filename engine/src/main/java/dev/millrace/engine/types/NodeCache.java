package dev.millrace.engine.types;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Decoded {@link PagedTree} nodes of one store (the store owns it: {@code KeyStore.nodeCache()}).
 * Inner nodes (about one page in a hundred) are on every path, and the leaves where work
 * concentrates (the ends of a list, a hot range of a sorted set) stay here too, so most operations
 * read no page from the store. Bounded by bytes; eviction is second chance (CLOCK): nodes queue in
 * the order they were cached, and one used since the eviction pass last met it goes to the back once
 * instead of out. Pages are keyed by (object id, page number): object ids are never reused, so
 * entries of deleted collections are never asked for again; the store removes them as it deletes
 * the collections' pages ({@link #remove}), so that a DEL or FLUSHALL of large collections gives
 * their heap back instead of leaving it to the budget's evictions.
 *
 * <p>Why not a least-recently-used list: the cache lives in the old generation, and every reference
 * stored into an old object marks a card that the next young collection scans. An access-ordered map
 * relinks three entries per lookup, and replacing an entry per change stored more; with a cache of
 * thousands of busy collections that was most of each young collection's time. Here a lookup or a
 * change of a cached node only sets primitive fields of the node.
 *
 * <p>Write-back: a tree's change to a node is kept here, <em>unwritten</em>, and reaches the store
 * later. At the end of each batch ({@link #endBatch}) the nodes changed longest ago are written while
 * more than half of the budget is unwritten, down to a quarter; {@link #flush} writes them all
 * (when the store closes, after each replayed record, before COPY reads an object's pages). So a node
 * is written once for all the changes it took meanwhile: thirty-two pipelined LPUSHes on one list
 * write its head leaf once, and a rate limiter's thousand sorted sets, changed over and over, are not
 * written at all while they fit. Safe because the keyspace map is trusted only after a clean close
 * (after a crash it is rebuilt from a snapshot and the log), and a close flushes first; every read of
 * a node goes through here, and an unwritten node is never evicted. A command that changes more than
 * the cache's budget flushes as it goes; {@link #forget} drops the unwritten nodes of an object whose
 * owner went away (the store is deleting its pages: writing them later would leave pages nothing frees).
 *
 * <p>The lookup is an open-addressing table of the nodes themselves, keyed by the (object, page) a
 * node keeps in its cache fields ({@link Node#cacheObject}, ...): a lookup of a leaf of a large
 * collection, which is not in the CPU caches, touches the table's slot and the node, where a map of
 * key objects to entry objects touched four objects before reaching the node (a third of a
 * SISMEMBER on a 1,000,000-member set).
 *
 * <p>The trees keep it coherent: every write of a node replaces its entry, every free removes it; a
 * node is cached under one page only (the page it was read from or created for).
 * Execution thread only.
 */
public final class NodeCache {
    private record PageKey(long object, long page) {
    }

    /** A change still to be written: which node, the pages it belongs to, its size when it became unwritten. */
    private record Unwritten(PageKey key, Node node, Pages pages, int size) {
    }

    private long maxBytes;
    private long bytes;
    /** The cached nodes by (object, page): open addressing, linear probing, at most half full. */
    private Node[] table = new Node[256];
    private int count;
    /**
     * The cached nodes in the order they were cached (or last given their second chance); a node
     * removed from the table stays here until the eviction pass meets it ({@link Node#cacheQueued}).
     */
    private final ArrayDeque<Node> order = new ArrayDeque<>(256);
    /**
     * Nodes in {@link #order} no longer cached (removed or replaced). The eviction pass drops them as
     * it meets them, but it runs only over budget: when they outnumber the cached ones, the queue is
     * rebuilt without them, so they cannot pile up (and keep their buffers alive) in a cache under
     * its budget.
     */
    private int staleQueued;
    /** The unwritten nodes, in the order they were first changed. */
    private final LinkedHashMap<PageKey, Unwritten> unwritten = new LinkedHashMap<>();
    /** The bytes of {@link #unwritten} (sizes when they became unwritten). */
    private long unwrittenBytes;

    /** A cache holding nodes of at most {@code maxBytes} of heap (their {@link Node#footprint}s). */
    public NodeCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Changes the budget ({@code collection-cache-size}); a smaller one writes back and evicts at
     * once, as a batch end would.
     */
    public void setMaxBytes(long maxBytes) {
        this.maxBytes = maxBytes;
        if (unwrittenBytes > maxBytes / 2) {
            writeBack(maxBytes / 4);
        } else {
            trim(null);
        }
    }

    /** The budget in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** The heap the cached nodes hold (their footprints when last cached or changed). */
    public long cachedBytes() {
        return bytes;
    }

    Node get(long object, long page) {
        Node node = lookup(object, page);
        if (node != null) {
            node.cacheReferenced = true;
        }
        return node;
    }

    /** Caches a node just read from the store. */
    void put(long object, long page, Node node) {
        replace(object, page, node);
        trim(node);
    }

    /** Caches a changed node; {@link #flush} writes it to {@code pages}. */
    void putUnwritten(long object, long page, Node node, Pages pages) {
        if (lookup(object, page) == node) {
            int size = node.footprint();
            bytes += size - node.cacheSize; // changed in place: the entry stays as it is
            node.cacheSize = size;
        } else {
            replace(object, page, node);
        }
        node.cacheReferenced = true;
        pend(object, page, node, pages);
        if (unwrittenBytes > maxBytes) {
            flush(); // one command changed more than the cache holds (SORT STORE, ZUNIONSTORE ...)
        } else {
            trim(node);
        }
    }

    /**
     * Marks a cached node changed in place (a count patch); {@link #flush} writes it to {@code pages}.
     *
     * @return false when the node is not cached (the caller writes the change to the store itself)
     */
    boolean markUnwritten(long object, long page, Node node, Pages pages) {
        if (lookup(object, page) != node) {
            return false;
        }
        node.cacheReferenced = true;
        pend(object, page, node, pages);
        return true;
    }

    private void pend(long object, long page, Node node, Pages pages) {
        if (!node.cachePending) {
            node.cachePending = true;
            PageKey key = new PageKey(object, page);
            unwritten.put(key, new Unwritten(key, node, pages, node.cacheSize));
            unwrittenBytes += node.cacheSize;
        }
    }

    /**
     * Drops the node of a page that is being freed: by its tree, or by the store deleting the pages
     * of an object whose owner is gone (DEL, FLUSHDB), so that a dead collection's nodes leave the
     * heap with its pages instead of staying until the budget evicts them.
     */
    public void remove(long object, long page) {
        Node old = tableRemove(object, page);
        if (old != null) {
            bytes -= old.cacheSize;
            old.cachePending = false;
            noteStale(old);
        }
        dropUnwritten(new PageKey(object, page));
    }

    /** Counts a node that left the table while still queued; rebuilds the queue when they outnumber the rest. */
    private void noteStale(Node node) {
        if (!node.cacheQueued) {
            return;
        }
        staleQueued++;
        if (staleQueued > 64 && staleQueued > count) {
            int live = order.size();
            for (int i = 0; i < live; i++) {
                Node queued = order.pollFirst();
                if (queued.cached) {
                    order.addLast(queued);
                } else {
                    queued.cacheQueued = false;
                }
            }
            staleQueued = 0;
        }
    }

    /** The nodes in the eviction queue, stale ones included (for tests). */
    int queued() {
        return order.size();
    }

    private Unwritten dropUnwritten(PageKey key) {
        Unwritten u = unwritten.remove(key);
        if (u != null) {
            unwrittenBytes -= u.size();
        }
        return u;
    }

    /** Drops the unwritten nodes of {@code object}, whose pages the store is deleting. O(unwritten nodes). */
    public void forget(long object) {
        Iterator<Unwritten> it = unwritten.values().iterator();
        while (it.hasNext()) {
            Unwritten u = it.next();
            if (u.key().object() == object) {
                u.node().cachePending = false;
                unwrittenBytes -= u.size();
                it.remove();
            }
        }
    }

    /**
     * The end of a batch: while more than half of the budget is unwritten, writes the nodes changed
     * longest ago, down to a quarter. Half leaves the other half for the nodes reads bring in (an
     * unwritten node cannot be evicted); writing down to a quarter keeps the next batches from
     * writing a few nodes each.
     */
    public void endBatch() {
        if (unwrittenBytes > maxBytes / 2) {
            writeBack(maxBytes / 4);
        }
    }

    /**
     * Idle-time write-back: writes about {@code bytes} of the nodes changed longest ago (at least one
     * node, when any is unwritten), so that a later flush (SAVE, SHUTDOWN, COPY of a collection)
     * finds little left to write instead of pausing for all of it at once. Returns whether some
     * nodes are still unwritten.
     */
    public boolean writeBackEldest(long bytes) {
        if (!unwritten.isEmpty()) {
            writeBack(Math.max(0, unwrittenBytes - Math.max(1, bytes)));
        }
        return !unwritten.isEmpty();
    }

    /** Writes every unwritten node to its pages. */
    public void flush() {
        writeBack(0);
    }

    /** Unwritten bytes (for tests). */
    long unwrittenBytes() {
        return unwrittenBytes;
    }

    /**
     * Writes unwritten nodes, those changed longest ago first, until at most {@code keepBytes} are
     * left unwritten, then trims the cache to its budget.
     */
    private void writeBack(long keepBytes) {
        long left = unwrittenBytes;
        List<PageKey> eldest = new ArrayList<>();
        for (Unwritten u : unwritten.values()) {
            if (left <= keepBytes) {
                break;
            }
            eldest.add(u.key());
            left -= u.size();
        }
        // A write may make the store retire an object (its housekeeping), which forgets the object's
        // nodes: each node is looked up again just before it is written.
        for (PageKey key : eldest) {
            Unwritten u = dropUnwritten(key);
            if (u != null && u.node().cachePending) {
                u.node().cachePending = false;
                u.pages().write(key.page(), u.node().bytes());
            }
        }
        trim(null);
    }

    /** Whether a change is still to be written (for tests and assertions). */
    public boolean hasUnwritten() {
        return !unwritten.isEmpty();
    }

    /** Caches {@code node} as (object, page), in place of whatever node was cached there. */
    private void replace(long object, long page, Node node) {
        if (node.cached && (node.cacheObject != object || node.cachePage != page)) {
            throw new IllegalStateException("a node cached as page " + node.cachePage + " of object " + node.cacheObject
                    + " cannot be cached as page " + page + " of object " + object);
        }
        int size = node.footprint();
        Node old = tablePut(object, page, node);
        if (old == node) {
            bytes += size - node.cacheSize;
        } else {
            bytes += size;
            if (old != null) {
                bytes -= old.cacheSize;
                if (old.cachePending) {
                    old.cachePending = false;
                    dropUnwritten(new PageKey(object, page)); // the new entry is pended by the caller if it is a change
                }
                noteStale(old);
            }
        }
        node.cacheSize = size;
        if (!node.cacheQueued) {
            node.cacheQueued = true;
            order.addLast(node);
        }
    }

    /**
     * Evicts from the front until the cache is within its budget: a node used since it was last met
     * here goes to the back instead, once, and so does an unwritten node (it stays until written;
     * moving it keeps the next trims from walking over it again); {@code justCached}, the node the
     * caller is about to use, stays. Nodes no longer cached leave the queue as they are met.
     */
    private void trim(Node justCached) {
        for (long steps = 2L * order.size(); bytes > maxBytes && steps > 0 && !order.isEmpty(); steps--) {
            Node node = order.pollFirst();
            if (!node.cached) {
                node.cacheQueued = false;
                staleQueued = Math.max(0, staleQueued - 1);
            } else if (node == justCached || node.cacheReferenced || node.cachePending) {
                node.cacheReferenced = false;
                order.addLast(node);
            } else {
                tableRemove(node.cacheObject, node.cachePage);
                node.cacheQueued = false;
                bytes -= node.cacheSize;
            }
        }
    }

    // ---- the table: open addressing over the nodes, keyed by their (cacheObject, cachePage)

    private static int hash(long object, long page) {
        long h = object * 0x9E3779B97F4A7C15L + page;
        h ^= h >>> 32;
        h *= 0xD6E8FEB86659FD93L;
        return (int) (h ^ (h >>> 32));
    }

    private Node lookup(long object, long page) {
        Node[] t = table;
        int mask = t.length - 1;
        for (int i = hash(object, page) & mask; ; i = (i + 1) & mask) {
            Node node = t[i];
            if (node == null || node.cachePage == page && node.cacheObject == object) {
                return node;
            }
        }
    }

    /** Puts {@code node} at (object, page); returns the node that was there, or null. */
    private Node tablePut(long object, long page, Node node) {
        if (2 * (count + 1) > table.length) {
            resize(table.length * 2);
        }
        Node[] t = table;
        int mask = t.length - 1;
        int i = hash(object, page) & mask;
        for (; t[i] != null; i = (i + 1) & mask) {
            Node old = t[i];
            if (old.cachePage == page && old.cacheObject == object) {
                old.cached = false;
                t[i] = node;
                setKey(node, object, page);
                return old;
            }
        }
        t[i] = node;
        count++;
        setKey(node, object, page);
        return null;
    }

    private static void setKey(Node node, long object, long page) {
        node.cacheObject = object;
        node.cachePage = page;
        node.cached = true;
    }

    /** Removes the node at (object, page), shifting the probe runs after it back; returns it, or null. */
    private Node tableRemove(long object, long page) {
        Node[] t = table;
        int mask = t.length - 1;
        int i = hash(object, page) & mask;
        while (t[i] != null && !(t[i].cachePage == page && t[i].cacheObject == object)) {
            i = (i + 1) & mask;
        }
        Node removed = t[i];
        if (removed == null) {
            return null;
        }
        removed.cached = false;
        count--;
        // Backward shift: move each later node of the run into the hole if its home allows it.
        int hole = i;
        for (int j = (i + 1) & mask; t[j] != null; j = (j + 1) & mask) {
            int home = hash(t[j].cacheObject, t[j].cachePage) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                t[hole] = t[j];
                hole = j;
            }
        }
        t[hole] = null;
        return removed;
    }

    private void resize(int capacity) {
        Node[] old = table;
        table = new Node[capacity];
        int mask = capacity - 1;
        for (Node node : old) {
            if (node != null) {
                int i = hash(node.cacheObject, node.cachePage) & mask;
                while (table[i] != null) {
                    i = (i + 1) & mask;
                }
                table[i] = node;
            }
        }
    }
}
