package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.RandomCases;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static dev.millrace.engine.testing.RandomCases.bytes;
import static dev.millrace.engine.testing.RandomCases.cases;
import static dev.millrace.engine.testing.RandomCases.combinations;
import static dev.millrace.engine.testing.RandomCases.intIn;
import static dev.millrace.engine.testing.RandomCases.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * BITCOUNT, BITPOS and GETRANGE against plain definitions on random strings and ranges: BYTE and BIT
 * indexes count from the end when negative and are clamped into the string; BITPOS for a 0 without
 * an explicit end finds the zero padding right after the string. (random.golden checks the same
 * commands against Redis 7.0.15 itself.)
 */
@ExtendWith(RandomCases.NameFailingCase.class)
class BitRangePropertiesTest {
    private static final EngineHarness H = new EngineHarness();
    private static final int MAX_LENGTH = 40;
    private static final int BIT_INDEX_BOUND = 400;
    private static final int BYTE_INDEX_BOUND = 60;

    /** The edge strings: empty, one byte of each kind, and the longest of each kind. */
    private static final List<byte[]> EDGE_VALUES = List.of(new byte[0], new byte[]{0}, new byte[]{(byte) 0xFF},
            new byte[MAX_LENGTH], filled(MAX_LENGTH, (byte) 0xFF));
    private static final List<Integer> EDGE_BIT_INDEXES = List.of(-BIT_INDEX_BOUND, -1, 0, BIT_INDEX_BOUND);
    private static final List<Boolean> BOOLEANS = List.of(false, true);

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

    private static byte[] filled(int length, byte b) {
        byte[] value = new byte[length];
        Arrays.fill(value, b);
        return value;
    }

    private static int bitIndex(Random random) {
        return intIn(random, -BIT_INDEX_BOUND, BIT_INDEX_BOUND);
    }

    private static int byteIndex(Random random) {
        return intIn(random, -BYTE_INDEX_BOUND, BYTE_INDEX_BOUND);
    }

    /** Strings of at most 40 bytes with start and end in [-400, 400] and a unit. */
    static Stream<Arguments> bitcountCase() {
        Random random = random("bitcountCase");
        return cases(combinations(EDGE_VALUES, EDGE_BIT_INDEXES, EDGE_BIT_INDEXES, BOOLEANS),
                () -> new Object[]{bytes(random, MAX_LENGTH), bitIndex(random), bitIndex(random), random.nextBoolean()})
                .map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("bitcountCase")
    void bitcountCountsTheBitsOfTheRange(byte[] value, int start, int end, boolean bitUnit) {
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

    /** As {@link #bitcountCase}, with the bit sought and whether an end (and unit) is given. */
    static Stream<Arguments> bitposCase() {
        Random random = random("bitposCase");
        List<byte[]> longestAndEmpty = List.of(new byte[0], new byte[MAX_LENGTH], filled(MAX_LENGTH, (byte) 0xFF));
        List<Object[]> edges = combinations(longestAndEmpty, List.of(0, 1), EDGE_BIT_INDEXES, EDGE_BIT_INDEXES,
                BOOLEANS, BOOLEANS);
        edges.removeIf(edge -> (boolean) edge[4] && !(boolean) edge[5]); // a unit without an end is not sent
        return cases(edges, () -> new Object[]{bytes(random, MAX_LENGTH), random.nextInt(2), bitIndex(random),
                        bitIndex(random), random.nextBoolean(), random.nextBoolean()})
                .map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("bitposCase")
    void bitposFindsTheFirstMatchingBitOfTheRange(byte[] value, int bit, int start, int end, boolean bitUnit,
                                                   boolean withEnd) {
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

    /** Strings of at most 40 bytes with start and end in [-60, 60]. */
    static Stream<Arguments> getrangeCase() {
        List<Integer> edgeIndexes = List.of(-BYTE_INDEX_BOUND, -MAX_LENGTH, -1, 0, MAX_LENGTH - 1, BYTE_INDEX_BOUND);
        Random random = random("getrangeCase");
        return cases(combinations(EDGE_VALUES, edgeIndexes, edgeIndexes),
                () -> new Object[]{bytes(random, MAX_LENGTH), byteIndex(random), byteIndex(random)})
                .map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("getrangeCase")
    void getrangeReturnsTheClampedSlice(byte[] value, int start, int end) {
        store(value);
        long[] range = start < 0 && end < 0 && start > end ? null : bitRange(start, end, value.length, false);
        String expected = range == null ? ""
                : new String(value, (int) (range[0] / 8), (int) ((range[1] - range[0] + 1) / 8), StandardCharsets.ISO_8859_1);
        assertEquals(expected, H.run("GETRANGE", "k", Integer.toString(start), Integer.toString(end)));
    }
}
