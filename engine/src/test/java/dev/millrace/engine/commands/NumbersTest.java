package dev.millrace.engine.commands;

import dev.millrace.engine.util.LongDouble;
import dev.millrace.engine.util.Numbers;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.LongRange;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

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
class NumbersTest {

    private static LongDouble ld(String s) {
        return Numbers.parseLongDouble(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String sum(String a, String b) {
        return Numbers.formatLongDouble(ld(a).add(ld(b)));
    }

    // ---- integers -------------------------------------------------------------------------------

    @Example
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

    @Example
    void parseLongReadsASliceWithoutCopying() {
        byte[] b = bytes("xx-42yy");
        assertEquals(-42L, Numbers.parseLong(b, 2, 3));
        assertNull(Numbers.parseLong(b, 0, 5));
    }

    @Property
    void everyLongRoundTrips(@ForAll long value) {
        assertEquals(value, Numbers.parseLong(Numbers.format(value)));
    }

    // ---- strtold --------------------------------------------------------------------------------

    @Example
    void parseLongDoubleAcceptsWhatStrtoldAcceptsWhole() {
        for (String ok : new String[]{"1", "-1", "+1.5", ".5", "5.", "1e2", "1E+2", "1e-2", "0001.5000", "0x1p3",
                "0X1.8P+1", "0x.8", "-0x10", "0x1.fffffffffffffffffp0", "inf", "-Infinity", "INF", "4e-4951",
                "1.18973149535723176503e4932", "0e999999999999", "0".repeat(5118) + "1"}) {
            assertNotNull(ld(ok), ok);
        }
    }

    @Example
    void parseLongDoubleRefusesWhatRedisRefuses() {
        for (String bad : new String[]{"", " 1", "1 ", "\t1", "1\0", ".", "e5", "1e", "1e+", "0x", "0x1p", "0xg",
                "1,5", "--1", "infin", "nan", "NaN", "-nan", "nan(123)", "1e5000", "-1e5000", "1e-5000",
                "1e-4951", "1.18973149535723176509e4932", "0".repeat(5119) + "1"}) {
            assertNull(ld(bad), bad);
        }
    }

    @Example
    void infinitiesParseButAreNotFinite() {
        assertTrue(ld("inf").isInfinite());
        assertTrue(ld("inf").add(ld("-inf")).isNaN());
        assertTrue(ld("1.18973149535723176502e4932").add(ld("1e4932")).isInfinite());
    }

    // ---- long double arithmetic and formatting (expected values from redis) --------------------

    @Example
    void additionHasLongDoublePrecision() {
        assertEquals("0.3", sum("0.1", "0.2"));
        assertEquals("3.3", sum("1.1", "2.2"));
        assertEquals("9223372036854775808", sum("9223372036854775807", "1"));
        assertEquals("100000000000000000000", sum("1e20", "1"));
        assertEquals("123456789012345678.5", sum("123456789012345678", "0.5"));
        assertEquals("3.14159265358979324", sum("0", "3.14159265358979323846264338327950288"));
    }

    @Example
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

    @Example
    void signedZerosFollowIeee() {
        assertEquals("-0.00000000000000000", ld("-0.0").add(ld("-0")).toFixed17());
        assertEquals("0.00000000000000000", ld("-0.0").add(ld("0")).toFixed17());
        assertEquals("0.00000000000000000", ld("1.5").add(ld("-1.5")).toFixed17());
    }

    @Property
    void theExactDecimalExpansionOfADoubleParsesToExactlyIt(@ForAll double value) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value == 0) {
            return;
        }
        BigDecimal exact = new BigDecimal(value);
        LongDouble parsed = ld(exact.toString());
        assertNotNull(parsed, exact::toString);
        assertEquals(0, exact.compareTo(parsed.toBigDecimal()), exact::toString);
    }

    @Property
    void hexFloatsParseExactly(@ForAll double value) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value == 0) {
            return;
        }
        LongDouble parsed = ld(Double.toHexString(value));
        assertNotNull(parsed, () -> Double.toHexString(value));
        assertEquals(0, new BigDecimal(value).compareTo(parsed.toBigDecimal()));
    }

    @Property
    void integersUpTo64BitsAddExactly(@ForAll @LongRange(min = Long.MIN_VALUE / 2, max = Long.MAX_VALUE / 2) long a,
                                      @ForAll @LongRange(min = Long.MIN_VALUE / 2, max = Long.MAX_VALUE / 2) long b) {
        assertEquals(Long.toString(a + b), sum(Long.toString(a), Long.toString(b)));
    }

    /** Decimal integers too wide for 64 bits round to the nearest 64-bit significand, ties to even. */
    @Property
    void wideIntegersRoundToNearestEven(@ForAll @BigRange(min = "18446744073709551616",
            max = "1000000000000000000000000000000000000000000000000000000000000") BigInteger n) {
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

    @Property
    void formattedValuesAreWithinHalfOfTheLast17thDecimal(@ForAll double value) {
        if (Double.isNaN(value) || Double.isInfinite(value) || Math.abs(value) > 1e30) {
            return;
        }
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
