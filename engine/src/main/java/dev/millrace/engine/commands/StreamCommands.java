package dev.millrace.engine.commands;

import dev.millrace.engine.blocking.BlockingTimeout;
import dev.millrace.engine.blocking.Waiter;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.notify.Announcement;
import dev.millrace.engine.notify.KeyEvent;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.stream.Stream;
import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The stream commands of Redis 7.0 without consumer groups: XADD, XRANGE, XREVRANGE, XLEN, XDEL,
 * XTRIM, XSETID and XREAD (with BLOCK), following Redis's src/t_stream.c (BSD-3-Clause) for argument
 * order, errors and replies. Entries live in the stream's log ({@link Stream}).
 *
 * <p>Effects: XADD logs {@code XADD key <id> field value ...} with the ID it generated and without
 * its options, then, when it trimmed, {@code XTRIM key MAXLEN = <length left>}; XTRIM logs that same
 * exact form. An exact MAXLEN leaves exactly the entries an approximate or MINID trim left, so replay
 * is deterministic whatever the trim was. XDEL and XSETID log themselves.
 *
 * <p>Execution thread only, like every family.
 */
public final class StreamCommands implements CommandFamily {
    private static final Announcement ADDED_AND_TRIMMED = Announcement.stores(KeyEvent.XADD, KeyEvent.XTRIM);

    private static final byte[] XADD = bytes("XADD");
    private static final byte[] XTRIM = bytes("XTRIM");
    private static final byte[] MAXLEN = bytes("MAXLEN");
    private static final byte[] EXACT = bytes("=");
    /** Redis caps the default LIMIT of an approximate trim (100 nodes) within these bounds. */
    private static final long DEFAULT_LIMIT_FLOOR = 10_000;
    private static final long DEFAULT_LIMIT_CEILING = 1_000_000;

    @Override
    public void register(Bindings bind) {
        bind.bind("xadd", this::xadd);
        bind.bind("xrange", call -> range(call, false));
        bind.bind("xrevrange", call -> range(call, true));
        bind.bind("xlen", this::xlen);
        bind.bind("xdel", this::xdel);
        bind.bind("xtrim", this::xtrim);
        bind.bind("xsetid", this::xsetid);
        bind.bind("xread", this::xread);
    }

    // ---- opening a key

    /**
     * The stream under {@code key} for reading, or null when absent. Replies WRONGTYPE (and returns
     * null, setting {@code wrongType}) when the key holds another type.
     */
    private static StoredStream open(Call call, byte[] record) {
        if (record == null) {
            return null;
        }
        if (Record.typeOf(record) != ValueType.STREAM) {
            call.wrongType();
            return null;
        }
        return StoredStream.load(call, record);
    }

    private static boolean isOtherType(byte[] record) {
        return record != null && Record.typeOf(record) != ValueType.STREAM;
    }

    // ---- XADD and XTRIM

    /** What XADD's and XTRIM's options say (Redis's streamAddTrimArgs). */
    private static final class TrimOptions {
        boolean byMaxLen;
        boolean byMinId;
        boolean approximate;
        long maxLen;
        StreamId minId;
        long limit;
        boolean limitGiven;
        boolean noMkStream;
        /** XADD: where the ID argument is. */
        int idIndex = -1;
        StreamId.Parsed id;

        boolean trims() {
            return byMaxLen || byMinId;
        }

        Stream.Trim trim() {
            return new Stream.Trim(byMaxLen, maxLen, minId, approximate, limit);
        }
    }

