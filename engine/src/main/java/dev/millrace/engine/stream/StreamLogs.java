package dev.millrace.engine.stream;

/**
 * The logs of a keyspace's streams, one per stream, named by the object id of the stream's record
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
     * The stream that owned {@code logId} is gone (deleted, overwritten, flushed): its log is deleted
     * when that is safe.
     */
    void retire(long logId);

    /** The largest entry a log takes, in {@link StreamEntry#size} bytes: XADD refuses larger ones. */
    long maxEntryBytes();

    @Override
    void close();
}
