package dev.millrace.storage.queue;

import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;

import java.nio.file.Path;

/**
 * A queue writer's clock that never goes back: held at the latest time it has shown, and never below
 * the start of the newest cycle file already in the directory. Chronicle appends into an earlier
 * cycle's file when the clock goes back (an NTP step, a restart on a machine whose clock is behind),
 * and a queue whose cycle files are out of order no longer opens. Not thread-safe: one per writer.
 */
public final class WriterTime implements TimeProvider {
    private final TimeProvider clock;
    private long latest;

    private WriterTime(TimeProvider clock, long floor) {
        this.clock = clock;
        this.latest = floor;
    }

    /** The writer clock for the queue in {@code dir}, whose files follow {@code rollCycle}. */
    public static WriterTime of(Path dir, RollCycle rollCycle, TimeProvider clock) {
        int[] cycles = QueueFiles.cycles(dir, rollCycle);
        long floor = cycles.length == 0 ? Long.MIN_VALUE : (long) cycles[cycles.length - 1] * rollCycle.lengthInMillis();
        return new WriterTime(clock, floor);
    }

    @Override
    public long currentTimeMillis() {
        latest = Math.max(latest, clock.currentTimeMillis());
        return latest;
    }

    @Override
    public long currentTimeMicros() {
        return currentTimeMillis() * 1000;
    }

    @Override
    public long currentTimeNanos() {
        return currentTimeMillis() * 1_000_000;
    }
}
