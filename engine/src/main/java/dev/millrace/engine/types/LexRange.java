package dev.millrace.engine.types;

import java.util.Arrays;

/**
 * A member interval of the lexicographic sorted-set commands (ZRANGEBYLEX, ZLEXCOUNT,
 * ZREMRANGEBYLEX): each end is "[member" (inclusive), "(member" (exclusive), "-" (below every member)
 * or "+" (above every member). Members compare as unsigned bytes, a prefix first. Immutable.
 */
public final class LexRange {
    /** One end: {@link #BELOW_ALL}, {@link #ABOVE_ALL}, or a member with its exclusivity. */
    private record End(byte[] member, boolean exclusive, int infinity) {
    }

    private static final End BELOW_ALL = new End(null, true, -1);
    private static final End ABOVE_ALL = new End(null, true, 1);

    private final End min;
    private final End max;

    private LexRange(End min, End max) {
        this.min = min;
        this.max = max;
    }

    /**
     * Parses the two ends as Redis's zslParseLexRange.
     *
     * @return the range, or null when Redis replies "min or max not valid string range item"
     */
    public static LexRange parse(byte[] min, byte[] max) {
        End low = parseEnd(min);
        End high = parseEnd(max);
        return low == null || high == null ? null : new LexRange(low, high);
    }

    private static End parseEnd(byte[] text) {
        if (text.length == 0) {
            return null;
        }
        // Redis reads a C string here: "+" or "-" must be followed by its terminator or a NUL byte.
        boolean alone = text.length == 1 || text[1] == 0;
        return switch (text[0]) {
            case '+' -> alone ? ABOVE_ALL : null;
            case '-' -> alone ? BELOW_ALL : null;
            case '(' -> new End(Arrays.copyOfRange(text, 1, text.length), true, 0);
            case '[' -> new End(Arrays.copyOfRange(text, 1, text.length), false, 0);
            default -> null;
        };
    }

    /** Redis's sdscmplex of a member with an end. */
    private static int compare(byte[] member, End end) {
        return end.infinity != 0 ? -end.infinity : Arrays.compareUnsigned(member, end.member);
    }

    public boolean aboveMin(byte[] member) {
        int cmp = compare(member, min);
        return min.exclusive ? cmp > 0 : cmp >= 0;
    }

    public boolean belowMax(byte[] member) {
        int cmp = compare(member, max);
        return max.exclusive ? cmp < 0 : cmp <= 0;
    }

    public boolean contains(byte[] member) {
        return aboveMin(member) && belowMax(member);
    }

    /** Whether no member can be inside: min above max, or equal with an exclusive end. */
    public boolean isEmpty() {
        int cmp;
        if (min == max || (min.infinity != 0 && min.infinity == max.infinity)) {
            cmp = 0;
        } else if (min.infinity < 0 || max.infinity > 0) {
            cmp = -1;
        } else if (min.infinity > 0 || max.infinity < 0) {
            cmp = 1;
        } else {
            cmp = Arrays.compareUnsigned(min.member, max.member);
        }
        return cmp > 0 || (cmp == 0 && (min.exclusive || max.exclusive));
    }

    /**
     * The smallest key of {@code prefix} followed by a member that is at or above the minimum
     * ({@code aboveMin}): for seeking in trees ordered by prefix and member.
     */
    byte[] minKey(byte[] prefix) {
        if (min.infinity < 0) {
            return prefix;
        }
        if (min.infinity > 0) {
            return null;
        }
        byte[] key = Arrays.copyOf(prefix, prefix.length + min.member.length + (min.exclusive ? 1 : 0));
        System.arraycopy(min.member, 0, key, prefix.length, min.member.length);
        // the successor of m in byte order is m followed by a zero byte
        return key;
    }

    /** The smallest key above every member that is at or below the maximum; null when none is. */
    byte[] afterMaxKey(byte[] prefix) {
        if (max.infinity > 0) {
            return null;
        }
        if (max.infinity < 0) {
            return prefix;
        }
        byte[] key = Arrays.copyOf(prefix, prefix.length + max.member.length + (max.exclusive ? 0 : 1));
        System.arraycopy(max.member, 0, key, prefix.length, max.member.length);
        return key;
    }
}
