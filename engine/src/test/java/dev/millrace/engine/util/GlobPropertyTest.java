package dev.millrace.engine.util;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Glob against an independent reference: well-formed patterns (literals, {@code ?}, {@code *},
 * escapes, classes with ranges either way round and negation) translated to java.util.regex, over
 * random non-empty strings (Redis matches no pattern against the empty string, see GlobTest).
 * The odd cases where Redis's matcher has its own rules (unterminated classes, {@code [a-]}) are
 * GlobTest's, checked against redis-server. Seeded, so a failure repeats.
 */
class GlobPropertyTest {
    private static final String ALPHABET = "abcd*?[]-^\\";
    private static final String LETTERS = "abcd";

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void matchesAsTheRegexTranslationOfTheSamePattern(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            StringBuilder regex = new StringBuilder();
            String pattern = randomPattern(random, regex, false);
            String string = randomString(random, ALPHABET);
            boolean expected = Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(string).matches();
            assertEquals(expected, Glob.matches(bytes(pattern), bytes(string), false),
                    "pattern '" + pattern + "' (regex " + regex + ") against '" + string + "'");
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14})
    void noCaseFoldsAsciiLettersAsACaseInsensitiveRegex(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            StringBuilder regex = new StringBuilder();
            String pattern = randomPattern(random, regex, true);
            String string = randomString(random, "abcdABCD*?");
            boolean expected = Pattern.compile(regex.toString(), Pattern.DOTALL | Pattern.CASE_INSENSITIVE)
                    .matcher(string).matches();
            assertEquals(expected, Glob.matches(bytes(pattern), bytes(string), true),
                    "pattern '" + pattern + "' (regex " + regex + ") against '" + string + "' ignoring case");
        }
    }

    /** A random well-formed glob; its regex translation is appended to {@code regex}. */
    private static String randomPattern(Random random, StringBuilder regex, boolean lowerCaseLettersOnly) {
        StringBuilder glob = new StringBuilder();
        int tokens = random.nextInt(6);
        for (int t = 0; t < tokens; t++) {
            switch (random.nextInt(lowerCaseLettersOnly ? 4 : 5)) {
                case 0 -> {
                    char c = LETTERS.charAt(random.nextInt(LETTERS.length()));
                    glob.append(c);
                    regex.append(literal(c));
                }
                case 1 -> {
                    glob.append('?');
                    regex.append('.');
                }
                case 2 -> {
                    glob.append('*');
                    regex.append(".*");
                }
                case 3 -> appendClass(random, glob, regex);
                default -> {
                    char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
                    glob.append('\\').append(c);
                    regex.append(literal(c));
                }
            }
        }
        return glob.toString();
    }

    /** A class of letters and ranges (Redis swaps a reversed range), maybe negated; never empty. */
    private static void appendClass(Random random, StringBuilder glob, StringBuilder regex) {
        glob.append('[');
        regex.append('[');
        if (random.nextInt(3) == 0) {
            glob.append('^');
            regex.append('^');
        }
        int members = 1 + random.nextInt(3);
        for (int m = 0; m < members; m++) {
            char a = LETTERS.charAt(random.nextInt(LETTERS.length()));
            if (random.nextBoolean()) {
                char b = LETTERS.charAt(random.nextInt(LETTERS.length()));
                glob.append(a).append('-').append(b);
                regex.append(literal((char) Math.min(a, b))).append('-').append(literal((char) Math.max(a, b)));
            } else {
                glob.append(a);
                regex.append(literal(a));
            }
        }
        glob.append(']');
        regex.append(']');
    }

    private static String literal(char c) {
        return String.format("\\x{%x}", (int) c);
    }

    private static String randomString(Random random, String alphabet) {
        int length = 1 + random.nextInt(8);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
