package dev.millrace.engine.commands;

import dev.millrace.engine.blocking.BlockingTimeout;
import dev.millrace.engine.blocking.Waiter;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.notify.Announcement;
import dev.millrace.engine.notify.KeyEvent;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.stream.Consumer;
import dev.millrace.engine.stream.ConsumerGroup;
import dev.millrace.engine.stream.PendingEntry;
import dev.millrace.engine.stream.ReadCounters;
import dev.millrace.engine.stream.Stream;
import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.util.Numbers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The consumer-group commands of Redis 7.0 that manage groups and read through them: XGROUP (CREATE,
 * SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP) and XREADGROUP (with BLOCK), following
 * src/t_stream.c (BSD-3-Clause) for argument order, errors and replies; the pending-entry commands
 * are {@link StreamPendingCommands}. Group state lives in the stream's record and pages
 * ({@link dev.millrace.engine.stream.ConsumerGroups}).
 *
 * <p>Effects ({@link GroupEffects}) follow Redis's propagation, so replay never depends on the clock:
 * an entry XREADGROUP delivers is logged as an XCLAIM of it to the consumer, the group's new position
 * as XGROUP SETID ... ENTRIESREAD, a consumer it creates as XGROUP CREATECONSUMER. The XGROUP
 * subcommands log themselves. Where redis-server 7.0.15 logs less and its replay drifts, this logs
 * enough for an exact replay (checked against its AOF): the SETID after every delivery, not only with
 * NOACK (7.0 leaves entries-read to the XCLAIMs' LASTID, which does not carry it; 7.2 logs it too);
 * CREATECONSUMER for every consumer XREADGROUP creates, not only with NOACK; and the XCLAIM of each
 * entry a history read re-delivers (7.0 updates their delivery time and count without logging).
 *
 * <p>Execution thread only, like every family.
 */
public final class StreamGroupCommands implements CommandFamily {
    /** A group read that created its consumer announces it (and nothing else). */
    static final Announcement CONSUMER_CREATED = Announcement.stores(KeyEvent.XGROUP_CREATECONSUMER);

    /** Redis serves a blocked XREADGROUP without COUNT at most this many entries. */
    private static final long BLOCKED_DEFAULT_COUNT = 1000;

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
        if (target.stored() == null) {
            stored.save(call, call.arg(2)); // MKSTREAM: a new key
        } else {
            stored.saveMetadata(call, call.arg(2));
        }
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
        target.stored().saveMetadata(call, call.arg(2));
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
        target.stored().saveMetadata(call, call.arg(2));
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
        target.stored().saveMetadata(call, call.arg(2));
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
        target.stored().saveMetadata(call, call.arg(2));
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
            source.stored().saveMetadata(call, source.key());
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
        StreamId last = stream.length() > 0 ? stream.lastEntryId() : null;
        return last != null && last.isAfter(group.lastDelivered());
    }

    /** The consumer, seen now; created (and logged) when it does not exist. */
    private static Consumer consumerFor(Call call, byte[] key, ConsumerGroup group, byte[] name) {
        Consumer consumer = group.consumer(name);
        if (consumer == null) {
            consumer = group.createConsumer(name, call.now());
            call.effect(GroupEffects.consumerCreated(key, group, name));
            call.announce(CONSUMER_CREATED);
        } else {
            group.seen(consumer, call.now());
            call.announce(Announcement.NONE); // another stream's consumer may have been created before
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
        Iterator<StreamEntry> it = from == null ? Collections.emptyIterator() : stream.range(from, StreamId.MAX);
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
                call.effect(GroupEffects.claim(key, group, pending, entry.id().toBytes()));
            }
        }
        if (moved) {
            call.effect(GroupEffects.position(key, group));
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
        Iterator<StreamId> ids = from == null ? Collections.emptyIterator() : consumer.pendingFrom(from);
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
            call.effect(GroupEffects.claim(key, group, pending, id.toBytes()));
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
            stored.saveMetadata(call, key);
            replyServed(call.reply(), List.of(new Served(key, entries)));
            return true;
        }
    }

    static boolean isDollar(byte[] arg) {
        return arg.length == 1 && arg[0] == '$';
    }
}
