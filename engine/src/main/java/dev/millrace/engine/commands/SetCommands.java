package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.notify.Announcement;
import dev.millrace.engine.notify.KeyEvent;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.types.SetResult;
import dev.millrace.engine.types.SetValue;
import dev.millrace.engine.util.Numbers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The set commands of Redis 7.0: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER,
 * SMOVE, SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE and SSCAN, byte-identical
 * to 7.0.15 in replies, errors and the order of their checks, and in what is observable of the
 * encodings (see {@link SetValue}): an intset replies in ascending order, and SINTER/SUNION/SDIFF build
 * their result as Redis's temporary set does ({@link SetResult}).
 *
 * <p>Algorithms follow Redis's t_set.c, so costs match: SINTER iterates the smallest set and looks its
 * members up in the others (sets sorted by size); SDIFF picks between "iterate the first set" and
 * "add the first, remove the others" by the same estimate; SPOP and SRANDMEMBER with a count switch
 * strategy at the same ratios. Random members are uniform: a random index into the set.
 *
 * <p>Effects: SPOP states what it did, as Redis propagates it: one {@code SREM key member} per member
 * popped, or {@code DEL key} when a count took the whole set. The other writers log their own argv,
 * which replays to the same state.
 *
 * <p>Execution thread only, like every family.
 */
public final class SetCommands implements CommandFamily {
    private static final byte[] SREM = "SREM".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DEL = "DEL".getBytes(StandardCharsets.US_ASCII);
    /** SPOP pops one by one while the set keeps over a fifth of the count; else it rebuilds the rest. */
    private static final long SPOP_MOVE_STRATEGY_MUL = 5;
    /** SRANDMEMBER walks the whole set when the count is over a third of it; else it samples. */
    private static final long SRANDMEMBER_SUB_STRATEGY_MUL = 3;

    /** @param engine not needed: set commands reach everything through their {@link Call} */
    public SetCommands(Engine engine) {
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("sadd", this::sadd);
        bind.bind("srem", this::srem);
        bind.bind("smembers", call -> intersect(call, 1, 1, null, false, 0));
        bind.bind("sismember", this::sismember);
        bind.bind("smismember", this::smismember);
        bind.bind("scard", this::scard);
        bind.bind("spop", this::spop);
        bind.bind("srandmember", this::srandmember);
        bind.bind("smove", this::smove);
        bind.bind("sinter", call -> intersect(call, 1, call.argc() - 1, null, false, 0));
        bind.bind("sintercard", this::sintercard);
        bind.bind("sinterstore", call -> intersect(call, 2, call.argc() - 2, call.arg(1), false, 0));
        bind.bind("sunion", call -> unionOrDiff(call, 1, null, false));
        bind.bind("sunionstore", call -> unionOrDiff(call, 2, call.arg(1), false));
        bind.bind("sdiff", call -> unionOrDiff(call, 1, null, true));
        bind.bind("sdiffstore", call -> unionOrDiff(call, 2, call.arg(1), true));
        bind.bind("sscan", this::sscan);
    }

    // ---- single-set commands ----------------------------------------------------------------------

    private void sadd(Call call) {
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (notSet(call, record)) {
            return;
        }
        StoredSet set = record == null ? StoredSet.create(call, null, call.arg(2)) : StoredSet.load(call, record);
        long added = 0;
        for (int i = 2; i < call.argc(); i++) {
            if (set.value().add(call.arg(i))) {
                added++;
            }
        }
        if (added > 0) {
            set.save(call, key);
            countChanges(call, added);
        }
        call.reply().integer(added);
    }