    /**
     * Redis's streamParseAddOrTrimArgsOrReply: options from argument 2; for XADD up to and including
     * the ID ({@code *} included). Replies the error itself.
     *
     * @return the options, or null after an error reply
     */
    private static TrimOptions parseTrim(Call call, boolean xadd) {
        TrimOptions o = new TrimOptions();
        int i = 2;
        for (; i < call.argc(); i++) {
            int more = call.argc() - 1 - i;
            byte[] opt = call.arg(i);
            if (xadd && opt.length == 1 && opt[0] == '*') {
                o.idIndex = i;
                break;
            } else if ((call.argIs(i, "maxlen") || call.argIs(i, "minid")) && more > 0) {
                boolean maxLen = call.argIs(i, "maxlen");
                if (o.trims()) {
                    call.reply().error(Errors.STREAM_MAXLEN_AND_MINID);
                    return null;
                }
                o.approximate = false;
                byte[] next = call.arg(i + 1);
                if (more >= 2 && next.length == 1 && (next[0] == '~' || next[0] == '=')) {
                    o.approximate = next[0] == '~';
                    i++;
                }
                if (maxLen) {
                    Long n = nonNegative(call, i + 1, Errors.STREAM_MAXLEN_NEGATIVE);
                    if (n == null) {
                        return null;
                    }
                    o.maxLen = n;
                    o.byMaxLen = true;
                } else {
                    o.minId = StreamId.parseStrict(call.arg(i + 1), 0);
                    if (o.minId == null) {
                        call.reply().error(Errors.INVALID_STREAM_ID);
                        return null;
                    }
                    o.byMinId = true;
                }
                i++;
            } else if (call.argIs(i, "limit") && more > 0) {
                Long n = nonNegative(call, i + 1, Errors.STREAM_LIMIT_NEGATIVE);
                if (n == null) {
                    return null;
                }
                o.limit = n;
                o.limitGiven = true;
                i++;
            } else if (xadd && call.argIs(i, "nomkstream")) {
                o.noMkStream = true;
            } else if (xadd) {
                o.id = StreamId.parse(call.arg(i), 0, true, true);
                if (o.id == null) {
                    call.reply().error(Errors.INVALID_STREAM_ID);
                    return null;
                }
                o.idIndex = i;
                break;
            } else {
                call.syntaxError();
                return null;
            }
        }
        if (o.limit != 0 && !o.trims()) {
            call.reply().error(Errors.STREAM_LIMIT_WITHOUT_STRATEGY);
            return null;
        }
        if (!xadd && !o.trims()) {
            call.reply().error(Errors.XTRIM_WITHOUT_STRATEGY);
            return null;
        }
        if (call.keyspace().loading()) {
            o.limit = 0; // as Redis for its master or AOF: logged trims are exact
        } else if (o.limitGiven) {
            if (!o.approximate) {
                call.reply().error(Errors.STREAM_LIMIT_WITHOUT_APPROX);
                return null;
            }
        } else if (o.approximate) {
            long limit = 100 * nodeEntries(call);
            o.limit = limit <= 0 ? DEFAULT_LIMIT_FLOOR : Math.min(limit, DEFAULT_LIMIT_CEILING);
        } else {
            o.limit = 0;
        }
        if (xadd && o.idIndex < 0) {
            o.idIndex = call.argc(); // no ID at all: the arity check below fails
        }
        return o;
    }

    /** A count argument: an integer ("not an integer" otherwise), at least 0 ({@code negative} otherwise). */
    private static Long nonNegative(Call call, int index, String negative) {
        Long n = Numbers.parseLong(call.arg(index));
        if (n == null) {
            call.reply().error(Errors.NOT_INTEGER);
        } else if (n < 0) {
            call.reply().error(negative);
            return null;
        }
        return n;
    }

    private static long nodeEntries(Call call) {
        return call.engine().config().getLong("stream-node-max-entries");
    }

    private void xadd(Call call) {
        TrimOptions o = parseTrim(call, true);
        if (o == null) {
            return;
        }
        int fieldsAt = o.idIndex + 1;
        int fieldArgs = call.argc() - fieldsAt;
        if (fieldArgs < 2 || fieldArgs % 2 == 1) {
            call.wrongArity();
            return;
        }
        boolean idGiven = o.id != null;
        if (idGiven && o.id.seqGiven() && o.id.id().equals(StreamId.MIN)) {
            call.reply().error(Errors.XADD_ID_ZERO);
            return;
        }
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (isOtherType(record)) {
            call.wrongType();
            return;
        }
        byte[][] fields = Arrays.copyOfRange(call.argv(), fieldsAt, call.argc());
        if (StreamEntry.size(fields) > call.keyspace().store().streamLogs().maxEntryBytes()) {
            // Checked before a new stream is made: nothing may take an object id without logging.
            call.reply().error(Errors.STREAM_ELEMENTS_TOO_LARGE);
            return;
        }
        if (record == null && o.noMkStream) {
            call.reply().nullBulk();
            return;
        }
        StoredStream stored = record == null ? StoredStream.create(call) : StoredStream.load(call, record);
        Stream stream = stored.stream();
        if (stream.lastId().equals(StreamId.MAX)) {
            call.reply().error(Errors.STREAM_EXHAUSTED);
            return;
        }
        StreamId id;
        if (!idGiven) {
            id = stream.autoId(call.now());
        } else if (!o.id.seqGiven()) {
            id = stream.autoSeqId(o.id.id().ms());
            if (id == null && o.id.id().ms() == stream.lastId().ms()) {
                // Redis reports the sequence running out under one millisecond this way.
                call.reply().error(Errors.STREAM_ELEMENTS_TOO_LARGE);
                return;
            }
        } else {
            id = o.id.id();
        }
        if (id == null || !id.isAfter(stream.lastId())) {
            call.reply().error(Errors.XADD_ID_TOO_SMALL);
            return;
        }
        stream.add(id, fields, call.engine().streamInlineLimit());
        byte[] idBytes = id.toBytes();
        call.effect(xaddEffect(key, idBytes, fields));
        long trimmed = o.trims() ? stream.trim(o.trim(), nodeEntries(call)) : 0;
        if (trimmed > 0) {
            call.effect(XTRIM, key, MAXLEN, EXACT, Numbers.format(stream.length()));
            call.announce(ADDED_AND_TRIMMED);
        }
        stored.save(call, key);
        call.reply().bulk(idBytes);
    }

