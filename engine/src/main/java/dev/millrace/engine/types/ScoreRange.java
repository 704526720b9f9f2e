package dev.millrace.engine.types;

import dev.millrace.engine.util.Numbers;

/**
 * A score interval of the sorted-set commands (ZRANGEBYSCORE, ZCOUNT, ZREMRANGEBYSCORE ...): each end
 * inclusive, or exclusive when written with a leading '('. Immutable.
 */
public record ScoreRange(double min, boolean minExclusive, double max, boolean maxExclusive) {

    /**
     * Parses the two ends as Redis's zslParseRange: an optional '(' then C's strtod, which here
     * accepts leading white space, an empty number (0) and anything after a NUL byte, and yields
     * infinities for overflows; NaN is refused.
     *
     * @return the range, or null when Redis replies "min or max is not a float"
     */
    public static ScoreRange parse(byte[] min, byte[] max) {
        double[] low = parseEnd(min);
        double[] high = parseEnd(max);
        if (low == null || high == null) {
            return null;
        }
        return new ScoreRange(low[0], low[1] != 0, high[0], high[1] != 0);
    }

    /** {value, 1 if exclusive else 0}, or null. */
    private static double[] parseEnd(byte[] text) {
        boolean exclusive = text.length > 0 && text[0] == '(';
        Numbers.ParsedDouble parsed = Numbers.strtod(text, exclusive ? 1 : 0);
        int end = parsed.end();
        // Redis checks only that strtod stopped at a NUL: the end of its string, or a NUL inside it.
        if ((end < text.length && text[end] != 0) || Double.isNaN(parsed.value())) {
            return null;
        }
        return new double[]{parsed.value(), exclusive ? 1 : 0};
    }

    public boolean aboveMin(double score) {
        return minExclusive ? score > min : score >= min;
    }

    public boolean belowMax(double score) {
        return maxExclusive ? score < max : score <= max;
    }

    public boolean contains(double score) {
        return aboveMin(score) && belowMax(score);
    }

    /** Whether no score can be inside (Redis tests this before looking at the set). */
    public boolean isEmpty() {
        return min > max || (min == max && (minExclusive || maxExclusive));
    }
}
