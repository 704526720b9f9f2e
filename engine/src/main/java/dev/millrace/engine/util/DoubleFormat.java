package dev.millrace.engine.util;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats a double as Redis 7.0's {@code addReplyDouble}: C's {@code %.17g} (17 significant digits of
 * the exact binary value, trailing zeros dropped, exponent form below 1e-4 and from 1e17 on, as
 * {@code 1e+17}), and "inf", "-inf", "nan" for the special values. The same text is how Redis prints
 * a sorted-set score as a string (d2string: ZSCAN). Stateless and thread-safe.
 */
public final class DoubleFormat {
    private static final int PRECISION = 17;
    private static final MathContext SIGNIFICANT = new MathContext(PRECISION, RoundingMode.HALF_EVEN);
    /** Below this, an integral double prints all its digits: %.17g shows up to 17 before switching to e+. */
    private static final double PLAIN_INTEGER_LIMIT = 1e17;

    private DoubleFormat() { }

    public static String format(double value) {
        if (Double.isNaN(value)) {
            return Double.doubleToRawLongBits(value) < 0 ? "-nan" : "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0" : "0";
        }
        if (value == Math.rint(value) && Math.abs(value) < PLAIN_INTEGER_LIMIT) {
            return Long.toString((long) value);
        }
        BigDecimal rounded = new BigDecimal(value).round(SIGNIFICANT);
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent >= -4 && exponent < PRECISION) {
            return rounded.stripTrailingZeros().toPlainString();
        }
        String digits = rounded.unscaledValue().abs().toString().replaceFirst("0+$", "");
        StringBuilder out = new StringBuilder(24);
        if (rounded.signum() < 0) {
            out.append('-');
        }
        out.append(digits.charAt(0));
        if (digits.length() > 1) {
            out.append('.').append(digits, 1, digits.length());
        }
        out.append('e').append(exponent < 0 ? '-' : '+');
        int magnitude = Math.abs(exponent);
        if (magnitude < 10) {
            out.append('0');
        }
        return out.append(magnitude).toString();
    }
}
