package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.keyspace.AccessClock;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.stream.Stream;

/**
 * A stream key's {@link Stream} with the record it was loaded from: how the stream commands read a
 * stream from the keyspace and write it back. A stream's record is always paged (its payload is
 * {@link Stream#encodeInto}); unlike other collections an empty stream stays (Redis keeps it, with its
 * last ID). Execution thread only.
 */
final class StoredStream {
    private final Record record;
    private final Stream stream;

    private StoredStream(Record record, Stream stream) {
        this.record = record;
        this.stream = stream;
    }

    /**
     * The stream held by an encoded record of type STREAM: the one the previous command on the key saved
     * it from, when it is still the same (pipelined XADDs on one stream decode its record once a batch),
     * else decoded.
     */
    static StoredStream load(Call call, byte[] encoded) {
        if (call.keyspace().takeDecoded(encoded) instanceof StoredStream saved) {
            return saved;
        }
        Record record = Record.decode(encoded);
        return new StoredStream(record, Stream.decode(call.keyspace().store(), record.payload(), call.keyspace().loading()));
    }

    /**
     * The stream under argument {@code argIndex}, which must exist: replies "ERR no such key" or
     * WRONGTYPE and returns null otherwise (XINFO, MILLRACE.XRETENTION ...).
     *
     * @param forWrite a write command's lookup (no hit or miss counted) rather than a read's
     */
    static StoredStream existing(Call call, int argIndex, boolean forWrite) {
        byte[] key = call.arg(argIndex);
        byte[] record = forWrite ? call.keyspace().lookup(call.db(), key, call.now())
                : call.keyspace().lookupRead(call.db(), key, call.now());
        if (record == null) {
            call.reply().error(Errors.NO_SUCH_KEY);
            return null;
        }
        if (Record.typeOf(record) != ValueType.STREAM) {
            call.wrongType();
            return null;
        }
        return load(call, record);
    }

    /** A new, empty stream for a key that does not exist. */
    static StoredStream create(Call call) {
        Record record = Record.collection(ValueType.STREAM, AccessClock.at(call.now()), Record.NO_EXPIRY, new byte[0], true);
        return new StoredStream(record, Stream.create(call.keyspace().store(), call.keyspace().loading(),
                call.engine().streamInlineLimit()));
    }

    Stream stream() {
        return stream;
    }

    /** Writes the stream's state back under {@code key} after its entries changed: one keyspace change. */
    void save(Call call, byte[] key) {
        call.keyspace().putOwnerEncoded(call.db(), key, recordOf(record, stream), stream.pages());
        call.keyspace().holdDecoded(this);
        call.engine().streamRetention().noteWrite(call.db(), key, stream);
    }

    /**
     * Writes the stream's state back after only its consumer groups or last ID changed (XGROUP,
     * XREADGROUP, XACK, XCLAIM, XAUTOCLAIM, XSETID): a change, but not one that breaks a WATCH, as in
     * Redis 7.0 (see {@link dev.millrace.engine.keyspace.KeyChanges#streamMetadataChanged}).
     */
    void saveMetadata(Call call, byte[] key) {
        call.keyspace().putStreamMetadata(call.db(), key, recordOf(record, stream), stream.pages());
        call.keyspace().holdDecoded(this);
        call.engine().streamRetention().noteWrite(call.db(), key, stream);
    }

    /** A stream's record now: {@code record}'s header (type, clock, TTL), {@code stream}'s state as its payload. */
    static byte[] recordOf(Record record, Stream stream) {
        byte[] encoded = record.encodeCollection(Stream.PAYLOAD_BYTES);
        stream.encodeInto(encoded, Record.payloadOffset(encoded));
        return encoded;
    }
}
