package dev.millrace.engine.stream;

import dev.millrace.engine.types.Bytes;

/**
 * A stream's retention policy, a Millrace extension in the spirit of a Kafka topic's: entries older
 * than {@code maxAgeMillis} (by their ID's milliseconds) or beyond the newest {@code maxBytes} of
 * log are trimmed in the background (0: no such limit).
 *
 * <p>Undelivered entries: unless {@code dropUndelivered}, retention never trims an entry some
 * consumer group has not been delivered yet (one above a group's last-delivered ID); delivered but
 * unacknowledged entries may go, as with XTRIM. With {@code dropUndelivered} the limits alone decide,
 * as in Kafka, where retention ignores consumers.
 *
 * <p>Encoded in the stream's record as max age (long), max bytes (long), drop-undelivered (byte);
 * all bits set means "no policy of its own: the server's defaults apply".
 */
public record Retention(long maxAgeMillis, long maxBytes, boolean dropUndelivered) {
    static final int BYTES = 17;

    /** Whether the policy limits anything. */
    public boolean limits() {
        return maxAgeMillis > 0 || maxBytes > 0;
    }

    static Retention decode(byte[] payload, int at) {
        long age = Bytes.getLong(payload, at);
        if (age == -1) {
            return null;
        }
        return new Retention(age, Bytes.getLong(payload, at + 8), payload[at + 16] != 0);
    }

    static void encode(Retention retention, byte[] out, int at) {
        Bytes.putLong(out, at, retention == null ? -1 : retention.maxAgeMillis);
        Bytes.putLong(out, at + 8, retention == null ? -1 : retention.maxBytes);
        out[at + 16] = (byte) (retention == null ? -1 : retention.dropUndelivered ? 1 : 0);
    }
}
