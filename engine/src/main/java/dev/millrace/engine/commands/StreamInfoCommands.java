package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.stream.Consumer;
import dev.millrace.engine.stream.ConsumerGroup;
import dev.millrace.engine.stream.PendingEntry;
import dev.millrace.engine.stream.RadixTreeShape;
import dev.millrace.engine.stream.Retention;
import dev.millrace.engine.stream.ReadCounters;
import dev.millrace.engine.stream.Stream;
import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.util.Numbers;

import java.util.Iterator;
import java.util.List;

/**
 * XINFO STREAM [FULL [COUNT n]], GROUPS, CONSUMERS and HELP, as Redis 7.0's xinfoCommand replies
 * (maps in RESP3, flat arrays in RESP2). radix-tree-keys and radix-tree-nodes describe Redis's radix
 * tree of listpack nodes for the stream's entries, modelled as {@link Stream#nodeKeys} and
 * {@link RadixTreeShape}: O(nodes) to compute, where Redis reads two counters, so only up to
 * {@link #EXACT_SHAPE_NODES} nodes (an O(1) estimate above). Read-only; execution
 * thread only.
 */
public final class StreamInfoCommands implements CommandFamily {
    /** XINFO STREAM FULL shows this many entries, pending entries and consumer pending entries by default. */
    private static final long DEFAULT_FULL_COUNT = 10;
    /**
     * Up to this many listpack nodes XINFO STREAM computes Redis's radix-tree-keys and -nodes exactly
     * (O(nodes) log reads); above, it reports the node count and twice it, in O(1).
     */
    private static final long EXACT_SHAPE_NODES = 1024;

    @Override
    public void register(Bindings bind) {
        bind.bind("xinfo|stream", this::stream);
        bind.bind("xinfo|groups", this::groups);
        bind.bind("xinfo|consumers", this::consumers);
        bind.bind("xinfo|help", call -> HelpReply.reply(call,
                "CONSUMERS <key> <groupname>",
                "    Show consumers of <groupname>.",
                "GROUPS <key>",
                "    Show the stream consumer groups.",
                "STREAM <key> [FULL [COUNT <count>]",
                "    Show information about the stream."));
    }

    /** The stream of argument 2; replies "no such key" or WRONGTYPE and returns null otherwise. */
    private static Stream open(Call call) {
        StoredStream stored = StoredStream.existing(call, 2, false);
        return stored == null ? null : stored.stream();
    }

    private void consumers(Call call) {
        Stream stream = open(call);
        if (stream == null) {
            return;
        }
        ConsumerGroup group = stream.groups().get(call.arg(3));
        if (group == null) {
            call.reply().error(Errors.noGroupOfKey(call.argString(3), call.argString(2)));
            return;
        }
        ReplyWriter reply = call.reply();
        reply.array((int) group.consumerCount());
        for (Iterator<Consumer> it = group.consumers(); it.hasNext(); ) {
            Consumer consumer = it.next();
            reply.map(3);
            reply.bulk("name");
            reply.bulk(consumer.name());
            reply.bulk("pending");
            reply.integer(consumer.pendingCount());
            reply.bulk("idle");
            reply.integer(Math.max(0, call.now() - consumer.seenTime()));
        }
    }

    private void groups(Call call) {
        Stream stream = open(call);
        if (stream == null) {
            return;
        }
        ReplyWriter reply = call.reply();
        reply.array((int) stream.groups().size());
        for (Iterator<ConsumerGroup> it = stream.groups().iterator(); it.hasNext(); ) {
            ConsumerGroup group = it.next();
            reply.map(6);
            reply.bulk("name");
            reply.bulk(group.name());
            reply.bulk("consumers");
            reply.integer(group.consumerCount());
            reply.bulk("pending");
            reply.integer(group.pendingCount());
            reply.bulk("last-delivered-id");
            reply.bulk(group.lastDelivered().toBytes());
            replyCounters(reply, stream, group);
        }
    }

    private static void replyCounters(ReplyWriter reply, Stream stream, ConsumerGroup group) {
        reply.bulk("entries-read");
        if (group.entriesRead() == ConsumerGroup.UNKNOWN_ENTRIES_READ) {
            reply.nullBulk();
        } else {
            reply.integer(group.entriesRead());
        }
        reply.bulk("lag");
        Long lag = ReadCounters.lag(stream, group);
        if (lag == null) {
            reply.nullBulk();
        } else {
            reply.integer(lag);
        }
    }

