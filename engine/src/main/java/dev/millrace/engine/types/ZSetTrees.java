package dev.millrace.engine.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The large form of a sorted set (Redis's skiplist encoding): two {@link PagedTree}s over the
 * collection's pages (docs/storage-format.md).
 * <ul>
 *   <li>The <em>score tree</em> orders the elements: key = the score as 8 sortable bytes (see
 *       {@link #sortable}) followed by the member, value empty, or {@link #NEGATIVE_ZERO} for a score
 *       of -0 (which sorts as 0 but prints as "-0"). Its counts give ranks and indexes in O(log n).</li>
 *   <li>The <em>member tree</em> finds a member's score: key = {@link Hashing#hash64} of the member
 *       (8 bytes, big-endian) followed by the member, value = the score's 8 IEEE bits. Hash order
 *       gives ZSCAN a 64-bit cursor that survives changes between calls.</li>
 * </ul>
 * Every single-element operation is O(log n) page reads; nothing decodes the whole set.
 * Execution thread only.
 */
final class ZSetTrees implements ZSetForm {
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] NEGATIVE_ZERO = {1};

    private final PagedTree byScore;
    private final PagedTree byMember;

    ZSetTrees(PagedTree byScore, PagedTree byMember) {
        this.byScore = byScore;
        this.byMember = byMember;
    }

    static ZSetTrees create(Pages pages) {
        return new ZSetTrees(PagedTree.create(pages), PagedTree.create(pages));
    }

    PagedTree.Root scoreRoot() {
        return byScore.root();
    }

    PagedTree.Root memberRoot() {
        return byMember.root();
    }

    // ---------------------------------------------------------------- keys

    /**
     * A score as 8 bytes whose unsigned order is the numeric order: the IEEE bits with the sign bit
     * flipped for positive numbers and every bit flipped for negative ones. -0 is written as 0, as
     * the two compare equal in Redis (the member then decides the order).
     */
    static long sortable(double score) {
        long bits = Double.doubleToRawLongBits(score == 0 ? 0.0 : score);
        return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
    }

    private static double fromSortable(long key) {
        return Double.longBitsToDouble(key < 0 ? key ^ Long.MIN_VALUE : ~key);
    }

    private static byte[] prefixed(long prefix, byte[] member) {
        byte[] key = new byte[8 + member.length];
        Bytes.putLong(key, 0, prefix);
        System.arraycopy(member, 0, key, 8, member.length);
        return key;
    }

    private static byte[] scoreKey(double score, byte[] member) {
        return prefixed(sortable(score), member);
    }

    private static byte[] scoreValue(double score) {
        return score == 0 && Double.doubleToRawLongBits(score) != 0 ? NEGATIVE_ZERO : EMPTY;
    }

    private static byte[] memberKey(byte[] member) {
        return prefixed(Hashing.hash64(member), member);
    }

    private static byte[] scoreBits(double score) {
        byte[] bits = new byte[8];
        Bytes.putLong(bits, 0, Double.doubleToRawLongBits(score));
        return bits;
    }

    private static ZSet.Element element(PagedTree.Entry entry) {
        byte[] key = entry.key();
        double score = entry.value().length == NEGATIVE_ZERO.length ? -0.0 : fromSortable(Bytes.getLong(key, 0));
        return new ZSet.Element(Arrays.copyOfRange(key, 8, key.length), score);
    }

    // ---------------------------------------------------------------- reading

    @Override
    public long size() {
        return byScore.size();
    }

    @Override
    public Double score(byte[] member) {
        byte[] bits = byMember.get(memberKey(member));
        return bits == null ? null : Double.longBitsToDouble(Bytes.getLong(bits, 0));
    }

    @Override
    public long rank(byte[] member) {
        Double score = score(member);
        return score == null ? -1 : byScore.rank(scoreKey(score, member));
    }

    @Override
    public ZSet.Element get(long index) {
        return element(byScore.get(index));
    }

    @Override
    public Iterator<ZSet.Element> iterator(long index, boolean ascending) {
        Iterator<PagedTree.Entry> entries = ascending ? byScore.iterator(index) : byScore.descendingIterator(index);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public ZSet.Element next() {
                return element(entries.next());
            }
        };
    }

    /** How many elements score below {@code bound}, or at most {@code bound} when {@code orEqual}. */
    private long countBelow(double bound, boolean orEqual) {
        if (orEqual) {
            if (bound == Double.POSITIVE_INFINITY) {
                return size();
            }
            bound = Math.nextUp(bound == 0 ? 0.0 : bound);
        }
        byte[] key = new byte[8];
        Bytes.putLong(key, 0, sortable(bound));
        return byScore.rank(key);
    }

    /** Redis's zslFirstInRange: the first element at or above min, if it is also at or below max. */
    @Override
    public long firstIndex(ScoreRange range) {
        if (range.isEmpty() || size() == 0) {
            return -1;
        }
        long first = countBelow(range.min(), range.minExclusive());
        return first < size() && range.belowMax(get(first).score()) ? first : -1;
    }

    @Override
    public long lastIndex(ScoreRange range) {
        if (range.isEmpty() || size() == 0) {
            return -1;
        }
        long last = countBelow(range.max(), !range.maxExclusive()) - 1;
        return last >= 0 && range.aboveMin(get(last).score()) ? last : -1;
    }

    /**
     * Redis's zslFirstInLexRange. The members of a lex range are expected to share one score: then the
     * score tree's keys are in member order and one rank finds the start; otherwise a binary search
     * by index stands in for Redis's skiplist walk (both assume the members ascend).
     */
    @Override
    public long firstIndex(LexRange range) {
        Ends ends = ends(range);
        return ends == null ? -1 : firstInLexRange(range, ends);
    }

    @Override
    public long lastIndex(LexRange range) {
        Ends ends = ends(range);
        return ends == null ? -1 : lastInLexRange(range, ends);
    }

    /** Redis's skiplist ZLEXCOUNT: from the ranks of the first and last elements in range. */
    @Override
    public long lexCount(LexRange range) {
        Ends ends = ends(range);
        long first = ends == null ? -1 : firstInLexRange(range, ends);
        if (first < 0) {
            return 0;
        }
        long last = lastInLexRange(range, ends);
        return last < 0 ? size() - first : last - first + 1;
    }

    /** The first and last entries, read once per lex lookup. */
    private record Ends(PagedTree.Entry first, PagedTree.Entry last) {
        byte[] firstMember() {
            return Arrays.copyOfRange(first.key(), 8, first.key().length);
        }

        byte[] lastMember() {
            return Arrays.copyOfRange(last.key(), 8, last.key().length);
        }

        /** Whether every element has one score: the score tree then orders them by member. */
        boolean oneScore() {
            return Arrays.equals(first.key(), 0, 8, last.key(), 0, 8);
        }
    }

    /** Redis's zslIsInLexRange (the range is not empty, the last element reaches min, the first max). */
    private Ends ends(LexRange range) {
        if (range.isEmpty() || size() == 0) {
            return null;
        }
        Ends ends = new Ends(byScore.get(0), byScore.get(size() - 1));
        return range.aboveMin(ends.lastMember()) && range.belowMax(ends.firstMember()) ? ends : null;
    }

    private long firstInLexRange(LexRange range, Ends ends) {
        long first = lowerBound(ends, range::aboveMin, range::minKey);
        return first < size() && range.belowMax(get(first).member()) ? first : -1;
    }

    private long lastInLexRange(LexRange range, Ends ends) {
        long last = lowerBound(ends, member -> !range.belowMax(member), range::afterMaxKey) - 1;
        return last >= 0 && range.aboveMin(get(last).member()) ? last : -1;
    }

    /**
     * The first index whose member passes {@code test} (false, then true, along the set). When every
     * element has one score, {@code key} gives the seek key for that score's prefix (null: past
     * the end).
     */
    private long lowerBound(Ends ends, Predicate<byte[]> test, Function<byte[], byte[]> key) {
        if (ends.oneScore()) {
            byte[] seek = key.apply(Arrays.copyOf(ends.first().key(), 8));
            return seek == null ? size() : byScore.rank(seek);
        }
        long lo = 0;
        long hi = size();
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (test.test(get(mid).member())) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    // ---------------------------------------------------------------- changes

    @Override
    public void insert(byte[] member, double score) {
        byMember.put(memberKey(member), scoreBits(score));
        byScore.put(scoreKey(score, member), scoreValue(score));
    }

    /**
     * ZADD without options in one pass over the member tree: sets the member's score, inserting or
     * moving it, and returns the previous score (null when it was new). Two tree writes for a new
     * member instead of a lookup and two writes. As in Redis, a score that compares equal to the
     * present one (0 and -0) leaves the member as it was.
     */
    Double put(byte[] member, double score) {
        byte[] key = memberKey(member);
        byte[] previousBits = byMember.put(key, scoreBits(score));
        if (previousBits == null) {
            byScore.put(scoreKey(score, member), scoreValue(score));
            return null;
        }
        double previous = Double.longBitsToDouble(Bytes.getLong(previousBits, 0));
        if (previous != score) {
            byScore.remove(scoreKey(previous, member));
            byScore.put(scoreKey(score, member), scoreValue(score));
        } else if (Double.doubleToRawLongBits(previous) != Double.doubleToRawLongBits(score)) {
            byMember.put(key, previousBits);
        }
        return previous;
    }

    @Override
    public void update(byte[] member, double oldScore, double newScore) {
        byScore.remove(scoreKey(oldScore, member));
        byScore.put(scoreKey(newScore, member), scoreValue(newScore));
        byMember.put(memberKey(member), scoreBits(newScore));
    }

    @Override
    public boolean remove(byte[] member) {
        byte[] bits = byMember.remove(memberKey(member));
        if (bits == null) {
            return false;
        }
        byScore.remove(scoreKey(Double.longBitsToDouble(Bytes.getLong(bits, 0)), member));
        return true;
    }

    /** O(log n + m log n): each removed member also leaves the member tree. */
    @Override
    public void removeRange(long from, long to) {
        List<byte[]> members = new ArrayList<>();
        Iterator<ZSet.Element> it = iterator(from, true);
        for (long i = from; i < to; i++) {
            members.add(it.next().member());
        }
        for (byte[] member : members) {
            byMember.remove(memberKey(member));
        }
        byScore.removeRange(from, to);
    }

    /**
     * Visits at least {@code count} elements in member-hash order from the hash {@code cursor}, never
     * stopping between two members of one hash, and returns the next hash to visit (0 at the end).
     */
    @Override
    public long scan(long cursor, long count, Consumer<ZSet.Element> visitor) {
        byte[] seek = new byte[8];
        Bytes.putLong(seek, 0, cursor);
        Iterator<PagedTree.Entry> entries = byMember.iterator(byMember.rank(seek));
        long visited = 0;
        long lastHash = 0;
        while (entries.hasNext()) {
            PagedTree.Entry entry = entries.next();
            long hash = Bytes.getLong(entry.key(), 0);
            if (visited >= count && hash != lastHash) {
                return hash;
            }
            byte[] key = entry.key();
            visitor.accept(new ZSet.Element(Arrays.copyOfRange(key, 8, key.length),
                    Double.longBitsToDouble(Bytes.getLong(entry.value(), 0))));
            visited++;
            lastHash = hash;
        }
        return 0;
    }
}
