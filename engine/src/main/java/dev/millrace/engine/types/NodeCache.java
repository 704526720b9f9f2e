package dev.millrace.engine.types;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoded {@link PagedTree} nodes of one store (the store owns it: {@code KeyStore.nodeCache()}).
 * Inner nodes (about one page in a hundred) are on every path, and the leaves where work
 * concentrates (the ends of a list, a hot range of a sorted set) stay here too, so most operations
 * read no page from the store. Bounded by bytes; eviction is second chance (CLOCK): nodes queue in
 * the order they were cached, and one used since the eviction pass last met it goes to the back once
 * instead of out. Pages are keyed by (object id, page number): object ids are never reused, so
 * entries of deleted collections are never asked for again and age out.
 *
 * <p>Why not a least-recently-used list: the cache lives in the old generation, and every reference
 * stored into an old object marks a card that the next young collection scans. An access-ordered map
 * relinks three entries per lookup, and replacing an entry per change stored more; with a cache of
 * thousands of busy collections that was most of each young collection's time. Here a lookup or a
 * change of a cached node only sets primitive fields of its entry.
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
 * <p>The trees keep it coherent: every write of a node replaces its entry, every free removes it.
 * Execution thread only.
 */
public final class NodeCache {
    private record PageKey(long object, long page) {
    }

    /** A cached node and its bookkeeping; only primitive fields change while it is cached. */
    private static final class Cached {
        final Node node;
        /** The node's heap footprint when last cached or changed (nodes change size in place). */
        int size;
        /** Used since the eviction pass last met it. */
        boolean referenced;
        /** Changed and not yet written to the store (it is in {@link #unwritten} then). */
        boolean pending;

        Cached(Node node) {
            this.node = node;
            this.size = node.footprint();
        }
    }

    /** A change still to be written: which node, the pages it belongs to, its size when it became unwritten. */
    private record Unwritten(PageKey key, Cached cached, Pages pages, int size) {
    }

    private long maxBytes;
    private long bytes;
    /** The cached nodes in the order they were cached (or last given their second chance). */
    private final LinkedHashMap<PageKey, Cached> nodes = new LinkedHashMap<>(256);
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

    Node get(long object, long page) {
        Cached cached = nodes.get(new PageKey(object, page));
        if (cached == null) {
            return null;
        }
        cached.referenced = true;
        return cached.node;
    }

    /** Caches a node just read from the store. */
    void put(long object, long page, Node node) {
        PageKey key = new PageKey(object, page);
        replace(key, new Cached(node));
        trim(key);
    }

    /** Caches a changed node; {@link #flush} writes it to {@code pages}. */
    void putUnwritten(long object, long page, Node node, Pages pages) {
        PageKey key = new PageKey(object, page);
        Cached cached = nodes.get(key);
        if (cached != null && cached.node == node) {
            bytes += node.footprint() - cached.size; // changed in place: the entry stays as it is
            cached.size = node.footprint();
        } else {
            cached = new Cached(node);
            replace(key, cached);
        }
        cached.referenced = true;
        pend(key, cached, pages);
        if (unwrittenBytes > maxBytes) {
            flush(); // one command changed more than the cache holds (SORT STORE, ZUNIONSTORE ...)
        } else {
            trim(key);
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
        cached.referenced = true;
        pend(key, cached, pages);
        return true;
    }

    private void pend(PageKey key, Cached cached, Pages pages) {
        if (!cached.pending) {
            cached.pending = true;
            unwritten.put(key, new Unwritten(key, cached, pages, cached.size));
            unwrittenBytes += cached.size;
        }
    }

    void remove(long object, long page) {
        PageKey key = new PageKey(object, page);
        Cached old = nodes.remove(key);
        if (old != null) {
            bytes -= old.size;
            old.pending = false;
        }
        dropUnwritten(key);
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
                u.cached().pending = false;
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
            if (u != null && u.cached().pending) {
                u.cached().pending = false;
                u.pages().write(key.page(), u.cached().node.bytes());
            }
        }
        trim(null);
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
            if (old.pending) {
                old.pending = false;
                dropUnwritten(key); // the new entry is pended by the caller if it is a change
            }
        }
    }

    /**
     * Evicts from the front until the cache is within its budget: a node used since it was last met
     * here goes to the back instead, once, and so does an unwritten node (it stays until written;
     * moving it keeps the next trims from walking over it again); {@code justCached}, the node the
     * caller is about to use, stays.
     */
    private void trim(PageKey justCached) {
        for (int pass = 0; pass < 2 && bytes > maxBytes; pass++) {
            List<Map.Entry<PageKey, Cached>> used = new ArrayList<>();
            Iterator<Map.Entry<PageKey, Cached>> it = nodes.entrySet().iterator();
            while (bytes > maxBytes && it.hasNext()) {
                Map.Entry<PageKey, Cached> e = it.next();
                Cached cached = e.getValue();
                if (e.getKey().equals(justCached)) {
                    continue;
                }
                it.remove();
                if (cached.referenced || cached.pending) {
                    cached.referenced = false;
                    used.add(e);
                } else {
                    bytes -= cached.size;
                }
            }
            for (Map.Entry<PageKey, Cached> e : used) {
                nodes.put(e.getKey(), e.getValue());
            }
        }
    }
}
