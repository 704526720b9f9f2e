package dev.millrace.engine.scripting;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** C's %.17g and %.14g as glibc prints them (the expected texts are printf's). */
class CFormatTest {
    @ParameterizedTest
    @CsvSource({
            "0.1, 17, 0.10000000000000001",
            "1e20, 17, 1e+20",
            "123456789012345678, 17, 1.2345678901234568e+17",
            "123456789012345678, 14, 1.2345678901235e+17",
            "-1000, 17, -1000",
            "999999999999999, 17, 999999999999999",
            "1e15, 17, 1000000000000000",
            "1e15, 14, 1e+15",
            "0.0001, 17, 0.0001",
            "0.00001, 14, 1e-05",
            "1.5, 14, 1.5",
            "-2.25e-7, 17, -2.2499999999999999e-07",
    })
    void printsAsPrintfDoes(double value, int precision, String expected) {
        assertEquals(expected, CFormat.g(value, precision));
    }
}
