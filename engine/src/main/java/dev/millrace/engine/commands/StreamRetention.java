package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.keyspace.Keyspace;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.stream.ConsumerGroup;
import dev.millrace.engine.stream.Retention;
import dev.millrace.engine.stream.Stream;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.util.Numbers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * Enforces streams' retention policies ({@link Retention}) in the background, from cron: trims each
 * stream whose oldest entries passed its age or size limit, logged as {@code XTRIM key MAXLEN =
 * <length left>} like any trim, so replay and replicas see the same stream. The log then deletes the
 * files wholly below the trim point (when that is safe: see the storage's stream logs).
 *
 * <p>Which streams: every stream a command writes is noted; a slow walk over the keyspace (a few
 * hundred keys per run, skipping databases that cannot hold a stream) notes the others, such as
 * idle streams after a restart. The walk rests once a cycle over every database has completed while
 * no stream could arrive unnoted (see {@link #walking}). Each run checks a few noted streams, round
 * robin, and forgets those that are gone or have no policy.
 *
 * <p>Execution thread only.
 */
public final class StreamRetention {
    /** Streams checked per run, and keys the discovery walk looks at per run. */
    private static final int STREAMS_PER_RUN = 16;
    private static final int KEYS_SCANNED_PER_RUN = 200;
    private static final byte[] XTRIM = "XTRIM".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAXLEN = "MAXLEN".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXACT = "=".getBytes(StandardCharsets.US_ASCII);

    private final Engine engine;
    private final Set<Noted> noted = new HashSet<>();
    private final ArrayDeque<Noted> queue = new ArrayDeque<>();
    private final long[] cursors;
    /** Per database: {@link Keyspace#streamWrites} when its current discovery pass began. */
    private final long[] passStarts;
    /** Per database: whether its current discovery pass has met a stream. */
    private final boolean[] passFound;
    private int scanDb;
    /**
     * Whether the discovery walk is due: from the start (streams an earlier run left), and again once a
     * stream may have arrived unnoted: a stream record stored other than by a command that notes its
     * write (RENAME, MOVE, SWAPDB, COPY, RESTORE), or the server's defaults starting to limit streams
     * without a policy. Otherwise it rests: a step over a database holding a stream scans the store,
     * milliseconds of a cron tick every 1.6 s under XADD load, to find only streams already noted.
     */
    private boolean walking = true;
    /** Databases still to complete a pass in the walk's current cycle over all of them. */
    private int dbsLeftInCycle;
    /** {@link #unnotedStores} when the current cycle began. */
    private long unnotedAtCycleStart;
    /** Stream records stored by writes this class knows of: {@link #noteWrite} and its own trims. */
    private long notedStores;
    /**
     * Whether the server's defaults limit anything, as of the last run: read on every stream write,
     * so it is refreshed by each run instead of parsed from the configuration per write.
     */
    private boolean defaultsLimit;

    private record Noted(int db, ByteBuffer key) {
    }

    public StreamRetention(Engine engine) {
        this.engine = engine;
        this.cursors = new long[engine.keyspace().databases()];
        this.passStarts = new long[cursors.length];
        this.passFound = new boolean[cursors.length];
        this.dbsLeftInCycle = cursors.length;
    }

    /**
     * A command wrote {@code stream} under {@code key} (it has just stored its record): check it on a
     * coming run if a policy applies.
     */
    public void noteWrite(int db, byte[] key, Stream stream) {
        notedStores++;
        if (stream.retention() != null || defaultsLimit) {
            note(db, key);
        }
    }

    private void note(int db, byte[] key) {
        Noted n = new Noted(db, ByteBuffer.wrap(key));
        if (noted.add(n)) {
            queue.add(new Noted(db, ByteBuffer.wrap(key.clone())));
        }
    }

    /** One run at unix time {@code nowMillis}. */
    public void run(long nowMillis) {
        Keyspace keyspace = engine.keyspace();
        if (keyspace.loading()) {
            return;
        }
        ServerConfig config = engine.config();
        boolean limitedBefore = defaultsLimit;
        defaultsLimit = config.getLong("stream-retention-max-age-ms") > 0 || config.getLong("stream-retention-max-bytes") > 0;
        if (!walking && ((defaultsLimit && !limitedBefore) || unnotedStores() != unnotedAtCycleStart)) {
            startCycle();
        }
        if (walking) {
            discover();
        }
        for (int i = 0; i < STREAMS_PER_RUN && !queue.isEmpty(); i++) {
            Noted n = queue.poll();
            byte[] key = n.key().array();
            if (enforce(n.db(), key, nowMillis)) {
                queue.add(n);
            } else {
                noted.remove(n);
            }
        }
        engine.dispatcher().flushEffects();
    }

    /**
     * The slow walk: notes the streams among the next keys of one database. A database that cannot
     * hold a stream ({@link Keyspace#mayHoldStreams}) is skipped, and one whose pass met no stream
     * while none was written is marked so.
     */
    private void discover() {
        Keyspace keyspace = engine.keyspace();
        int db = scanDb;
        if (keyspace.mayHoldStreams(db)) {
            if (cursors[db] == 0) {
                passStarts[db] = keyspace.streamWrites();
                passFound[db] = false;
            }
            cursors[db] = keyspace.store().scan(db, cursors[db], KEYS_SCANNED_PER_RUN, (key, record) -> {
                if (Record.typeOf(record) == ValueType.STREAM) {
                    passFound[db] = true;
                    note(db, key);
                }
            });
            if (cursors[db] == 0 && !passFound[db]) {
                keyspace.noStreamsFound(db, passStarts[db]);
            }
        } else {
            cursors[db] = 0;
        }
        if (cursors[db] == 0) {
            scanDb = (scanDb + 1) % cursors.length;
            if (--dbsLeftInCycle == 0) {
                if (unnotedStores() == unnotedAtCycleStart) {
                    walking = false; // every stream is noted, or has no policy and needs none
                } else {
                    startCycle();
                }
            }
        }
    }

    private void startCycle() {
        walking = true;
        dbsLeftInCycle = cursors.length;
        unnotedAtCycleStart = unnotedStores();
    }

    /** Stream records stored (or moved) so far that no write known here accounts for. */
    private long unnotedStores() {
        return engine.keyspace().streamWrites() - notedStores;
    }

    /**
     * Applies the stream's policy now.
     *
     * @return whether the key still holds a stream with a policy (keep checking it)
     */
    private boolean enforce(int db, byte[] key, long nowMillis) {
        Keyspace keyspace = engine.keyspace();
        byte[] encoded = keyspace.store().get(db, key);
        if (encoded == null || keyspace.expireIfNeeded(db, key, encoded, nowMillis)
                || Record.typeOf(encoded) != ValueType.STREAM) {
            return false;
        }
        Record record = Record.decode(encoded);
        Stream stream = Stream.decode(keyspace.store(), record.payload(), false);
        Retention policy = effective(stream, engine.config());
        if (!policy.limits()) {
            return stream.retention() != null;
        }
        long target = stream.firstNumber();
        if (policy.maxAgeMillis() > 0 && nowMillis > policy.maxAgeMillis()) {
            target = Math.max(target, stream.seek(new StreamId(nowMillis - policy.maxAgeMillis(), 0)));
        }
        if (policy.maxBytes() > 0) {
            target = Math.max(target, firstWithin(stream, target, policy.maxBytes()));
        }
        if (!policy.dropUndelivered()) {
            target = Math.min(target, firstUndelivered(stream));
        }
        if (stream.trimBelow(target) > 0) {
            keyspace.putOwnerEncoded(db, key, StoredStream.recordOf(record, stream), stream.pages());
            notedStores++;
            engine.dispatcher().expiryEffect(new Effect(db, new byte[][] {XTRIM, key, MAXLEN, EXACT,
                    Numbers.format(stream.length())}));
        }
        return true;
    }

    /** The stream's own policy, or the server's defaults. */
    static Retention effective(Stream stream, ServerConfig config) {
        if (stream.retention() != null) {
            return stream.retention();
        }
        return new Retention(config.getLong("stream-retention-max-age-ms"), config.getLong("stream-retention-max-bytes"),
                config.get("stream-retention-undelivered").equals("drop"));
    }

    /** The smallest number from {@code from} whose entries up to the last take at most {@code maxBytes}. */
    private static long firstWithin(Stream stream, long from, long maxBytes) {
        long lo = from;
        long hi = stream.lastNumber() + 1;
        if (stream.bytesFrom(lo) <= maxBytes) {
            return lo;
        }
        // Invariant: bytesFrom(lo) > maxBytes, bytesFrom(hi) <= maxBytes (0 at last + 1).
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (stream.bytesFrom(mid) > maxBytes) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /** The first number some group has not been delivered (past the last when every group has all). */
    private static long firstUndelivered(Stream stream) {
        StreamId least = null;
        for (Iterator<ConsumerGroup> it = stream.groups().iterator(); it.hasNext(); ) {
            StreamId delivered = it.next().lastDelivered();
            if (least == null || delivered.isBefore(least)) {
                least = delivered;
            }
        }
        if (least == null) {
            return Long.MAX_VALUE;
        }
        StreamId after = least.next();
        return after == null ? Long.MAX_VALUE : stream.seek(after);
    }
}
