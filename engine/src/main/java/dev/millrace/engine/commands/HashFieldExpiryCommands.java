package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.notify.Announcement;
import dev.millrace.engine.notify.KeyEvent;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.types.HashField;
import dev.millrace.engine.types.HashValue;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis 7.4's hash-field expiry: HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT (with NX, XX, GT, LT),
 * HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME and HPERSIST, each taking {@code FIELDS numfields field
 * ...}. Replies, errors and the order of checks follow Redis 7.4's t_hash.c (the reference server,
 * 7.0, lacks these commands). Registered through {@link HashCommands}.
 *
 * <p>Replies per field: the setters -2 (no such field), 0 (condition not met), 1 (expiry set), 2
 * (deleted: the time is not in the future); HTTL and friends -2 (no such field), -1 (no expiry), else
 * the time; HPERSIST -2, -1, or 1 (expiry removed). A missing key answers -2 for every field, after
 * the arguments are checked.
 *
 * <p>Effects, as Redis 7.4 propagates them: a setter logs {@code HPEXPIREAT key <abs-ms> FIELDS n
 * ...} with only the fields it set (its condition dropped once decided) and {@code HDEL key field}
 * for each field it deleted; nothing when it changed nothing. HPERSIST logs itself. While loading a
 * time already past sets the expiry instead of deleting the field, as Redis's checkAlreadyExpired
 * does, so replay never decides an expiry by itself.
 *
 * <p>Execution thread only.
 */
final class HashFieldExpiryCommands implements CommandFamily {
    /** Redis 7.4's HFE_MAX_ABS_TIME_MSEC: the latest expiry a field can have, 2^46 - 1 ms. */
    static final long MAX_EXPIRE_AT = (0x0000FFFFFFFFFFFFL) >> 2;

    private static final byte[] HPEXPIREAT = "HPEXPIREAT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HDEL = "HDEL".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FIELDS = "FIELDS".getBytes(StandardCharsets.US_ASCII);

    private static final Announcement FIELDS_DELETED = Announcement.change(KeyEvent.HDEL);
    private static final Announcement EXPIRY_SET = Announcement.stores(KeyEvent.HEXPIRE);

    private static final int NO_FIELD = -2;
    private static final int CONDITION_NOT_MET = 0;
    private static final int SET = 1;
    private static final int DELETED = 2;
    private static final int NO_EXPIRY = -1;
    private static final int PERSISTED = 1;

    /** HEXPIRE's NX, XX, GT, LT (at most one). */
    private enum Condition {
        NONE, NX, XX, GT, LT;

        /** Whether an expiry {@code when} may replace the field's {@code current} one (NO_EXPIRY = none). */
        boolean allows(long current, long when) {
            if (current == HashField.NO_EXPIRY) {
                // No expiry counts as an infinite one: XX and GT fail, LT succeeds.
                return this != XX && this != GT;
            }
            return switch (this) {
                case NX -> false;
                case GT -> when > current;
                case LT -> when < current;
                default -> true;
            };
        }
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("hexpire", call -> expire(call, call.now(), 1000));
        bind.bind("hpexpire", call -> expire(call, call.now(), 1));
        bind.bind("hexpireat", call -> expire(call, 0, 1000));
        bind.bind("hpexpireat", call -> expire(call, 0, 1));
        bind.bind("httl", call -> ttl(call, call.now(), true));
        bind.bind("hpttl", call -> ttl(call, call.now(), false));
        bind.bind("hexpiretime", call -> ttl(call, 0, true));
        bind.bind("hpexpiretime", call -> ttl(call, 0, false));
        bind.bind("hpersist", this::persist);
    }

