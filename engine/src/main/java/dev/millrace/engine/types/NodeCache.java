package dev.millrace.engine.types;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decoded {@link PagedTree} nodes of one store (the store owns it: {@code KeyStore.nodeCache()}),
 * most recently used first. Inner nodes (about one page in a hundred) are on every path, and the
 * leaves where work concentrates (the ends of a list, a hot range of a sorted set) stay here too,
 * so most operations read no page from the store and only write the one they change. Bounded by
 * bytes; the least recently used node goes first. Pages are keyed by (object id, page number):
 * object ids are never reused, so entries of deleted collections are never asked for again and
 * age out.
 *
 * <p>The trees keep it coherent: every write of a node replaces its entry (write-through: the
 * store always has every change), every free removes it. Execution thread only.
 */
public final class NodeCache {
    private record PageKey(long object, long page) {
    }

    /** A node and its size when cached: nodes change size in place before they are cached again. */
    private record Cached(Node node, int size) {
    }

    private final long maxBytes;
    private long bytes;
    private final LinkedHashMap<PageKey, Cached> nodes = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PageKey, Cached> eldest) {
            if (bytes > maxBytes) {
                bytes -= eldest.getValue().size();
                return true;
            }
            return false;
        }
    };

    public NodeCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    Node get(long object, long page) {
        Cached cached = nodes.get(new PageKey(object, page));
        return cached == null ? null : cached.node();
    }

    void put(long object, long page, Node node) {
        bytes += node.size();
        Cached old = nodes.put(new PageKey(object, page), new Cached(node, node.size()));
        if (old != null) {
            bytes -= old.size();
        }
    }

    void remove(long object, long page) {
        Cached old = nodes.remove(new PageKey(object, page));
        if (old != null) {
            bytes -= old.size();
        }
    }

    /** Forgets everything (the store was replaced under it). */
    public void clear() {
        nodes.clear();
        bytes = 0;
    }
}
