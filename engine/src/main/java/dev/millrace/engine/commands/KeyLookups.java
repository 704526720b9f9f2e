package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;

/**
 * The three ways a key command looks a key up, as Redis's lookupKeyRead, lookupKeyReadWithFlags(NOTOUCH)
 * and lookupKeyWrite: all expire the key lazily; reads count a keyspace hit or miss; all but
 * {@link #peek} stamp the access clock, unless the client asked for CLIENT NO-TOUCH (which TOUCH itself
 * ignores, as in Redis 7.2).
 */
final class KeyLookups {
    private KeyLookups() { }

    /** A read that counts a hit or miss and stamps the access clock. */
    static byte[] read(Call call, byte[] key) {
        byte[] record = call.keyspace().lookupRead(call.db(), key, call.now());
        return record == null ? null : touched(call, call.db(), key, record);
    }

    /** A read that counts a hit or miss but leaves the access clock (TTL, TYPE, EXISTS, OBJECT). */
    static byte[] peek(Call call, byte[] key) {
        return call.keyspace().lookupRead(call.db(), key, call.now());
    }

    /** A write command's lookup in database {@code db}: no hit or miss counted; stamps the access clock. */
    static byte[] write(Call call, int db, byte[] key) {
        byte[] record = call.keyspace().lookup(db, key, call.now());
        return record == null ? null : touched(call, db, key, record);
    }

    private static byte[] touched(Call call, int db, byte[] key, byte[] record) {
        if (call.session().noTouch() && !call.spec().name().equals("touch")) {
            return record;
        }
        return AccessClock.touch(call.keyspace().store(), db, key, record, call.now());
    }
}