    /**
     * The four setters, as Redis 7.4's hexpireGenericCommand: the key's type, the time and its
     * range, the condition, FIELDS and numfields, then the fields one by one.
     *
     * @param baseMillis added to the given time: the command's time for relative forms, 0 for absolute
     * @param unitMillis 1000 when the time is in seconds, 1 in milliseconds
     */
    private void expire(Call call, long baseMillis, long unitMillis) {
        HashKey key = HashKey.write(call, call.arg(1));
        if (key == null) {
            return;
        }
        Long given = Numbers.parseLong(call.arg(2));
        if (given == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return;
        }
        long when = given;
        if (when < 0) {
            call.reply().error(Errors.FIELD_EXPIRE_NEGATIVE);
            return;
        }
        if (when > MAX_EXPIRE_AT / unitMillis || when * unitMillis > MAX_EXPIRE_AT - baseMillis) {
            call.reply().error(Errors.invalidExpire(call.spec().name()));
            return;
        }
        when = when * unitMillis + baseMillis;
        Condition condition = condition(call);
        int fieldsAt = condition == Condition.NONE ? 3 : 4;
        List<byte[]> fields = fieldsArgument(call, fieldsAt, Errors.NUMFIELDS_NOT_POSITIVE);
        if (fields == null) {
            return;
        }
        call.reply().array(fields.size());
        if (!key.exists()) {
            fields.forEach(f -> call.reply().integer(NO_FIELD));
            return;
        }
        HashValue hash = key.hash();
        // Redis 7.4 turns a listpack into a listpackex here, whatever becomes of the fields.
        boolean changed = !hash.isLarge() && !hash.fieldExpiryUsed();
        if (changed) {
            hash.useFieldExpiry();
        }
        boolean deleteNow = when <= call.now() && !call.keyspace().loading();
        boolean deleted = false;
        List<byte[]> set = new ArrayList<>();
        for (byte[] name : fields) {
            HashField field = hash.get(name);
            if (field == null) {
                call.reply().integer(NO_FIELD);
            } else if (!condition.allows(field.expireAt(), when)) {
                call.reply().integer(CONDITION_NOT_MET);
            } else if (deleteNow) {
                hash.remove(name);
                changed = true;
                deleted = true;
                call.effect(HDEL, call.arg(1), name);
                call.reply().integer(DELETED);
            } else {
                hash.setExpireAt(name, when);
                changed = true;
                set.add(name);
                call.reply().integer(SET);
            }
        }
        if (changed) {
            // As Redis 7.4: "hdel" if any field was deleted (then "del" if none is left), else "hexpire"
            // if any expiry was set, else (only the listpackex mark changed) nothing.
            call.announce(deleted ? FIELDS_DELETED : set.isEmpty() ? Announcement.NONE : EXPIRY_SET);
            key.save();
        }
        if (set.isEmpty()) {
            // Only deletions (logged above) or nothing: not even the listpackex mark is logged, as in Redis.
            call.noEffect();
            return;
        }
        byte[][] effect = new byte[5 + set.size()][];
        effect[0] = HPEXPIREAT;
        effect[1] = call.arg(1);
        effect[2] = Numbers.format(when);
        effect[3] = FIELDS;
        effect[4] = Numbers.format(set.size());
        for (int i = 0; i < set.size(); i++) {
            effect[5 + i] = set.get(i);
        }
        call.effect(effect);
    }

    /** The optional NX | XX | GT | LT at argument 3; anything else there must be FIELDS. */
    private static Condition condition(Call call) {
        for (Condition c : Condition.values()) {
            if (c != Condition.NONE && call.argIs(3, c.name())) {
                return c;
            }
        }
        return Condition.NONE;
    }

    /**
     * {@code FIELDS numfields field ...} from argument {@code at} to the end, checked as Redis 7.4
     * checks it; replies the error and returns null when it is malformed.
     *
     * @param notPositive the error for a numfields that is not a positive integer (it differs by command)
     */
    private static List<byte[]> fieldsArgument(Call call, int at, String notPositive) {
        if (!call.argIs(at, "fields")) {
            call.reply().error(Errors.FIELDS_MISSING);
            return null;
        }
        Long count = Numbers.parseLong(call.arg(at + 1));
        if (count == null || count < 1) {
            call.reply().error(notPositive);
            return null;
        }
        if (count != call.argc() - at - 2) {
            call.reply().error(Errors.NUMFIELDS_MISMATCH);
            return null;
        }
        List<byte[]> fields = new ArrayList<>(call.argc() - at - 2);
        for (int i = at + 2; i < call.argc(); i++) {
            fields.add(call.arg(i));
        }
        return fields;
    }

    /**
     * HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME: per field -2, -1 or the time; seconds are rounded up, as
     * Redis 7.4 does ({@code (ms + 999) / 1000}).
     *
     * @param baseMillis subtracted from the expiry: the command's time for TTLs, 0 for expiry times
     */
    private void ttl(Call call, long baseMillis, boolean inSeconds) {
        HashKey key = HashKey.read(call, call.arg(1));
        if (key == null) {
            return;
        }
        List<byte[]> fields = fieldsArgument(call, 2, Errors.NUMBER_OF_FIELDS_NOT_POSITIVE);
        if (fields == null) {
            return;
        }
        call.reply().array(fields.size());
        for (byte[] name : fields) {
            HashField field = key.exists() ? key.hash().get(name) : null;
            if (field == null) {
                call.reply().integer(NO_FIELD);
            } else if (!field.hasExpiry()) {
                call.reply().integer(NO_EXPIRY);
            } else {
                long left = field.expireAt() - baseMillis;
                call.reply().integer(inSeconds ? (left + 999) / 1000 : left);
            }
        }
    }

    private void persist(Call call) {
        HashKey key = HashKey.write(call, call.arg(1));
        if (key == null) {
            return;
        }
        List<byte[]> fields = fieldsArgument(call, 2, Errors.NUMBER_OF_FIELDS_NOT_POSITIVE);
        if (fields == null) {
            return;
        }
        call.reply().array(fields.size());
        boolean changed = false;
        for (byte[] name : fields) {
            HashField field = key.exists() ? key.hash().get(name) : null;
            if (field == null) {
                call.reply().integer(NO_FIELD);
            } else if (!field.hasExpiry()) {
                call.reply().integer(NO_EXPIRY);
            } else {
                key.hash().persist(name);
                changed = true;
                call.reply().integer(PERSISTED);
            }
        }
        if (changed) {
            key.save();
        }
    }
}
