package dev.millrace.engine.stream;

/**
 * The entries of one stream, an append-only log numbered 1, 2, 3 ... in the order they were added
 * (an entry's <em>number</em>, distinct from its ID: numbers are dense, so "the n-th entry" is a
 * direct read). The stream's record says how many entries it has added; the log holds them.
 *
 * <p>Appends are idempotent by number, which is what makes recovery simple: replaying an XADD whose
 * entry the log already holds (the log survived the crash; the keyspace went back to a snapshot)
 * writes nothing. Entries a log holds beyond what the record knows (appended, but the AOF record
 * that logged them was lost in a crash) are dropped with {@link #truncateAfter} once recovery is
 * over.
 *
 * <p>Entries below {@link #firstNumber()} are gone (trimmed, then deleted physically); readers treat
 * them as trimmed. Execution thread only (a snapshot build has its own instances).
 */
public interface StreamLog {

    /** The number of the first entry still stored; above {@link #lastNumber()} when none is. */
    long firstNumber();

    /** The number of the last entry stored, or {@code firstNumber() - 1} when none is (0 for a new log). */
    long lastNumber();

    /**
     * Appends entry {@code number}. When the log already holds that number nothing is written (a
     * replay over a log that survived). An empty log starts at any number (the entries below were
     * deleted with their files); otherwise {@code number} must be {@code lastNumber() + 1}.
     *
     * @param fieldsAndValues field, value, field, value ...
     * @throws IllegalStateException when {@code number} would leave a gap
     */
    void append(long number, StreamId id, byte[][] fieldsAndValues);

    /** The ID of entry {@code number} ({@code firstNumber() <= number <= lastNumber()}). */
    StreamId id(long number);

    /**
     * Entry {@code number} ({@code firstNumber() <= number <= lastNumber()}). Sequential reads in
     * either direction are cheaper than random ones.
     */
    StreamEntry read(long number);

    /**
     * The first number in {@code [from, to]} whose entry's ID is at least {@code id}, or {@code to + 1}
     * when there is none (IDs grow with numbers; {@code firstNumber() <= from}, {@code to <=
     * lastNumber()}). This default is a binary search over {@link #id}; a log that knows more about
     * where its entries are (its files' first IDs, its last read) answers with fewer reads.
     */
    default long seek(StreamId id, long from, long to) {
        long lo = from;
        long hi = to + 1;
        // Invariant: the answer is in [lo, hi].
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            if (id(mid).isBefore(id)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The total {@link StreamEntry#size} of the entries numbered below {@code number}, counted from
     * the log's first entry ever ({@code firstNumber() <= number <= lastNumber() + 1}): the bytes
     * between two numbers are a difference of two calls, which retention by size needs.
     */
    long bytesBefore(long number);

    /**
     * Forgets the entries above {@code number}: after a crash, entries whose AOF record never became
     * durable were never acknowledged, and the record does not count them.
     */
    void truncateAfter(long number);

    /**
     * Entries below {@code number} are trimmed for good: the log may delete the files that hold only
     * such entries, when that is safe (never before the change that trimmed them is durable).
     */
    void releaseBelow(long number);
}
