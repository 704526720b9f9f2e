package dev.millrace.storage;

import dev.millrace.engine.Clock;

import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand, e.g. into the next AOF roll cycle. Thread-safe. */
public final class MutableClock implements Clock {
    private final AtomicLong millis;

    public MutableClock(long startMillis) {
        this.millis = new AtomicLong(startMillis);
    }

    @Override
    public long currentTimeMillis() {
        return millis.get();
    }

    public void advance(long deltaMillis) {
        millis.addAndGet(deltaMillis);
    }
}
