package dev.millrace.engine.effect;

import java.util.List;
import java.util.function.Consumer;

/**
 * The append-only effect log (the AOF): the storage port the engine writes every effect to.
 * Implemented by storage on Chronicle Queue. Called from the execution thread only.
 */
public interface EffectLog extends AutoCloseable {

    /**
     * Appends the effects of one command or one atomic batch (MULTI/EXEC, a script) as a single
     * record: on replay they are applied all or none.
     *
     * @return the log index of the record
     */
    long append(long unixTimeMillis, List<Effect> effects);

    /** Makes every record appended so far durable (msync) before it returns; cheap when nothing is pending. */
    void sync();

    /**
     * Starts making every record appended so far durable, on a thread of the log's own, and returns
     * at once; {@code done} then runs on that thread, with null, or with the failure that may have
     * left records not durable. Requests complete in the order they were made. A log that is not
     * durable runs {@code done} at once, on the caller's thread.
     */
    void syncInBackground(Consumer<RuntimeException> done);

    /** The index of the last record appended, or -1 when the log is empty. */
    long lastIndex();

    @Override
    void close();

    /** A log that keeps nothing: for replaying engines and unit tests. */
    EffectLog NONE = new EffectLog() {
        @Override public long append(long unixTimeMillis, List<Effect> effects) { return -1; }
        @Override public void sync() { }
        @Override public void syncInBackground(Consumer<RuntimeException> done) { done.accept(null); }
        @Override public long lastIndex() { return -1; }
        @Override public void close() { }
    };
}
