package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.notify.Announcement;
import dev.millrace.engine.notify.KeyEvent;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.Keyspace;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.util.LongDouble;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;

/**
 * The string commands of Redis 7.0 (GET, SET and its variants, MGET/MSET, GETEX, GETDEL, APPEND, the
 * INCR family, INCRBYFLOAT, GETRANGE/SETRANGE, LCS), byte-identical in replies and errors to 7.0.15,
 * including the order in which Redis checks arguments, key type and limits.
 *
 * <p>Effects: commands whose argv would not replay to the same state declare their effects explicitly,
 * as Redis propagates them: SET/SETEX/PSETEX with a TTL become {@code SET k v PXAT <abs-ms>} (NX, XX
 * and GET dropped once decided), GETSET becomes SET, GETEX becomes PEXPIREAT, PERSIST or DEL, GETDEL
 * becomes DEL, INCRBYFLOAT becomes {@code SET k <result> KEEPTTL}. The others log their own argv.
 *
 * <p>Execution thread only, like every family.
 */
public final class StringCommands implements CommandFamily {
    private static final byte[] SET = bytes("SET");
    private static final byte[] PXAT = bytes("PXAT");
    private static final byte[] KEEPTTL = bytes("KEEPTTL");
    private static final byte[] DEL = bytes("DEL");
    private static final byte[] PEXPIREAT = bytes("PEXPIREAT");
    private static final byte[] PERSIST = bytes("PERSIST");
    /** SET with a TTL, as SETEX: "set" then "expire". */
    private static final Announcement SET_WITH_TTL = Announcement.stores(KeyEvent.SET, KeyEvent.EXPIRE);
    private static final Announcement PERSISTED = Announcement.stores(KeyEvent.PERSIST);
    private static final byte[] EMPTY = new byte[0];

    public StringCommands(Engine engine) {
        // handlers reach the engine through each Call
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("get", this::get);
        bind.bind("set", this::set);
        bind.bind("setnx", this::setnx);
        bind.bind("setex", call -> setWithTtl(call, true));
        bind.bind("psetex", call -> setWithTtl(call, false));
        bind.bind("mget", this::mget);
        bind.bind("mset", call -> mset(call, false));
        bind.bind("msetnx", call -> mset(call, true));
        bind.bind("getset", this::getset);
        bind.bind("getdel", this::getdel);
        bind.bind("getex", this::getex);
        bind.bind("append", this::append);
        bind.bind("strlen", this::strlen);
        bind.bind("incr", call -> incrBy(call, 1));
        bind.bind("decr", call -> incrBy(call, -1));
        bind.bind("incrby", call -> incrByArgument(call, false));
        bind.bind("decrby", call -> incrByArgument(call, true));
        bind.bind("incrbyfloat", this::incrbyfloat);
        bind.bind("getrange", this::getrange);
        bind.bind("substr", this::getrange);
        bind.bind("setrange", this::setrange);
        bind.bind("lcs", Lcs::execute);
    }

    // ---- GET and SET ------------------------------------------------------------------------------

    private void get(Call call) {
        replyValue(call, call.keyspace().lookupRead(call.db(), call.arg(1), call.now()));
    }

    /**
     * GET's reply for a looked-up record: the value, nil when absent, or WRONGTYPE.
     *
     * @return false when the key held another type (the error was replied)
     */
    private static boolean replyValue(Call call, byte[] record) {
        if (record == null) {
            call.reply().nullBulk();
            return true;
        }
        if (StringKeys.wrongType(call, record)) {
            return false;
        }
        call.reply().bulk(record, StringKeys.valueOffset(record), StringKeys.valueLength(record));
        return true;
    }

    private void set(Call call) {
        SetOptions options = SetOptions.parse(call, 3, true);
        if (options != null) {
            setGeneric(call, call.arg(1), call.arg(2), options);
        }
    }

    /** SETEX key seconds value / PSETEX key milliseconds value: SET with EX or PX. */
    private void setWithTtl(Call call, boolean seconds) {
        SetOptions options = new SetOptions();
        options.expire = call.arg(2);
        options.ex = seconds;
        options.px = !seconds;
        setGeneric(call, call.arg(1), call.arg(3), options);
    }

