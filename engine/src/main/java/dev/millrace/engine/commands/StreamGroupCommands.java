package dev.millrace.engine.commands;

import dev.millrace.engine.blocking.BlockingTimeout;
import dev.millrace.engine.blocking.Waiter;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.stream.Consumer;
import dev.millrace.engine.stream.ConsumerGroup;
import dev.millrace.engine.stream.DeadLetter;
import dev.millrace.engine.stream.PendingEntry;
import dev.millrace.engine.stream.ReadCounters;
import dev.millrace.engine.stream.Stream;
import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.util.Numbers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The consumer-group commands of Redis 7.0: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER,
 * DELCONSUMER, HELP), XREADGROUP (with BLOCK), XACK, XPENDING, XCLAIM and XAUTOCLAIM, following
 * src/t_stream.c (BSD-3-Clause) for argument order, errors and replies. Group state lives in the
 * stream's record and pages ({@link dev.millrace.engine.stream.ConsumerGroups}).
 *
 * <p>Effects follow Redis's propagation, so replay never depends on the clock: an entry delivered or
 * claimed is logged as {@code XCLAIM key group consumer 0 <id> TIME <ms> RETRYCOUNT <n> FORCE JUSTID
 * LASTID <last-delivered>} (a pending entry whose stream entry is gone as the same XCLAIM, which
 * removes it when replayed); a group moved on by XREADGROUP (or by XCLAIM's LASTID alone) as
 * {@code XGROUP SETID key group <id> ENTRIESREAD <n>}; a consumer XREADGROUP creates as
 * {@code XGROUP CREATECONSUMER}. XACK and the XGROUP subcommands log themselves. Unlike Redis,
 * XREADGROUP re-reading a consumer's history logs the XCLAIM of each entry it re-delivers (Redis
 * updates delivery time and count without propagating them), so a replayed PEL matches exactly.
 *
 * <p>Execution thread only, like every family.
 */
public final class StreamGroupCommands implements CommandFamily {
    private static final byte[] XCLAIM = bytes("XCLAIM");
    private static final byte[] XACK = bytes("XACK");
    private static final byte[] DEAD_LETTER_STREAM = bytes("dead-letter-stream");
    private static final byte[] DEAD_LETTER_ID = bytes("dead-letter-id");
    private static final byte[] DEAD_LETTER_GROUP = bytes("dead-letter-group");
    private static final byte[] DEAD_LETTER_DELIVERIES = bytes("dead-letter-deliveries");
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
    /** Redis serves a blocked XREADGROUP without COUNT at most this many entries. */
    private static final long BLOCKED_DEFAULT_COUNT = 1000;
    /** XAUTOCLAIM scans at most COUNT times this many pending entries. */
    private static final long AUTOCLAIM_ATTEMPTS_FACTOR = 10;
    private static final long AUTOCLAIM_MAX_COUNT = Long.MAX_VALUE / 16;

