package dev.millrace.engine.types;

import dev.millrace.engine.util.DoubleFormat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A sorted set: members (byte strings) with double scores, ordered by score, then by member bytes,
 * in one of Redis 7.0's two encodings, switching as Redis switches:
 * <ul>
 *   <li>"listpack" ({@link ZSetListpack}): every element inline in the key's record, O(n) per change,
 *       while the set has at most {@code zset-max-listpack-entries} elements of at most
 *       {@code zset-max-listpack-value} bytes;</li>
 *   <li>"skiplist" ({@link ZSetTrees}): two {@link PagedTree}s in the collection's pages, O(log n) per
 *       element. A set never goes back to listpack (only results built fresh, see {@link #build}).</li>
 * </ul>
 * Scores are never NaN. They compare as C doubles: -0 equals 0 (the member breaks the tie); the
 * skiplist form keeps a score of -0 (it prints as "-0"), the listpack form stores it as 0, as Redis.
 *
 * <p>Execution thread only. The owner saves the set after changes: {@link #isListpack()} and
 * {@link #listpack()}, or the two tree roots.
 */
public final class ZSet {

    /** One element. */
    public record Element(byte[] member, double score) {
    }

    /** The listpack thresholds (zset-max-listpack-entries, zset-max-listpack-value). */
    public record Limits(long maxListpackEntries, long maxListpackValue) {
        /** Whether a listpack may hold {@code entries} elements whose longest member has {@code longest} bytes. */
        public boolean listpackFits(long entries, long longest) {
            return entries <= maxListpackEntries && longest <= maxListpackValue;
        }
    }

    /** ZADD's options (ZINCRBY is ZADD with {@code incr}). */
    public record AddOptions(boolean nx, boolean xx, boolean gt, boolean lt, boolean incr) {
        public static final AddOptions PLAIN = new AddOptions(false, false, false, false, false);
    }

    /** What {@link #add} did to one member, as Redis's zsetAdd reports it. */
    public enum Outcome {
        ADDED,
        /** The score changed. */
        UPDATED,
        /** The member was processed but kept its score (ZINCRBY by 0, ZADD of the same score). */
        UNCHANGED,
        /** An option (NX, XX, GT, LT) said to leave it alone. */
        SKIPPED,
        /** INCR would have made the score NaN (inf + -inf): nothing changed. */
        NAN
    }

    /** An {@link Outcome} with the member's score afterwards (meaningful unless SKIPPED or NAN). */
    public record AddResult(Outcome outcome, double score) {
    }

    private final Limits limits;
    private final Supplier<Pages> newPages;
    private ZSetForm form;

    private ZSet(ZSetForm form, Limits limits, Supplier<Pages> newPages) {
        this.form = form;
        this.limits = limits;
        this.newPages = newPages;
    }

    /**
     * A listpack set from its encoding (the caller hands the array over).
     *
     * @param newPages where the set's pages go if it grows into the skiplist form
     */
    public static ZSet ofListpack(byte[] encoded, Limits limits, Supplier<Pages> newPages) {
        return new ZSet(ZSetListpack.of(encoded), limits, newPages);
    }

    /** The cardinality of a listpack set encoded at {@code offset} in {@code bytes}, without opening it. */
    public static long listpackSize(byte[] bytes, int offset) {
        return ZSetListpack.sizeAt(bytes, offset);
    }

    /** A skiplist set reopened from its pages and saved roots. */
    public static ZSet ofTrees(Pages pages, PagedTree.Root scoreRoot, PagedTree.Root memberRoot, Limits limits) {
        ZSetTrees trees = new ZSetTrees(new PagedTree(pages, scoreRoot), new PagedTree(pages, memberRoot));
        return new ZSet(trees, limits, () -> {
            throw new IllegalStateException("a skiplist set never needs new pages");
        });
    }

    /**
     * A new empty set for ZADD/ZINCRBY on a missing key: a skiplist when listpacks are disabled
     * (zset-max-listpack-entries 0) or the first member given is too long for one, as Redis 7.0.
     */
    public static ZSet createFor(byte[] firstMember, Limits limits, Supplier<Pages> newPages) {
        boolean listpack = limits.maxListpackEntries() != 0 && firstMember.length <= limits.maxListpackValue();
        return new ZSet(listpack ? ZSetListpack.empty() : ZSetTrees.create(newPages.get()), limits, newPages);
    }

    /**
     * A set holding a computed result (ZUNIONSTORE, ZRANGESTORE ...): a listpack when it fits the
     * thresholds, else a skiplist, as Redis converts such results. Members must be distinct.
     */
    public static ZSet build(List<Element> elements, Limits limits, Supplier<Pages> newPages) {
        long longest = 0;
        for (Element e : elements) {
            longest = Math.max(longest, e.member().length);
        }
        ZSetForm form = limits.listpackFits(elements.size(), longest) ? ZSetListpack.empty()
                : ZSetTrees.create(newPages.get());
        for (Element e : elements) {
            form.insert(e.member(), e.score());
        }
        return new ZSet(form, limits, newPages);
    }

    public boolean isListpack() {
        return form instanceof ZSetListpack;
    }

    /** The listpack encoding to save. */
    public byte[] listpack() {
        return ((ZSetListpack) form).bytes();
    }

    public PagedTree.Root scoreRoot() {
        return ((ZSetTrees) form).scoreRoot();
    }

    public PagedTree.Root memberRoot() {
        return ((ZSetTrees) form).memberRoot();
    }

    // ---------------------------------------------------------------- reading

    public long size() {
        return form.size();
    }

    /** The member's score, or null. */
    public Double score(byte[] member) {
        return form.score(member);
    }

    /** The member's 0-based rank by ascending score, or -1 when absent. O(log n) in the skiplist form. */
    public long rank(byte[] member) {
        return form.rank(member);
    }

    public Element get(long index) {
        return form.get(index);
    }

    /** Elements from {@code index} on, ascending, or down to index 0 when not {@code ascending}. */
    public Iterator<Element> iterator(long index, boolean ascending) {
        return form.iterator(index, ascending);
    }

    /** Index of the first element in the range, or -1. O(log n) in the skiplist form. */
    public long firstIndex(ScoreRange range) {
        return form.firstIndex(range);
    }

    /** Index of the last element in the range, or -1. */
    public long lastIndex(ScoreRange range) {
        return form.lastIndex(range);
    }

    public long firstIndex(LexRange range) {
        return form.firstIndex(range);
    }

    public long lastIndex(LexRange range) {
        return form.lastIndex(range);
    }

    /** ZCOUNT: from the indexes of the first and last elements in range. */
    public long count(ScoreRange range) {
        long first = firstIndex(range);
        return first < 0 ? 0 : lastIndex(range) - first + 1;
    }

    /** ZLEXCOUNT. */
    public long lexCount(LexRange range) {
        return form.lexCount(range);
    }

    /**
     * A score as ZSCAN prints it: Redis's listpack stores an integral score within +-2^62 as an integer
     * and prints it in full, every other score is printed as %.17g ({@link DoubleFormat}).
     */
    public String scanText(double score) {
        if (isListpack() && score == Math.rint(score) && Math.abs(score) <= LISTPACK_INTEGER_LIMIT) {
            return Long.toString((long) score);
        }
        return DoubleFormat.format(score);
    }

    /** Redis's double2ll range: LLONG_MAX / 2 as a double. */
    private static final double LISTPACK_INTEGER_LIMIT = (double) (Long.MAX_VALUE / 2);

    /** One step of ZSCAN; see {@link ZSetForm#scan}. */
    public long scan(long cursor, long count, Consumer<Element> visitor) {
        return form.scan(cursor, count, visitor);
    }

    /**
     * ZRANDMEMBER's sampling. With {@code distinct}, {@code count} (below the size) different elements
     * in set order; otherwise {@code count} independent uniform picks, repeats allowed, in random order.
     * O(n + count) for a listpack, O(count log n) for a skiplist (O(n) when nearly all are wanted).
     */
    public void sample(long count, boolean distinct, RandomGenerator random, Consumer<Element> out) {
        long size = size();
        if (isListpack()) {
            List<Element> all = new ArrayList<>((int) size);
            form.iterator(0, true).forEachRemaining(all::add);
            if (distinct) {
                // selection sampling: each element is taken with probability needed / left
                long needed = count;
                for (int i = 0; i < all.size() && needed > 0; i++) {
                    if (random.nextLong(size - i) < needed) {
                        out.accept(all.get(i));
                        needed--;
                    }
                }
            } else {
                for (long i = 0; i < count; i++) {
                    out.accept(all.get((int) random.nextLong(size)));
                }
            }
            return;
        }
        if (!distinct) {
            for (long i = 0; i < count; i++) {
                out.accept(form.get(random.nextLong(size)));
            }
            return;
        }
        if (count * 2 > size) {
            // most of the set: draw the indexes to leave out, then walk it once
            Set<Long> skipped = randomIndexes(size - count, size, random);
            long index = 0;
            for (Iterator<Element> it = form.iterator(0, true); it.hasNext(); index++) {
                Element e = it.next();
                if (!skipped.contains(index)) {
                    out.accept(e);
                }
            }
            return;
        }
        for (long index : new TreeSet<>(randomIndexes(count, size, random))) {
            out.accept(form.get(index));
        }
    }

    /** {@code n} different indexes below {@code size} (n at most half of size, so rejection is cheap). */
    private static Set<Long> randomIndexes(long n, long size, RandomGenerator random) {
        Set<Long> picked = new HashSet<>();
        while (picked.size() < n) {
            picked.add(random.nextLong(size));
        }
        return picked;
    }

    // ---------------------------------------------------------------- changes

    /**
     * Redis's zsetAdd: adds the member or updates its score (by {@code score}, or by adding it with
     * INCR) as the options allow. A new member that would overflow the listpack thresholds converts
     * the set to its skiplist form first.
     */
    public AddResult add(byte[] member, double score, AddOptions options) {
        if (form instanceof ZSetTrees trees && options.equals(AddOptions.PLAIN)) {
            Double previous = trees.put(member, score);
            if (previous == null) {
                return new AddResult(Outcome.ADDED, score);
            }
            return previous != score ? new AddResult(Outcome.UPDATED, score) : new AddResult(Outcome.UNCHANGED, score);
        }
        Double current = form.score(member);
        if (current != null) {
            if (options.nx()) {
                return new AddResult(Outcome.SKIPPED, current);
            }
            double updated = options.incr() ? current + score : score;
            if (Double.isNaN(updated)) {
                return new AddResult(Outcome.NAN, current);
            }
            if ((options.lt() && updated >= current) || (options.gt() && updated <= current)) {
                return new AddResult(Outcome.SKIPPED, current);
            }
            if (updated != current) {
                form.update(member, current, updated);
                return new AddResult(Outcome.UPDATED, updated);
            }
            return new AddResult(Outcome.UNCHANGED, updated);
        }
        if (options.xx()) {
            return new AddResult(Outcome.SKIPPED, score);
        }
        insert(member, score);
        return new AddResult(Outcome.ADDED, score);
    }

    /** Adds a member known to be absent, converting to the skiplist form first when needed. */
    private void insert(byte[] member, double score) {
        if (form instanceof ZSetListpack && !limits.listpackFits(form.size() + 1, member.length)) {
            convertToTrees();
        }
        form.insert(member, score);
    }

    /**
     * Moves a listpack set to the skiplist form (no-op for a skiplist): SORT does this to the set it
     * sorts, as Redis 7.0's zsetConvert in sortCommandGeneric. O(n log n).
     */
    public void convertToSkiplist() {
        if (form instanceof ZSetListpack) {
            convertToTrees();
        }
    }

    private void convertToTrees() {
        ZSetTrees trees = ZSetTrees.create(newPages.get());
        for (Iterator<Element> it = form.iterator(0, true); it.hasNext(); ) {
            Element e = it.next();
            trees.insert(e.member(), e.score());
        }
        form = trees;
    }

    /** Removes a member; returns whether it was there. */
    public boolean remove(byte[] member) {
        return form.remove(member);
    }

    /** Removes the elements at indexes [from, to). */
    public void removeRange(long from, long to) {
        form.removeRange(from, to);
    }
}
