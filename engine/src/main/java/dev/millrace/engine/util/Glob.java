package dev.millrace.engine.util;

/**
 * Redis 7.0's glob-style pattern matching ({@code stringmatchlen} in util.c): {@code * ? [abc] [^a]
 * [a-z] \x}, ported line for line so that every odd pattern matches what it matches in Redis:
 * <ul>
 *   <li>a class whose end is missing takes the rest of the pattern as members;</li>
 *   <li>{@code [a-]} is the range from 'a' to ']' (a range takes the next two bytes, whatever they
 *       are), and ranges compare bytes as C's signed {@code char}s;</li>
 *   <li>the empty string matches no pattern at all, not even {@code *} (KEYS and SCAN treat a lone
 *       {@code *} as "everything" before matching);</li>
 *   <li>case folding ({@code noCase}) is C's {@code tolower}: ASCII letters only;</li>
 *   <li>more than 1000 nested stars never match (Redis's guard against abusive patterns).</li>
 * </ul>
 * Reads past the end of the pattern see a NUL byte, as C sees the string's terminator. Like Redis,
 * a star that finds no match for the rest of the pattern anywhere stops every earlier star from
 * trying longer matches, so the cost is polynomial, not exponential. Stateless, thread-safe.
 */
public final class Glob {
    /** Redis refuses to recurse deeper than this many stars. */
    private static final int MAX_NESTING = 1000;

    private Glob() { }

    public static boolean matches(byte[] pattern, byte[] string, boolean noCase) {
        return new Matcher(pattern, string, noCase).match(0, pattern.length, 0, string.length, 0);
    }

    /** One match: the inputs and the flag every level of star recursion shares. */
    private static final class Matcher {
        private final byte[] pattern;
        private final byte[] string;
        private final boolean noCase;
        /** Set once the rest of the pattern matched from nowhere in the string: longer star matches cannot help. */
        private boolean skipLongerMatches;

        Matcher(byte[] pattern, byte[] string, boolean noCase) {
            this.pattern = pattern;
            this.string = string;
            this.noCase = noCase;
        }

        /** The pattern byte at {@code i} as a signed C char; NUL at and past the end. */
        private int p(int i) {
            return i < pattern.length ? pattern[i] : 0;
        }

        private int s(int i) {
            return i < string.length ? string[i] : 0;
        }

        /** stringmatchlen_impl over pattern[p, p + patternLen) and string[s, s + stringLen). */
        boolean match(int p, int patternLen, int s, int stringLen, int nesting) {
            if (nesting > MAX_NESTING) {
                return false;
            }
            while (patternLen > 0 && stringLen > 0) {
                switch (p(p)) {
                    case '*' -> {
                        while (patternLen > 0 && p(p + 1) == '*') {
                            p++;
                            patternLen--;
                        }
                        if (patternLen == 1) {
                            return true;
                        }
                        while (stringLen > 0) {
                            if (match(p + 1, patternLen - 1, s, stringLen, nesting + 1)) {
                                return true;
                            }
                            if (skipLongerMatches) {
                                return false;
                            }
                            s++;
                            stringLen--;
                        }
                        skipLongerMatches = true;
                        return false;
                    }
                    case '?' -> {
                        s++;
                        stringLen--;
                    }
                    case '[' -> {
                        p++;
                        patternLen--;
                        boolean not = p(p) == '^';
                        if (not) {
                            p++;
                            patternLen--;
                        }
                        boolean match = false;
                        while (true) {
                            if (p(p) == '\\' && patternLen >= 2) {
                                p++;
                                patternLen--;
                                if (p(p) == s(s)) {
                                    match = true;
                                }
                            } else if (p(p) == ']') {
                                break;
                            } else if (patternLen == 0) {
                                p--;
                                patternLen++;
                                break;
                            } else if (patternLen >= 3 && p(p + 1) == '-') {
                                int start = p(p);
                                int end = p(p + 2);
                                int c = s(s);
                                if (start > end) {
                                    int t = start;
                                    start = end;
                                    end = t;
                                }
                                if (noCase) {
                                    start = toLower(start);
                                    end = toLower(end);
                                    c = toLower(c);
                                }
                                p += 2;
                                patternLen -= 2;
                                if (c >= start && c <= end) {
                                    match = true;
                                }
                            } else if (same(p(p), s(s))) {
                                match = true;
                            }
                            p++;
                            patternLen--;
                        }
                        if (not) {
                            match = !match;
                        }
                        if (!match) {
                            return false;
                        }
                        s++;
                        stringLen--;
                    }
                    default -> {
                        if (p(p) == '\\' && patternLen >= 2) {
                            p++;
                            patternLen--;
                        }
                        if (!same(p(p), s(s))) {
                            return false;
                        }
                        s++;
                        stringLen--;
                    }
                }
                p++;
                patternLen--;
                if (stringLen == 0) {
                    while (p(p) == '*') {
                        p++;
                        patternLen--;
                    }
                    break;
                }
            }
            return patternLen == 0 && stringLen == 0;
        }

        private boolean same(int a, int b) {
            return noCase ? toLower(a) == toLower(b) : a == b;
        }
    }

    /** C's tolower in the "C" locale: ASCII capitals only. */
    private static int toLower(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
