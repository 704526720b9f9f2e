package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.types.HashField;
import dev.millrace.engine.types.HashValue;
import dev.millrace.engine.util.LongDouble;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The hash commands of Redis 7.0 (HSET, HSETNX, HMSET, HGET, HMGET, HGETALL, HKEYS, HVALS, HDEL,
 * HEXISTS, HLEN, HSTRLEN, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN), byte-identical in replies and
 * errors to 7.0.15 including the order of Redis's checks, plus Redis 7.4's field expiry
 * ({@link HashFieldExpiryCommands}, registered from here). Hashes are {@link HashValue}s, opened and
 * saved through {@link HashKey}, which also removes expired fields before any command sees them.
 *
 * <p>Effects: the commands log their own argv, except HINCRBYFLOAT, which logs {@code HSET key field
 * <result>} as Redis propagates it (the result's text, so replay never redoes the float arithmetic).
 * When the field has an expiry, which HINCRBYFLOAT keeps but an HSET would clear, it logs its own
 * argv instead: Millrace's long-double arithmetic is the same on every platform, so that replays
 * exactly, expiry and place in the hash included. Fields that expire are logged as HDEL by
 * {@link HashKey}.
 *
 * <p>Execution thread only, like every family.
 */
public final class HashCommands implements CommandFamily {
    private static final byte[] HSET = "HSET".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ZERO_CURSOR = {'0'};

    /** HRANDFIELD's choices; not reproducible, as Redis's are not. */
    private final Random random = new Random();

    public HashCommands(Engine engine) {
        // handlers reach the engine through each Call
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("hset", call -> hset(call, false));
        bind.bind("hmset", call -> hset(call, true));
        bind.bind("hsetnx", this::hsetnx);
        bind.bind("hget", this::hget);
        bind.bind("hmget", this::hmget);
        bind.bind("hgetall", call -> all(call, true, true));
        bind.bind("hkeys", call -> all(call, true, false));
        bind.bind("hvals", call -> all(call, false, true));
        bind.bind("hdel", this::hdel);
        bind.bind("hexists", this::hexists);
        bind.bind("hlen", this::hlen);
        bind.bind("hstrlen", this::hstrlen);
        bind.bind("hincrby", this::hincrby);
        bind.bind("hincrbyfloat", this::hincrbyfloat);
        bind.bind("hrandfield", this::hrandfield);
        bind.bind("hscan", this::hscan);
        new HashFieldExpiryCommands().register(bind);
    }

    // ---- writing fields ---------------------------------------------------------------------------

    /** HSET key field value [field value ...] (replies the fields created) and HMSET (replies OK). */
    private void hset(Call call, boolean hmset) {
        if (call.argc() % 2 == 1) {
            call.wrongArity();
            return;
        }
        HashKey key = HashKey.write(call, call.arg(1));
        if (key == null) {
            return;
        }
        HashValue hash = key.hash();
        hash.prepareFor(call.argv(), 2, call.argc() - 1);
        long created = 0;
        for (int i = 2; i < call.argc(); i += 2) {
            if (hash.put(call.arg(i), call.arg(i + 1), false)) {
                created++;
            }
        }
        key.save();
        if (hmset) {
            call.reply().simple("OK");
        } else {
            call.reply().integer(created);
        }
    }

    private void hsetnx(Call call) {
        HashKey key = HashKey.write(call, call.arg(1));
        if (key == null) {
            return;
        }
        if (key.hash().get(call.arg(2)) != null) {
            call.reply().integer(0);
            return;
        }
        key.hash().prepareFor(call.argv(), 2, 3);
        key.hash().put(call.arg(2), call.arg(3), false);
        key.save();
        call.reply().integer(1);
    }

    private void hdel(Call call) {
        HashKey key = HashKey.write(call, call.arg(1));
        if (key == null) {
            return;
        }
        long deleted = 0;
        if (key.exists()) {
            for (int i = 2; i < call.argc(); i++) {
                if (key.hash().remove(call.arg(i))) {
                    deleted++;
                }
            }
        }
        if (deleted > 0) {
            key.save();
        }
        call.reply().integer(deleted);
    }

    /** HINCRBY: the increment is parsed before the key is looked at; the field keeps its expiry. */
    private void hincrby(Call call) {
        Long increment = Numbers.parseLong(call.arg(3));
        if (increment == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return;
        }
        HashKey key = HashKey.write(call, call.arg(1));
        if (key == null) {
            return;
        }
        HashField field = key.hash().get(call.arg(2));
        long value = 0;
        if (field != null) {
            Long parsed = Numbers.parseLong(field.value());
            if (parsed == null) {
                call.reply().error(Errors.HASH_VALUE_NOT_INTEGER);
                return;
            }
            value = parsed;
        }
        long incr = increment;
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
                || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            call.reply().error(Errors.OVERFLOW);
            return;
        }
        long result = value + incr;
        key.hash().put(call.arg(2), Numbers.format(result), true);
        key.save();
        call.reply().integer(result);
    }

    /** HINCRBYFLOAT in x87 long double precision, as Redis on x86-64 computes it; see the class comment. */
    private void hincrbyfloat(Call call) {
        LongDouble increment = Numbers.parseLongDouble(call.arg(3));
        if (increment == null) {
            call.reply().error(Errors.NOT_FLOAT);
            return;
        }
        if (!increment.isFinite()) {
            call.reply().error(Errors.VALUE_NAN_OR_INFINITY);
            return;
        }
        HashKey key = HashKey.write(call, call.arg(1));
        if (key == null) {
            return;
        }
        byte[] name = call.arg(2);
        HashField field = key.hash().get(name);
        LongDouble value = LongDouble.ZERO;
        if (field != null) {
            value = Numbers.parseLongDouble(field.value());
            if (value == null) {
                call.reply().error(Errors.HASH_VALUE_NOT_FLOAT);
                return;
            }
        }
        LongDouble sum = value.add(increment);
        if (!sum.isFinite()) {
            call.reply().error(Errors.INCR_NAN_OR_INF);
            return;
        }
        byte[] result = Numbers.formatLongDouble(sum).getBytes(StandardCharsets.US_ASCII);
        key.hash().put(name, result, true);
        key.save();
        call.reply().bulk(result);
        if (field != null && field.hasExpiry()) {
            call.effect(call.argv());
        } else {
            call.effect(HSET, call.arg(1), name, result);
        }
    }

    // ---- reading fields ---------------------------------------------------------------------------

    private void hget(Call call) {
        HashKey key = HashKey.read(call, call.arg(1));
        if (key == null) {
            return;
        }
        HashField field = key.exists() ? key.hash().get(call.arg(2)) : null;
        replyValue(call.reply(), field);
    }

    /** HMGET: a missing key reads as an empty hash; WRONGTYPE only for another type. */
    private void hmget(Call call) {
        HashKey key = HashKey.read(call, call.arg(1));
        if (key == null) {
            return;
        }
        call.reply().array(call.argc() - 2);
        for (int i = 2; i < call.argc(); i++) {
            replyValue(call.reply(), key.exists() ? key.hash().get(call.arg(i)) : null);
        }
    }

    private static void replyValue(ReplyWriter reply, HashField field) {
        if (field == null) {
            reply.nullBulk();
        } else {
            reply.bulk(field.value());
        }
    }

    private void hexists(Call call) {
        HashKey key = HashKey.read(call, call.arg(1));
        if (key != null) {
            call.reply().integer(key.exists() && key.hash().get(call.arg(2)) != null ? 1 : 0);
        }
    }

    private void hlen(Call call) {
        HashKey key = HashKey.read(call, call.arg(1));
        if (key != null) {
            call.reply().integer(key.exists() ? key.hash().size() : 0);
        }
    }

    private void hstrlen(Call call) {
        HashKey key = HashKey.read(call, call.arg(1));
        if (key == null) {
            return;
        }
        HashField field = key.exists() ? key.hash().get(call.arg(2)) : null;
        call.reply().integer(field == null ? 0 : field.value().length);
    }

    /** HGETALL (a map in RESP3), HKEYS, HVALS: every field, in the hash's order. */
    private void all(Call call, boolean names, boolean values) {
        HashKey key = HashKey.read(call, call.arg(1));
        if (key == null) {
            return;
        }
        ReplyWriter reply = call.reply();
        int size = key.exists() ? replyLength(key.hash().size()) : 0;
        if (names && values) {
            reply.map(size);
        } else {
            reply.array(size);
        }
        if (size == 0) {
            return;
        }
        for (Iterator<HashField> it = key.hash().iterator(); it.hasNext(); ) {
            HashField field = it.next();
            if (names) {
                reply.bulk(field.name());
            }
            if (values) {
                reply.bulk(field.value());
            }
        }
    }

    // ---- HRANDFIELD -------------------------------------------------------------------------------

    /**
     * HRANDFIELD key [count [WITHVALUES]], as Redis's hrandfieldCommand: the count is checked before
     * the options, and with WITHVALUES it must leave room for a reply twice as long.
     */
    private void hrandfield(Call call) {
        if (call.argc() >= 3) {
            Long count = Numbers.parseLong(call.arg(2));
            if (count == null) {
                call.reply().error(Errors.NOT_INTEGER);
                return;
            }
            if (count == Long.MIN_VALUE) {
                // getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX), as SRANDMEMBER's count
                call.reply().error(Errors.SRANDMEMBER_COUNT_RANGE);
                return;
            }
            if (call.argc() > 4 || (call.argc() == 4 && !call.argIs(3, "withvalues"))) {
                call.syntaxError();
                return;
            }
            boolean withValues = call.argc() == 4;
            if (withValues && (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2)) {
                call.reply().error(Errors.VALUE_OUT_OF_RANGE);
                return;
            }
            randomFields(call, count, withValues);
            return;
        }
        HashKey key = HashKey.read(call, call.arg(1));
        if (key == null) {
            return;
        }
        if (!key.exists()) {
            call.reply().nullBulk();
            return;
        }
        HashValue hash = key.hash();
        call.reply().bulk(hash.at(random.nextLong(hash.size())).name());
    }

    /**
     * HRANDFIELD with a count: a negative count asks for that many fields with repetition, in random
     * order; a positive one for distinct fields, the whole hash (in its order) when it has no more
     * than that. Distinct fields of a small hash come in the hash's order, as from Redis's listpack;
     * of a large one in random order. WITHVALUES pairs each field with its value: flat in RESP2, a
     * two-element array per field in RESP3.
     */
    private void randomFields(Call call, long count, boolean withValues) {
        HashKey key = HashKey.read(call, call.arg(1));
        if (key == null) {
            return;
        }
        ReplyWriter reply = call.reply();
        if (!key.exists() || count == 0) {
            reply.array(0);
            return;
        }
        HashValue hash = key.hash();
        long size = hash.size();
        boolean distinct = count > 0;
        long wanted = Math.abs(count);
        long fields = distinct ? Math.min(wanted, size) : wanted;
        boolean flatPairs = withValues && reply.protocol() == 2;
        long length = flatPairs ? fields * 2 : fields;
        if (length > Integer.MAX_VALUE) {
            // Redis would stream such a reply until memory runs out; Millrace refuses it, as SRANDMEMBER does.
            reply.error(Errors.SRANDMEMBER_COUNT_TOO_LARGE);
            return;
        }
        reply.array((int) length);
        if (!distinct || wanted == 1) {
            for (long i = 0; i < wanted; i++) {
                replyRandomField(reply, hash.at(random.nextLong(size)), withValues);
            }
        } else if (wanted >= size) {
            for (Iterator<HashField> it = hash.iterator(); it.hasNext(); ) {
                replyRandomField(reply, it.next(), withValues);
            }
        } else {
            for (long index : distinctIndexes(size, (int) wanted, !hash.isLarge())) {
                replyRandomField(reply, hash.at(index), withValues);
            }
        }
    }

    private static void replyRandomField(ReplyWriter reply, HashField field, boolean withValues) {
        if (withValues && reply.protocol() == 3) {
            reply.array(2);
        }
        reply.bulk(field.name());
        if (withValues) {
            reply.bulk(field.value());
        }
    }

    /**
     * {@code count} distinct positions out of {@code size}, uniformly (Floyd's sampling): ascending
     * when {@code inOrder}, else in random order. O(count).
     */
    private List<Long> distinctIndexes(long size, int count, boolean inOrder) {
        Set<Long> chosen = new LinkedHashSet<>();
        for (long j = size - count; j < size; j++) {
            long pick = random.nextLong(j + 1);
            chosen.add(chosen.contains(pick) ? j : pick);
        }
        List<Long> indexes = new ArrayList<>(chosen);
        if (inOrder) {
            Collections.sort(indexes);
        } else {
            Collections.shuffle(indexes, random);
        }
        return indexes;
    }

    // ---- HSCAN ------------------------------------------------------------------------------------

    /**
     * HSCAN key cursor [MATCH pattern] [COUNT count], as Redis's: the cursor is checked first, then the
     * key (a missing key replies an empty scan without looking at the options), then the options.
     * A small hash comes whole with cursor 0; a large one about COUNT fields at a time.
     */
    private void hscan(Call call) {
        Long cursor = KeyScanCommands.parseCursor(call.arg(2));
        if (cursor == null) {
            call.reply().error(Errors.SCAN_CURSOR);
            return;
        }
        HashKey key = HashKey.read(call, call.arg(1));
        if (key == null) {
            return;
        }
        ReplyWriter reply = call.reply();
        if (!key.exists()) {
            reply.array(2);
            reply.bulk(ZERO_CURSOR);
            reply.array(0);
            return;
        }
        ScanOptions options = ScanOptions.parse(call, 3);
        if (options == null) {
            return;
        }
        List<HashField> found = new ArrayList<>();
        long next = key.hash().scan(cursor, options.count(), field -> {
            if (options.matches(field.name())) {
                found.add(field);
            }
        });
        reply.array(2);
        reply.bulk(Long.toUnsignedString(next).getBytes(StandardCharsets.US_ASCII));
        reply.array(replyLength(found.size() * 2L));
        for (HashField field : found) {
            reply.bulk(field.name());
            reply.bulk(field.value());
        }
    }

    /** A reply length; hashes with more than 2^31 - 1 fields to show at once are beyond one reply. */
    private static int replyLength(long n) {
        return Math.toIntExact(n);
    }
}
