package dev.millrace.engine.stream;

/**
 * A consumer group's dead-letter policy, a Millrace extension: Redis only counts deliveries. An
 * entry that was delivered {@code maxDeliveries} times and is still pending is, when XCLAIM or
 * XAUTOCLAIM next reach for it, added to the stream {@code stream} (its fields, then
 * {@code dead-letter-stream}, {@code dead-letter-id}, {@code dead-letter-group} and
 * {@code dead-letter-deliveries}) and acknowledged in the group, instead of being delivered again.
 */
public record DeadLetter(long maxDeliveries, byte[] stream) {
}
