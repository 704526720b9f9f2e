package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.Keyspace;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.types.HashField;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Active expiry: reclaims keys whose TTL has passed even if nobody reads them, in the spirit of Redis's
 * slow activeExpireCycle. Each {@link #run} walks the databases in turn, each with its own persistent
 * {@link KeyStore#scan} cursor, in steps: a step visits keys until it has sampled
 * {@link #keysPerStep} keys with a TTL (or a bounded number of keys in all), deletes the expired ones
 * through {@link Keyspace#expireIfNeeded} (which logs their DEL and counts them in the stats) and
 * appends those DELs to the AOF as one record. A database gets another step while the last one found
 * more than ~10% of its sampled TTL keys expired; the run stops when its time budget, ~25% of a cron
 * period, is spent, and the next run resumes where it stopped.
 *
 * <p>The same walk expires hash fields (Redis 7.4's field TTLs): a hash whose soonest field expiry
 * has passed counts as a sampled, expired key, and {@link HashKey#expireFields} removes its due
 * fields, at most {@link #FIELDS_PER_RUN} per run in all (the rest wait for the next run).
 *
 * <p>Unlike Redis, which samples a dictionary of keys with a TTL, the walk visits every key, so a
 * step is capped in keys visited too: a database without TTLs costs one short step per run. It is
 * capped in store scan calls as well (each one bounded by the store): a small database in a big
 * store would otherwise have one step walk the whole store looking for its few keys.
 * The {@code active-expire-effort} parameter (1..10) raises the keys per step, the time budget and
 * the tolerated share of expired keys as in Redis.
 *
 * <p>Execution thread only (called from {@link Engine#cron}); does nothing while the keyspace loads.
 */
public final class ExpiryCycle {
    /** Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP: TTL keys sampled per step at effort 1. */
    private static final int KEYS_PER_LOOP = 20;
    /** Redis's ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC: share of a cron period the cycle may use. */
    private static final int SLOW_TIME_PERCENT = 25;
    /** Redis's ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE: the share of expired keys that ends a database's turn. */
    private static final int ACCEPTABLE_STALE_PERCENT = 10;
    /** Keys visited per step, as a multiple of the TTL keys wanted, before a step gives up sampling. */
    private static final int VISITS_PER_SAMPLE = 25;
    /** Store scan calls per step: each is bounded by the store, and a sparse database returns few keys per call. */
    private static final int SCANS_PER_STEP = 25;
    /** Hash fields one run may expire (Redis 7.4 gives its field pass a quota too). */
    private static final int FIELDS_PER_RUN = 1000;

    private final Engine engine;
    private final long[] cursors;
    /** Per database: {@link Keyspace#expiryWrites} when its current pass began. */
    private final long[] passStarts;
    /** Per database: whether its current pass has met a key with expiries. */
    private final boolean[] passSampled;
    private int nextDb;
    private int fieldsLeft;

    public ExpiryCycle(Engine engine) {
        this.engine = engine;
        this.cursors = new long[engine.keyspace().databases()];
        this.passStarts = new long[cursors.length];
        this.passSampled = new boolean[cursors.length];
    }

    /** One cycle, at unix time {@code nowMillis}: see the class comment. */
    public void run(long nowMillis) {
        Keyspace keyspace = engine.keyspace();
        if (keyspace.loading()) {
            return;
        }
        int effort = engine.config().getInt("active-expire-effort") - 1;
        int keysPerStep = KEYS_PER_LOOP + KEYS_PER_LOOP / 4 * effort;
        int stalePercent = ACCEPTABLE_STALE_PERCENT - effort;
        long budgetNanos = (SLOW_TIME_PERCENT + 2L * effort) * 1_000_000_000L / engine.config().getInt("hz") / 100;
        long deadline = System.nanoTime() + budgetNanos;
        fieldsLeft = FIELDS_PER_RUN;
        for (int i = 0; i < cursors.length; i++) {
            int db = nextDb;
            nextDb = (nextDb + 1) % cursors.length;
            // Redis walks only its dict of keys with a TTL; here a database that cannot hold one costs nothing.
            if (!keyspace.mayHoldExpiringKeys(db)) {
                continue;
            }
            if (!expireIn(db, nowMillis, keysPerStep, stalePercent, deadline)) {
                return;
            }
        }
    }

    /**
     * Steps through one database until a step finds few expired keys, the walk completes a pass, or
     * the deadline passes.
     *
     * @return false when the deadline has passed
     */
    private boolean expireIn(int db, long nowMillis, int keysPerStep, int stalePercent, long deadline) {
        Keyspace keyspace = engine.keyspace();
        KeyStore store = keyspace.store();
        long cursor = cursors[db];
        Step step = new Step(nowMillis);
        try {
            do {
                step.clear();
                int visitLimit = keysPerStep * VISITS_PER_SAMPLE;
                int scans = 0;
                do {
                    if (cursor == 0) {
                        passStarts[db] = keyspace.expiryWrites();
                        passSampled[db] = false;
                    }
                    cursor = store.scan(db, cursor, keysPerStep, step);
                } while (cursor != 0 && step.sampled < keysPerStep && step.visited < visitLimit
                        && ++scans < SCANS_PER_STEP);
                passSampled[db] |= step.sampled > 0;
                if (cursor == 0 && !passSampled[db]) {
                    // A whole pass met no key that can expire: the database is left alone until a
                    // write may have stored one (a big collection's pages cost a walk every run).
                    keyspace.noExpiringKeysFound(db, passStarts[db]);
                }
                for (byte[] key : step.expired) {
                    byte[] record = store.get(db, key);
                    if (record != null) {
                        keyspace.expireIfNeeded(db, key, record, nowMillis);
                    }
                }
                for (byte[] key : step.fieldsDue) {
                    byte[] record = store.get(db, key);
                    if (record != null && !keyspace.expireIfNeeded(db, key, record, nowMillis)) {
                        fieldsLeft -= HashKey.expireFields(engine, db, key, record, nowMillis, fieldsLeft);
                    }
                }
                engine.dispatcher().flushEffects();
                if (System.nanoTime() >= deadline) {
                    return false;
                }
            } while (cursor != 0 && step.sampled > 0 && step.stale(fieldsLeft > 0) * 100L > step.sampled * (long) stalePercent);
            return true;
        } finally {
            cursors[db] = cursor;
        }
    }


    /**
     * What one step saw. Expired keys are deleted after the store's scan call returns, not from inside
     * its visitor, so no store has to tolerate removal during its own iteration.
     */
    private static final class Step implements BiConsumer<byte[], byte[]> {
        final long nowMillis;
        final List<byte[]> expired = new ArrayList<>();
        /** Hashes with a field whose expiry has passed (see {@link HashKey#expireFields}). */
        final List<byte[]> fieldsDue = new ArrayList<>();
        int visited;
        int sampled;

        Step(long nowMillis) {
            this.nowMillis = nowMillis;
        }

        void clear() {
            expired.clear();
            fieldsDue.clear();
            visited = 0;
            sampled = 0;
        }

        /** Keys sampled that had something to expire; hashes only while fields may still be expired. */
        int stale(boolean countHashes) {
            return expired.size() + (countHashes ? fieldsDue.size() : 0);
        }

        @Override
        public void accept(byte[] key, byte[] record) {
            visited++;
            long fieldExpiry = Record.nextFieldExpiryOf(record);
            if (Record.expireAtOf(record) != Record.NO_EXPIRY || fieldExpiry != HashField.NO_EXPIRY) {
                sampled++;
                if (Record.isExpiredAt(record, nowMillis)) {
                    expired.add(key);
                } else if (fieldExpiry != HashField.NO_EXPIRY && fieldExpiry < nowMillis) {
                    fieldsDue.add(key);
                }
            }
        }
    }
}
