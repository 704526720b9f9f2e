package dev.millrace.storage.keyspace;

import dev.millrace.storage.keyspace.EntryLayout.Descriptor;
import dev.millrace.storage.keyspace.EntryLayout.Owned;
import dev.millrace.storage.keyspace.Generation.Previous;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * Entries nothing refers to any more, deleted a few per keyspace operation so that DEL, an
 * overwrite, an expiry or a FLUSHDB sweep stays O(1) however large the value was:
 * <ul>
 *   <li>the chunk entries of a chunked value that was replaced or deleted (a record's or a page's);</li>
 *   <li>the page entries of an object whose owner record was removed or overwritten by a record that
 *       does not own the same object. A deleted page that was chunked retires its chunks in turn.</li>
 * </ul>
 * The queues are saved in {@code keyspace.meta} at close, so the work survives a restart.
 *
 * <p>Execution thread only (the store's). {@link #step} is O({@link #CHUNKS_PER_STEP} +
 * {@link #PAGES_PER_STEP}) map removals.
 */
final class RetiredEntries {
    static final int CHUNKS_PER_STEP = 8;
    static final int PAGES_PER_STEP = 8;

    /** Chunked values replaced or deleted: {version, chunk count, next chunk to delete}. */
    private final ArrayDeque<long[]> chunks = new ArrayDeque<>();
    /** Objects whose owner is gone: {object id, page limit, next page to delete}. */
    private final ArrayDeque<long[]> pages = new ArrayDeque<>();
    /** Told of every object whose owner is gone (a stream's log goes with its record). */
    private final LongConsumer objectGone;
    /** Told of every page deleted here (its decoded node leaves the cache with it). */
    private final PageGone pageGone;

    /** A page of a dead object, deleted. */
    @FunctionalInterface
    interface PageGone {
        void deleted(long objectId, long page);
    }

    RetiredEntries(LongConsumer objectGone, PageGone pageGone) {
        this.objectGone = objectGone;
        this.pageGone = pageGone;
    }

    /**
     * Queues what a removed or overwritten value referred to: its chunks, and the pages it owned
     * unless they belong to {@code keepObject} (the object the key's new value owns, or
     * {@link EntryLayout#NO_OBJECT}).
     */
    void retire(Previous previous, long keepObject) {
        Descriptor d = previous.chunked();
        if (d != null) {
            chunks.add(new long[]{d.version(), d.chunks(), 0});
        }
        Owned owned = previous.owned();
        if (owned != null && owned.objectId() != keepObject) {
            objectGone.accept(owned.objectId());
            if (owned.pageLimit() > 0) {
                pages.add(new long[]{owned.objectId(), owned.pageLimit(), 0});
            }
        }
    }

    boolean isEmpty() {
        return chunks.isEmpty() && pages.isEmpty();
    }

    /**
     * Deletes up to {@link #CHUNKS_PER_STEP} chunks and {@link #PAGES_PER_STEP} pages.
     *
     * @param remove removes a map key from whichever generation holds it and says what it held
     */
    void step(Function<byte[], Previous> remove) {
        for (int n = 0; n < PAGES_PER_STEP && !pages.isEmpty(); n++) {
            long[] object = pages.peek();
            retire(remove.apply(EntryLayout.pageEntry(object[0], object[2])), EntryLayout.NO_OBJECT);
            pageGone.deleted(object[0], object[2]);
            if (++object[2] == object[1]) {
                pages.poll();
            }
        }
        for (int n = 0; n < CHUNKS_PER_STEP && !chunks.isEmpty(); n++) {
            long[] version = chunks.peek();
            remove.apply(EntryLayout.chunkEntry(version[0], (int) version[2]));
            if (++version[2] == version[1]) {
                chunks.poll();
            }
        }
    }

    void save(Properties p) {
        p.setProperty("staleChunks", join(chunks));
        p.setProperty("stalePages", join(pages));
    }

    /** Reads the queues {@link #save} wrote (a store from before pages has no stalePages). */
    void load(Properties p) {
        split(p.getProperty("staleChunks"), chunks);
        split(p.getProperty("stalePages"), pages);
    }

    private static String join(ArrayDeque<long[]> queue) {
        StringBuilder out = new StringBuilder();
        for (long[] item : queue) {
            out.append(out.length() == 0 ? "" : ",").append(item[0]).append(':').append(item[1]).append(':').append(item[2]);
        }
        return out.toString();
    }

    private static void split(String csv, ArrayDeque<long[]> into) {
        if (csv == null || csv.isEmpty()) {
            return;
        }
        for (String item : List.of(csv.split(","))) {
            String[] parts = item.split(":");
            into.add(new long[]{Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])});
        }
    }
}