    /** Redis's setGenericCommand: SET with its options, replying OK, nil (not done) or the old value (GET). */
    private static void setGeneric(Call call, byte[] key, byte[] value, SetOptions options) {
        Keyspace keyspace = call.keyspace();
        long expireAt = Record.NO_EXPIRY;
        if (options.expire != null) {
            expireAt = expireAtOrReply(call, options.expire, options.ex || options.exat, options.ex || options.px);
            if (expireAt < 0) {
                return;
            }
        }
        byte[] old;
        if (options.get) {
            old = keyspace.lookupRead(call.db(), key, call.now());
            if (!replyValue(call, old)) {
                return;
            }
        } else if (options.nx || options.xx || options.keepTtl || keyspace.mayHoldExpiringKeys(call.db())) {
            old = keyspace.lookup(call.db(), key, call.now());
        } else {
            old = null; // replaced unread: no key of this database can be expired (a map lookup saved)
        }
        boolean found = old != null;
        if ((options.nx && found) || (options.xx && !found)) {
            if (!options.get) {
                call.reply().nullBulk();
            }
            return;
        }
        if (options.expire == null && options.keepTtl && found) {
            expireAt = Record.expireAtOf(old);
        }
        if (options.expire != null) {
            call.announce(SET_WITH_TTL);
        }
        StringKeys.store(call, key, value, false, expireAt);
        if (options.expire != null) {
            call.effect(SET, key, value, PXAT, Numbers.format(expireAt));
        } else if (options.keepTtl) {
            call.effect(SET, key, value, KEEPTTL);
        } else {
            call.effect(SET, key, value);
        }
        if (!options.get) {
            call.reply().simple("OK");
        }
    }

    private void setnx(Call call) {
        byte[] key = call.arg(1);
        if (call.keyspace().lookup(call.db(), key, call.now()) != null) {
            call.reply().integer(0);
            return;
        }
        StringKeys.store(call, key, call.arg(2), false, Record.NO_EXPIRY);
        call.reply().integer(1);
    }

    private void getset(Call call) {
        byte[] key = call.arg(1);
        if (!replyValue(call, call.keyspace().lookupRead(call.db(), key, call.now()))) {
            return;
        }
        StringKeys.store(call, key, call.arg(2), false, Record.NO_EXPIRY);
        call.effect(SET, key, call.arg(2));
    }

    private void getdel(Call call) {
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookupRead(call.db(), key, call.now());
        if (!replyValue(call, record) || record == null) {
            return;
        }
        call.keyspace().delete(call.db(), key, call.now());
        call.effect(DEL, key);
    }

    /** GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST]: the value, then the TTL change. */
    private void getex(Call call) {
        SetOptions options = SetOptions.parse(call, 2, false);
        if (options == null) {
            return;
        }
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookupRead(call.db(), key, call.now());
        if (record == null) {
            call.reply().nullBulk();
            return;
        }
        if (StringKeys.wrongType(call, record)) {
            return;
        }
        long expireAt = Record.NO_EXPIRY;
        if (options.expire != null) {
            // validated only once the key is known to exist, as Redis does
            expireAt = expireAtOrReply(call, options.expire, options.ex || options.exat, options.ex || options.px);
            if (expireAt < 0) {
                return;
            }
        }
        call.reply().bulk(record, StringKeys.valueOffset(record), StringKeys.valueLength(record));
        if ((options.exat || options.pxat) && expireAt <= call.now() && !call.keyspace().loading()) {
            // an absolute time already past deletes the key (Redis's checkAlreadyExpired)
            call.keyspace().delete(call.db(), key, call.now());
            call.effect(DEL, key);
        } else if (options.expire != null) {
            call.keyspace().put(call.db(), key, Record.decode(record).withExpiry(expireAt));
            call.effect(PEXPIREAT, key, Numbers.format(expireAt));
        } else if (options.persist && Record.expireAtOf(record) != Record.NO_EXPIRY) {
            call.announce(PERSISTED);
            call.keyspace().put(call.db(), key, Record.decode(record).withExpiry(Record.NO_EXPIRY));
            call.effect(PERSIST, key);
        }
    }

    /**
     * Redis's getExpireMillisecondsOrReply: an expire argument as absolute unix ms, refusing values
     * that are not positive or whose conversion overflows.
     *
     * @return the time, or -1 after replying the error
     */
    private static long expireAtOrReply(Call call, byte[] argument, boolean seconds, boolean relative) {
        Long parsed = Numbers.parseLong(argument);
        if (parsed == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return -1;
        }
        long millis = parsed;
        if (millis <= 0 || (seconds && millis > Long.MAX_VALUE / 1000)) {
            call.reply().error(Errors.invalidExpire(call.spec().name()));
            return -1;
        }
        if (seconds) {
            millis *= 1000;
        }
        if (relative) {
            millis += call.now(); // wraps negative on overflow, caught below as in Redis
        }
        if (millis <= 0) {
            call.reply().error(Errors.invalidExpire(call.spec().name()));
            return -1;
        }
        return millis;
    }

    // ---- multiple keys ----------------------------------------------------------------------------

