package dev.millrace.engine.util;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link Numbers#strtod} against glibc's strtod (values, end positions and ERANGE checked with a C
 * program on glibc 2.36, the one redis-server runs on here; glibc also sets ERANGE for an inexact
 * subnormal such as 4e-320, which no caller looks at), and {@link Numbers#parseDouble} as Redis's
 * getDoubleFromObject filters it.
 */
class StrtodTest {

    @ParameterizedTest(name = "strtod(\"{0}\") = {1}, {2} bytes, ERANGE {3}")
    @CsvSource(delimiter = '|', value = {
            "1.5|1.5|3|false",
            "'  -2e3x'|-2000|6|false",
            "+.5|0.5|3|false",
            "5.|5|2|false",
            ".|0|0|false",
            "-|0|0|false",
            "''|0|0|false",
            "1e|1|1|false",
            "1e+|1|1|false",
            "1e-2|0.01|4|false",
            "0x1p3|8|5|false",
            "0X1.8|1.5|5|false",
            "0x.8p1|1|6|false",
            "0x|0|1|false",
            "0x1p|1|3|false",
            "-0x10|-16|5|false",
            "inf|Infinity|3|false",
            "-Infinity|-Infinity|9|false",
            "infinit|Infinity|3|false",
            "nan|NaN|3|false",
            "NaN(123_ab)x|NaN|11|false",
            "nan(12|NaN|3|false",
            "1e400|Infinity|5|true",
            "-1e400|-Infinity|6|true",
            "1e-400|0|6|true",
            "0e-400|0|6|false",
            "4e-320|4.0E-320|6|false",
            "0.1|0.1|3|false",
            "1.00000000000000011102230246251565404236316680908203125|1|55|false",
            "1.00000000000000011102230246251565404236316680908203126|1.0000000000000002|55|false",
            "9007199254740993|9007199254740992|16|false"})
    void parsesThePrefixGlibcParses(String text, double value, int end, boolean outOfRange) {
        Numbers.ParsedDouble parsed = Numbers.strtod(text.getBytes(StandardCharsets.US_ASCII), 0);
        assertEquals(value, parsed.value());
        assertEquals(end, parsed.end());
        assertEquals(outOfRange, parsed.outOfRange());
    }

    @ParameterizedTest(name = "\"{0}\" is not a valid float")
    @CsvSource(delimiter = '|', value = {"''", "' 1'", "'1 '", "nan", "-nan", "1e400", "1e-400", "0x", "abc", "1,5"})
    void getDoubleFromObjectRefuses(String text) {
        assertNull(Numbers.parseDouble(text.getBytes(StandardCharsets.US_ASCII)));
    }

    @ParameterizedTest(name = "\"{0}\" = {1}")
    @CsvSource(delimiter = '|', value = {"-inf|-Infinity", "4e-320|4.0E-320", "0x1p-1074|4.9E-324", "-0|-0.0", "1e308|1e308"})
    void getDoubleFromObjectAccepts(String text, double value) {
        assertEquals(value, Numbers.parseDouble(text.getBytes(StandardCharsets.US_ASCII)));
    }
}