    @Override
    public void register(Bindings bind) {
        bind.bind("xgroup|create", this::create);
        bind.bind("xgroup|setid", this::setId);
        bind.bind("xgroup|destroy", this::destroy);
        bind.bind("xgroup|createconsumer", this::createConsumer);
        bind.bind("xgroup|delconsumer", this::delConsumer);
        bind.bind("xgroup|help", call -> HelpReply.reply(call,
                "CREATE <key> <groupname> <id|$> [option]",
                "    Create a new consumer group. Options are:",
                "    * MKSTREAM",
                "      Create the empty stream if it does not exist.",
                "    * ENTRIESREAD entries_read",
                "      Set the group's entries_read counter (internal use).",
                "CREATECONSUMER <key> <groupname> <consumer>",
                "    Create a new consumer in the specified group.",
                "DELCONSUMER <key> <groupname> <consumer>",
                "    Remove the specified consumer.",
                "DESTROY <key> <groupname>",
                "    Remove the specified group.",
                "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                "    Set the current group ID and entries_read counter."));
        bind.bind("xreadgroup", this::xreadgroup);
        bind.bind("xack", this::xack);
        bind.bind("xpending", this::xpending);
        bind.bind("xclaim", this::xclaim);
        bind.bind("xautoclaim", this::xautoclaim);
    }

    // ---- looking up a stream and its group

    /**
     * The stream under argument {@code keyIndex} for a group command, or null when absent. Replies
     * WRONGTYPE (and sets {@code failed}) for another type.
     */
    private static StoredStream stream(Call call, int keyIndex, boolean[] failed) {
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(keyIndex), call.now());
        if (record == null) {
            return null;
        }
        if (Record.typeOf(record) != ValueType.STREAM) {
            call.wrongType();
            failed[0] = true;
            return null;
        }
        return StoredStream.load(call, record);
    }

    // ---- XGROUP

    /** What XGROUP CREATE and SETID found before acting: the stream (null for MKSTREAM) and group. */
    private record GroupTarget(StoredStream stored, ConsumerGroup group, boolean mkStream, long entriesRead) {
    }

    /**
     * The common prelude of the XGROUP subcommands, in Redis's order: the options (from argument 5), the
     * key and its type, then the key's and the group's existence. Replies the error itself.
     *
     * @return the target, or null after an error reply
     */
    private static GroupTarget xgroupTarget(Call call, boolean groupRequired, boolean takesOptions) {
        boolean mkStream = false;
        long entriesRead = ConsumerGroup.UNKNOWN_ENTRIES_READ;
        boolean create = call.argIs(1, "create");
        for (int i = 5; takesOptions && i < call.argc(); i++) {
            if (create && call.argIs(i, "mkstream")) {
                mkStream = true;
            } else if (call.argIs(i, "entriesread") && i + 1 < call.argc()) {
                Long n = Numbers.parseLong(call.arg(++i));
                if (n == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return null;
                }
                if (n < 0 && n != ConsumerGroup.UNKNOWN_ENTRIES_READ) {
                    call.reply().error(Errors.XGROUP_ENTRIES_READ_NEGATIVE);
                    return null;
                }
                entriesRead = n;
            } else {
                call.reply().error(Errors.subcommandSyntax(call.argString(1), "xgroup"));
                return null;
            }
        }
        byte[] record = call.keyspace().lookup(call.db(), call.arg(2), call.now());
        if (record != null && Record.typeOf(record) != ValueType.STREAM) {
            call.wrongType();
            return null;
        }
        StoredStream stored = record == null ? null : StoredStream.load(call, record);
        ConsumerGroup group = stored == null ? null : stored.stream().groups().get(call.arg(3));
        if (!mkStream) {
            if (stored == null) {
                call.reply().error(Errors.XGROUP_KEY_MISSING);
                return null;
            }
            if (group == null && groupRequired) {
                call.reply().error(Errors.noGroupOfKey(call.argString(3), call.argString(2)));
                return null;
            }
        }
        return new GroupTarget(stored, group, mkStream, entriesRead);
    }

    private void create(Call call) {
        GroupTarget target = xgroupTarget(call, false, true);
        if (target == null) {
            return;
        }
        if (call.argc() > 8) {
            call.reply().error(Errors.subcommandSyntax(call.argString(1), "xgroup"));
            return;
        }
        StreamId id;
        if (isDollar(call.arg(4))) {
            id = target.stored() == null ? StreamId.MIN : target.stored().stream().lastId();
        } else {
            id = StreamId.parseStrict(call.arg(4), 0);
            if (id == null) {
                call.reply().error(Errors.INVALID_STREAM_ID);
                return;
            }
        }
        StoredStream stored = target.stored() != null ? target.stored() : StoredStream.create(call);
        if (stored.stream().groups().create(call.arg(3), id, target.entriesRead()) == null) {
            call.reply().error(Errors.BUSYGROUP); // only an existing stream can have the group
            return;
        }
        stored.save(call, call.arg(2));
        call.reply().simple("OK");
    }

    private void setId(Call call) {
        GroupTarget target = xgroupTarget(call, true, true);
        if (target == null) {
            return;
        }
        if (call.argc() != 5 && call.argc() != 7) {
            call.reply().error(Errors.subcommandSyntax(call.argString(1), "xgroup"));
            return;
        }
        Stream stream = target.stored().stream();
        StreamId id;
        if (isDollar(call.arg(4))) {
            id = stream.lastId();
        } else {
            StreamId.Parsed parsed = StreamId.parse(call.arg(4), 0, false, false);
            if (parsed == null) {
                call.reply().error(Errors.INVALID_STREAM_ID);
                return;
            }
            id = parsed.id();
        }
        target.group().setPosition(id, target.entriesRead());
        target.stored().save(call, call.arg(2));
        call.reply().simple("OK");
    }

    private void destroy(Call call) {
        GroupTarget target = xgroupTarget(call, false, false);
        if (target == null) {
            return;
        }
        if (target.group() == null) {
            call.reply().integer(0);
            return;
        }
        target.stored().stream().groups().destroy(call.arg(3));
        // The save also wakes the XREADGROUP clients blocked on the group, who get NOGROUP.
        target.stored().save(call, call.arg(2));
        call.reply().integer(1);
    }

    private void createConsumer(Call call) {
        GroupTarget target = xgroupTarget(call, true, false);
        if (target == null) {
            return;
        }
        if (target.group().createConsumer(call.arg(4), call.now()) == null) {
            call.reply().integer(0);
            return;
        }
        target.stored().save(call, call.arg(2));
        call.reply().integer(1);
    }

    private void delConsumer(Call call) {
        GroupTarget target = xgroupTarget(call, true, false);
        if (target == null) {
            return;
        }
        long pending = target.group().deleteConsumer(call.arg(4));
        if (pending < 0) {
            call.reply().integer(0);
            return;
        }
        target.stored().save(call, call.arg(2));
        call.reply().integer(pending);
    }

    // ---- XREADGROUP

    /** One stream an XREADGROUP reads: its key, its group, and the ID after which to read (null: {@code >}). */
    private record Source(byte[] key, StoredStream stored, ConsumerGroup group, StreamId after) {
    }

    /** An entry as a group read returns it: a null {@code fieldsAndValues} is a deleted entry. */
    private record Served(byte[] key, List<StreamEntry> entries) {
    }

    /** XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key [key ...] id [id ...]. */
    private void xreadgroup(Call call) {
        long count = 0;
        Long deadline = null;
        int streamsAt = 0;
        byte[] groupName = null;
        byte[] consumerName = null;
        boolean noAck = false;
        for (int i = 1; i < call.argc(); i++) {
            int more = call.argc() - i - 1;
            if (call.argIs(i, "block") && more > 0) {
                deadline = BlockingTimeout.milliseconds(call, ++i);
                if (deadline == null) {
                    return;
                }
            } else if (call.argIs(i, "count") && more > 0) {
                Long n = Numbers.parseLong(call.arg(++i));
                if (n == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return;
                }
                count = Math.max(0, n);
            } else if (call.argIs(i, "streams") && more > 0) {
                streamsAt = i + 1;
                if ((call.argc() - streamsAt) % 2 != 0) {
                    call.reply().error(Errors.XREAD_UNBALANCED);
                    return;
                }
                break;
            } else if (call.argIs(i, "group") && more >= 2) {
                groupName = call.arg(i + 1);
                consumerName = call.arg(i + 2);
                i += 2;
            } else if (call.argIs(i, "noack")) {
                noAck = true;
            } else {
                call.syntaxError();
                return;
            }
        }
        if (streamsAt == 0 || groupName == null) {
            call.syntaxError();
            return;
        }
        int streams = (call.argc() - streamsAt) / 2;
        // Each key is loaded once, so the changes to a key named twice go to one instance.
        Map<ByteBuffer, StoredStream> loaded = new HashMap<>();
        List<Source> sources = new ArrayList<>(streams);
        for (int s = 0; s < streams; s++) {
            byte[] key = call.arg(streamsAt + s);
            byte[] idArg = call.arg(streamsAt + streams + s);
            byte[] record = call.keyspace().lookupRead(call.db(), key, call.now());
            if (record != null && Record.typeOf(record) != ValueType.STREAM) {
                call.wrongType();
                return;
            }
            StoredStream stored = record == null ? null
                    : loaded.computeIfAbsent(ByteBuffer.wrap(key), k -> StoredStream.load(call, record));
            ConsumerGroup group = stored == null ? null : stored.stream().groups().get(groupName);
            if (group == null) {
                call.reply().error(Errors.noGroupForXreadgroup(new String(key, StandardCharsets.ISO_8859_1),
                        new String(groupName, StandardCharsets.ISO_8859_1)));
                return;
            }
            StreamId after;
            if (isDollar(idArg)) {
                call.reply().error(Errors.XREADGROUP_DOLLAR_ID);
                return;
            } else if (idArg.length == 1 && idArg[0] == '>') {
                after = null;
            } else {
                after = StreamId.parseStrict(idArg, 0);
                if (after == null) {
                    call.reply().error(Errors.INVALID_STREAM_ID);
                    return;
                }
                if (after.equals(StreamId.MAX)) {
                    after = null; // Redis marks '>' with the largest ID, so that ID reads as '>'
                }
            }
            sources.add(new Source(key, stored, group, after));
        }
        call.noEffect(); // effects, if any, are stated below
        List<Served> served = new ArrayList<>();
        for (Source source : sources) {
            Stream stream = source.stored().stream();
            ConsumerGroup group = source.group();
            if (source.after() == null && !hasUndelivered(stream, group)) {
                continue;
            }
            Consumer consumer = consumerFor(call, source.key(), group, consumerName);
            List<StreamEntry> entries = source.after() == null
                    ? deliverNew(call, source.key(), stream, group, consumer, count, noAck)
                    : redeliverHistory(call, source.key(), stream, group, consumer, source.after(), count);
            source.stored().save(call, source.key());
            served.add(new Served(source.key(), entries));
        }
        if (!served.isEmpty()) {
            replyServed(call.reply(), served);
        } else if (deadline == null || !call.mayBlock()) {
            call.reply().nullArray();
        } else {
            List<byte[]> keys = new ArrayList<>();
            sources.forEach(source -> keys.add(source.key()));
            call.engine().blocking().block(call, keys, deadline,
                    new GroupReadWaiter(groupName, consumerName, count == 0 ? BLOCKED_DEFAULT_COUNT : count, noAck));
        }
    }

    /** Whether the stream has an entry after the group's last delivered ID (Redis's last valid ID). */
    private static boolean hasUndelivered(Stream stream, ConsumerGroup group) {
        StreamEntry last = stream.length() > 0 ? stream.lastEntry() : null;
        return last != null && last.id().isAfter(group.lastDelivered());
    }

    /** The consumer, seen now; created (and logged) when it does not exist. */
    private static Consumer consumerFor(Call call, byte[] key, ConsumerGroup group, byte[] name) {
        Consumer consumer = group.consumer(name);
        if (consumer == null) {
            consumer = group.createConsumer(name, call.now());
            call.effect(XGROUP, CREATECONSUMER, key, group.name(), name);
        } else {
            group.seen(consumer, call.now());
        }
        return consumer;
    }

    /**
     * Redis's streamReplyWithRange for {@code >}: delivers up to {@code count} (0: all) entries after the
     * group's last delivered ID, moving the group on and, unless NOACK, making them pending for the
     * consumer (a pending entry of another consumer, possible after SETID, is taken over).
     */
    private static List<StreamEntry> deliverNew(Call call, byte[] key, Stream stream, ConsumerGroup group,
                                                Consumer consumer, long count, boolean noAck) {
        List<StreamEntry> entries = new ArrayList<>();
        StreamId from = group.lastDelivered().next();
        Iterator<StreamEntry> it = from == null ? java.util.Collections.emptyIterator() : stream.range(from, StreamId.MAX);
        boolean moved = false;
        while ((count == 0 || entries.size() < count) && it.hasNext()) {
            StreamEntry entry = it.next();
            if (entry.id().isAfter(group.lastDelivered())) {
                group.setPosition(entry.id(), ReadCounters.afterDelivering(stream, group, entry.id()));
                moved = true;
            }
            entries.add(entry);
            if (!noAck) {
                PendingEntry pending = new PendingEntry(entry.id(), consumer.name(), call.now(), 1);
                group.putPending(pending);
                call.effect(xclaimEffect(key, group, pending, entry.id().toBytes()));
            }
        }
        if (moved) {
            call.effect(setIdEffect(key, group));
        }
        return entries;
    }

    /**
     * Redis's streamReplyWithRangeFromConsumerPEL: the consumer's pending entries after {@code after}, up
     * to {@code count} (0: all); each still in the stream is delivered again (time now, count + 1), a
     * deleted one is returned as its ID and a null.
     */
    private static List<StreamEntry> redeliverHistory(Call call, byte[] key, Stream stream, ConsumerGroup group,
                                                      Consumer consumer, StreamId after, long count) {
        List<StreamEntry> entries = new ArrayList<>();
        StreamId from = after.next();
        Iterator<StreamId> ids = from == null ? java.util.Collections.emptyIterator() : consumer.pendingFrom(from);
        List<StreamId> redelivered = new ArrayList<>();
        while ((count == 0 || entries.size() < count) && ids.hasNext()) {
            StreamId id = ids.next();
            StreamEntry entry = stream.entry(id);
            if (entry == null) {
                entries.add(new StreamEntry(id, null));
            } else {
                entries.add(entry);
                redelivered.add(id);
            }
        }
        // Updated after the walk: the walk reads the consumer's tree, an update may rewrite its pages.
        for (StreamId id : redelivered) {
            PendingEntry before = group.pending(id);
            PendingEntry pending = new PendingEntry(id, consumer.name(), call.now(), before.deliveryCount() + 1);
            group.putPending(pending);
            call.effect(xclaimEffect(key, group, pending, id.toBytes()));
        }
        return entries;
    }

    /** The XREADGROUP reply: stream to entries, a map in RESP3 and an array of pairs in RESP2. */
    private static void replyServed(ReplyWriter reply, List<Served> served) {
        boolean resp3 = reply.protocol() == 3;
        if (resp3) {
            reply.map(served.size());
        } else {
            reply.array(served.size());
        }
        for (Served s : served) {
            if (!resp3) {
                reply.array(2);
            }
            reply.bulk(s.key());
            reply.array(s.entries().size());
            for (StreamEntry entry : s.entries()) {
                if (entry.fieldsAndValues() == null) {
                    reply.array(2);
                    reply.bulk(entry.id().toBytes());
                    reply.nullArray();
                } else {
                    StreamCommands.replyEntry(reply, entry);
                }
            }
        }
    }

    /**
     * A blocked XREADGROUP ... {@code >}: served by the first of its streams that gets an entry past the
     * group's last delivered ID; fails when its stream is deleted or replaced by another type (UNBLOCKED)
     * or its group destroyed (NOGROUP), as Redis 7.0.15 does.
     */
    private record GroupReadWaiter(byte[] groupName, byte[] consumerName, long count, boolean noAck) implements Waiter {
        @Override
        public ValueType type() {
            return ValueType.STREAM;
        }

        @Override
        public boolean servedWhenKeyLost() {
            return true;
        }

        @Override
        public boolean serve(Call call, byte[] key) {
            byte[] record = call.keyspace().lookupReadNoTouch(call.db(), key, call.now());
            if (record == null || Record.typeOf(record) != ValueType.STREAM) {
                call.reply().error(Errors.XREADGROUP_KEY_GONE);
                return true;
            }
            StoredStream stored = StoredStream.load(call, record);
            Stream stream = stored.stream();
            ConsumerGroup group = stream.groups().get(groupName);
            if (group == null) {
                call.reply().error(Errors.XREADGROUP_GROUP_GONE);
                return true;
            }
            if (!hasUndelivered(stream, group)) {
                return false;
            }
            call.noEffect();
            Consumer consumer = consumerFor(call, key, group, consumerName);
            List<StreamEntry> entries = deliverNew(call, key, stream, group, consumer, count, noAck);
            stored.save(call, key);
            replyServed(call.reply(), List.of(new Served(key, entries)));
            return true;
        }
    }

    // ---- XACK

    private void xack(Call call) {
        boolean[] failed = {false};
        StoredStream stored = stream(call, 1, failed);
        if (failed[0]) {
            return;
        }
        ConsumerGroup group = stored == null ? null : stored.stream().groups().get(call.arg(2));
        if (group == null) {
            call.reply().integer(0);
            return;
        }
        // Every ID is checked first: the reply cannot be an error once something was acknowledged.
        StreamId[] ids = new StreamId[call.argc() - 3];
        for (int j = 3; j < call.argc(); j++) {
            ids[j - 3] = StreamId.parseStrict(call.arg(j), 0);
            if (ids[j - 3] == null) {
                call.reply().error(Errors.INVALID_STREAM_ID);
                return;
            }
        }
        long acknowledged = 0;
        for (StreamId id : ids) {
            if (group.removePending(id)) {
                acknowledged++;
            }
        }
        if (acknowledged > 0) {
            stored.save(call, call.arg(1));
            call.keyspace().addDirty(acknowledged - 1);
        }
        call.reply().integer(acknowledged);
    }

    // ---- XPENDING

    /** XPENDING key group [[IDLE min-idle-time] start end count [consumer]]. */
    private void xpending(Call call) {
        int argc = call.argc();
        if (argc != 3 && (argc < 6 || argc > 9)) {
            call.syntaxError();
            return;
        }
        long minIdle = 0;
        long count = 0;
        StreamId start = null;
        StreamId end = null;
        byte[] consumerName = null;
        if (argc >= 6) {
            int at = 3;
            if (call.argIs(3, "idle")) {
                Long idle = Numbers.parseLong(call.arg(4));
                if (idle == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return;
                }
                minIdle = idle;
                if (argc < 8) {
                    call.syntaxError();
                    return;
                }
                at += 2;
            }
            Long n = Numbers.parseLong(call.arg(at + 2));
            if (n == null) {
                call.reply().error(Errors.NOT_INTEGER);
                return;
            }
            count = Math.max(0, n);
            start = intervalStart(call, call.arg(at));
            if (start == null) {
                return;
            }
            end = intervalEnd(call, call.arg(at + 1));
            if (end == null) {
                return;
            }
            if (at + 3 < argc) {
                consumerName = call.arg(at + 3);
            }
        }
        ConsumerGroup group = groupOrNoGroup(call);
        if (group == null) {
            return;
        }
        if (argc == 3) {
            replyPendingSummary(call.reply(), group);
            return;
        }
        Iterator<PendingEntry> pending;
        if (consumerName != null) {
            Consumer consumer = group.consumer(consumerName);
            if (consumer == null) {
                call.reply().array(0);
                return;
            }
            Iterator<StreamId> ids = consumer.pendingFrom(start);
            pending = new Iterator<>() {
                @Override public boolean hasNext() { return ids.hasNext(); }
                @Override public PendingEntry next() { return group.pending(ids.next()); }
            };
        } else {
            pending = group.pendingFrom(start);
        }
        List<PendingEntry> found = new ArrayList<>();
        while (count > 0 && pending.hasNext()) {
            PendingEntry entry = pending.next();
            if (entry.id().isAfter(end)) {
                break;
            }
            if (minIdle != 0 && call.now() - entry.deliveryTime() < minIdle) {
                continue;
            }
            found.add(entry);
            count--;
        }
        ReplyWriter reply = call.reply();
        reply.array(found.size());
        for (PendingEntry entry : found) {
            reply.array(4);
            reply.bulk(entry.id().toBytes());
            reply.bulk(entry.consumer());
            reply.integer(Math.max(0, call.now() - entry.deliveryTime()));
            reply.integer(entry.deliveryCount());
        }
    }

    /** XPENDING's summary: count, smallest and largest ID, and the consumers with pending entries. O(C). */
    private static void replyPendingSummary(ReplyWriter reply, ConsumerGroup group) {
        reply.array(4);
        reply.integer(group.pendingCount());
        if (group.pendingCount() == 0) {
            reply.nullBulk();
            reply.nullBulk();
            reply.nullArray();
            return;
        }
        reply.bulk(group.pendingAt(0).id().toBytes());
        reply.bulk(group.pendingAt(group.pendingCount() - 1).id().toBytes());
        List<Consumer> owners = new ArrayList<>();
        for (Iterator<Consumer> it = group.consumers(); it.hasNext(); ) {
            Consumer consumer = it.next();
            if (consumer.pendingCount() > 0) {
                owners.add(consumer);
            }
        }
        reply.array(owners.size());
        for (Consumer consumer : owners) {
            reply.array(2);
            reply.bulk(consumer.name());
            reply.bulk(Numbers.format(consumer.pendingCount()));
        }
    }

    /** Redis's streamParseIntervalIDOrReply for a start, {@code (} moving it up. Replies errors itself. */
    private static StreamId intervalStart(Call call, byte[] arg) {
        boolean exclusive = arg.length > 1 && arg[0] == '(';
        StreamId id = intervalId(call, arg, 0);
        if (id != null && exclusive) {
            id = id.next();
            if (id == null) {
                call.reply().error(Errors.STREAM_INVALID_START);
            }
        }
        return id;
    }

    private static StreamId intervalEnd(Call call, byte[] arg) {
        boolean exclusive = arg.length > 1 && arg[0] == '(';
        StreamId id = intervalId(call, arg, -1);
        if (id != null && exclusive) {
            id = id.previous();
            if (id == null) {
                call.reply().error(Errors.STREAM_INVALID_END);
            }
        }
        return id;
    }

    private static StreamId intervalId(Call call, byte[] arg, long missingSeq) {
        StreamId id;
        if (arg.length > 1 && arg[0] == '(') {
            id = StreamId.parseStrict(Arrays.copyOfRange(arg, 1, arg.length), missingSeq);
        } else {
            StreamId.Parsed parsed = StreamId.parse(arg, missingSeq, false, false);
            id = parsed == null ? null : parsed.id();
        }
        if (id == null) {
            call.reply().error(Errors.INVALID_STREAM_ID);
        }
        return id;
    }

    /**
     * The group of arguments 1 and 2 for XPENDING, XCLAIM and XAUTOCLAIM; replies WRONGTYPE or NOGROUP
     * and returns null when there is none. The stream is kept in {@code stored[0]}.
     */
    private static ConsumerGroup groupOrNoGroup(Call call, StoredStream[] stored) {
        boolean[] failed = {false};
        stored[0] = stream(call, 1, failed);
        if (failed[0]) {
            return null;
        }
        ConsumerGroup group = stored[0] == null ? null : stored[0].stream().groups().get(call.arg(2));
        if (group == null) {
            call.reply().error(Errors.noGroup(call.argString(1), call.argString(2)));
        }
        return group;
    }

    private static ConsumerGroup groupOrNoGroup(Call call) {
        return groupOrNoGroup(call, new StoredStream[1]);
    }

    // ---- XCLAIM and XAUTOCLAIM

    /** XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id]. */
    private void xclaim(Call call) {
        StoredStream[] stored = new StoredStream[1];
        ConsumerGroup group = groupOrNoGroup(call, stored);
        if (group == null) {
            return;
        }
        Long minIdleArg = Numbers.parseLong(call.arg(4));
        if (minIdleArg == null) {
            call.reply().error(Errors.XCLAIM_MIN_IDLE);
            return;
        }
        long minIdle = Math.max(0, minIdleArg);
        int j = 5;
        List<StreamId> ids = new ArrayList<>();
        for (; j < call.argc(); j++) {
            StreamId id = StreamId.parseStrict(call.arg(j), 0);
            if (id == null) {
                break;
            }
            ids.add(id);
        }
        long now = call.now();
        long deliveryTime = -1;
        long retryCount = -1;
        boolean force = false;
        boolean justId = false;
        StreamId lastId = StreamId.MIN;
        for (; j < call.argc(); j++) {
            boolean more = j + 1 < call.argc();
            if (call.argIs(j, "force")) {
                force = true;
            } else if (call.argIs(j, "justid")) {
                justId = true;
            } else if (call.argIs(j, "idle") && more) {
                Long idle = Numbers.parseLong(call.arg(++j));
                if (idle == null) {
                    call.reply().error(Errors.XCLAIM_IDLE);
                    return;
                }
                deliveryTime = now - idle;
            } else if (call.argIs(j, "time") && more) {
                Long time = Numbers.parseLong(call.arg(++j));
                if (time == null) {
                    call.reply().error(Errors.XCLAIM_TIME);
                    return;
                }
                deliveryTime = time;
            } else if (call.argIs(j, "retrycount") && more) {
                Long n = Numbers.parseLong(call.arg(++j));
                if (n == null) {
                    call.reply().error(Errors.XCLAIM_RETRYCOUNT);
                    return;
                }
                retryCount = n;
            } else if (call.argIs(j, "lastid") && more) {
                lastId = StreamId.parseStrict(call.arg(++j), 0);
                if (lastId == null) {
                    call.reply().error(Errors.INVALID_STREAM_ID);
                    return;
                }
            } else {
                call.reply().error(Errors.xclaimOption(call.argString(j)));
                return;
            }
        }
        // A bogus time (negative, in the future) means now, as in Redis: clients compute it themselves.
        if (deliveryTime == -1 || deliveryTime < 0 || deliveryTime > now) {
            deliveryTime = now;
        }
        call.noEffect();
        Stream stream = stored[0].stream();
        boolean changed = false;
        boolean raised = lastId.isAfter(group.lastDelivered());
        group.raiseLastDelivered(lastId);
        List<StreamId> claimed = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            StreamId id = ids.get(i);
            byte[] idArg = call.arg(5 + i);
            PendingEntry pending = group.pending(id);
            if (!stream.contains(id)) {
                if (pending != null) {
                    call.effect(xclaimEffect(call.arg(1), group, pending, idArg));
                    group.removePending(id);
                    changed = true;
                }
                continue;
            }
            boolean created = false;
            if (pending == null) {
                if (!force) {
                    continue;
                }
                created = true;
            }
            if (!created && minIdle != 0 && now - pending.deliveryTime() < minIdle) {
                continue;
            }
            if (!created && deadLetter(call, stream, group, pending)) {
                changed = true;
                continue;
            }
            long deliveries = created ? 1 : pending.deliveryCount();
            if (retryCount >= 0) {
                deliveries = retryCount;
            } else if (!justId) {
                deliveries++;
            }
            PendingEntry updated = claim(call, group, new PendingEntry(id, call.arg(3), deliveryTime, deliveries));
            call.effect(xclaimEffect(call.arg(1), group, updated, idArg));
            claimed.add(id);
            changed = true;
        }
        if (raised && !changed) {
            call.effect(setIdEffect(call.arg(1), group));
        }
        if (changed || raised) {
            stored[0].save(call, call.arg(1));
        }
        replyClaimed(call.reply(), stream, claimed, justId);
    }

