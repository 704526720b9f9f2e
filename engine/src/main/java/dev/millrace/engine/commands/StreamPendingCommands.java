package dev.millrace.engine.commands;

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
import dev.millrace.engine.stream.Stream;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.util.Numbers;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The pending-entry commands of Redis 7.0's consumer groups: XACK, XPENDING, XCLAIM and XAUTOCLAIM,
 * following src/t_stream.c (BSD-3-Clause) for argument order, errors and replies. XACK logs itself;
 * a claimed entry, and a pending entry found deleted from the stream, is logged as the XCLAIM of it
 * ({@link GroupEffects#claim}), which replays with the logged time; XCLAIM's LASTID alone as
 * XGROUP SETID. Execution thread only, like every family.
 */
public final class StreamPendingCommands implements CommandFamily {
    /** XAUTOCLAIM scans at most COUNT times this many pending entries. */
    private static final long AUTOCLAIM_ATTEMPTS_FACTOR = 10;
    /** Redis caps XAUTOCLAIM's COUNT so that COUNT times the attempts factor cannot overflow. */
    private static final long AUTOCLAIM_MAX_COUNT = Long.MAX_VALUE / 16;

    @Override
    public void register(Bindings bind) {
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
            stored.saveMetadata(call, call.arg(1));
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
        StreamId id = StreamCommands.intervalId(call, arg, 0);
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
        StreamId id = StreamCommands.intervalId(call, arg, -1);
        if (id != null && exclusive) {
            id = id.previous();
            if (id == null) {
                call.reply().error(Errors.STREAM_INVALID_END);
            }
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
                    call.effect(GroupEffects.claim(call.arg(1), group, pending, idArg));
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
            if (!created && DeadLetters.divert(call, stream, group, pending)) {
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
            call.effect(GroupEffects.claim(call.arg(1), group, updated, idArg));
            claimed.add(id);
            changed = true;
        }
        if (raised && !changed) {
            call.effect(GroupEffects.position(call.arg(1), group));
        }
        if (changed || raised) {
            stored[0].saveMetadata(call, call.arg(1));
        }
        replyClaimed(call.reply(), stream, claimed, justId);
    }

    /** Gives an entry to the claiming consumer, created or seen now. */
    private static PendingEntry claim(Call call, ConsumerGroup group, PendingEntry entry) {
        Consumer consumer = group.consumer(entry.consumer());
        if (consumer == null) {
            group.createConsumer(entry.consumer(), call.now());
            call.announce(StreamGroupCommands.CONSUMER_CREATED);
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
        boolean diverted = false;
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
                    call.effect(GroupEffects.claim(call.arg(1), group, pending, pending.id().toBytes()));
                    group.removePending(pending.id());
                    deleted.add(pending.id());
                    count--;
                    continue;
                }
                if (minIdle != 0 && now - pending.deliveryTime() < minIdle) {
                    continue;
                }
                if (DeadLetters.divert(call, stream, group, pending)) {
                    diverted = true;
                    continue;
                }
                long deliveries = pending.deliveryCount() + (justId ? 0 : 1);
                PendingEntry updated = claim(call, group, new PendingEntry(pending.id(), call.arg(3), now, deliveries));
                call.effect(GroupEffects.claim(call.arg(1), group, updated, pending.id().toBytes()));
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
        if (!claimed.isEmpty() || !deleted.isEmpty() || diverted) {
            stored[0].saveMetadata(call, call.arg(1));
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
}
