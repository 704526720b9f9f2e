package dev.millrace.engine.keyspace;

/**
 * A key's access clock (Redis's per-object LRU clock): unix seconds truncated to 32 bits, stamped in
 * the key's record when a command accesses the key, read back by OBJECT IDLETIME (and by LRU eviction
 * when it comes). This class is the one definition of how the clock is computed from a command's time:
 * a family that creates a record stamps it with {@link #at}.
 *
 * <p>Stateless and thread-safe; {@link #touch} writes to the store, so execution thread only.
 */
public final class AccessClock {
    private AccessClock() { }

    /** The clock value at a unix time in milliseconds. It wraps after 2^32 seconds; see {@link #idleSeconds}. */
    public static int at(long nowMillis) {
        return (int) Math.floorDiv(nowMillis, 1000);
    }

    /** Whole seconds since the record's last access, counted modulo 2^32 so wrapping is harmless. */
    public static long idleSeconds(byte[] record, long nowMillis) {
        return Integer.toUnsignedLong(at(nowMillis) - Record.accessClockOf(record));
    }

    /**
     * Records an access of {@code key}: when the stored clock is at least a second behind, stamps the
     * current one. The stamp goes to the store directly, not through the keyspace's write API, because
     * it is not a change of data: it is neither counted as dirty nor logged as an effect (Redis does not
     * propagate LRU updates either). Rewrites the record at most once per second per key.
     *
     * @param record the key's live encoded record, as just looked up
     * @return the record as now stored (a new array when stamped; {@code record} is left unchanged)
     */
    static byte[] touch(KeyStore store, int db, byte[] key, byte[] record, long nowMillis) {
        int clock = at(nowMillis);
        if (Record.accessClockOf(record) == clock) {
            return record;
        }
        byte[] stamped = record.clone();
        Record.setAccessClock(stamped, clock);
        store.patch(db, key, Record.ACCESS_CLOCK_OFFSET, java.util.Arrays.copyOfRange(stamped,
                Record.ACCESS_CLOCK_OFFSET, Record.ACCESS_CLOCK_OFFSET + 4));
        return stamped;
    }
}
