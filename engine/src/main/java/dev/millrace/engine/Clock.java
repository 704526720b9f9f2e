package dev.millrace.engine;

/** Wall-clock time for expiry and TIME; injected so tests can move time. Thread-safe. */
public interface Clock {
    long currentTimeMillis();

    /** Microseconds since the epoch, for TIME. */
    default long currentTimeMicros() {
        return currentTimeMillis() * 1000;
    }

    Clock SYSTEM = new Clock() {
        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public long currentTimeMicros() {
            java.time.Instant now = java.time.Instant.now();
            return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
        }
    };
}
