package dev.millrace.engine.util;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Number parsing and formatting with Redis's exact rules, shared by every command family.
 */
public final class Numbers {
    private Numbers() { }

    /**
     * Parses a signed 64-bit integer as Redis's string2ll: optional '-', digits, no '+', no spaces,
     * no leading zeros (except "0" itself), within range.
     *
     * @return the value, or null when the bytes are not such an integer
     */
    public static Long parseLong(byte[] b) {
        return parseLong(b, 0, b.length);
    }

    /** {@link #parseLong(byte[])} of the {@code n} bytes of {@code b} from {@code off}, without copying them. */
    public static Long parseLong(byte[] b, int off, int n) {
        if (n == 0 || n > 20) {
            return null;
        }
        if (n == 1 && b[off] == '0') {
            return 0L;
        }
        int i = off;
        int end = off + n;
        boolean negative = false;
        if (b[i] == '-') {
            negative = true;
            i++;
            if (n == 1) {
                return null;
            }
        }
        if (b[i] < '1' || b[i] > '9') {
            return null;
        }
        long value = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            // accumulate negatively so Long.MIN_VALUE parses
            if (value < (Long.MIN_VALUE + d) / 10) {
                return null;
            }
            value = value * 10 - d;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return null;
            }
            return -value;
        }
        return value;
    }

    /** Formats an integer as ASCII bytes. */
    public static byte[] format(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    /** {@link #parseLongDouble(byte[])} of the {@code n} bytes of {@code b} from {@code off}. */
    public static LongDouble parseLongDouble(byte[] b, int off, int n) {
        // the length test first, so a huge non-number is refused without copying it
        if (n == 0 || n >= MAX_LONG_DOUBLE_CHARS) {
            return null;
        }
        return parseLongDouble(Arrays.copyOfRange(b, off, off + n));
    }

    /** Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses inputs of this length or more. */
    private static final int MAX_LONG_DOUBLE_CHARS = 5 * 1024;

    /**
     * Parses a float as Redis's string2ld: glibc's {@code strtold} in the C locale (decimal with optional
     * exponent, hexadecimal {@code 0x1.8p3}, {@code inf}/{@code infinity} in any case, optional sign),
     * and the whole input must be consumed: no leading or trailing spaces, no NUL bytes. NaN, values
     * that overflow, and non-zero values that underflow to zero are refused; an infinity is accepted
     * (INCRBYFLOAT then fails on the result, as Redis does).
     *
     * @return the value rounded to the x87 80-bit format, or null when Redis would reply "not a valid float"
     */
    public static LongDouble parseLongDouble(byte[] b) {
        int n = b.length;
        if (n == 0 || n >= MAX_LONG_DOUBLE_CHARS) {
            return null;
        }
        int i = 0;
        boolean negative = false;
        if (b[0] == '+' || b[0] == '-') {
            negative = b[0] == '-';
            i = 1;
        }
        if (matchesIgnoreCase(b, i, "inf") || matchesIgnoreCase(b, i, "infinity")) {
            return negative ? LongDouble.NEGATIVE_INFINITY : LongDouble.POSITIVE_INFINITY;
        }
        boolean hex = n - i > 2 && b[i] == '0' && (b[i + 1] | 0x20) == 'x';
        return hex ? parseHexFloat(b, i + 2, negative) : parseDecimalFloat(b, i, negative);
    }

    private static boolean matchesIgnoreCase(byte[] b, int from, String word) {
        if (b.length - from != word.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if ((b[from + k] | 0x20) != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** digits [. digits] [e [sign] digits], at least one digit in the mantissa. */
    private static LongDouble parseDecimalFloat(byte[] b, int i, boolean negative) {
        int n = b.length;
        StringBuilder digits = new StringBuilder();
        long exp10 = 0;
        int mantissaDigits = 0;
        while (i < n && isDigit(b[i])) {
            digits.append((char) b[i++]);
            mantissaDigits++;
        }
        if (i < n && b[i] == '.') {
            i++;
            while (i < n && isDigit(b[i])) {
                digits.append((char) b[i++]);
                mantissaDigits++;
                exp10--;
            }
        }
        if (mantissaDigits == 0) {
            return null;
        }
        if (i < n && (b[i] | 0x20) == 'e') {
            long[] parsed = exponent(b, i + 1);
            if (parsed == null) {
                return null;
            }
            exp10 += parsed[0];
            i = (int) parsed[1];
        }
        if (i != n) {
            return null;
        }
        BigInteger mantissa = new BigInteger(digits.toString());
        if (mantissa.signum() == 0) {
            return LongDouble.zero(negative);
        }
        // The value lies in [10^(m-1), 10^m). Far outside the format's range (about 3.6e-4951 to
        // 1.19e4932) it overflows or underflows for sure: refuse it before building huge powers of ten.
        long decimalMagnitude = exp10 + mantissa.toString().length();
        if (decimalMagnitude > 4934 || decimalMagnitude < -4952) {
            return null;
        }
        LongDouble value = exp10 >= 0
                ? LongDouble.round(negative, mantissa.multiply(BigInteger.TEN.pow((int) exp10)), BigInteger.ONE, 0)
                : LongDouble.round(negative, mantissa, BigInteger.TEN.pow((int) -exp10), 0);
        return rangeChecked(value);
    }

    /** 0x already consumed: hexdigits [. hexdigits] [p [sign] digits], at least one hex digit. */
    private static LongDouble parseHexFloat(byte[] b, int i, boolean negative) {
        int n = b.length;
        StringBuilder digits = new StringBuilder();
        long exp2 = 0;
        while (i < n && Character.digit(b[i], 16) >= 0) {
            digits.append((char) b[i++]);
        }
        if (i < n && b[i] == '.') {
            i++;
            while (i < n && Character.digit(b[i], 16) >= 0) {
                digits.append((char) b[i++]);
                exp2 -= 4;
            }
        }
        if (digits.length() == 0) {
            // strtold reads "0" and stops at the 'x': trailing garbage
            return null;
        }
        if (i < n && (b[i] | 0x20) == 'p') {
            long[] parsed = exponent(b, i + 1);
            if (parsed == null) {
                return null;
            }
            exp2 += parsed[0];
            i = (int) parsed[1];
        }
        if (i != n) {
            return null;
        }
        BigInteger mantissa = new BigInteger(digits.toString(), 16);
        if (mantissa.signum() == 0) {
            return LongDouble.zero(negative);
        }
        // as for decimals: the format spans about 2^-16445 to 2^16384
        long binaryMagnitude = exp2 + mantissa.bitLength();
        if (binaryMagnitude > 20000 || binaryMagnitude < -20000) {
            return null;
        }
        return rangeChecked(LongDouble.round(negative, mantissa, BigInteger.ONE, (int) exp2));
    }

    /**
     * An exponent's optional sign and digits starting at {@code from}, saturated far beyond any
     * representable magnitude. A marker not followed by digits is not part of the number.
     *
     * @return {value, index after it}, or null when there are no digits
     */
    private static long[] exponent(byte[] b, int from) {
        int i = from;
        boolean negative = false;
        if (i < b.length && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        if (i >= b.length || !isDigit(b[i])) {
            return null;
        }
        long value = 0;
        while (i < b.length && isDigit(b[i])) {
            value = Math.min(value * 10 + (b[i++] - '0'), 1_000_000_000L);
        }
        return new long[]{negative ? -value : value, i};
    }

    /** strtold's ERANGE: overflow, or a non-zero input that rounded to zero. */
    private static LongDouble rangeChecked(LongDouble value) {
        return value.isFinite() && !value.isZero() ? value : null;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Formats a long double as Redis's ld2string in human-friendly mode (how INCRBYFLOAT stores its
     * result): {@code %.17Lf}, then trailing zeros after the point removed, then the point if nothing
     * follows it, and "-0" written as "0".
     */
    public static String formatLongDouble(LongDouble value) {
        String s = value.toFixed17();
        if (s.indexOf('.') >= 0) {
            int end = s.length();
            while (s.charAt(end - 1) == '0') {
                end--;
            }
            if (s.charAt(end - 1) == '.') {
                end--;
            }
            s = s.substring(0, end);
        }
        return s.equals("-0") ? "0" : s;
    }

    // ---- doubles: C's strtod, as the sorted-set family reads scores, ranges and weights ------------

    /**
     * What C's {@code strtod} made of some bytes: the value, where the number ended ({@code end} is the
     * start offset when there was no number, as strtod's {@code endptr}), and whether it was out of
     * range as Redis tests ERANGE: a finite number that overflowed, or a non-zero one that rounded to
     * zero (glibc also sets ERANGE for an inexact subnormal result, which Redis accepts anyway).
     */
    public record ParsedDouble(double value, int end, boolean outOfRange) { }

    /**
     * Parses a double as Redis's getDoubleFromObject: glibc's {@code strtod} in the C locale over the
     * whole input (no leading white space, nothing after the number), NaN refused, and numbers that
     * overflow to infinity or underflow to zero refused; "inf", "infinity" and hexadecimal floats
     * accepted.
     *
     * @return the value, or null when Redis would reply "not a valid float"
     */
    public static Double parseDouble(byte[] b) {
        if (b.length == 0 || isCSpace(b[0])) {
            return null;
        }
        ParsedDouble parsed = strtod(b, 0);
        double value = parsed.value();
        if (parsed.end() != b.length || Double.isNaN(value)
                || (parsed.outOfRange() && (Double.isInfinite(value) || value == 0))) {
            return null;
        }
        return value;
    }

    /**
     * glibc's {@code strtod} in the C locale from {@code from}: leading white space, an optional sign,
     * then the longest prefix that is a decimal float (digits, point, exponent), a hexadecimal float
     * ({@code 0x1.8p3}, the binary exponent optional), "inf" or "infinity", or "nan" with an optional
     * "(chars)", all letters in any case. Decimal and hexadecimal values are rounded to nearest.
     */
    public static ParsedDouble strtod(byte[] b, int from) {
        int n = b.length;
        int i = from;
        while (i < n && isCSpace(b[i])) {
            i++;
        }
        boolean negative = false;
        if (i < n && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        if (startsWithIgnoreCase(b, i, "inf")) {
            int end = startsWithIgnoreCase(b, i, "infinity") ? i + 8 : i + 3;
            return new ParsedDouble(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, end, false);
        }
        if (startsWithIgnoreCase(b, i, "nan")) {
            return new ParsedDouble(Double.NaN, endOfNan(b, i + 3), false);
        }
        if (i + 1 < n && b[i] == '0' && (b[i + 1] | 0x20) == 'x') {
            ParsedDouble hex = strtodHex(b, i + 2, negative);
            // "0x" with no hex digit after it: the number is the "0"
            return hex != null ? hex : new ParsedDouble(negative ? -0.0 : 0.0, i + 1, false);
        }
        return strtodDecimal(b, from, i, negative);
    }

    /** After "nan": glibc also consumes "(n-char-sequence)" when the parenthesis is closed. */
    private static int endOfNan(byte[] b, int end) {
        if (end < b.length && b[end] == '(') {
            int k = end + 1;
            while (k < b.length && (isDigit(b[k]) || (b[k] | 0x20) >= 'a' && (b[k] | 0x20) <= 'z' || b[k] == '_')) {
                k++;
            }
            if (k < b.length && b[k] == ')') {
                return k + 1;
            }
        }
        return end;
    }

    private static ParsedDouble strtodDecimal(byte[] b, int from, int i, boolean negative) {
        int n = b.length;
        StringBuilder digits = new StringBuilder();
        long exp10 = 0;
        boolean nonZero = false;
        while (i < n && isDigit(b[i])) {
            nonZero |= b[i] != '0';
            digits.append((char) b[i++]);
        }
        if (i < n && b[i] == '.') {
            int point = i;
            i++;
            while (i < n && isDigit(b[i])) {
                nonZero |= b[i] != '0';
                digits.append((char) b[i++]);
                exp10--;
            }
            if (digits.length() == 0) {
                i = point;
            }
        }
        if (digits.length() == 0) {
            return new ParsedDouble(0, from, false);
        }
        if (i < n && (b[i] | 0x20) == 'e') {
            long[] parsed = exponent(b, i + 1);
            if (parsed != null) {
                exp10 += parsed[0];
                i = (int) parsed[1];
            }
        }
        double value = nonZero ? Double.parseDouble(digits + "E" + exp10) : 0.0;
        return finished(negative ? -value : value, i, nonZero);
    }

    /** "0x" already consumed; null when no hex digit follows. */
    private static ParsedDouble strtodHex(byte[] b, int i, boolean negative) {
        int n = b.length;
        StringBuilder whole = new StringBuilder();
        StringBuilder fraction = new StringBuilder();
        boolean nonZero = false;
        while (i < n && Character.digit(b[i], 16) >= 0) {
            nonZero |= b[i] != '0';
            whole.append((char) b[i++]);
        }
        if (i < n && b[i] == '.' && (whole.length() > 0 || i + 1 < n && Character.digit(b[i + 1], 16) >= 0)) {
            i++;
            while (i < n && Character.digit(b[i], 16) >= 0) {
                nonZero |= b[i] != '0';
                fraction.append((char) b[i++]);
            }
        }
        if (whole.length() == 0 && fraction.length() == 0) {
            return null;
        }
        long exp2 = 0;
        if (i < n && (b[i] | 0x20) == 'p') {
            long[] parsed = exponent(b, i + 1);
            if (parsed != null) {
                exp2 = parsed[0];
                i = (int) parsed[1];
            }
        }
        double value = nonZero ? Double.parseDouble("0x" + (whole.length() == 0 ? "0" : whole) + "."
                + (fraction.length() == 0 ? "0" : fraction) + "p" + exp2) : 0.0;
        return finished(negative ? -value : value, i, nonZero);
    }

    /** strtod's ERANGE: a finite input that became infinite, or a non-zero one that became zero. */
    private static ParsedDouble finished(double value, int end, boolean nonZeroInput) {
        boolean outOfRange = Double.isInfinite(value) || (nonZeroInput && value == 0);
        return new ParsedDouble(value, end, outOfRange);
    }

    /** C's isspace in the C locale. */
    private static boolean isCSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static boolean startsWithIgnoreCase(byte[] b, int from, String word) {
        if (b.length - from < word.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if ((b[from + k] | 0x20) != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
