package dev.millrace.engine.stream;

/**
 * The logs of a keyspace's streams, one per stream whose entries are not in the keyspace ({@link
 * InlineEntries}), named by the object id of the stream's record
 * (see {@link dev.millrace.engine.keyspace.ObjectPages}). Execution thread only.
 */
public interface StreamLogs extends AutoCloseable {

    /** The log of object {@code logId}, created empty when it does not exist. */
    StreamLog open(long logId);

    /**
     * Log {@code logId} is the next new log likely to be opened (the id of the next stream): an
     * implementation may make it, and the few after it, ahead of time, off the calling thread.
     */
    default void expect(long logId) {
    }

    /**
     * Log {@code logId} is likely to be opened soon, out of the order of new streams: a stream whose
     * entries are about to leave the keyspace. An implementation may make it ahead, off the calling
     * thread.
     */
    default void prepare(long logId) {
    }

    /**
     * Whether log {@code logId} takes appends, so that a stream's entries may go there. A live
     * instance makes any log; a follower (a snapshot build) reads only the logs the server made, and
     * a stream the server kept in the keyspace has none: its entries must stay in the keyspace there,
     * whatever the limit (one lowered by a restart, say, replayed over effects logged before it).
     */
    default boolean writable(long logId) {
        return true;
    }

    /**
     * The stream that owned {@code logId} is gone (deleted, overwritten, flushed): its log is deleted
     * when that is safe.
     */
    void retire(long logId);

    /** The largest entry a log takes, in {@link StreamEntry#size} bytes: XADD refuses larger ones. */
    long maxEntryBytes();

    @Override
    void close();
}