    private void mget(Call call) {
        ReplyWriter reply = call.reply();
        reply.array(call.argc() - 1);
        for (int i = 1; i < call.argc(); i++) {
            byte[] record = call.keyspace().lookupRead(call.db(), call.arg(i), call.now());
            if (record == null || !StringKeys.isString(record)) {
                reply.nullBulk();
            } else {
                reply.bulk(record, StringKeys.valueOffset(record), StringKeys.valueLength(record));
            }
        }
    }

    private void mset(Call call, boolean onlyIfNoneExists) {
        if (call.argc() % 2 == 0) {
            call.wrongArity();
            return;
        }
        if (onlyIfNoneExists) {
            for (int i = 1; i < call.argc(); i += 2) {
                if (call.keyspace().lookup(call.db(), call.arg(i), call.now()) != null) {
                    call.reply().integer(0);
                    return;
                }
            }
        }
        for (int i = 1; i < call.argc(); i += 2) {
            StringKeys.store(call, call.arg(i), call.arg(i + 1), false, Record.NO_EXPIRY);
        }
        if (onlyIfNoneExists) {
            call.reply().integer(1);
        } else {
            call.reply().simple("OK");
        }
    }

    // ---- in-place modification ------------------------------------------------------------------

    private void append(Call call) {
        byte[] key = call.arg(1);
        byte[] suffix = call.arg(2);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null) {
            StringKeys.store(call, key, suffix, false, Record.NO_EXPIRY);
            call.reply().integer(suffix.length);
            return;
        }
        if (StringKeys.wrongType(call, record)) {
            return;
        }
        int offset = StringKeys.valueOffset(record);
        int length = StringKeys.valueLength(record);
        long total = (long) length + suffix.length;
        if (total > StringKeys.maxLength(call)) {
            call.reply().error(Errors.STRING_TOO_LONG);
            return;
        }
        byte[] value = new byte[(int) total];
        System.arraycopy(record, offset, value, 0, length);
        System.arraycopy(suffix, 0, value, length, suffix.length);
        StringKeys.store(call, key, value, true, Record.expireAtOf(record));
        call.reply().integer(total);
    }

    private void strlen(Call call) {
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        if (!StringKeys.wrongType(call, record)) {
            call.reply().integer(StringKeys.valueLength(record));
        }
    }

    private void getrange(Call call) {
        Long start = Numbers.parseLong(call.arg(2));
        Long end = start == null ? null : Numbers.parseLong(call.arg(3));
        if (end == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return;
        }
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().bulk(EMPTY);
            return;
        }
        if (StringKeys.wrongType(call, record)) {
            return;
        }
        long length = StringKeys.valueLength(record);
        long[] range = clampRange(start, end, length);
        if (range == null) {
            call.reply().bulk(EMPTY);
        } else {
            int from = StringKeys.valueOffset(record) + (int) range[0];
            call.reply().bulk(record, from, (int) (range[1] - range[0] + 1));
        }
    }

    /**
     * GETRANGE's index rules: negative indexes count from the end, both are clamped into the string,
     * and a range that is empty after that (or two negative indexes in the wrong order) is null.
     */
    private static long[] clampRange(long start, long end, long length) {
        if (start < 0 && end < 0 && start > end) {
            return null;
        }
        if (start < 0) {
            start += length;
        }
        if (end < 0) {
            end += length;
        }
        start = Math.max(start, 0);
        end = Math.max(end, 0);
        if (end >= length) {
            end = length - 1;
        }
        return start > end || length == 0 ? null : new long[]{start, end};
    }

    private void setrange(Call call) {
        byte[] key = call.arg(1);
        byte[] patch = call.arg(3);
        Long parsedOffset = Numbers.parseLong(call.arg(2));
        if (parsedOffset == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return;
        }
        long offset = parsedOffset;
        if (offset < 0) {
            call.reply().error(Errors.OFFSET_OUT_OF_RANGE);
            return;
        }
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record != null && StringKeys.wrongType(call, record)) {
            return;
        }
        int oldLength = record == null ? 0 : StringKeys.valueLength(record);
        if (patch.length == 0) {
            call.reply().integer(oldLength);
            return;
        }
        long end = offset + patch.length;
        if (end < 0 || end > StringKeys.maxLength(call)) {
            call.reply().error(Errors.STRING_TOO_LONG);
            return;
        }
        byte[] value = new byte[(int) Math.max(end, oldLength)];
        if (record != null) {
            System.arraycopy(record, StringKeys.valueOffset(record), value, 0, oldLength);
        }
        System.arraycopy(patch, 0, value, (int) offset, patch.length);
        long expireAt = record == null ? Record.NO_EXPIRY : Record.expireAtOf(record);
        StringKeys.store(call, key, value, true, expireAt);
        call.reply().integer(value.length);
    }

    // ---- counters ---------------------------------------------------------------------------------

    /** INCRBY / DECRBY: the increment is parsed before the key is looked at. */
    private void incrByArgument(Call call, boolean decrement) {
        Long increment = Numbers.parseLong(call.arg(2));
        if (increment == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return;
        }
        if (decrement && increment == Long.MIN_VALUE) {
            call.reply().error(Errors.DECREMENT_OVERFLOW);
            return;
        }
        incrBy(call, decrement ? -increment : increment);
    }

    private void incrBy(Call call, long increment) {
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (StringKeys.wrongType(call, record)) {
            return;
        }
        long value = 0;
        if (record != null) {
            Long parsed = Numbers.parseLong(record, StringKeys.valueOffset(record), StringKeys.valueLength(record));
            if (parsed == null) {
                call.reply().error(Errors.NOT_INTEGER);
                return;
            }
            value = parsed;
        }
        if ((increment < 0 && value < 0 && increment < Long.MIN_VALUE - value)
                || (increment > 0 && value > 0 && increment > Long.MAX_VALUE - value)) {
            call.reply().error(Errors.OVERFLOW);
            return;
        }
        long result = value + increment;
        long expireAt = record == null ? Record.NO_EXPIRY : Record.expireAtOf(record);
        StringKeys.store(call, key, Numbers.format(result), false, expireAt);
        call.reply().integer(result);
    }

    /** INCRBYFLOAT in x87 long double precision, as Redis on x86-64 computes it. */
    private void incrbyfloat(Call call) {
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (StringKeys.wrongType(call, record)) {
            return;
        }
        LongDouble value = record == null ? LongDouble.ZERO
                : Numbers.parseLongDouble(record, StringKeys.valueOffset(record), StringKeys.valueLength(record));
        LongDouble increment = value == null ? null : Numbers.parseLongDouble(call.arg(2));
        if (increment == null) {
            call.reply().error(Errors.NOT_FLOAT);
            return;
        }
        LongDouble sum = value.add(increment);
        if (!sum.isFinite()) {
            call.reply().error(Errors.INCR_NAN_OR_INF);
            return;
        }
        byte[] result = Numbers.formatLongDouble(sum).getBytes(StandardCharsets.US_ASCII);
        long expireAt = record == null ? Record.NO_EXPIRY : Record.expireAtOf(record);
        StringKeys.storeText(call, key, result, expireAt);
        call.reply().bulk(result);
        call.effect(SET, key, result, KEEPTTL);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The options SET and GETEX share, accepted and refused exactly as Redis's
     * parseExtendedStringArgumentsOrReply does: an option may repeat, but not combine with one it
     * conflicts with.
     */
    private static final class SetOptions {
        boolean nx;
        boolean xx;
        boolean get;
        boolean keepTtl;
        boolean persist;
        boolean ex;
        boolean px;
        boolean exat;
        boolean pxat;
        /** The argument of EX/PX/EXAT/PXAT (the last one given), or null. */
        byte[] expire;

        /**
         * @param from  index of the first option
         * @param isSet SET's options (NX XX GET KEEPTTL) rather than GETEX's (PERSIST)
         * @return the options, or null after replying a syntax error
         */
        static SetOptions parse(Call call, int from, boolean isSet) {
            SetOptions o = new SetOptions();
            for (int j = from; j < call.argc(); j++) {
                boolean hasNext = j < call.argc() - 1;
                boolean anyTtl = o.ex || o.px || o.exat || o.pxat;
                if (isSet && call.argIs(j, "nx") && !o.xx) {
                    o.nx = true;
                } else if (isSet && call.argIs(j, "xx") && !o.nx) {
                    o.xx = true;
                } else if (isSet && call.argIs(j, "get")) {
                    o.get = true;
                } else if (isSet && call.argIs(j, "keepttl") && !anyTtl) {
                    o.keepTtl = true;
                } else if (!isSet && call.argIs(j, "persist") && !anyTtl) {
                    o.persist = true;
                } else if (hasNext && !o.keepTtl && !o.persist && call.argIs(j, "ex") && !o.px && !o.exat && !o.pxat) {
                    o.ex = true;
                    o.expire = call.arg(++j);
                } else if (hasNext && !o.keepTtl && !o.persist && call.argIs(j, "px") && !o.ex && !o.exat && !o.pxat) {
                    o.px = true;
                    o.expire = call.arg(++j);
                } else if (hasNext && !o.keepTtl && !o.persist && call.argIs(j, "exat") && !o.ex && !o.px && !o.pxat) {
                    o.exat = true;
                    o.expire = call.arg(++j);
                } else if (hasNext && !o.keepTtl && !o.persist && call.argIs(j, "pxat") && !o.ex && !o.px && !o.exat) {
                    o.pxat = true;
                    o.expire = call.arg(++j);
                } else {
                    call.syntaxError();
                    return null;
                }
            }
            return o;
        }
    }
}
