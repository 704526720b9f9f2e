package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;

/**
 * Setting, reading and removing TTLs: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX, XX, GT, LT), TTL,
 * PTTL, EXPIRETIME, PEXPIRETIME, PERSIST. Registered through {@link KeyCommands}.
 *
 * <p>Effects: a TTL that was set is logged as {@code PEXPIREAT key <absolute ms>} with the condition
 * dropped; an expire time already past deletes the key and is logged as {@code DEL key}. While the
 * keyspace is loading (AOF replay) a past time sets the expiry instead of deleting, as Redis's
 * checkAlreadyExpired does, so replay never decides an expiry by itself. Execution thread only.
 */
final class ExpireCommands implements CommandFamily {
    private static final byte[] PEXPIREAT = "PEXPIREAT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DEL = "DEL".getBytes(StandardCharsets.US_ASCII);

    /** The conditions of EXPIRE and friends, as Redis's EXPIRE_NX ... EXPIRE_LT flags. */
    private record Condition(boolean nx, boolean xx, boolean gt, boolean lt) {
        static final Condition NONE = new Condition(false, false, false, false);

        /** Whether a new expiry {@code when} may replace {@code current} ({@link Record#NO_EXPIRY} = none). */
        boolean allows(long current, long when) {
            boolean persistent = current == Record.NO_EXPIRY;
            if (nx && !persistent) {
                return false;
            }
            if (xx && persistent) {
                return false;
            }
            // No TTL counts as an infinite one: GT never beats it, LT always does.
            if (gt && (persistent || when <= current)) {
                return false;
            }
            return !(lt && !persistent && when >= current);
        }
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("expire", call -> expire(call, call.now(), 1000));
        bind.bind("pexpire", call -> expire(call, call.now(), 1));
        bind.bind("expireat", call -> expire(call, 0, 1000));
        bind.bind("pexpireat", call -> expire(call, 0, 1));
        bind.bind("ttl", call -> ttl(call, false, true));
        bind.bind("pttl", call -> ttl(call, false, false));
        bind.bind("expiretime", call -> ttl(call, true, true));
        bind.bind("pexpiretime", call -> ttl(call, true, false));
        bind.bind("persist", this::persist);
    }

    /**
     * The four EXPIRE commands, as Redis's expireGenericCommand: options, then the number, then the
     * overflow checks, then the key.
     *
     * @param baseMillis added to the given time: the command's time for relative forms, 0 for absolute
     * @param unitMillis 1000 when the time is in seconds, 1 in milliseconds
     */
    private void expire(Call call, long baseMillis, long unitMillis) {
        Condition condition = parseCondition(call);
        if (condition == null) {
            return;
        }
        Long given = Numbers.parseLong(call.arg(2));
        if (given == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return;
        }
        long when = given;
        if (when > Long.MAX_VALUE / unitMillis || when < Long.MIN_VALUE / unitMillis) {
            call.reply().error(Errors.invalidExpire(call.spec().name()));
            return;
        }
        when *= unitMillis;
        if (when > Long.MAX_VALUE - baseMillis) {
            call.reply().error(Errors.invalidExpire(call.spec().name()));
            return;
        }
        when += baseMillis;

        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null || !condition.allows(Record.expireAtOf(record), when)) {
            call.reply().integer(0);
            return;
        }
        if (when <= call.now() && !call.keyspace().loading()) {
            call.keyspace().delete(call.db(), key, call.now());
            call.effect(DEL, key);
        } else {
            call.keyspace().putEncoded(call.db(), key, Record.encodedWithExpiry(record, when));
            call.effect(PEXPIREAT, key, Numbers.format(when));
        }
        call.reply().integer(1);
    }

    /** Parses NX, XX, GT, LT from argument 3 on; replies with the error and returns null when invalid. */
    private static Condition parseCondition(Call call) {
        if (call.argc() == 3) {
            return Condition.NONE;
        }
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < call.argc(); i++) {
            if (call.argIs(i, "nx")) {
                nx = true;
            } else if (call.argIs(i, "xx")) {
                xx = true;
            } else if (call.argIs(i, "gt")) {
                gt = true;
            } else if (call.argIs(i, "lt")) {
                lt = true;
            } else {
                call.reply().error(Errors.unsupportedOption(call.argString(i)));
                return null;
            }
        }
        if (nx && (xx || gt || lt)) {
            call.reply().error(Errors.NX_XX_GT_LT);
            return null;
        }
        if (gt && lt) {
            call.reply().error(Errors.EXPIRE_GT_AND_LT);
            return null;
        }
        return new Condition(nx, xx, gt, lt);
    }

    /**
     * TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for no key, -1 for no TTL; seconds are rounded to the
     * nearest (Redis adds 500 ms before dividing), the relative forms never go below 0.
     */
    private void ttl(Call call, boolean absolute, boolean inSeconds) {
        byte[] record = call.keyspace().lookupReadNoTouch(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().integer(-2);
            return;
        }
        long expireAt = Record.expireAtOf(record);
        if (expireAt == Record.NO_EXPIRY) {
            call.reply().integer(-1);
            return;
        }
        long value = Math.max(0, absolute ? expireAt : expireAt - call.now());
        // (value + 500) / 1000 without overflowing near Long.MAX_VALUE (PEXPIREAT accepts it)
        call.reply().integer(inSeconds ? value / 1000 + (value % 1000 >= 500 ? 1 : 0) : value);
    }

    private void persist(Call call) {
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null || Record.expireAtOf(record) == Record.NO_EXPIRY) {
            call.reply().integer(0);
            return;
        }
        call.keyspace().putEncoded(call.db(), key, Record.encodedWithExpiry(record, Record.NO_EXPIRY));
        call.reply().integer(1);
    }
}
