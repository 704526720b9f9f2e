package dev.millrace.engine.commands;

import dev.millrace.engine.stream.ConsumerGroup;
import dev.millrace.engine.stream.PendingEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;

/**
 * How consumer-group changes are logged, as Redis propagates them (t_stream.c's
 * streamPropagateXCLAIM, streamPropagateGroupID, streamPropagateConsumerCreation): deterministic
 * commands that, replayed, set the state the original command reached whatever the clock says.
 * Stateless.
 */
final class GroupEffects {
    private static final byte[] XCLAIM = bytes("XCLAIM");
    private static final byte[] XACK = bytes("XACK");
    private static final byte[] XGROUP = bytes("XGROUP");
    private static final byte[] SETID = bytes("SETID");
    private static final byte[] CREATECONSUMER = bytes("CREATECONSUMER");
    private static final byte[] ENTRIESREAD = bytes("ENTRIESREAD");
    private static final byte[] ZERO = bytes("0");
    private static final byte[] TIME = bytes("TIME");
    private static final byte[] RETRYCOUNT = bytes("RETRYCOUNT");
    private static final byte[] FORCE = bytes("FORCE");
    private static final byte[] JUSTID = bytes("JUSTID");
    private static final byte[] LASTID = bytes("LASTID");

    private GroupEffects() {
    }

    /**
     * {@code XCLAIM key group consumer 0 <id> TIME <ms> RETRYCOUNT <n> FORCE JUSTID LASTID <id>}: the
     * pending entry as it now is (FORCE creates it on replay; an entry no longer in the stream is
     * removed by it instead), and the group's last delivered ID.
     *
     * @param idArg the ID as the client wrote it (XCLAIM), or formatted
     */
    static byte[][] claim(byte[] key, ConsumerGroup group, PendingEntry entry, byte[] idArg) {
        return new byte[][] {XCLAIM, key, group.name(), entry.consumer(), ZERO, idArg,
                TIME, Numbers.format(entry.deliveryTime()), RETRYCOUNT, Numbers.format(entry.deliveryCount()),
                FORCE, JUSTID, LASTID, group.lastDelivered().toBytes()};
    }

    /** {@code XGROUP SETID key group <last delivered> ENTRIESREAD <n>}: the group's position. */
    static byte[][] position(byte[] key, ConsumerGroup group) {
        return new byte[][] {XGROUP, SETID, key, group.name(), group.lastDelivered().toBytes(),
                ENTRIESREAD, Numbers.format(group.entriesRead())};
    }

    /** {@code XACK key group <id>}: an entry leaves the group's PEL (a dead letter). */
    static byte[][] ack(byte[] key, ConsumerGroup group, StreamId id) {
        return new byte[][] {XACK, key, group.name(), id.toBytes()};
    }

    /** {@code XGROUP CREATECONSUMER key group consumer}. */
    static byte[][] consumerCreated(byte[] key, ConsumerGroup group, byte[] consumer) {
        return new byte[][] {XGROUP, CREATECONSUMER, key, group.name(), consumer};
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
