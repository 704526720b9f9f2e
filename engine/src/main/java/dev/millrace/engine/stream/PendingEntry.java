package dev.millrace.engine.stream;

import dev.millrace.engine.types.Bytes;

import java.util.Arrays;

/**
 * An entry a consumer group delivered and nobody acknowledged yet (Redis's {@code streamNACK}): who
 * owns it, when it was last delivered (unix ms) and how many times. Stored as the value of the group's
 * pending-entries tree, keyed by the entry's ID: {@code long delivery time, long delivery count,
 * consumer name}. Immutable.
 */
public record PendingEntry(StreamId id, byte[] consumer, long deliveryTime, long deliveryCount) {

    byte[] encodeValue() {
        byte[] out = new byte[16 + consumer.length];
        Bytes.putLong(out, 0, deliveryTime);
        Bytes.putLong(out, 8, deliveryCount);
        System.arraycopy(consumer, 0, out, 16, consumer.length);
        return out;
    }

    static PendingEntry decode(byte[] key, byte[] value) {
        return new PendingEntry(StreamId.decode(key, 0), Arrays.copyOfRange(value, 16, value.length),
                Bytes.getLong(value, 0), Bytes.getLong(value, 8));
    }

    static byte[] key(StreamId id) {
        byte[] key = new byte[StreamId.BYTES];
        id.encode(key, 0);
        return key;
    }

    public boolean ownedBy(byte[] name) {
        return Arrays.equals(consumer, name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PendingEntry other && id.equals(other.id) && Arrays.equals(consumer, other.consumer)
                && deliveryTime == other.deliveryTime && deliveryCount == other.deliveryCount;
    }

    @Override
    public int hashCode() {
        return 31 * id.hashCode() + Arrays.hashCode(consumer);
    }
}
