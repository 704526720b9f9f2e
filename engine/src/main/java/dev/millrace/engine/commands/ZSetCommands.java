package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
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
import dev.millrace.engine.types.ZSet;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The sorted-set commands on one key: ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK,
 * ZRANDMEMBER, ZSCAN, ZPOPMIN, ZPOPMAX, ZMPOP, and the blocking BZPOPMIN, BZPOPMAX, BZMPOP on
 * {@link dev.millrace.engine.blocking.BlockingKeys}; and, through the families it registers with it, the
 * range commands ({@link ZRangeCommands}) and the set algebra ({@link ZSetAlgebraCommands}). The
 * sorted set itself is {@link ZSet}, stored as {@link StoredZSet} describes.
 *
 * <p>Effects: every command here is deterministic given the keyspace, so each logs its own argv
 * (ZADD INCR and ZINCRBY too: replaying the same addition gives the same double), except ZMPOP and the
 * blocking pops, which log the ZPOPMIN or ZPOPMAX they amounted to (BZPOPMIN as ZPOPMIN key, ZMPOP
 * and BZMPOP as ZPOPMIN key count), as Redis propagates them, whether served at once or after
 * blocking. Commands that change nothing log nothing. Execution thread only.
 */
public final class ZSetCommands implements CommandFamily {
    private static final Announcement INCREMENTED = Announcement.stores(KeyEvent.ZINCR);
    private static final Announcement POPPED_MIN = Announcement.change(KeyEvent.ZPOPMIN);
    private static final Announcement POPPED_MAX = Announcement.change(KeyEvent.ZPOPMAX);

    /** What {@link #lookup} returns after replying WRONGTYPE. */
    static final byte[] WRONG_TYPE = new byte[0];

    /** @param engine not needed: the commands reach everything through their {@link Call} */
    public ZSetCommands(Engine engine) {
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("zadd", call -> add(call, false));
        bind.bind("zincrby", call -> add(call, true));
        bind.bind("zrem", this::remove);
        bind.bind("zcard", this::card);
        bind.bind("zscore", this::score);
        bind.bind("zmscore", this::multiScore);
        bind.bind("zrank", call -> rank(call, false));
        bind.bind("zrevrank", call -> rank(call, true));
        bind.bind("zrandmember", new ZRandMember()::execute);
        bind.bind("zscan", this::scan);
        bind.bind("zpopmin", call -> popMinMax(call, false));
        bind.bind("zpopmax", call -> popMinMax(call, true));
        bind.bind("zmpop", call -> multiPop(call, false));
        bind.bind("bzpopmin", call -> blockingPopMinMax(call, false));
        bind.bind("bzpopmax", call -> blockingPopMinMax(call, true));
        bind.bind("bzmpop", call -> multiPop(call, true));
        new ZRangeCommands().register(bind);
        new ZSetAlgebraCommands().register(bind);
    }

    // ---------------------------------------------------------------- shared by the zset families

    /**
     * The live record of a sorted-set key: null when absent, {@link #WRONG_TYPE} after replying
     * WRONGTYPE. A read command's lookup counts a hit or miss; a write command's does not.
     */
    static byte[] lookup(Call call, byte[] key, boolean forWrite) {
        byte[] record = forWrite ? call.keyspace().lookup(call.db(), key, call.now())
                : call.keyspace().lookupRead(call.db(), key, call.now());
        if (record != null && Record.typeOf(record) != ValueType.ZSET) {
            call.wrongType();
            return WRONG_TYPE;
        }
        return record;
    }

    /**
     * Elements as Redis replies a list of them: members only; or with scores, flat (member, score, ...)
     * in RESP2 and as [member, score] pairs in RESP3.
     */
    static void replyElements(ReplyWriter out, List<ZSet.Element> elements, boolean withScores) {
        if (withScores && out.protocol() > 2) {
            replyPairs(out, elements);
            return;
        }
        out.array(withScores ? 2 * elements.size() : elements.size());
        for (ZSet.Element e : elements) {
            out.bulk(e.member());
            if (withScores) {
                out.doubleValue(e.score());
            }
        }
    }