    /**
     * Millrace's dead letters ({@link DeadLetter}): a pending entry delivered as often as its group
     * allows goes to the dead-letter stream and is acknowledged, instead of being claimed again. It is
     * claimed as usual when the dead-letter key holds something else than a stream, or the stream
     * cannot take it. Logged as the XADD to the dead-letter stream and the XACK.
     *
     * @return whether the entry went to the dead letters
     */
    private static boolean deadLetter(Call call, Stream stream, ConsumerGroup group, PendingEntry pending) {
        DeadLetter policy = group.deadLetter();
        if (policy == null || pending.deliveryCount() < policy.maxDeliveries() || Arrays.equals(policy.stream(), call.arg(1))) {
            return false;
        }
        byte[] record = call.keyspace().lookup(call.db(), policy.stream(), call.now());
        if (record != null && Record.typeOf(record) != ValueType.STREAM) {
            return false;
        }
        StreamEntry entry = stream.entry(pending.id());
        byte[][] original = entry.fieldsAndValues();
        byte[][] fields = Arrays.copyOf(original, original.length + 8);
        fields[original.length] = DEAD_LETTER_STREAM;
        fields[original.length + 1] = call.arg(1);
        fields[original.length + 2] = DEAD_LETTER_ID;
        fields[original.length + 3] = pending.id().toBytes();
        fields[original.length + 4] = DEAD_LETTER_GROUP;
        fields[original.length + 5] = group.name();
        fields[original.length + 6] = DEAD_LETTER_DELIVERIES;
        fields[original.length + 7] = Numbers.format(pending.deliveryCount());
        if (StreamEntry.size(fields) > call.keyspace().store().streamLogs().maxEntryBytes()) {
            return false;
        }
        StoredStream target = record == null ? StoredStream.create(call) : StoredStream.load(call, record);
        StreamId id = target.stream().autoId(call.now());
        if (id == null) {
            return false;
        }
        target.stream().add(id, fields);
        target.save(call, policy.stream());
        call.effect(StreamCommands.xaddEffect(policy.stream(), id, fields));
        group.removePending(pending.id());
        call.effect(XACK, call.arg(1), group.name(), pending.id().toBytes());
        return true;
    }

