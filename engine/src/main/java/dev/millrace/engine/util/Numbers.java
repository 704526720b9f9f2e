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
}