    /** Elements as an array of [member, score] pairs, whatever the protocol (ZMPOP, RESP3 replies). */
    static void replyPairs(ReplyWriter out, List<ZSet.Element> elements) {
        out.array(elements.size());
        for (ZSet.Element e : elements) {
            out.array(2);
            out.bulk(e.member());
            out.doubleValue(e.score());
        }
    }

    // ---------------------------------------------------------------- ZADD, ZINCRBY

    /**
     * ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...], and ZINCRBY key increment
     * member, which is ZADD INCR (Redis parses its options the same way, so an option word there is a
     * syntax error). Every score is parsed before the key is looked at, so a bad score wins over
     * WRONGTYPE and nothing is changed.
     */
    private void add(Call call, boolean incrCommand) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        boolean ch = false;
        boolean incr = incrCommand;
        int first = 2;
        for (; first < call.argc(); first++) {
            if (call.argIs(first, "nx")) {
                nx = true;
            } else if (call.argIs(first, "xx")) {
                xx = true;
            } else if (call.argIs(first, "gt")) {
                gt = true;
            } else if (call.argIs(first, "lt")) {
                lt = true;
            } else if (call.argIs(first, "ch")) {
                ch = true;
            } else if (call.argIs(first, "incr")) {
                incr = true;
            } else {
                break;
            }
        }
        int arguments = call.argc() - first;
        if (arguments == 0 || arguments % 2 != 0) {
            call.syntaxError();
            return;
        }
        int pairs = arguments / 2;
        if (nx && xx) {
            call.reply().error(Errors.ZADD_XX_AND_NX);
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            call.reply().error(Errors.GT_LT_NX);
            return;
        }
        if (incr && pairs > 1) {
            call.reply().error(Errors.ZADD_INCR_ONE_PAIR);
            return;
        }
        double[] scores = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            Double score = Numbers.parseDouble(call.arg(first + 2 * p));
            if (score == null) {
                call.reply().error(Errors.NOT_FLOAT);
                return;
            }
            scores[p] = score;
        }

        byte[] key = call.arg(1);
        byte[] record = lookup(call, key, true);
        if (record == WRONG_TYPE) {
            return;
        }
        if (record == null && xx) {
            replyAdded(call, incr, ch, 0, 0, 0, 0);
            return;
        }
        StoredZSet stored = record == null ? StoredZSet.create(call, key, call.arg(first + 1))
                : StoredZSet.load(call, key, record);
        ZSet.AddOptions options = new ZSet.AddOptions(nx, xx, gt, lt, incr);
        long added = 0;
        long updated = 0;
        long processed = 0;
        double score = 0;
        for (int p = 0; p < pairs; p++) {
            ZSet.AddResult result = stored.value().add(call.arg(first + 2 * p + 1), scores[p], options);
            switch (result.outcome()) {
                case NAN -> {
                    // INCR takes one pair, so nothing has changed yet
                    call.reply().error(Errors.SCORE_NAN);
                    return;
                }
                case ADDED -> added++;
                case UPDATED -> updated++;
                default -> { }
            }
            if (result.outcome() != ZSet.Outcome.SKIPPED) {
                processed++;
            }
            score = result.score();
        }
        if (added + updated > 0) {
            if (incr) {
                call.announce(INCREMENTED); // ZADD INCR announces as ZINCRBY
            }
            stored.save(added + updated);
        }
        replyAdded(call, incr, ch, added, updated, processed, score);
    }

    /** ZADD's reply: the new score with INCR (null when the member was left alone), else a count. */
    private static void replyAdded(Call call, boolean incr, boolean ch, long added, long updated, long processed,
                                   double score) {
        if (incr) {
            if (processed > 0) {
                call.reply().doubleValue(score);
            } else {
                call.reply().nullBulk();
            }
        } else {
            call.reply().integer(ch ? added + updated : added);
        }
    }

    // ---------------------------------------------------------------- ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK

    /** ZREM key member [member ...]: O(log n) per member in the skiplist form. */
    private void remove(Call call) {
        byte[] key = call.arg(1);
        byte[] record = lookup(call, key, true);
        if (record == WRONG_TYPE) {
            return;
        }
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        StoredZSet stored = StoredZSet.load(call, key, record);
        long deleted = 0;
        for (int i = 2; i < call.argc() && stored.value().size() > 0; i++) {
            if (stored.value().remove(call.arg(i))) {
                deleted++;
            }
        }
        if (deleted > 0) {
            stored.save(deleted);
        }
        call.reply().integer(deleted);
    }

    private void card(Call call) {
        byte[] record = lookup(call, call.arg(1), false);
        if (record == WRONG_TYPE) {
            return;
        }
        call.reply().integer(record == null ? 0 : StoredZSet.size(record));
    }

    private void score(Call call) {
        byte[] record = lookup(call, call.arg(1), false);
        if (record == WRONG_TYPE) {
            return;
        }
        Double score = record == null ? null : StoredZSet.read(call, record).score(call.arg(2));
        replyScore(call.reply(), score);
    }

    private void multiScore(Call call) {
        byte[] record = lookup(call, call.arg(1), false);
        if (record == WRONG_TYPE) {
            return;
        }
        ZSet zset = record == null ? null : StoredZSet.read(call, record);
        call.reply().array(call.argc() - 2);
        for (int i = 2; i < call.argc(); i++) {
            replyScore(call.reply(), zset == null ? null : zset.score(call.arg(i)));
        }
    }

    private static void replyScore(ReplyWriter out, Double score) {
        if (score == null) {
            out.nullBulk();
        } else {
            out.doubleValue(score);
        }
    }

    /**
     * ZRANK and ZREVRANK key member [WITHSCORE]: the WITHSCORE option is Redis 7.2's, answered as 7.2
     * does (a [rank, score] pair, or a null array when the member is missing).
     */
    private void rank(Call call, boolean reverse) {
        if (call.argc() > 4) {
            call.wrongArity();
            return;
        }
        boolean withScore = false;
        if (call.argc() == 4) {
            if (!call.argIs(3, "withscore")) {
                call.syntaxError();
                return;
            }
            withScore = true;
        }
        byte[] record = lookup(call, call.arg(1), false);
        if (record == WRONG_TYPE) {
            return;
        }
        ZSet zset = record == null ? null : StoredZSet.read(call, record);
        long rank = zset == null ? -1 : zset.rank(call.arg(2));
        if (rank < 0) {
            if (withScore) {
                call.reply().nullArray();
            } else {
                call.reply().nullBulk();
            }
            return;
        }
        if (withScore) {
            call.reply().array(2);
        }
        call.reply().integer(reverse ? zset.size() - 1 - rank : rank);
        if (withScore) {
            call.reply().doubleValue(zset.get(rank).score());
        }
    }

    // ---------------------------------------------------------------- ZSCAN

    /**
     * ZSCAN key cursor [MATCH pattern] [COUNT count]: a listpack in one call (cursor 0), a skiplist
     * in member-hash order (the cursor is the next hash, as an unsigned decimal). The pattern filters
     * members; TYPE is a keyspace SCAN option only (a syntax error here, as in Redis).
     */
    private void scan(Call call) {
        Long cursor = KeyScanCommands.parseCursor(call.arg(2));
        if (cursor == null) {
            call.reply().error(Errors.SCAN_CURSOR);
            return;
        }
        byte[] record = lookup(call, call.arg(1), false);
        if (record == WRONG_TYPE) {
            return;
        }
        if (record == null) {
            call.reply().array(2);
            call.reply().bulk("0");
            call.reply().array(0);
            return;
        }
        ScanOptions options = ScanOptions.parse(call, 3);
        if (options == null) {
            return;
        }
        ZSet zset = StoredZSet.read(call, record);
        List<ZSet.Element> kept = new ArrayList<>();
        long next = zset.scan(cursor, options.count(), e -> {
            if (options.matches(e.member())) {
                kept.add(e);
            }
        });
        call.reply().array(2);
        call.reply().bulk(Long.toUnsignedString(next));
        call.reply().array(2 * kept.size());
        for (ZSet.Element e : kept) {
            call.reply().bulk(e.member());
            call.reply().bulk(zset.scanText(e.score()).getBytes(StandardCharsets.US_ASCII));
        }
    }

    // ---------------------------------------------------------------- ZPOPMIN, ZPOPMAX, ZMPOP, blocking

    /** How a pop replies, and the effect it states: each shape belongs to one kind of command. */
    private enum PopReply {
        /** ZPOPMIN/ZPOPMAX: (member, score ...) flat; logged as itself. */
        FLAT,
        /** ZPOPMIN/ZPOPMAX with a count in RESP3: [member, score] pairs; logged as itself. */
        PAIRS,
        /** BZPOPMIN/BZPOPMAX: [key, member, score]; logged as ZPOPMIN/ZPOPMAX key. */
        KEY_AND_ELEMENT,
        /** ZMPOP/BZMPOP: [key, [[member, score] ...]]; logged as ZPOPMIN/ZPOPMAX key count. */
        KEY_AND_PAIRS
    }

    /** ZPOPMIN and ZPOPMAX key [count]. */
    private void popMinMax(Call call, boolean max) {
        if (call.argc() > 3) {
            call.syntaxError();
            return;
        }
        long count = -1;
        if (call.argc() == 3) {
            Long parsed = Numbers.parseLong(call.arg(2));
            if (parsed == null || parsed < 0) {
                call.reply().error(Errors.MUST_BE_POSITIVE);
                return;
            }
            count = parsed;
        }
        Found found = firstExisting(call, List.of(call.arg(1)));
        if (found == WRONG) {
            return;
        }
        if (found == null || count == 0) {
            call.reply().array(0);
            return;
        }
        popFrom(call, found, max, count == -1 ? 1 : count,
                call.reply().protocol() > 2 && count != -1 ? PopReply.PAIRS : PopReply.FLAT);
    }

    /** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], and BZMPOP timeout numkeys ... after its timeout. */
    private void multiPop(Call call, boolean blocking) {
        int numKeysIndex = blocking ? 2 : 1;
        Long numKeys = Numbers.parseLong(call.arg(numKeysIndex));
        if (numKeys == null || numKeys < 1) {
            call.reply().error(Errors.NUMKEYS_NOT_POSITIVE);
            return;
        }
        if (numKeys >= call.argc() - numKeysIndex - 1) {
            call.syntaxError();
            return;
        }
        int where = numKeysIndex + 1 + numKeys.intValue();
        boolean max;
        if (call.argIs(where, "min")) {
            max = false;
        } else if (call.argIs(where, "max")) {
            max = true;
        } else {
            call.syntaxError();
            return;
        }
        long count = -1;
        for (int i = where + 1; i < call.argc(); i++) {
            if (count == -1 && call.argIs(i, "count") && i + 1 < call.argc()) {
                Long parsed = Numbers.parseLong(call.arg(++i));
                if (parsed == null || parsed < 1) {
                    call.reply().error(Errors.MPOP_COUNT_NOT_POSITIVE);
                    return;
                }
                count = parsed;
            } else {
                call.syntaxError();
                return;
            }
        }
        List<byte[]> keys = Arrays.asList(call.argv()).subList(numKeysIndex + 1, where);
        count = count == -1 ? 1 : count;
        if (!blocking) {
            Found found = firstExisting(call, keys);
            if (found == null) {
                call.reply().nullArray();
            } else if (found != WRONG) {
                popFrom(call, found, max, count, PopReply.KEY_AND_PAIRS);
            }
            return;
        }
        Long deadline = BlockingTimeout.seconds(call, 1);
        if (deadline != null) {
            popOrBlock(call, keys, max, count, PopReply.KEY_AND_PAIRS, deadline);
        }
    }

    /** BZPOPMIN and BZPOPMAX key [key ...] timeout: the timeout is read first. */
    private void blockingPopMinMax(Call call, boolean max) {
        Long deadline = BlockingTimeout.seconds(call, call.argc() - 1);
        if (deadline != null) {
            List<byte[]> keys = Arrays.asList(call.argv()).subList(1, call.argc() - 1);
            popOrBlock(call, keys, max, 1, PopReply.KEY_AND_ELEMENT, deadline);
        }
    }

    /**
     * Pops from the first of the keys that exists, or blocks on all of them until one is written
     * (inside MULTI or a script: a null array, as on timeout).
     */
    private static void popOrBlock(Call call, List<byte[]> keys, boolean max, long count, PopReply shape, long deadline) {
        Found found = firstExisting(call, keys);
        if (found == WRONG) {
            return;
        }
        if (found != null) {
            popFrom(call, found, max, count, shape);
        } else if (call.mayBlock()) {
            call.engine().blocking().block(call, keys, deadline, new PopWaiter(max, count, shape));
        } else {
            call.reply().nullArray();
        }
    }

    /** A client blocked in BZPOPMIN, BZPOPMAX or BZMPOP: pops from whichever of its keys is ready first. */
    private record PopWaiter(boolean max, long count, PopReply shape) implements Waiter {
        @Override
        public ValueType type() {
            return ValueType.ZSET;
        }

        @Override
        public boolean serve(Call call, byte[] key) {
            popFrom(call, new Found(key, call.keyspace().lookup(call.db(), key, call.now())), max, count, shape);
            return true;
        }
    }

    /** A key that exists, with its live record. */
    private record Found(byte[] key, byte[] record) {
    }

    /** What {@link #firstExisting} returns after replying WRONGTYPE. */
    private static final Found WRONG = new Found(null, null);

    /**
     * Redis's genericZpopCommand's search: the first of the keys that exists (a sorted set is never
     * empty), or null; WRONGTYPE if that key is not a sorted set.
     */
    private static Found firstExisting(Call call, List<byte[]> keys) {
        for (byte[] key : keys) {
            byte[] record = lookup(call, key, true);
            if (record == WRONG_TYPE) {
                return WRONG;
            }
            if (record != null) {
                return new Found(key, record);
            }
        }
        return null;
    }

    /** Pops up to {@code count} elements from a found set, replying and stating effects as {@code shape} says. */
    private static void popFrom(Call call, Found found, boolean max, long count, PopReply shape) {
        StoredZSet stored = StoredZSet.load(call, found.key(), found.record());
        List<ZSet.Element> popped = popElements(stored.value(), count, max);
        call.announce(max ? POPPED_MAX : POPPED_MIN);
        stored.save(popped.size());
        ReplyWriter out = call.reply();
        byte[] command = bytes(max ? "ZPOPMAX" : "ZPOPMIN");
        switch (shape) {
            case FLAT -> {
                out.array(2 * popped.size());
                for (ZSet.Element e : popped) {
                    out.bulk(e.member());
                    out.doubleValue(e.score());
                }
            }
            case PAIRS -> replyPairs(out, popped);
            case KEY_AND_ELEMENT -> {
                out.array(3);
                out.bulk(found.key());
                out.bulk(popped.get(0).member());
                out.doubleValue(popped.get(0).score());
                call.effect(command, found.key());
            }
            case KEY_AND_PAIRS -> {
                out.array(2);
                out.bulk(found.key());
                replyPairs(out, popped);
                call.effect(command, found.key(), Numbers.format(count));
            }
        }
    }

    /** Removes up to {@code count} elements from the low end, or the high end when {@code max}. */
    static List<ZSet.Element> popElements(ZSet zset, long count, boolean max) {
        long size = zset.size();
        int n = (int) Math.min(count, size);
        List<ZSet.Element> popped = new ArrayList<>(n);
        Iterator<ZSet.Element> it = zset.iterator(max ? size - 1 : 0, !max);
        for (int i = 0; i < n; i++) {
            popped.add(it.next());
        }
        if (max) {
            zset.removeRange(size - n, size);
        } else {
            zset.removeRange(0, n);
        }
        return popped;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
