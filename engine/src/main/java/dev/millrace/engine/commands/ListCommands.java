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
import dev.millrace.engine.types.ListValue;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The list commands of Redis 7.0 (t_list.c), byte-identical in replies and errors to 7.0.15, in the
 * order Redis checks arguments, key and type: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP (with count),
 * LLEN, LINDEX, LSET, LRANGE, LTRIM, LINSERT, LREM, LPOS, LMOVE, RPOPLPUSH, LMPOP, and the blocking
 * BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP on {@link dev.millrace.engine.blocking.BlockingKeys}.
 * Lists are stored as {@link StoredList} describes; Redis 7.0 reports every list as "quicklist".
 *
 * <p>Effects: the non-blocking commands log their own argv (they are deterministic). A blocking command
 * logs what it did as Redis propagates it, whether it pops at once or when served later: BLPOP and
 * BRPOP as {@code LPOP|RPOP key}, BLMPOP and LMPOP as {@code LPOP|RPOP key n} (n the number popped),
 * BLMOVE as LMOVE, BRPOPLPUSH as RPOPLPUSH.
 *
 * <p>The dirty counter moves as Redis's: one per element pushed, popped, removed or trimmed.
 * Execution thread only.
 */
public final class ListCommands implements CommandFamily {
    private static final Announcement PUSHED_HEAD = Announcement.stores(KeyEvent.LPUSH);
    private static final Announcement PUSHED_TAIL = Announcement.stores(KeyEvent.RPUSH);
    private static final Announcement POPPED_HEAD = Announcement.change(KeyEvent.LPOP);
    private static final Announcement POPPED_TAIL = Announcement.change(KeyEvent.RPOP);

    private static final byte[] LPOP = bytes("LPOP");
    private static final byte[] RPOP = bytes("RPOP");
    private static final byte[] LMOVE = bytes("LMOVE");
    private static final byte[] RPOPLPUSH = bytes("RPOPLPUSH");
    /** LMOVE's from and to, and which end is the head. */
    private static final boolean HEAD = true;
    private static final boolean TAIL = false;
    /** What BLPOP and BRPOP pop: one element, replied without the nested array of a count. */
    private static final long SINGLE = -1;

    /** @param engine not needed: list commands reach everything through their {@link Call} */
    public ListCommands(Engine engine) {
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("lpush", call -> push(call, HEAD, false));
        bind.bind("rpush", call -> push(call, TAIL, false));
        bind.bind("lpushx", call -> push(call, HEAD, true));
        bind.bind("rpushx", call -> push(call, TAIL, true));
        bind.bind("lpop", call -> pop(call, HEAD));
        bind.bind("rpop", call -> pop(call, TAIL));
        bind.bind("llen", this::llen);
        bind.bind("lindex", this::lindex);
        bind.bind("lset", this::lset);
        bind.bind("lrange", this::lrange);
        bind.bind("ltrim", this::ltrim);
        bind.bind("linsert", this::linsert);
        bind.bind("lrem", this::lrem);
        bind.bind("lpos", this::lpos);
        bind.bind("lmove", this::lmove);
        bind.bind("rpoplpush", call -> move(call, TAIL, HEAD, call.argv()));
        bind.bind("lmpop", call -> mpop(call, false));
        bind.bind("blpop", call -> blockingPop(call, HEAD));
        bind.bind("brpop", call -> blockingPop(call, TAIL));
        bind.bind("blmove", this::blmove);
        bind.bind("brpoplpush", this::brpoplpush);
        bind.bind("blmpop", call -> mpop(call, true));
    }

    // ---- push and pop ---------------------------------------------------------------------------

    /** LPUSH, RPUSH, and the X forms that push only onto an existing list. */
    private void push(Call call, boolean head, boolean onlyIfExists) {
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (isOtherType(call, record)) {
            return;
        }
        if (record == null && onlyIfExists) {
            call.reply().integer(0);
            return;
        }
        StoredList list = record == null ? StoredList.create(call) : StoredList.load(call, record);
        for (int i = 2; i < call.argc(); i++) {
            list.value().push(head, call.arg(i));
        }
        list.save(key, call.argc() - 2);
        call.reply().integer(list.value().size());
    }

