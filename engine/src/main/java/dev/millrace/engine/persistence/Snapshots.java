package dev.millrace.engine.persistence;

/**
 * The storage port for snapshots (SAVE, BGSAVE, LASTSAVE, INFO persistence). A snapshot is a
 * consistent image of the keyspace plus the effect-log index it covers; taking one lets the log
 * below that index be deleted. Methods are called from the execution thread.
 */
public interface Snapshots {

    /**
     * Takes a snapshot now, blocking until it is durable. The caller has appended the batch's effects
     * and written back what the keyspace holds above the store ({@code Engine.save}).
     */
    void save() throws Exception;

    /**
     * Starts a snapshot in the background.
     *
     * @return false when one is already running
     */
    boolean startBackgroundSave();

    boolean backgroundSaveInProgress();

    /** Unix seconds of the last successful snapshot (the start time when none was ever taken). */
    long lastSaveUnixSeconds();

    /** Whether the last background snapshot succeeded. */
    boolean lastBackgroundSaveOk();

    /**
     * Called between two batches, after the batch's effects were appended (the one point where the
     * keyspace and the log agree): a snapshot that copies the keyspace instead of replaying the log
     * is taken here. {@code writeBack} writes what the keyspace holds above the store; call it before
     * reading the store.
     */
    default void atBatchBoundary(Runnable writeBack) {
    }

    /**
     * Storage work that must run on the execution thread once a background snapshot is complete
     * (deleting stream log files it no longer needs); called from cron.
     */
    default void housekeeping() {
    }

    /** Snapshots that keep nothing, for unit tests and {@code appendonly no} with no save rules. */
    static Snapshots none(long startUnixSeconds) {
        return new Snapshots() {
            private long last = startUnixSeconds;

            @Override public void save() { last = System.currentTimeMillis() / 1000; }
            @Override public boolean startBackgroundSave() { save(); return true; }
            @Override public boolean backgroundSaveInProgress() { return false; }
            @Override public long lastSaveUnixSeconds() { return last; }
            @Override public boolean lastBackgroundSaveOk() { return true; }
        };
    }
}
