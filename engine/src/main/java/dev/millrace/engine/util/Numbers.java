package dev.millrace.engine.util;

import java.nio.charset.StandardCharsets;

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
        int n = b.length;
        if (n == 0 || n > 20) {
            return null;
        }
        if (n == 1 && b[0] == '0') {
            return 0L;
        }
        int i = 0;
        boolean negative = false;
        if (b[0] == '-') {
            negative = true;
            i = 1;
            if (n == 1) {
                return null;
            }
        }
        if (b[i] < '1' || b[i] > '9') {
            return null;
        }
        long value = 0;
        for (; i < n; i++) {
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
}