    /**
     * What an append logs: {@code XADD key <id> field value ...}, the ID explicit (as
     * {@link StreamId#toBytes}), no options.
     */
    static byte[][] xaddEffect(byte[] key, byte[] id, byte[][] fields) {
        byte[][] effect = new byte[3 + fields.length][];
        effect[0] = XADD;
        effect[1] = key;
        effect[2] = id;
        System.arraycopy(fields, 0, effect, 3, fields.length);
        return effect;
    }

    private void xtrim(Call call) {
        TrimOptions o = parseTrim(call, false);
        if (o == null) {
            return;
        }
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        StoredStream stored = open(call, record);
        if (stored == null) {
            return;
        }
        long trimmed = stored.stream().trim(o.trim(), nodeEntries(call));
        if (trimmed > 0) {
            stored.save(call, key);
            call.keyspace().addDirty(trimmed - 1);
            call.effect(XTRIM, key, MAXLEN, EXACT, Numbers.format(stored.stream().length()));
        }
        call.reply().integer(trimmed);
    }

    // ---- XRANGE and XREVRANGE

    /** XRANGE key start end [COUNT n], XREVRANGE key end start [COUNT n]. */
    private void range(Call call, boolean reverse) {
        byte[] startArg = call.arg(reverse ? 3 : 2);
        byte[] endArg = call.arg(reverse ? 2 : 3);
        StreamId start = intervalId(call, startArg, 0);
        if (start == null) {
            return;
        }
        if (isExclusive(startArg)) {
            start = start.next();
            if (start == null) {
                call.reply().error(Errors.STREAM_INVALID_START);
                return;
            }
        }
        StreamId end = intervalId(call, endArg, -1);
        if (end == null) {
            return;
        }
        if (isExclusive(endArg)) {
            end = end.previous();
            if (end == null) {
                call.reply().error(Errors.STREAM_INVALID_END);
                return;
            }
        }
        long count = -1;
        for (int j = 4; j < call.argc(); j++) {
            if (call.argIs(j, "count") && j + 1 < call.argc()) {
                Long n = Numbers.parseLong(call.arg(++j));
                if (n == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return;
                }
                count = Math.max(0, n);
            } else {
                call.syntaxError();
                return;
            }
        }
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().array(0);
            return;
        }
        StoredStream stored = open(call, record);
        if (stored == null) {
            return;
        }
        if (count == 0) {
            call.reply().nullArray();
            return;
        }
        Stream stream = stored.stream();
        replyEntries(call.reply(), reverse ? stream.reverseRange(end, start) : stream.range(start, end),
                count < 0 ? Long.MAX_VALUE : count);
    }

    private static boolean isExclusive(byte[] arg) {
        return arg.length > 1 && arg[0] == '(';
    }

    /** Redis's streamParseIntervalIDOrReply: {@code (id} is a strict ID, else {@code -}/{@code +} too. */
    static StreamId intervalId(Call call, byte[] arg, long missingSeq) {
        StreamId id = isExclusive(arg)
                ? StreamId.parseStrict(Arrays.copyOfRange(arg, 1, arg.length), missingSeq)
                : parseId(arg, missingSeq);
        if (id == null) {
            call.reply().error(Errors.INVALID_STREAM_ID);
        }
        return id;
    }

    private static StreamId parseId(byte[] arg, long missingSeq) {
        StreamId.Parsed parsed = StreamId.parse(arg, missingSeq, false, false);
        return parsed == null ? null : parsed.id();
    }

    /**
     * Replies up to {@code count} entries as Redis's streamReplyWithRange: an array of
     * {@code [id, [field, value ...]]}. Collected first, since the length leads the reply.
     */
    static void replyEntries(ReplyWriter reply, Iterator<StreamEntry> entries, long count) {
        List<StreamEntry> list = new ArrayList<>();
        while (list.size() < count && entries.hasNext()) {
            list.add(entries.next());
        }
        reply.array(list.size());
        for (StreamEntry entry : list) {
            replyEntry(reply, entry);
        }
    }

    static void replyEntry(ReplyWriter reply, StreamEntry entry) {
        reply.array(2);
        reply.bulk(entry.id().toBytes());
        reply.array(entry.fieldsAndValues().length);
        for (byte[] part : entry.fieldsAndValues()) {
            reply.bulk(part);
        }
    }

    // ---- XLEN, XDEL, XSETID

    private void xlen(Call call) {
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        StoredStream stored = open(call, record);
        if (stored != null) {
            call.reply().integer(stored.stream().length());
        }
    }

    private void xdel(Call call) {
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        StoredStream stored = open(call, record);
        if (stored == null) {
            return;
        }
        // Every ID is checked before anything is deleted, so a bad one leaves the stream as it was.
        StreamId[] ids = new StreamId[call.argc() - 2];
        for (int j = 2; j < call.argc(); j++) {
            ids[j - 2] = StreamId.parseStrict(call.arg(j), 0);
            if (ids[j - 2] == null) {
                call.reply().error(Errors.INVALID_STREAM_ID);
                return;
            }
        }
        long deleted = 0;
        for (StreamId id : ids) {
            if (stored.stream().delete(id)) {
                deleted++;
            }
        }
        if (deleted > 0) {
            stored.save(call, key);
            call.keyspace().addDirty(deleted - 1);
        }
        call.reply().integer(deleted);
    }

    private void xsetid(Call call) {
        StreamId id = StreamId.parseStrict(call.arg(2), 0);
        if (id == null) {
            call.reply().error(Errors.INVALID_STREAM_ID);
            return;
        }
        long entriesAdded = -1;
        StreamId maxDeleted = StreamId.MIN;
        for (int i = 3; i < call.argc(); i += 2) {
            boolean more = i + 1 < call.argc();
            if (call.argIs(i, "entriesadded") && more) {
                Long n = Numbers.parseLong(call.arg(i + 1));
                if (n == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return;
                }
                if (n < 0) {
                    call.reply().error(Errors.XSETID_ENTRIES_ADDED_NEGATIVE);
                    return;
                }
                entriesAdded = n;
            } else if (call.argIs(i, "maxdeletedid") && more) {
                maxDeleted = StreamId.parseStrict(call.arg(i + 1), 0);
                if (maxDeleted == null) {
                    call.reply().error(Errors.INVALID_STREAM_ID);
                    return;
                }
                if (id.isBefore(maxDeleted)) {
                    call.reply().error(Errors.XSETID_BELOW_GIVEN_MAX_DELETED);
                    return;
                }
            } else {
                call.syntaxError();
                return;
            }
        }
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null) {
            call.reply().error(Errors.NO_SUCH_KEY);
            return;
        }
        StoredStream stored = open(call, record);
        if (stored == null) {
            return;
        }
        Stream stream = stored.stream();
        if (stream.length() > 0) {
            if (id.isBefore(stream.lastEntryId())) {
                call.reply().error(Errors.XSETID_BELOW_TOP);
                return;
            }
            if (entriesAdded != -1 && stream.length() > entriesAdded) {
                call.reply().error(Errors.XSETID_ENTRIES_ADDED_BELOW_LENGTH);
                return;
            }
        }
        stream.setLastId(id);
        if (entriesAdded != -1) {
            stream.setEntriesAdded(entriesAdded);
        }
        if (!maxDeleted.equals(StreamId.MIN)) {
            stream.setMaxDeletedId(maxDeleted);
        }
        stored.saveMetadata(call, key);
        call.reply().simple("OK");
    }

    // ---- XREAD

    /** XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]. */
    private void xread(Call call) {
        long count = 0;
        Long deadline = null;
        int streamsAt = 0;
        for (int i = 1; i < call.argc(); i++) {
            boolean more = i + 1 < call.argc();
            if (call.argIs(i, "block") && more) {
                deadline = BlockingTimeout.milliseconds(call, ++i);
                if (deadline == null) {
                    return;
                }
            } else if (call.argIs(i, "count") && more) {
                Long n = Numbers.parseLong(call.arg(++i));
                if (n == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return;
                }
                count = Math.max(0, n);
            } else if (call.argIs(i, "streams") && more) {
                streamsAt = i + 1;
                break;
            } else if (call.argIs(i, "group") && i + 2 < call.argc()) {
                call.reply().error(Errors.XREAD_GROUP_OPTION);
                return;
            } else if (call.argIs(i, "noack")) {
                call.reply().error(Errors.XREAD_NOACK_OPTION);
                return;
            } else {
                call.syntaxError();
                return;
            }
        }
        if (streamsAt == 0) {
            call.syntaxError();
            return;
        }
        int streamArgs = call.argc() - streamsAt;
        if (streamArgs % 2 != 0) {
            call.reply().error(Errors.XREAD_UNBALANCED);
            return;
        }
        int streams = streamArgs / 2;
        List<byte[]> keys = new ArrayList<>(streams);
        StreamId[] after = new StreamId[streams];
        for (int s = 0; s < streams; s++) {
            byte[] key = call.arg(streamsAt + s);
            byte[] idArg = call.arg(streamsAt + streams + s);
            byte[] record = call.keyspace().lookupRead(call.db(), key, call.now());
            if (isOtherType(record)) {
                call.wrongType();
                return;
            }
            keys.add(key);
            if (idArg.length == 1 && idArg[0] == '$') {
                after[s] = record == null ? StreamId.MIN : StoredStream.load(call, record).stream().lastId();
            } else if (idArg.length == 1 && idArg[0] == '>') {
                call.reply().error(Errors.XREAD_GREATER_ID);
                return;
            } else {
                after[s] = StreamId.parseStrict(idArg, 0);
                if (after[s] == null) {
                    call.reply().error(Errors.INVALID_STREAM_ID);
                    return;
                }
            }
        }
        if (replyNewEntries(call, keys, after, count)) {
            return;
        }
        if (deadline == null) {
            call.reply().nullArray();
        } else if (!call.mayBlock()) {
            call.reply().nullArray();
        } else {
            call.engine().blocking().block(call, keys, deadline, new ReadWaiter(keys, after, count));
        }
    }

    /**
     * Replies the entries after {@code after[i]} of each stream that has some (a map of stream to
     * entries in RESP3, an array of pairs in RESP2), or nothing when none has.
     *
     * @return whether it replied
     */
    private static boolean replyNewEntries(Call call, List<byte[]> keys, StreamId[] after, long count) {
        List<byte[]> served = new ArrayList<>();
        List<List<StreamEntry>> entries = new ArrayList<>();
        for (int s = 0; s < keys.size(); s++) {
            byte[] record = call.keyspace().lookupReadNoTouch(call.db(), keys.get(s), call.now());
            if (record == null || Record.typeOf(record) != ValueType.STREAM) {
                continue;
            }
            Stream stream = StoredStream.load(call, record).stream();
            StreamId last = stream.length() > 0 ? stream.lastEntryId() : null;
            if (last == null || !last.isAfter(after[s])) {
                continue;
            }
            List<StreamEntry> list = new ArrayList<>();
            Iterator<StreamEntry> it = stream.range(after[s].next(), StreamId.MAX);
            while ((count == 0 || list.size() < count) && it.hasNext()) {
                list.add(it.next());
            }
            served.add(keys.get(s));
            entries.add(list);
        }
        if (served.isEmpty()) {
            return false;
        }
        ReplyWriter reply = call.reply();
        // Redis 7.0 answers a map of stream to entries in RESP3, an array of pairs in RESP2.
        boolean resp3 = reply.protocol() == 3;
        if (resp3) {
            reply.map(served.size());
        } else {
            reply.array(served.size());
        }
        for (int s = 0; s < served.size(); s++) {
            if (!resp3) {
                reply.array(2);
            }
            reply.bulk(served.get(s));
            reply.array(entries.get(s).size());
            for (StreamEntry entry : entries.get(s)) {
                replyEntry(reply, entry);
            }
        }
        return true;
    }

    /** A blocked XREAD: served by the first of its streams that gets an entry after its ID. */
    private record ReadWaiter(List<byte[]> keys, StreamId[] after, long count) implements Waiter {
        @Override
        public ValueType type() {
            return ValueType.STREAM;
        }

        @Override
        public boolean serve(Call call, byte[] key) {
            for (int s = 0; s < keys.size(); s++) {
                if (Arrays.equals(keys.get(s), key)) {
                    return replyNewEntries(call, List.of(key), new StreamId[] {after[s]}, count);
                }
            }
            return false;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
