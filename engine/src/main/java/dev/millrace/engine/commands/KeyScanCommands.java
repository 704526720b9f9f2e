package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.Keyspace;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.util.Glob;
import dev.millrace.engine.util.Numbers;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Walking the keyspace: KEYS, SCAN and RANDOMKEY, over {@link KeyStore#scan} and
 * {@link KeyStore#randomKey}. Registered through {@link KeyCommands}. Execution thread only.
 */
final class KeyScanCommands implements CommandFamily {
    /** Redis's default SCAN COUNT. */
    private static final long DEFAULT_COUNT = 10;

    @Override
    public void register(Bindings bind) {
        bind.bind("keys", this::keys);
        bind.bind("scan", this::scan);
        bind.bind("randomkey", this::randomKey);
    }

    /**
     * KEYS pattern: every live key matching the pattern. O(keys in the database). Expired keys are
     * skipped but not deleted, as in Redis.
     */
    private void keys(Call call) {
        byte[] pattern = call.arg(1);
        boolean all = pattern.length == 1 && pattern[0] == '*';
        boolean skipExpired = !call.keyspace().loading();
        long now = call.now();
        // A set, because the store promises a scan visits each key at least once, not exactly once.
        Set<ByteBuffer> matched = new LinkedHashSet<>();
        KeyStore store = call.keyspace().store();
        long cursor = 0;
        do {
            cursor = store.scan(call.db(), cursor, 1000, (key, record) -> {
                if ((all || Glob.matches(pattern, key, false)) && !(skipExpired && Record.isExpiredAt(record, now))) {
                    matched.add(ByteBuffer.wrap(key));
                }
            });
        } while (cursor != 0);
        call.reply().array(matched.size());
        for (ByteBuffer key : matched) {
            call.reply().bulk(key.array());
        }
    }

    /**
     * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type], as Redis's scanGenericCommand: collect
     * about COUNT keys from the store, then drop those not matching the pattern, those not of the type
     * (looked up as a read, which expires the key lazily and counts a hit or miss) and those that have
     * expired (deleted here).
     */
    private void scan(Call call) {
        Long parsed = parseCursor(call.arg(1));
        if (parsed == null) {
            call.reply().error(Errors.SCAN_CURSOR);
            return;
        }
        long count = DEFAULT_COUNT;
        byte[] pattern = null;
        String type = null;
        for (int i = 2; i < call.argc(); i += 2) {
            boolean hasValue = i + 1 < call.argc();
            if (call.argIs(i, "count") && hasValue) {
                Long value = Numbers.parseLong(call.arg(i + 1));
                if (value == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return;
                }
                if (value < 1) {
                    call.syntaxError();
                    return;
                }
                count = value;
            } else if (call.argIs(i, "match") && hasValue) {
                byte[] p = call.arg(i + 1);
                pattern = p.length == 1 && p[0] == '*' ? null : p;
            } else if (call.argIs(i, "type") && hasValue) {
                type = call.argString(i + 1);
            } else {
                call.syntaxError();
                return;
            }
        }

        Keyspace keyspace = call.keyspace();
        int db = call.db();
        List<byte[]> visited = new ArrayList<>();
        long cursor = parsed;
        // Like Redis, stop after ten times COUNT store steps even if they found fewer keys.
        long stepsLeft = count > Long.MAX_VALUE / 10 ? Long.MAX_VALUE : count * 10;
        do {
            int hint = (int) Math.min(count - visited.size(), Integer.MAX_VALUE);
            cursor = keyspace.store().scan(db, cursor, hint, (key, record) -> visited.add(key));
        } while (cursor != 0 && --stepsLeft > 0 && visited.size() < count);

        List<byte[]> kept = new ArrayList<>(visited.size());
        for (byte[] key : visited) {
            if (pattern != null && !Glob.matches(pattern, key, false)) {
                continue;
            }
            if (type != null && !type.equalsIgnoreCase(typeName(call.keyspace().lookupReadNoTouch(call.db(), key, call.now())))) {
                continue;
            }
            // Redis's expireIfNeeded on a key that is gone (deleted by the TYPE lookup) does not filter it.
            byte[] record = keyspace.store().get(db, key);
            if (record != null && keyspace.expireIfNeeded(db, key, record, call.now())) {
                continue;
            }
            kept.add(key);
        }
        call.reply().array(2);
        call.reply().bulk(Long.toString(cursor));
        call.reply().array(kept.size());
        for (byte[] key : kept) {
            call.reply().bulk(key);
        }
    }

    private static String typeName(byte[] record) {
        return record == null ? "none" : Record.typeOf(record).typeName;
    }

    /**
     * Parses a cursor as Redis does with strtoul: an unsigned 64-bit decimal with an optional sign
     * (a '-' negates modulo 2^64), no leading space, nothing after the digits; the empty string is 0.
     *
     * @return the cursor's 64 bits, or null when it is not a valid cursor
     */
    static Long parseCursor(byte[] text) {
        if (text.length == 0) {
            return 0L;
        }
        int i = 0;
        boolean negative = false;
        if (text[0] == '+' || text[0] == '-') {
            negative = text[0] == '-';
            i = 1;
        }
        if (i == text.length) {
            return null;
        }
        for (int k = i; k < text.length; k++) {
            if (text[k] < '0' || text[k] > '9') {
                return null;
            }
        }
        BigInteger value = new BigInteger(new String(text, i, text.length - i, StandardCharsets.US_ASCII));
        if (value.bitLength() > 64) {
            return null;
        }
        long bits = value.longValue();
        return negative ? -bits : bits;
    }

    /**
     * RANDOMKEY: a random live key, or null when the database is empty. An expired key drawn is
     * deleted and another one drawn, as Redis does on a master: every retry deletes a key, so the loop
     * ends. While loading nothing expires and the first key drawn is returned.
     */
    private void randomKey(Call call) {
        Keyspace keyspace = call.keyspace();
        int db = call.db();
        while (true) {
            byte[] key = keyspace.store().randomKey(db);
            if (key == null) {
                call.reply().nullBulk();
                return;
            }
            byte[] record = keyspace.store().get(db, key);
            if (record != null && keyspace.expireIfNeeded(db, key, record, call.now())) {
                continue;
            }
            call.reply().bulk(key);
            return;
        }
    }
}
