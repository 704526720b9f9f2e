package dev.millrace.engine.stream;

import dev.millrace.engine.types.Bytes;


/**
 * A stream entry ID, {@code <ms>-<seq>}: two unsigned 64-bit numbers held in longs and compared
 * unsigned, as Redis's {@code streamID}. Parsing follows Redis's {@code streamGenericParseIDOrReply}
 * (including {@code strtoull}'s leniency about leading blanks and signs).
 */
public record StreamId(long ms, long seq) implements Comparable<StreamId> {
    public static final StreamId MIN = new StreamId(0, 0);
    public static final StreamId MAX = new StreamId(-1, -1);
    /** Encoded size: ms and seq, big-endian, so unsigned byte order is ID order. */
    public static final int BYTES = 16;
    /** Redis copies an ID argument into a 128-byte buffer: longer ones are invalid. */
    private static final int MAX_TEXT = 127;

    @Override
    public int compareTo(StreamId other) {
        int c = Long.compareUnsigned(ms, other.ms);
        return c != 0 ? c : Long.compareUnsigned(seq, other.seq);
    }

    public boolean isAfter(StreamId other) {
        return compareTo(other) > 0;
    }

    public boolean isBefore(StreamId other) {
        return compareTo(other) < 0;
    }

    /** The next ID, or null when this is the largest (Redis's streamIncrID failing). */
    public StreamId next() {
        if (seq != -1) {
            return new StreamId(ms, seq + 1);
        }
        return ms == -1 ? null : new StreamId(ms + 1, 0);
    }

    /** The previous ID, or null when this is 0-0 (Redis's streamDecrID failing). */
    public StreamId previous() {
        if (seq != 0) {
            return new StreamId(ms, seq - 1);
        }
        return ms == 0 ? null : new StreamId(ms - 1, -1);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }

    /** The text form's bytes, written directly (XADD replies and logs one per entry). */
    public byte[] toBytes() {
        int msDigits = digits(ms);
        byte[] out = new byte[msDigits + 1 + digits(seq)];
        writeDigits(out, msDigits, ms);
        out[msDigits] = '-';
        writeDigits(out, out.length, seq);
        return out;
    }

    /** The decimal digits of {@code v} read unsigned. */
    private static int digits(long v) {
        if (v < 0) {
            return Long.toUnsignedString(v).length();
        }
        int n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    /** Writes {@code v}, read unsigned, as decimal digits ending just before {@code end}. */
    private static void writeDigits(byte[] out, int end, long v) {
        int pos = end;
        if (v < 0) {
            // Above Long.MAX_VALUE: one unsigned division brings it into range.
            long quotient = Long.divideUnsigned(v, 10);
            out[--pos] = (byte) ('0' + (v - quotient * 10));
            v = quotient;
        }
        do {
            out[--pos] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
    }

    public void encode(byte[] out, int offset) {
        Bytes.putLong(out, offset, ms);
        Bytes.putLong(out, offset + 8, seq);
    }

    public static StreamId decode(byte[] in, int offset) {
        return new StreamId(Bytes.getLong(in, offset), Bytes.getLong(in, offset + 8));
    }

    /** The outcome of parsing an ID argument. */
    public record Parsed(StreamId id, boolean seqGiven) {
    }

    /**
     * Parses an ID argument as Redis does.
     *
     * @param missingSeq the sequence when only {@code <ms>} is given (0 for a start, max for an end)
     * @param strict     whether {@code -} and {@code +} are refused
     * @param allowAutoSeq whether {@code <ms>-*} is accepted (XADD); then {@link Parsed#seqGiven} is false
     * @return the ID, or null when invalid
     */
    public static Parsed parse(byte[] arg, long missingSeq, boolean strict, boolean allowAutoSeq) {
        if (arg.length > MAX_TEXT) {
            return null;
        }
        if (arg.length == 1 && (arg[0] == '-' || arg[0] == '+')) {
            if (strict) {
                return null;
            }
            return new Parsed(arg[0] == '-' ? MIN : MAX, true);
        }
        int dash = -1;
        for (int i = 0; i < arg.length; i++) {
            if (arg[i] == '-') {
                dash = i;
                break;
            }
        }
        // Redis cuts the text at its first NUL (a C string).
        int end = indexOfNul(arg);
        if (dash >= end) {
            dash = -1;
        }
        Long ms = parseUnsigned(arg, 0, dash < 0 ? end : dash);
        if (ms == null) {
            return null;
        }
        if (dash < 0) {
            return new Parsed(new StreamId(ms, missingSeq), true);
        }
        if (allowAutoSeq && end - dash - 1 == 1 && arg[dash + 1] == '*') {
            return new Parsed(new StreamId(ms, 0), false);
        }
        Long seq = parseUnsigned(arg, dash + 1, end);
        return seq == null ? null : new Parsed(new StreamId(ms, seq), true);
    }

    /** A strict ID without {@code -}, {@code +} or {@code <ms>-*}, or null when invalid. */
    public static StreamId parseStrict(byte[] arg, long missingSeq) {
        Parsed parsed = parse(arg, missingSeq, true, false);
        return parsed == null ? null : parsed.id();
    }

    private static int indexOfNul(byte[] arg) {
        for (int i = 0; i < arg.length; i++) {
            if (arg[i] == 0) {
                return i;
            }
        }
        return arg.length;
    }

    /**
     * Redis's {@code string2ull}: {@code string2ll} first (a canonical decimal; negative ones are
     * refused), else {@code strtoull}, which skips leading blanks, takes a sign (a minus negates
     * modulo 2^64) and fails on overflow or trailing text. Null when invalid.
     */
    private static Long parseUnsigned(byte[] s, int from, int to) {
        int i = from;
        while (i < to && isSpace(s[i])) {
            i++;
        }
        boolean canonical = i == from;
        boolean negative = false;
        if (i < to && (s[i] == '+' || s[i] == '-')) {
            negative = s[i] == '-';
            canonical &= negative;
            i++;
        }
        if (i == to) {
            return null;
        }
        // string2ll takes no leading zero (but "0" itself), and "-0" not at all.
        canonical &= s[i] != '0' || (!negative && to - i == 1);
        long value = 0;
        for (; i < to; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9 || Long.compareUnsigned(value, Long.divideUnsigned(-1L, 10)) > 0) {
                return null;
            }
            long next = value * 10 + d;
            if (Long.compareUnsigned(next, value * 10) < 0) {
                return null;
            }
            value = next;
        }
        if (negative && canonical && Long.compareUnsigned(value, Long.MIN_VALUE) <= 0) {
            return null; // string2ll parsed a negative number: out of range for an unsigned
        }
        return negative ? -value : value;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }
}