    /** Stops at the member that empties the set, as Redis does: the key is deleted then. */
    private void srem(Call call) {
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null) {
            call.reply().integer(0);
            return;
        }
        if (notSet(call, record)) {
            return;
        }
        StoredSet set = StoredSet.load(call, record);
        long removed = 0;
        for (int i = 2; i < call.argc() && set.value().size() > 0; i++) {
            if (set.value().remove(call.arg(i))) {
                removed++;
            }
        }
        if (removed > 0) {
            set.save(call, key);
            countChanges(call, removed);
        }
        call.reply().integer(removed);
    }

    private void sismember(Call call) {
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().integer(0);
        } else if (!notSet(call, record)) {
            call.reply().integer(StoredSet.load(call, record).value().contains(call.arg(2)) ? 1 : 0);
        }
    }

    /** A missing key is an empty set here: a zero for each value, not an empty reply. */
    private void smismember(Call call) {
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (notSet(call, record)) {
            return;
        }
        SetValue set = record == null ? null : StoredSet.load(call, record).value();
        call.reply().array(call.argc() - 2);
        for (int i = 2; i < call.argc(); i++) {
            call.reply().integer(set != null && set.contains(call.arg(i)) ? 1 : 0);
        }
    }

    private void scard(Call call) {
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().integer(0);
        } else if (!notSet(call, record)) {
            call.reply().integer(StoredSet.load(call, record).value().size());
        }
    }

    // ---- SPOP and SRANDMEMBER ---------------------------------------------------------------------

    private void spop(Call call) {
        if (call.argc() == 3) {
            spopWithCount(call);
            return;
        }
        if (call.argc() > 3) {
            call.syntaxError();
            return;
        }
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null) {
            call.reply().nullBulk();
            return;
        }
        if (notSet(call, record)) {
            return;
        }
        StoredSet set = StoredSet.load(call, record);
        byte[] member = set.value().removeAt(randomIndex(set.value().size()));
        call.effect(SREM, key, member);
        call.reply().bulk(member);
        set.save(call, key);
    }

    /**
     * SPOP key count, as Redis: the whole set when the count reaches its size (logged as DEL); else
     * random members one at a time while many would remain, or, when few would, the random survivors
     * are picked and rebuilt into a new set (Redis's SPOP_MOVE_STRATEGY_MUL), which takes the
     * encoding a fresh set of them would have and keeps the key's TTL.
     */
    private void spopWithCount(Call call) {
        Long parsed = Numbers.parseLong(call.arg(2));
        if (parsed == null || parsed < 0) {
            call.reply().error(Errors.MUST_BE_POSITIVE);
            return;
        }
        long count = parsed;
        byte[] key = call.arg(1);
        byte[] record = call.keyspace().lookup(call.db(), key, call.now());
        if (record == null) {
            call.reply().set(0);
            return;
        }
        if (notSet(call, record)) {
            return;
        }
        if (count == 0) {
            call.reply().set(0);
            return;
        }
        StoredSet set = StoredSet.load(call, record);
        SetValue members = set.value();
        long size = members.size();
        if (count >= size) {
            replySet(call.reply(), union(call, List.of(members)));
            call.keyspace().delete(call.db(), key, call.now());
            countChanges(call, size);
            call.effect(DEL, key);
            return;
        }
        call.reply().set(Math.toIntExact(count));
        long remaining = size - count;
        if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
            for (long i = 0; i < count; i++) {
                popped(call, key, members.removeAt(randomIndex(members.size())));
            }
            set.save(call, key);
        } else {
            Set<Long> survivors = randomIndexes(remaining, size);
            StoredSet rebuilt = null;
            long index = 0;
            for (Iterator<byte[]> it = members.iterator(); it.hasNext(); index++) {
                byte[] member = it.next();
                if (!survivors.contains(index)) {
                    popped(call, key, member);
                    continue;
                }
                if (rebuilt == null) {
                    rebuilt = StoredSet.create(call, set.record(), member);
                }
                rebuilt.value().add(member);
            }
            rebuilt.save(call, key);
        }
        countChanges(call, count);
    }

    private static void popped(Call call, byte[] key, byte[] member) {
        call.reply().bulk(member);
        call.effect(SREM, key, member);
    }

    private void srandmember(Call call) {
        if (call.argc() == 3) {
            srandmemberWithCount(call);
            return;
        }
        if (call.argc() > 3) {
            call.syntaxError();
            return;
        }
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().nullBulk();
        } else if (!notSet(call, record)) {
            SetValue set = StoredSet.load(call, record).value();
            call.reply().bulk(set.member(randomIndex(set.size())));
        }
    }

    /**
     * SRANDMEMBER key count: a negative count draws that many members independently (repeats allowed,
     * in random order); a positive one that many distinct members, or the whole set when it is no
     * larger. Distinct members are a uniform random subset: by selection sampling over the set when
     * the count is over a third of it (Redis's CASE 3), else by drawing distinct random indexes.
     */
    private void srandmemberWithCount(Call call) {
        Long parsed = Numbers.parseLong(call.arg(2));
        if (parsed == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return;
        }
        if (parsed == Long.MIN_VALUE) {
            call.reply().error(Errors.SRANDMEMBER_COUNT_RANGE);
            return;
        }
        boolean distinct = parsed >= 0;
        long count = Math.abs(parsed);
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().array(0);
            return;
        }
        if (notSet(call, record)) {
            return;
        }
        if (count == 0) {
            call.reply().array(0);
            return;
        }
        SetValue set = StoredSet.load(call, record).value();
        long size = set.size();
        ReplyWriter reply = call.reply();
        if (!distinct || count == 1) {
            if (count > Integer.MAX_VALUE) {
                reply.error(Errors.SRANDMEMBER_COUNT_TOO_LARGE);
                return;
            }
            reply.array((int) count);
            for (long i = 0; i < count; i++) {
                reply.bulk(set.member(randomIndex(size)));
            }
        } else if (count >= size) {
            reply.array(Math.toIntExact(size));
            set.iterator().forEachRemaining(reply::bulk);
        } else if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
            reply.array((int) count);
            long needed = count;
            long left = size;
            for (Iterator<byte[]> it = set.iterator(); needed > 0; left--) {
                byte[] member = it.next();
                if (ThreadLocalRandom.current().nextLong(left) < needed) {
                    reply.bulk(member);
                    needed--;
                }
            }
        } else {
            reply.array((int) count);
            for (long index : randomIndexes(count, size)) {
                reply.bulk(set.member(index));
            }
        }
    }

    private static long randomIndex(long size) {
        return ThreadLocalRandom.current().nextLong(size);
    }

    /** {@code count} distinct indexes below {@code size}, a uniform random subset (Floyd's algorithm). O(count). */
    private static Set<Long> randomIndexes(long count, long size) {
        Set<Long> chosen = new HashSet<>((int) Math.min(count * 2, Integer.MAX_VALUE));
        for (long j = size - count; j < size; j++) {
            long pick = ThreadLocalRandom.current().nextLong(j + 1);
            if (!chosen.add(pick)) {
                chosen.add(j);
            }
        }
        return chosen;
    }

    // ---- SMOVE ------------------------------------------------------------------------------------

    /**
     * Checks in Redis's order: a missing source is 0 before any type check; then both types; then a
     * move onto the same key only answers whether the member is there.
     */
    private static final Announcement REMOVED = Announcement.change(KeyEvent.SREM);
    private static final Announcement ADDED = Announcement.stores(KeyEvent.SADD);

    private void smove(Call call) {
        byte[] source = call.arg(1);
        byte[] destination = call.arg(2);
        byte[] member = call.arg(3);
        byte[] sourceRecord = call.keyspace().lookup(call.db(), source, call.now());
        byte[] destinationRecord = call.keyspace().lookup(call.db(), destination, call.now());
        if (sourceRecord == null) {
            call.reply().integer(0);
            return;
        }
        if (notSet(call, sourceRecord) || notSet(call, destinationRecord)) {
            return;
        }
        StoredSet from = StoredSet.load(call, sourceRecord);
        if (java.util.Arrays.equals(source, destination)) {
            call.reply().integer(from.value().contains(member) ? 1 : 0);
            return;
        }
        if (!from.value().remove(member)) {
            call.reply().integer(0);
            return;
        }
        call.announce(REMOVED);
        from.save(call, source);
        call.announce(ADDED);
        StoredSet to = destinationRecord == null
                ? StoredSet.create(call, null, member)
                : StoredSet.load(call, destinationRecord);
        if (to.value().add(member)) {
            to.save(call, destination);
        }
        call.reply().integer(1);
    }

    // ---- SINTER, SINTERCARD, SINTERSTORE ----------------------------------------------------------

    /** SINTERCARD numkeys key [key ...] [LIMIT limit]: the arguments are checked before any key. */
    private void sintercard(Call call) {
        Long numkeys = Numbers.parseLong(call.arg(1));
        if (numkeys == null || numkeys < 1) {
            call.reply().error(Errors.NUMKEYS_NOT_POSITIVE);
            return;
        }
        if (numkeys > call.argc() - 2) {
            call.reply().error(Errors.NUMKEYS_OVER_ARGS);
            return;
        }
        long limit = 0;
        for (int i = 2 + numkeys.intValue(); i < call.argc(); i++) {
            if (call.argIs(i, "limit") && i + 1 < call.argc()) {
                Long value = Numbers.parseLong(call.arg(++i));
                if (value == null || value < 0) {
                    call.reply().error(Errors.LIMIT_NEGATIVE);
                    return;
                }
                limit = value;
            } else {
                call.syntaxError();
                return;
            }
        }
        intersect(call, 2, numkeys.intValue(), null, true, limit);
    }

    /**
     * Redis's sinterGenericCommand: a missing key makes the result empty (but every key is still checked
     * for its type first); otherwise the smallest set is walked and each member looked up in the
     * others, sorted by size. Replies the members (SINTER, SMEMBERS), their number up to {@code limit}
     * (SINTERCARD; 0 is no limit), or stores them (SINTERSTORE).
     */
    private void intersect(Call call, int firstKey, int keyCount, byte[] destination, boolean cardinalityOnly,
                           long limit) {
        List<SetValue> sets = loadSets(call, firstKey, keyCount);
        if (sets == null) {
            return;
        }
        if (sets.contains(null)) {
            if (destination != null) {
                call.keyspace().delete(call.db(), destination, call.now());
                call.reply().integer(0);
            } else if (cardinalityOnly) {
                call.reply().integer(0);
            } else {
                call.reply().set(0);
            }
            return;
        }
        sets.sort(Comparator.comparingLong(SetValue::size));
        SetValue smallest = sets.get(0);
        List<byte[]> found = new ArrayList<>();
        long cardinality = 0;
        for (Iterator<byte[]> it = smallest.iterator(); it.hasNext(); ) {
            byte[] member = it.next();
            if (!inEveryOther(sets, member)) {
                continue;
            }
            cardinality++;
            if (cardinalityOnly) {
                if (limit > 0 && cardinality >= limit) {
                    break;
                }
            } else {
                found.add(member);
            }
        }
        if (cardinalityOnly) {
            call.reply().integer(cardinality);
        } else if (destination != null) {
            SetResult result = new SetResult(StoredSet.intsetLimit(call));
            found.forEach(result::add);
            store(call, destination, result);
        } else {
            call.reply().set(found.size());
            found.forEach(call.reply()::bulk);
        }
    }

    private static boolean inEveryOther(List<SetValue> sets, byte[] member) {
        for (int j = 1; j < sets.size(); j++) {
            if (sets.get(j) != sets.get(0) && !sets.get(j).contains(member)) {
                return false;
            }
        }
        return true;
    }

    // ---- SUNION, SDIFF and their STORE forms ------------------------------------------------------

    private void unionOrDiff(Call call, int firstKey, byte[] destination, boolean diff) {
        List<SetValue> sets = loadSets(call, firstKey, call.argc() - firstKey);
        if (sets == null) {
            return;
        }
        SetResult result = diff ? difference(call, sets) : union(call, sets);
        if (destination != null) {
            store(call, destination, result);
        } else {
            replySet(call.reply(), result);
        }
    }

    /** Every member of the sets (null entries are missing keys), built as Redis's temporary set. */
    private static SetResult union(Call call, List<SetValue> sets) {
        SetResult result = new SetResult(StoredSet.intsetLimit(call));
        for (SetValue set : sets) {
            if (set != null) {
                set.iterator().forEachRemaining(result::add);
            }
        }
        return result;
    }

    /**
     * Redis's two SDIFF algorithms, chosen by the same estimate: (1) walk the first set and keep the
     * members no other set has, others sorted largest first, O(N*M); (2) add the whole first set and
     * remove every other set's members, O(total), stopping once nothing is left. They differ in the
     * encoding of the result, as in Redis: (2) has held the whole first set.
     */
    private static SetResult difference(Call call, List<SetValue> sets) {
        SetResult result = new SetResult(StoredSet.intsetLimit(call));
        SetValue first = sets.get(0);
        if (first == null) {
            return result;
        }
        long walkFirst = 0;
        long addAndRemove = 0;
        for (SetValue set : sets) {
            if (set != null) {
                walkFirst += first.size();
                addAndRemove += set.size();
            }
        }
        // Walking the first set has better constants and stops early on common members: it gets an edge.
        walkFirst /= 2;
        if (walkFirst <= addAndRemove) {
            List<SetValue> others = new ArrayList<>(sets.subList(1, sets.size()));
            others.sort(Comparator.comparingLong((SetValue set) -> set == null ? 0 : set.size()).reversed());
            for (Iterator<byte[]> it = first.iterator(); it.hasNext(); ) {
                byte[] member = it.next();
                if (!inAnyOther(first, others, member)) {
                    result.add(member);
                }
            }
        } else {
            for (int j = 0; j < sets.size(); j++) {
                SetValue set = sets.get(j);
                if (set == null) {
                    continue;
                }
                for (Iterator<byte[]> it = set.iterator(); it.hasNext(); ) {
                    if (j == 0) {
                        result.add(it.next());
                    } else {
                        result.remove(it.next());
                    }
                }
                if (result.size() == 0) {
                    break;
                }
            }
        }
        return result;
    }

    /** Whether another set has the member; the first set named again has them all. */
    private static boolean inAnyOther(SetValue first, List<SetValue> others, byte[] member) {
        for (SetValue other : others) {
            if (other == first || (other != null && other.contains(member))) {
                return true;
            }
        }
        return false;
    }

    // ---- shared -----------------------------------------------------------------------------------

    /**
     * Looks up {@code keyCount} keys from argument {@code firstKey} as a read command does (each counts
     * a hit or miss), in order. A key named twice yields the same {@link SetValue}, which the
     * algorithms recognise as the same set, as Redis compares objects.
     *
     * @return the sets, null for missing keys; or null after a WRONGTYPE reply
     */
    private static List<SetValue> loadSets(Call call, int firstKey, int keyCount) {
        List<SetValue> sets = new ArrayList<>(keyCount);
        Map<ByteBuffer, SetValue> byKey = new HashMap<>();
        for (int i = firstKey; i < firstKey + keyCount; i++) {
            byte[] record = call.keyspace().lookupRead(call.db(), call.arg(i), call.now());
            if (notSet(call, record)) {
                return null;
            }
            sets.add(record == null ? null
                    : byKey.computeIfAbsent(ByteBuffer.wrap(call.arg(i)), k -> StoredSet.load(call, record).value()));
        }
        return sets;
    }

    /**
     * Stores a computed set under {@code destination} as Redis's setKey does (replacing any value and
     * its TTL), or deletes the destination when the set is empty; replies the set's size.
     */
    private static void store(Call call, byte[] destination, SetResult result) {
        if (result.size() == 0) {
            call.keyspace().delete(call.db(), destination, call.now());
            call.reply().integer(0);
            return;
        }
        // As setKey: a destination whose TTL has passed is expired (and its DEL logged) before it is replaced.
        call.keyspace().lookup(call.db(), destination, call.now());
        StoredSet.of(call, result).save(call, destination);
        call.reply().integer(result.size());
    }

    private static void replySet(ReplyWriter reply, SetResult result) {
        reply.set(Math.toIntExact(result.size()));
        result.forEach(reply::bulk);
    }

    // ---- SSCAN ------------------------------------------------------------------------------------

    /**
     * SSCAN key cursor [MATCH pattern] [COUNT count]: the cursor is checked before the key, the options
     * only once the key is found to be a set (a missing key answers an empty scan whatever follows).
     */
    private void sscan(Call call) {
        Long cursor = KeyScanCommands.parseCursor(call.arg(2));
        if (cursor == null) {
            call.reply().error(Errors.SCAN_CURSOR);
            return;
        }
        byte[] record = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        if (record == null) {
            call.reply().array(2);
            call.reply().bulk("0");
            call.reply().array(0);
            return;
        }
        if (notSet(call, record)) {
            return;
        }
        ScanOptions options = ScanOptions.parse(call, 3);
        if (options == null) {
            return;
        }
        List<byte[]> kept = new ArrayList<>();
        long next = StoredSet.load(call, record).value().scan(cursor, options.count(), member -> {
            if (options.matches(member)) {
                kept.add(member);
            }
        });
        call.reply().array(2);
        call.reply().bulk(Long.toUnsignedString(next));
        call.reply().array(kept.size());
        kept.forEach(call.reply()::bulk);
    }

    /** Replies WRONGTYPE when a key exists but holds something else than a set. */
    private static boolean notSet(Call call, byte[] record) {
        if (record != null && Record.typeOf(record) != ValueType.SET) {
            call.wrongType();
            return true;
        }
        return false;
    }

    /** Redis counts a change per member added or removed; the one save or delete counted one. */
    private static void countChanges(Call call, long changes) {
        call.keyspace().addDirty(changes - 1);
    }
}
