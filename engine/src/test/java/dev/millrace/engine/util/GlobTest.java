package dev.millrace.engine.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Glob against what KEYS answers in Redis 7.0.15 (each case checked with redis-server). */
class GlobTest {
    private static boolean matches(String pattern, String string) {
        return Glob.matches(bytes(pattern), bytes(string), false);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "''{0}'' ~ ''{1}'' = {2}")
    @CsvSource(delimiter = '|', value = {
            "h?llo|hello|true",
            "h*llo|heeeello|true",
            "h[ae]llo|hallo|true",
            "h[^e]llo|hello|false",
            "h[a-c]llo|hbllo|true",
            "h[c-a]llo|hbllo|true",          // a reversed range is swapped
            "*[a-]*|a*b?c[d]e\\f|false",       // [a-]* is a class: the range a..] and '*', at the end
            "*[a-]|xyz^|true",               // '^' lies between ']' and 'a'
            "a\\*b|a*b|true",
            "a\\*b|aXb|false",
            "[a|a|true",                     // an unterminated class takes the rest of the pattern
            "[|a|false",
            "[^|a|true",
            "*\\|x\\|true",                  // a trailing backslash is a literal backslash
            "**|x|true",
    })
    void matchesAsRedis(String pattern, String string, boolean expected) {
        assertEquals(expected, matches(pattern, string));
    }

    @Test
    void theEmptyStringMatchesNoPatternNotEvenAStar() {
        assertFalse(matches("*", ""));
        assertFalse(matches("**", ""));
        assertTrue(matches("", ""));
        assertFalse(matches("", "x"));
    }

    @Test
    void rangesCompareSignedCharsAsC() {
        // [\x01-\xff] is the range -1..1 in C: it holds \xff, \x00 and \x01, and not 'a'.
        byte[] pattern = {'[', 1, '-', (byte) 0xff, ']'};
        assertTrue(Glob.matches(pattern, new byte[] {(byte) 0xff}, false));
        assertTrue(Glob.matches(pattern, new byte[] {0}, false));
        assertFalse(Glob.matches(pattern, new byte[] {'a'}, false));
    }

    @Test
    void caseFoldingIsAsciiOnly() {
        assertTrue(Glob.matches(bytes("HZ"), bytes("hz"), true));
        assertFalse(Glob.matches(bytes("\u00c9"), bytes("\u00e9"), true), "Latin-1 capitals are not folded");
    }

    @Test
    void moreThanAThousandNestedStarsNeverMatch() {
        String key = "a".repeat(1500);
        assertTrue(matches("a*".repeat(1001), key), "the last star needs no recursion");
        assertFalse(matches("a*".repeat(1002), key));
        assertTrue(matches("*a".repeat(1000), key));
        assertFalse(matches("*a".repeat(1001), key));
    }

    @Test
    void abusivePatternsStayFast() {
        String key = "a".repeat(60);
        long started = System.nanoTime();
        assertFalse(matches("*a".repeat(30) + "b", key));
        assertTrue(System.nanoTime() - started < 1_000_000_000L, "polynomial, not exponential");
    }
}
