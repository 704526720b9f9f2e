package dev.millrace.engine.stream;

/**
 * How much of a stream stays in the keyspace ({@code stream-inline-max-entries}, {@code
 * stream-inline-max-bytes}): a stream keeps its entries on its own pages ({@link InlineEntries})
 * while it holds at most {@code entries} entries and {@code bytes} bytes of them ({@link
 * StreamEntry#size}), and moves them to a log of its own the first time an append would pass either
 * ({@link Stream#add}). With 0 entries every stream has its log from the start.
 */
public record InlineLimit(long entries, long bytes) {
    /** Whether a new stream starts with its entries in the keyspace. */
    boolean inline() {
        return entries > 0;
    }

    /**
     * Whether entries of these totals are within a quarter of the limit, so that their stream's log is
     * worth making ahead (about 2 ms, which the move would otherwise spend on the execution thread).
     */
    boolean nearlyReached(long count, long totalBytes) {
        return count >= entries - entries / 4 || totalBytes >= bytes - bytes / 4;
    }

    /** Whether entries of these totals may stay in the keyspace. */
    boolean holds(long count, long totalBytes) {
        return count <= entries && totalBytes <= bytes;
    }
}
