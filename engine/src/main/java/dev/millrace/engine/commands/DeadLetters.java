package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.stream.ConsumerGroup;
import dev.millrace.engine.stream.DeadLetter;
import dev.millrace.engine.stream.PendingEntry;
import dev.millrace.engine.stream.Stream;
import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Millrace's dead letters ({@link DeadLetter}), applied by XCLAIM and XAUTOCLAIM: a pending entry
 * delivered as often as its group allows goes to the dead-letter stream and is acknowledged, instead
 * of being claimed again. Stateless; execution thread only.
 */
final class DeadLetters {
    private static final byte[] STREAM = bytes("dead-letter-stream");
    private static final byte[] ID = bytes("dead-letter-id");
    private static final byte[] GROUP = bytes("dead-letter-group");
    private static final byte[] DELIVERIES = bytes("dead-letter-deliveries");

    private DeadLetters() {
    }

    /**
     * Moves {@code pending} (an entry of {@code stream}, the key of argument 1) to its group's
     * dead-letter stream if it reached the group's limit: the entry's fields then the
     * {@code dead-letter-*} fields are added there, and the entry is acknowledged in the group. It is
     * left to be claimed as usual when the dead-letter key holds something other than a stream, or
     * that stream cannot take it. Logged as the XADD to the dead-letter stream and an XACK.
     *
     * @return whether the entry went to the dead letters
     */
    static boolean divert(Call call, Stream stream, ConsumerGroup group, PendingEntry pending) {
        DeadLetter policy = group.deadLetter();
        byte[] key = call.arg(1);
        if (policy == null || pending.deliveryCount() < policy.maxDeliveries() || Arrays.equals(policy.stream(), key)) {
            return false;
        }
        byte[] record = call.keyspace().lookup(call.db(), policy.stream(), call.now());
        if (record != null && Record.typeOf(record) != ValueType.STREAM) {
            return false;
        }
        byte[][] original = stream.entry(pending.id()).fieldsAndValues();
        byte[][] fields = Arrays.copyOf(original, original.length + 8);
        fields[original.length] = STREAM;
        fields[original.length + 1] = key;
        fields[original.length + 2] = ID;
        fields[original.length + 3] = pending.id().toBytes();
        fields[original.length + 4] = GROUP;
        fields[original.length + 5] = group.name();
        fields[original.length + 6] = DELIVERIES;
        fields[original.length + 7] = Numbers.format(pending.deliveryCount());
        if (StreamEntry.size(fields) > call.keyspace().store().streamLogs().maxEntryBytes()) {
            return false;
        }
        StoredStream target = record == null ? StoredStream.create(call) : StoredStream.load(call, record);
        StreamId id = target.stream().autoId(call.now());
        if (id == null) {
            return false;
        }
        target.stream().add(id, fields, call.engine().streamInlineLimit());
        target.save(call, policy.stream());
        call.effect(StreamCommands.xaddEffect(policy.stream(), id.toBytes(), fields));
        group.removePending(pending.id());
        call.effect(GroupEffects.ack(key, group, pending.id()));
        return true;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