    /** XINFO STREAM key [FULL [COUNT count]]. */
    private void stream(Call call) {
        Stream stream = open(call);
        if (stream == null) {
            return;
        }
        int options = call.argc() - 3;
        boolean full = options > 0;
        long count = DEFAULT_FULL_COUNT;
        if (options == 1 || options == 3) {
            if (!call.argIs(3, "full") || (options == 3 && !call.argIs(4, "count"))) {
                call.reply().error(Errors.subcommandSyntax(call.argString(1), "xinfo"));
                return;
            }
            if (options == 3) {
                Long n = Numbers.parseLong(call.arg(5));
                if (n == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return;
                }
                count = n < 0 ? DEFAULT_FULL_COUNT : n;
            }
        } else if (options != 0) {
            call.reply().error(Errors.subcommandSyntax(call.argString(1), "xinfo"));
            return;
        }
        ReplyWriter reply = call.reply();
        // Millrace's retention policy shows only where one applies, so other streams reply as in Redis.
        Retention retention = StreamRetention.effective(stream, call.engine().config());
        reply.map((full ? 9 : 10) + (retention.limits() ? 3 : 0));
        reply.bulk("length");
        reply.integer(stream.length());
        long nodeEntries = call.engine().config().getLong("stream-node-max-entries");
        long estimate = stream.nodeCountEstimate(nodeEntries);
        reply.bulk("radix-tree-keys");
        if (estimate <= EXACT_SHAPE_NODES) {
            List<StreamId> nodes = stream.nodeKeys(nodeEntries);
            reply.integer(nodes.size());
            reply.bulk("radix-tree-nodes");
            reply.integer(RadixTreeShape.nodes(nodes));
        } else {
            // Listing every node would read the log once per node: these are Redis's internals anyway.
            reply.integer(estimate);
            reply.bulk("radix-tree-nodes");
            reply.integer(2 * estimate);
        }
        reply.bulk("last-generated-id");
        reply.bulk(stream.lastId().toBytes());
        reply.bulk("max-deleted-entry-id");
        reply.bulk(stream.maxDeletedId().toBytes());
        reply.bulk("entries-added");
        reply.integer(stream.entriesAdded());
        reply.bulk("recorded-first-entry-id");
        reply.bulk(stream.firstId().toBytes());
        if (retention.limits()) {
            reply.bulk("retention-max-age-ms");
            reply.integer(retention.maxAgeMillis());
            reply.bulk("retention-max-bytes");
            reply.integer(retention.maxBytes());
            reply.bulk("retention-undelivered");
            reply.bulk(retention.dropUndelivered() ? "drop" : "keep");
        }
        if (!full) {
            reply.bulk("groups");
            reply.integer(stream.groups().size());
            reply.bulk("first-entry");
            replyEntryOrNull(reply, stream.firstEntry());
            reply.bulk("last-entry");
            replyEntryOrNull(reply, stream.lastEntry());
            return;
        }
        long limit = count == 0 ? Long.MAX_VALUE : count;
        reply.bulk("entries");
        StreamCommands.replyEntries(reply, stream.range(StreamId.MIN, StreamId.MAX), limit);
        reply.bulk("groups");
        reply.array((int) stream.groups().size());
        for (Iterator<ConsumerGroup> it = stream.groups().iterator(); it.hasNext(); ) {
            replyFullGroup(reply, stream, it.next(), limit);
        }
    }

    private static void replyEntryOrNull(ReplyWriter reply, StreamEntry entry) {
        if (entry == null) {
            reply.nullBulk();
        } else {
            StreamCommands.replyEntry(reply, entry);
        }
    }

    private static void replyFullGroup(ReplyWriter reply, Stream stream, ConsumerGroup group, long limit) {
        reply.map(7);
        reply.bulk("name");
        reply.bulk(group.name());
        reply.bulk("last-delivered-id");
        reply.bulk(group.lastDelivered().toBytes());
        replyCounters(reply, stream, group);
        reply.bulk("pel-count");
        reply.integer(group.pendingCount());
        reply.bulk("pending");
        int shown = (int) Math.min(limit, group.pendingCount());
        reply.array(shown);
        Iterator<PendingEntry> pending = group.pendingFrom(StreamId.MIN);
        for (int i = 0; i < shown; i++) {
            PendingEntry entry = pending.next();
            reply.array(4);
            reply.bulk(entry.id().toBytes());
            reply.bulk(entry.consumer());
            reply.integer(entry.deliveryTime());
            reply.integer(entry.deliveryCount());
        }
        reply.bulk("consumers");
        reply.array((int) group.consumerCount());
        for (Iterator<Consumer> it = group.consumers(); it.hasNext(); ) {
            Consumer consumer = it.next();
            reply.map(4);
            reply.bulk("name");
            reply.bulk(consumer.name());
            reply.bulk("seen-time");
            reply.integer(consumer.seenTime());
            reply.bulk("pel-count");
            reply.integer(consumer.pendingCount());
            reply.bulk("pending");
            int own = (int) Math.min(limit, consumer.pendingCount());
            reply.array(own);
            Iterator<StreamId> ids = consumer.pendingFrom(StreamId.MIN);
            for (int i = 0; i < own; i++) {
                PendingEntry entry = group.pending(ids.next());
                reply.array(3);
                reply.bulk(entry.id().toBytes());
                reply.integer(entry.deliveryTime());
                reply.integer(entry.deliveryCount());
            }
        }
    }
}