    /** LPOP and RPOP key [count]: a bulk string without a count, an array with one (nil for no key). */
    private void pop(Call call, boolean head) {
        if (call.argc() > 3) {
            call.wrongArity();
            return;
        }
        boolean hasCount = call.argc() == 3;
        long count = 0;
        if (hasCount) {
            Long parsed = Numbers.parseLong(call.arg(2));
            if (parsed == null || parsed < 0) {
                call.reply().error(Errors.MUST_BE_POSITIVE);
                return;
            }
            count = parsed;
        }
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null) {
            if (hasCount) {
                call.reply().nullArray();
            } else {
                call.reply().nullBulk();
            }
            return;
        }
        if (isOtherType(call, record)) {
            return;
        }
        if (hasCount && count == 0) {
            call.reply().array(0);
            return;
        }
        StoredList list = StoredList.load(call, record);
        if (hasCount) {
            long popped = popRange(call, list.value(), head, count);
            list.save(key, popped);
        } else {
            call.reply().bulk(list.value().pop(head));
            list.save(key, 1);
        }
    }

    /** Pops up to {@code count} elements from one end, replying them as an array in popping order. */
    private static long popRange(Call call, ListValue list, boolean head, long count) {
        long size = list.size();
        long n = Math.min(count, size);
        call.reply().array((int) n);
        Iterator<byte[]> elements = head ? list.iterator(0) : list.descendingIterator(size - 1);
        for (long i = 0; i < n; i++) {
            call.reply().bulk(elements.next());
        }
        if (head) {
            list.removeRange(0, n);
        } else {
            list.removeRange(size - n, size);
        }
        return n;
    }

    // ---- reading --------------------------------------------------------------------------------

    private void llen(Call call) {
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().integer(0);
        } else if (!isOtherType(call, record)) {
            call.reply().integer(StoredList.length(record));
        }
    }

    /** LINDEX key index: the key is looked up before the index is parsed, as in Redis. */
    private void lindex(Call call) {
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().nullBulk();
            return;
        }
        if (isOtherType(call, record)) {
            return;
        }
        Long index = longArg(call, 2);
        if (index == null) {
            return;
        }
        ListValue list = StoredList.load(call, record).value();
        long at = index < 0 ? list.size() + index : index;
        if (at < 0 || at >= list.size()) {
            call.reply().nullBulk();
        } else {
            call.reply().bulk(list.get(at));
        }
    }

    /** LRANGE key start stop: indexes are parsed before the key is looked up. */
    private void lrange(Call call) {
        Long start = longArg(call, 2);
        Long stop = start == null ? null : longArg(call, 3);
        if (stop == null) {
            return;
        }
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().array(0);
            return;
        }
        if (isOtherType(call, record)) {
            return;
        }
        ListValue list = StoredList.load(call, record).value();
        long[] range = clampRange(start, stop, list.size());
        if (range == null) {
            call.reply().array(0);
            return;
        }
        long count = range[1] - range[0] + 1;
        call.reply().array((int) count);
        list.forEach(range[0], count, call.reply()::bulk);
    }

    /**
     * Redis's range rule (LRANGE, LTRIM): negative indexes count from the end, start is clamped at 0
     * and stop at the last element.
     *
     * @return {start, stop} inclusive, or null when the range is empty
     */
    private static long[] clampRange(long start, long stop, long size) {
        if (start < 0) {
            start += size;
        }
        if (stop < 0) {
            stop += size;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > stop || start >= size) {
            return null;
        }
        return new long[]{start, Math.min(stop, size - 1)};
    }

    /** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
    private void lpos(Call call) {
        long rank = 1;
        long count = -1; // no COUNT option: reply one index, not an array
        long maxlen = 0;
        for (int j = 3; j < call.argc(); j++) {
            boolean more = j + 1 < call.argc();
            if (call.argIs(j, "RANK") && more) {
                Long value = longArg(call, ++j);
                if (value == null) {
                    return;
                }
                if (value == 0) {
                    call.reply().error(Errors.LPOS_RANK_ZERO);
                    return;
                }
                rank = value;
            } else if (call.argIs(j, "COUNT") && more) {
                Long value = Numbers.parseLong(call.arg(++j));
                if (value == null || value < 0) {
                    call.reply().error(Errors.LPOS_COUNT_NEGATIVE);
                    return;
                }
                count = value;
            } else if (call.argIs(j, "MAXLEN") && more) {
                Long value = Numbers.parseLong(call.arg(++j));
                if (value == null || value < 0) {
                    call.reply().error(Errors.LPOS_MAXLEN_NEGATIVE);
                    return;
                }
                maxlen = value;
            } else {
                call.syntaxError();
                return;
            }
        }
        // A negative rank searches from the tail. (Redis negates LONG_MIN to itself: it stays negative,
        // so every match then satisfies the rank, and Java's arithmetic does the same.)
        boolean fromTail = rank < 0;
        if (fromTail) {
            rank = -rank;
        }
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            if (count != -1) {
                call.reply().array(0);
            } else {
                call.reply().nullBulk();
            }
            return;
        }
        if (isOtherType(call, record)) {
            return;
        }
        ListValue list = StoredList.load(call, record).value();
        long size = list.size();
        byte[] element = call.arg(2);
        Iterator<byte[]> elements = fromTail ? list.descendingIterator(size - 1) : list.iterator(0);
        List<Long> found = new ArrayList<>();
        long matches = 0;
        long matchIndex = -1;
        for (long index = 0; elements.hasNext() && (maxlen == 0 || index < maxlen); index++) {
            if (Arrays.equals(elements.next(), element)) {
                matches++;
                matchIndex = fromTail ? size - index - 1 : index;
                if (matches >= rank) {
                    if (count == -1) {
                        break;
                    }
                    found.add(matchIndex);
                    if (count != 0 && matches - rank + 1 >= count) {
                        break;
                    }
                }
            }
            matchIndex = -1;
        }
        if (count != -1) {
            call.reply().array(found.size());
            found.forEach(call.reply()::integer);
        } else if (matchIndex != -1) {
            call.reply().integer(matchIndex);
        } else {
            call.reply().nullBulk();
        }
    }

    // ---- changing elements in place -------------------------------------------------------------

    /** LSET key index element. */
    private void lset(Call call) {
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null) {
            call.reply().error(Errors.NO_SUCH_KEY);
            return;
        }
        if (isOtherType(call, record)) {
            return;
        }
        Long index = longArg(call, 2);
        if (index == null) {
            return;
        }
        StoredList list = StoredList.load(call, record);
        long size = list.value().size();
        long at = index < 0 ? size + index : index;
        if (at < 0 || at >= size) {
            call.reply().error(Errors.OUT_OF_RANGE);
            return;
        }
        list.value().set(at, call.arg(3));
        list.save(key, 1);
        call.reply().simple("OK");
    }

    /** LTRIM key start stop: keeps [start, stop]; trimming nothing changes nothing (and logs nothing). */
    private void ltrim(Call call) {
        Long start = longArg(call, 2);
        Long stop = start == null ? null : longArg(call, 3);
        if (stop == null) {
            return;
        }
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (isOtherType(call, record)) {
            return;
        }
        if (record != null) {
            StoredList list = StoredList.load(call, record);
            long size = list.value().size();
            long[] keep = clampRange(start, stop, size);
            long fromHead = keep == null ? size : keep[0];
            long fromTail = keep == null ? 0 : size - keep[1] - 1;
            if (fromHead + fromTail > 0) {
                list.value().removeRange(size - fromTail, size);
                list.value().removeRange(0, fromHead);
                list.save(key, fromHead + fromTail);
            } else {
                call.keyspace().unchangedByWrite(call.db(), key);
            }
        }
        call.reply().simple("OK");
    }

    /** LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the pivot, 0 without the key. */
    private void linsert(Call call) {
        boolean after;
        if (call.argIs(2, "AFTER")) {
            after = true;
        } else if (call.argIs(2, "BEFORE")) {
            after = false;
        } else {
            call.syntaxError();
            return;
        }
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        if (isOtherType(call, record)) {
            return;
        }
        StoredList list = StoredList.load(call, record);
        long pivot = indexOf(list.value(), call.arg(3));
        if (pivot < 0) {
            call.reply().integer(-1);
            return;
        }
        list.value().insert(after ? pivot + 1 : pivot, call.arg(4));
        list.save(key, 1);
        call.reply().integer(list.value().size());
    }

    private static long indexOf(ListValue list, byte[] element) {
        long index = 0;
        for (Iterator<byte[]> it = list.iterator(0); it.hasNext(); index++) {
            if (Arrays.equals(it.next(), element)) {
                return index;
            }
        }
        return -1;
    }

    /** LREM key count element: up to count from the head, -count from the tail, 0 all. */
    private void lrem(Call call) {
        Long count = longArg(call, 2);
        if (count == null) {
            return;
        }
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        if (isOtherType(call, record)) {
            return;
        }
        StoredList list = StoredList.load(call, record);
        long removed = list.value().removeOccurrences(call.arg(3), count);
        if (removed > 0) {
            list.save(key, removed);
        }
        call.reply().integer(removed);
    }

    // ---- moving between lists -------------------------------------------------------------------

    /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT. */
    private void lmove(Call call) {
        Boolean from = end(call, 3);
        Boolean to = from == null ? null : end(call, 4);
        if (to != null) {
            move(call, from, to, call.argv());
        }
    }

    /**
     * Redis's lmoveGenericCommand on the call's source (argument 1) and destination (argument 2): nil
     * when the source is absent, WRONGTYPE when either key holds another type (the destination is
     * checked only when there is something to move), else the element moved. Logs {@code effect}.
     */
    private static void move(Call call, boolean fromHead, boolean toHead, byte[][] effect) {
        byte[] source = call.arg(1);
        byte[] destination = call.arg(2);
        byte[] sourceRecord = call.keyspace().lookup(call.db(), source, call.now());
        if (sourceRecord == null) {
            call.reply().nullBulk();
            return;
        }
        if (isOtherType(call, sourceRecord)) {
            return;
        }
        StoredList from = StoredList.load(call, sourceRecord);
        StoredList to = from;
        if (!Arrays.equals(source, destination)) {
            byte[] destinationRecord = call.keyspace().lookup(call.db(), destination, call.now());
            if (isOtherType(call, destinationRecord)) {
                return;
            }
            to = destinationRecord == null ? StoredList.create(call) : StoredList.load(call, destinationRecord);
        }
        byte[] element = from.value().pop(fromHead);
        to.value().push(toHead, element);
        // Redis announces the push to the destination before the pop from the source.
        if (to != from) {
            call.announce(toHead ? PUSHED_HEAD : PUSHED_TAIL);
            to.save(destination, 0); // Redis counts one change for the move: the source's
            call.announce(fromHead ? POPPED_HEAD : POPPED_TAIL);
        } else {
            call.announce(Announcement.stores(toHead ? KeyEvent.LPUSH : KeyEvent.RPUSH, fromHead ? KeyEvent.LPOP : KeyEvent.RPOP));
        }
        from.save(source, 1);
        call.reply().bulk(element);
        call.effect(effect);
    }

    /** LMPOP and BLMPOP: numkeys key ... LEFT|RIGHT [COUNT count], after BLMPOP's timeout. */
    private void mpop(Call call, boolean blocking) {
        int numkeysIndex = blocking ? 2 : 1;
        Long numkeys = Numbers.parseLong(call.arg(numkeysIndex));
        if (numkeys == null || numkeys < 1) {
            call.reply().error(Errors.NUMKEYS_NOT_POSITIVE);
            return;
        }
        if (numkeys > call.argc() - numkeysIndex - 2) {
            call.syntaxError(); // the keys would reach past LEFT|RIGHT
            return;
        }
        int whereIndex = numkeysIndex + numkeys.intValue() + 1;
        Boolean head = end(call, whereIndex);
        if (head == null) {
            return;
        }
        long count = -1;
        for (int j = whereIndex + 1; j < call.argc(); j++) {
            if (count == -1 && call.argIs(j, "COUNT") && j + 1 < call.argc()) {
                Long value = Numbers.parseLong(call.arg(++j));
                if (value == null || value < 1) {
                    call.reply().error(Errors.MPOP_COUNT_NOT_POSITIVE);
                    return;
                }
                count = value;
            } else {
                call.syntaxError();
                return;
            }
        }
        List<byte[]> keys = Arrays.asList(call.argv()).subList(numkeysIndex + 1, whereIndex);
        long n = count == -1 ? 1 : count;
        if (blocking) {
            Long deadline = BlockingTimeout.seconds(call, 1);
            if (deadline != null) {
                popOrBlock(call, keys, head, n, deadline);
            }
        } else if (!popFirstNonEmpty(call, keys, head, n)) {
            call.reply().nullArray();
        }
    }

    // ---- blocking -------------------------------------------------------------------------------

    /** BLPOP and BRPOP key [key ...] timeout. */
    private void blockingPop(Call call, boolean head) {
        Long deadline = BlockingTimeout.seconds(call, call.argc() - 1);
        if (deadline != null) {
            popOrBlock(call, Arrays.asList(call.argv()).subList(1, call.argc() - 1), head, SINGLE, deadline);
        }
    }

    /**
     * Pops from the first non-empty list of {@code keys} or blocks on all of them (inside MULTI or a
     * script: a null array, as on timeout).
     */
    private static void popOrBlock(Call call, List<byte[]> keys, boolean head, long count, long deadline) {
        if (popFirstNonEmpty(call, keys, head, count)) {
            return;
        }
        if (call.mayBlock()) {
            call.engine().blocking().block(call, keys, deadline, new PopWaiter(head, count));
        } else {
            call.reply().nullArray();
        }
    }

    /**
     * Pops from the first key of {@code keys} that holds a list. WRONGTYPE on the first key of another
     * type met before one.
     *
     * @return false when no key holds a list (nothing replied), true after a reply
     */
    private static boolean popFirstNonEmpty(Call call, List<byte[]> keys, boolean head, long count) {
        for (byte[] key : keys) {
            byte[] record = call.keyspace().lookup(call.db(), key, call.now());
            if (record == null) {
                continue;
            }
            if (!isOtherType(call, record)) {
                popWithKey(call, key, record, head, count);
            }
            return true;
        }
        return false;
    }

    /**
     * Pops from a key's list as a blocking command replies: {@code [key, element]} for one element
     * (BLPOP), {@code [key, [elements]]} for a count (LMPOP), logged as LPOP/RPOP of what was popped.
     */
    private static void popWithKey(Call call, byte[] key, byte[] record, boolean head, long count) {
        StoredList list = StoredList.load(call, record);
        call.announce(head ? POPPED_HEAD : POPPED_TAIL);
        call.reply().array(2);
        call.reply().bulk(key);
        if (count == SINGLE) {
            call.reply().bulk(list.value().pop(head));
            list.save(key, 1);
            call.effect(head ? LPOP : RPOP, key);
        } else {
            long popped = popRange(call, list.value(), head, count);
            list.save(key, popped);
            call.effect(head ? LPOP : RPOP, key, Numbers.format(popped));
        }
    }

    /** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout, logged as LMOVE. */
    private void blmove(Call call) {
        Boolean from = end(call, 3);
        Boolean to = from == null ? null : end(call, 4);
        Long deadline = to == null ? null : BlockingTimeout.seconds(call, 5);
        if (deadline != null) {
            byte[][] argv = call.argv();
            moveOrBlock(call, from, to, deadline, new byte[][]{LMOVE, argv[1], argv[2], argv[3], argv[4]});
        }
    }

    /** BRPOPLPUSH source destination timeout, logged as RPOPLPUSH. */
    private void brpoplpush(Call call) {
        Long deadline = BlockingTimeout.seconds(call, 3);
        if (deadline != null) {
            moveOrBlock(call, TAIL, HEAD, deadline, new byte[][]{RPOPLPUSH, call.arg(1), call.arg(2)});
        }
    }

    /** Moves at once when the source holds a list, else blocks on it (a null bulk inside MULTI, as Redis). */
    private static void moveOrBlock(Call call, boolean fromHead, boolean toHead, long deadline, byte[][] effect) {
        byte[] record = call.keyspace().lookup(call.db(), call.arg(1), call.now());
        if (record != null) {
            if (!isOtherType(call, record)) {
                move(call, fromHead, toHead, effect);
            }
        } else if (call.mayBlock()) {
            call.engine().blocking().block(call, List.of(call.arg(1)), deadline, new MoveWaiter(fromHead, toHead, effect));
        } else {
            call.reply().nullBulk();
        }
    }

    /** A client blocked in BLPOP, BRPOP or BLMPOP: pops from whichever of its keys is ready first. */
    private record PopWaiter(boolean head, long count) implements Waiter {
        @Override
        public ValueType type() {
            return ValueType.LIST;
        }

        @Override
        public boolean serve(Call call, byte[] key) {
            popWithKey(call, key, call.keyspace().lookup(call.db(), key, call.now()), head, count);
            return true;
        }
    }

    /**
     * A client blocked in BLMOVE or BRPOPLPUSH: moves from its source once it is ready. A destination of
     * another type by then answers WRONGTYPE and leaves the source alone, as in Redis.
     */
    private record MoveWaiter(boolean fromHead, boolean toHead, byte[][] effect) implements Waiter {
        @Override
        public ValueType type() {
            return ValueType.LIST;
        }

        @Override
        public boolean serve(Call call, byte[] key) {
            move(call, fromHead, toHead, effect);
            return true;
        }
    }

    // ---- arguments and types --------------------------------------------------------------------

    /** LEFT (true: the head) or RIGHT (false), or null after a syntax error. */
    private static Boolean end(Call call, int index) {
        if (call.argIs(index, "LEFT")) {
            return HEAD;
        }
        if (call.argIs(index, "RIGHT")) {
            return TAIL;
        }
        call.syntaxError();
        return null;
    }

    /** An index or count as Redis's getLongFromObjectOrReply reads it, or null after the error. */
    private static Long longArg(Call call, int index) {
        Long value = Numbers.parseLong(call.arg(index));
        if (value == null) {
            call.reply().error(Errors.NOT_INTEGER);
        }
        return value;
    }

    /** Replies WRONGTYPE when a live record is not a list. */
    private static boolean isOtherType(Call call, byte[] record) {
        if (record != null && Record.typeOf(record) != ValueType.LIST) {
            call.wrongType();
            return true;
        }
        return false;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