    /** Gives an entry to the claiming consumer, created or seen now. */
    private static PendingEntry claim(Call call, ConsumerGroup group, PendingEntry entry) {
        Consumer consumer = group.consumer(entry.consumer());
        if (consumer == null) {
            group.createConsumer(entry.consumer(), call.now());
        } else {
            group.seen(consumer, call.now());
        }
        group.putPending(entry);
        return entry;
    }

    private static void replyClaimed(ReplyWriter reply, Stream stream, List<StreamId> claimed, boolean justId) {
        reply.array(claimed.size());
        for (StreamId id : claimed) {
            if (justId) {
                reply.bulk(id.toBytes());
            } else {
                StreamCommands.replyEntry(reply, stream.entry(id));
            }
        }
    }

    /** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]. */
    private void xautoclaim(Call call) {
        Long minIdleArg = Numbers.parseLong(call.arg(4));
        if (minIdleArg == null) {
            call.reply().error(Errors.XAUTOCLAIM_MIN_IDLE);
            return;
        }
        long minIdle = Math.max(0, minIdleArg);
        StreamId start = intervalStart(call, call.arg(5));
        if (start == null) {
            return;
        }
        long count = 100;
        boolean justId = false;
        for (int j = 6; j < call.argc(); j++) {
            boolean more = j + 1 < call.argc();
            if (call.argIs(j, "count") && more) {
                Long n = Numbers.parseLong(call.arg(++j));
                if (n == null || n < 1 || n > AUTOCLAIM_MAX_COUNT) {
                    call.reply().error(Errors.XAUTOCLAIM_COUNT);
                    return;
                }
                count = n;
            } else if (call.argIs(j, "justid")) {
                justId = true;
            } else {
                call.syntaxError();
                return;
            }
        }
        StoredStream[] stored = new StoredStream[1];
        ConsumerGroup group = groupOrNoGroup(call, stored);
        if (group == null) {
            return;
        }
        call.noEffect();
        Stream stream = stored[0].stream();
        long now = call.now();
        long attempts = count * AUTOCLAIM_ATTEMPTS_FACTOR;
        // The PEL is read in batches from the cursor, then changed: a change may rewrite the pages a
        // walk holds, so the walk restarts from the cursor after each batch.
        List<StreamId> claimed = new ArrayList<>();
        List<StreamId> deleted = new ArrayList<>();
        boolean deadLettered = false;
        StreamId cursor = start;
        boolean exhausted = false;
        while (attempts > 0 && count > 0 && !exhausted) {
            Iterator<PendingEntry> it = group.pendingFrom(cursor);
            List<PendingEntry> batch = new ArrayList<>();
            while (batch.size() < Math.min(count, attempts) && it.hasNext()) {
                batch.add(it.next());
            }
            exhausted = !it.hasNext();
            if (batch.isEmpty()) {
                break;
            }
            for (PendingEntry pending : batch) {
                if (attempts == 0 || count == 0) {
                    exhausted = false;
                    break;
                }
                attempts--;
                cursor = pending.id().next();
                if (!stream.contains(pending.id())) {
                    call.effect(xclaimEffect(call.arg(1), group, pending, pending.id().toBytes()));
                    group.removePending(pending.id());
                    deleted.add(pending.id());
                    count--;
                    continue;
                }
                if (minIdle != 0 && now - pending.deliveryTime() < minIdle) {
                    continue;
                }
                if (deadLetter(call, stream, group, pending)) {
                    deadLettered = true;
                    continue;
                }
                long deliveries = pending.deliveryCount() + (justId ? 0 : 1);
                PendingEntry updated = claim(call, group, new PendingEntry(pending.id(), call.arg(3), now, deliveries));
                call.effect(xclaimEffect(call.arg(1), group, updated, pending.id().toBytes()));
                claimed.add(pending.id());
                count--;
            }
            if (cursor == null) {
                exhausted = true;
            }
        }
        StreamId next = StreamId.MIN;
        if (cursor != null) {
            Iterator<PendingEntry> after = group.pendingFrom(cursor);
            if (after.hasNext()) {
                next = after.next().id();
            }
        }
        if (!claimed.isEmpty() || !deleted.isEmpty() || deadLettered) {
            stored[0].save(call, call.arg(1));
        }
        ReplyWriter reply = call.reply();
        reply.array(3);
        reply.bulk(next.toBytes());
        replyClaimed(reply, stream, claimed, justId);
        reply.array(deleted.size());
        for (StreamId id : deleted) {
            reply.bulk(id.toBytes());
        }
    }

    // ---- effects

    private static byte[][] xclaimEffect(byte[] key, ConsumerGroup group, PendingEntry entry, byte[] idArg) {
        return new byte[][] {XCLAIM, key, group.name(), entry.consumer(), ZERO, idArg,
                TIME, Numbers.format(entry.deliveryTime()), RETRYCOUNT, Numbers.format(entry.deliveryCount()),
                FORCE, JUSTID, LASTID, group.lastDelivered().toBytes()};
    }

    private static byte[][] setIdEffect(byte[] key, ConsumerGroup group) {
        return new byte[][] {XGROUP, SETID, key, group.name(), group.lastDelivered().toBytes(),
                ENTRIESREAD, Numbers.format(group.entriesRead())};
    }

    private static boolean isDollar(byte[] arg) {
        return arg.length == 1 && arg[0] == '$';
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
