package dev.millrace.engine.commands;

import dev.millrace.engine.testing.RandomCases;
import dev.millrace.engine.util.LongDouble;
import dev.millrace.engine.util.Numbers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static dev.millrace.engine.testing.RandomCases.bigIntegerIn;
import static dev.millrace.engine.testing.RandomCases.cases;
import static dev.millrace.engine.testing.RandomCases.combinations;
import static dev.millrace.engine.testing.RandomCases.doubleEdges;
import static dev.millrace.engine.testing.RandomCases.finiteDouble;
import static dev.millrace.engine.testing.RandomCases.longEdges;
import static dev.millrace.engine.testing.RandomCases.longIn;
import static dev.millrace.engine.testing.RandomCases.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis's number rules as the string commands use them: string2ll for integers, string2ld (glibc
 * strtold) for INCRBYFLOAT's inputs, x87 80-bit long double addition, and ld2string's human format.
 * Expected texts marked "redis" were produced by redis-server 7.0.15 (INCRBYFLOAT on this machine);
 * the same and many more are replayed byte for byte from strings.golden and random.golden.
 */
@ExtendWith(RandomCases.NameFailingCase.class)
class NumbersTest {
    /** The range of integers too wide for 64 bits that the rounding property draws from. */
    private static final BigInteger WIDE_MIN = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger WIDE_MAX = BigInteger.TEN.pow(60);

