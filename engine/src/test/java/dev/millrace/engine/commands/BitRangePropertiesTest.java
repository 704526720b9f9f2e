package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * BITCOUNT, BITPOS and GETRANGE against plain definitions on random strings and ranges: BYTE and BIT
 * indexes count from the end when negative and are clamped into the string; BITPOS for a 0 without
 * an explicit end finds the zero padding right after the string. (random.golden checks the same
 * commands against Redis 7.0.15 itself.)
 */
class BitRangePropertiesTest {
    private static final EngineHarness H = new EngineHarness();

    private static void store(byte[] value) {
        H.run("SET".getBytes(StandardCharsets.ISO_8859_1), "k".getBytes(StandardCharsets.ISO_8859_1), value);
    }

    /** [first, last] bit of a range after Redis's index conversion, or null when empty. */
    private static long[] bitRange(long start, long end, int length, boolean bitUnit) {
        long total = bitUnit ? length * 8L : length;
        start = start < 0 ? Math.max(start + total, 0) : start;
        end = end < 0 ? Math.max(end + total, 0) : end;
        end = Math.min(end, total - 1);
        if (start > end) {
            return null;
        }
        return bitUnit ? new long[]{start, end} : new long[]{start * 8, end * 8 + 7};
    }

    private static int bitAt(byte[] value, long bit) {
        return (value[(int) (bit >>> 3)] >> (7 - (int) (bit & 7))) & 1;
    }

    private static List<String> args(String command, int bit, int start, int end, boolean bitUnit, boolean withEnd) {
        List<String> a = new ArrayList<>(List.of(command, "k"));
        if (command.equals("BITPOS")) {
            a.add(Integer.toString(bit));
        }
        a.add(Integer.toString(start));
        if (withEnd) {
            a.add(Integer.toString(end));
            a.add(bitUnit ? "BIT" : "BYTE");
        }
        return a;
    }

    @Property
    void bitcountCountsTheBitsOfTheRange(@ForAll @Size(max = 40) byte[] value,
                                          @ForAll @IntRange(min = -400, max = 400) int start,
                                          @ForAll @IntRange(min = -400, max = 400) int end,
                                          @ForAll boolean bitUnit) {
        store(value);
        long expected = 0;
        long[] range = start < 0 && end < 0 && start > end ? null : bitRange(start, end, value.length, bitUnit);
        if (range != null) {
            for (long b = range[0]; b <= range[1]; b++) {
                expected += bitAt(value, b);
            }
        }
        assertEquals(expected, H.run(args("BITCOUNT", 0, start, end, bitUnit, true).toArray(new String[0])));
    }

    @Property
    void bitposFindsTheFirstMatchingBitOfTheRange(@ForAll @Size(max = 40) byte[] value,
                                                   @ForAll @IntRange(min = 0, max = 1) int bit,
                                                   @ForAll @IntRange(min = -400, max = 400) int start,
                                                   @ForAll @IntRange(min = -400, max = 400) int end,
                                                   @ForAll boolean bitUnit,
                                                   @ForAll boolean withEnd) {
        store(value);
        boolean unit = withEnd && bitUnit; // the unit can only follow an explicit end
        long[] range = bitRange(start, withEnd ? end : -1, value.length, unit);
        long expected = -1;
        if (range != null) {
            for (long b = range[0]; b <= range[1] && expected < 0; b++) {
                if (bitAt(value, b) == bit) {
                    expected = b;
                }
            }
            if (expected < 0 && bit == 0 && !withEnd) {
                expected = range[1] + 1; // the zero padding after the string
            }
        }
        assertEquals(expected, H.run(args("BITPOS", bit, start, end, unit, withEnd).toArray(new String[0])));
    }

    @Property
    void getrangeReturnsTheClampedSlice(@ForAll @Size(max = 40) byte[] value,
                                        @ForAll @IntRange(min = -60, max = 60) int start,
                                        @ForAll @IntRange(min = -60, max = 60) int end) {
        store(value);
        long[] range = start < 0 && end < 0 && start > end ? null : bitRange(start, end, value.length, false);
        String expected = range == null ? ""
                : new String(value, (int) (range[0] / 8), (int) ((range[1] - range[0] + 1) / 8), StandardCharsets.ISO_8859_1);
        assertEquals(expected, H.run("GETRANGE", "k", Integer.toString(start), Integer.toString(end)));
    }
}
