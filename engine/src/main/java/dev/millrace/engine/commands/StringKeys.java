package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.keyspace.AccessClock;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;

import java.util.Arrays;

/**
 * What the string and bit families share about a string key: its value inside an encoded record
 * (read in place, without a copy), the WRONGTYPE check, storing a new value, and the size limit.
 * Stateless; execution thread only, like every handler.
 */
final class StringKeys {
    private StringKeys() { }

    static boolean isString(byte[] record) {
        return Record.typeOf(record) == ValueType.STRING;
    }

    /** Replies WRONGTYPE and returns true when the key exists but is not a string. */
    static boolean wrongType(Call call, byte[] record) {
        if (record != null && !isString(record)) {
            call.wrongType();
            return true;
        }
        return false;
    }

    /** Where the value starts inside an encoded string record. */
    static int valueOffset(byte[] record) {
        return Record.payloadOffset(record);
    }

    static int valueLength(byte[] record) {
        return record.length - Record.payloadOffset(record);
    }

    /** A copy of the value of an encoded string record. */
    static byte[] value(byte[] record) {
        return Arrays.copyOfRange(record, Record.payloadOffset(record), record.length);
    }

    /**
     * Stores {@code value} as the string at {@code key}, replacing whatever was there.
     *
     * @param raw      whether Redis would now hold it "raw" encoded because it was modified in place
     * @param expireAt absolute expiry in unix ms, or {@link Record#NO_EXPIRY}
     */
    static void store(Call call, byte[] key, byte[] value, boolean raw, long expireAt) {
        Record record = new Record(ValueType.STRING, raw, AccessClock.at(call.now()), expireAt, value);
        call.keyspace().putEncoded(call.db(), key, record.encode());
    }

    /**
     * Stores {@code value} as a string Redis would not integer-encode even when it reads as an integer
     * (INCRBYFLOAT creates its result so), replacing whatever was there.
     */
    static void storeText(Call call, byte[] key, byte[] value, long expireAt) {
        Record record = new Record(ValueType.STRING, false, true, AccessClock.at(call.now()), expireAt, value);
        call.keyspace().putEncoded(call.db(), key, record.encode());
    }

    /**
     * The largest string a command may create (proto-max-bulk-len). Unbounded while replaying the AOF:
     * what was accepted once must load again even if the limit was lowered since (Redis's
     * mustObeyClient).
     */
    static long maxLength(Call call) {
        return call.keyspace().loading() ? Long.MAX_VALUE : call.engine().config().getLong("proto-max-bulk-len");
    }
}