    private static LongDouble ld(String s) {
        return Numbers.parseLongDouble(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String sum(String a, String b) {
        return Numbers.formatLongDouble(ld(a).add(ld(b)));
    }

    // ---- integers -------------------------------------------------------------------------------

    @Test
    void parseLongAcceptsOnlyCanonicalIntegers() {
        assertEquals(0L, Numbers.parseLong(bytes("0")));
        assertEquals(-1L, Numbers.parseLong(bytes("-1")));
        assertEquals(Long.MAX_VALUE, Numbers.parseLong(bytes("9223372036854775807")));
        assertEquals(Long.MIN_VALUE, Numbers.parseLong(bytes("-9223372036854775808")));
        for (String bad : new String[]{"", "-", "+1", "01", "-0", "00", " 1", "1 ", "1.0", "1e3", "0x10",
                "9223372036854775808", "-9223372036854775809", "123456789012345678901"}) {
            assertNull(Numbers.parseLong(bytes(bad)), bad);
        }
    }

    @Test
    void parseLongReadsASliceWithoutCopying() {
        byte[] b = bytes("xx-42yy");
        assertEquals(-42L, Numbers.parseLong(b, 2, 3));
        assertNull(Numbers.parseLong(b, 0, 5));
    }

    static Stream<Long> anyLong() {
        Random random = random("anyLong");
        return cases(longEdges(Long.MIN_VALUE, Long.MAX_VALUE), () -> longIn(random, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    @ParameterizedTest
    @MethodSource("anyLong")
    void everyLongRoundTrips(long value) {
        assertEquals(value, Numbers.parseLong(Numbers.format(value)));
    }

    // ---- strtold --------------------------------------------------------------------------------

    @Test
    void parseLongDoubleAcceptsWhatStrtoldAcceptsWhole() {
        for (String ok : new String[]{"1", "-1", "+1.5", ".5", "5.", "1e2", "1E+2", "1e-2", "0001.5000", "0x1p3",
                "0X1.8P+1", "0x.8", "-0x10", "0x1.fffffffffffffffffp0", "inf", "-Infinity", "INF", "4e-4951",
                "1.18973149535723176503e4932", "0e999999999999", "0".repeat(5118) + "1"}) {
            assertNotNull(ld(ok), ok);
        }
    }

    @Test
    void parseLongDoubleRefusesWhatRedisRefuses() {
        for (String bad : new String[]{"", " 1", "1 ", "\t1", "1\0", ".", "e5", "1e", "1e+", "0x", "0x1p", "0xg",
                "1,5", "--1", "infin", "nan", "NaN", "-nan", "nan(123)", "1e5000", "-1e5000", "1e-5000",
                "1e-4951", "1.18973149535723176509e4932", "0".repeat(5119) + "1"}) {
            assertNull(ld(bad), bad);
        }
    }

    @Test
    void infinitiesParseButAreNotFinite() {
        assertTrue(ld("inf").isInfinite());
        assertTrue(ld("inf").add(ld("-inf")).isNaN());
        assertTrue(ld("1.18973149535723176502e4932").add(ld("1e4932")).isInfinite());
    }

    // ---- long double arithmetic and formatting (expected values from redis) --------------------

    @Test
    void additionHasLongDoublePrecision() {
        assertEquals("0.3", sum("0.1", "0.2"));
        assertEquals("3.3", sum("1.1", "2.2"));
        assertEquals("9223372036854775808", sum("9223372036854775807", "1"));
        assertEquals("100000000000000000000", sum("1e20", "1"));
        assertEquals("123456789012345678.5", sum("123456789012345678", "0.5"));
        assertEquals("3.14159265358979324", sum("0", "3.14159265358979323846264338327950288"));
    }

    @Test
    void formattingIsFixedWith17DecimalsRoundedHalfEvenAndTrimmed() {
        assertEquals("0.00000381469726562", sum("0", "0.000003814697265625"));
        assertEquals("0.00001144409179688", sum("0", "0.000011444091796875"));
        assertEquals("-0.00001144409179688", sum("0", "-0.000011444091796875"));
        assertEquals("-0.00000000015", sum("0", "-1.5e-10"));
        assertEquals("5000", sum("0", "5.0e3"));
        assertEquals("0", sum("0", "-3e-18"));
        assertEquals("0", sum("-0.0", "-0.0"));
        assertEquals("0", sum("0", "4e-4951"));
        String hugeRedis = "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750"
                + "49719035037250861427483590359255618467298391309626052074864628732713564184365329408425510760601678972665"
                + "2932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144";
        assertEquals(hugeRedis, sum("0", "1e300"));
    }

    @Test
    void signedZerosFollowIeee() {
        assertEquals("-0.00000000000000000", ld("-0.0").add(ld("-0")).toFixed17());
        assertEquals("0.00000000000000000", ld("-0.0").add(ld("0")).toFixed17());
        assertEquals("0.00000000000000000", ld("1.5").add(ld("-1.5")).toFixed17());
    }

    /** Finite doubles but zero, whose exact expansion is plain "0". */
    static Stream<Double> nonZeroDouble() {
        Random random = random("nonZeroDouble");
        return cases(doubleEdges(), () -> finiteDouble(random), value -> value != 0);
    }

    @ParameterizedTest
    @MethodSource("nonZeroDouble")
    void theExactDecimalExpansionOfADoubleParsesToExactlyIt(double value) {
        BigDecimal exact = new BigDecimal(value);
        LongDouble parsed = ld(exact.toString());
        assertNotNull(parsed, exact::toString);
        assertEquals(0, exact.compareTo(parsed.toBigDecimal()), exact::toString);
    }

    @ParameterizedTest
    @MethodSource("nonZeroDouble")
    void hexFloatsParseExactly(double value) {
        LongDouble parsed = ld(Double.toHexString(value));
        assertNotNull(parsed, () -> Double.toHexString(value));
        assertEquals(0, new BigDecimal(value).compareTo(parsed.toBigDecimal()));
    }

    /** Pairs of longs in [Long.MIN_VALUE / 2, Long.MAX_VALUE / 2], whose sum cannot overflow. */
    static Stream<Arguments> halfRangeLongPair() {
        long min = Long.MIN_VALUE / 2;
        long max = Long.MAX_VALUE / 2;
        List<Long> bounds = List.of(min, min + 1, -1L, 0L, 1L, max - 1, max);
        Random random = random("halfRangeLongPair");
        return cases(combinations(bounds, bounds),
                () -> new Object[]{longIn(random, min, max), longIn(random, min, max)}).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("halfRangeLongPair")
    void integersUpTo64BitsAddExactly(long a, long b) {
        assertEquals(Long.toString(a + b), sum(Long.toString(a), Long.toString(b)));
    }

    /**
     * Integers in [2^64, 10^60]: the bounds, 2^k and 2^k - 1 (which rounds up into the next
     * binade), exact ties between two 64-bit significands (rare among random numbers, so they are
     * also drawn 1 in 8), and numbers with a uniformly drawn bit length.
     */
    static Stream<BigInteger> wideInteger() {
        List<BigInteger> edges = new ArrayList<>(List.of(WIDE_MIN, WIDE_MIN.add(BigInteger.ONE),
                WIDE_MAX.subtract(BigInteger.ONE), WIDE_MAX));
        for (int k = 65; k < WIDE_MAX.bitLength(); k++) {
            edges.add(BigInteger.ONE.shiftLeft(k));
            edges.add(BigInteger.ONE.shiftLeft(k).subtract(BigInteger.ONE));
        }
        BigInteger smallest = BigInteger.ONE.shiftLeft(63);
        BigInteger largest = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        for (int bitLength : new int[]{65, 66, 100, 128, WIDE_MAX.bitLength() - 1}) {
            for (BigInteger significand : List.of(smallest, smallest.add(BigInteger.ONE),
                    largest.subtract(BigInteger.ONE), largest)) {
                BigInteger tie = tie(significand, bitLength - 64);
                edges.addAll(List.of(tie.subtract(BigInteger.ONE), tie, tie.add(BigInteger.ONE)));
            }
        }
        Random random = random("wideInteger");
        return cases(edges, () -> random.nextInt(8) > 0 ? bigIntegerIn(random, WIDE_MIN, WIDE_MAX)
                : tie(bigIntegerIn(random, smallest, largest), 1 + random.nextInt(WIDE_MAX.bitLength() - 65)));
    }

    /** The number halfway between significand * 2^drop and (significand + 1) * 2^drop. */
    private static BigInteger tie(BigInteger significand, int drop) {
        return significand.shiftLeft(drop).setBit(drop - 1);
    }

    /** Decimal integers too wide for 64 bits round to the nearest 64-bit significand, ties to even. */
    @ParameterizedTest
    @MethodSource("wideInteger")
    void wideIntegersRoundToNearestEven(BigInteger n) {
        BigInteger rounded = ld(n.toString()).toBigDecimal().toBigIntegerExact();
        int drop = n.bitLength() - 64;
        BigInteger ulp = BigInteger.ONE.shiftLeft(drop);
        assertEquals(BigInteger.ZERO, rounded.mod(ulp), "64 significant bits at most");
        BigInteger error = n.subtract(rounded).abs().shiftLeft(1);
        assertTrue(error.compareTo(ulp) <= 0, "within half an ulp");
        if (error.equals(ulp)) {
            assertTrue(!rounded.shiftRight(drop).testBit(0), "a tie goes to the even significand");
        }
    }

    /** Finite doubles up to 1e30 in magnitude, whose fixed-point text stays short. */
    static Stream<Double> doubleUpTo1e30() {
        Random random = random("doubleUpTo1e30");
        return cases(doubleEdges(), () -> finiteDouble(random), value -> Math.abs(value) <= 1e30);
    }

    @ParameterizedTest
    @MethodSource("doubleUpTo1e30")
    void formattedValuesAreWithinHalfOfTheLast17thDecimal(double value) {
        String text = Numbers.formatLongDouble(ld(new BigDecimal(value).toString()).add(LongDouble.ZERO));
        BigDecimal shown = new BigDecimal(text);
        BigDecimal error = shown.subtract(new BigDecimal(value)).abs();
        assertTrue(error.compareTo(new BigDecimal("5e-18")) <= 0, text);
        assertTrue(!text.contains(".") || !(text.endsWith("0") || text.endsWith(".")), text);
        assertTrue(!text.equals("-0"), text);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
