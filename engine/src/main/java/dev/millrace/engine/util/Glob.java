package dev.millrace.engine.util;

/**
 * Redis's glob-style pattern matching (stringmatchlen): {@code * ? [abc] [^a] [a-z] \x}. Iterative
 * with backtracking to the last star, so a pattern cannot cost exponential time.
 */
public final class Glob {
    private Glob() { }

    public static boolean matches(byte[] pattern, byte[] string, boolean noCase) {
        int p = 0;
        int s = 0;
        int starP = -1;
        int starS = -1;
        while (s < string.length) {
            if (p < pattern.length && pattern[p] == '*') {
                while (p < pattern.length && pattern[p] == '*') {
                    p++;
                }
                if (p == pattern.length) {
                    return true;
                }
                starP = p;
                starS = s;
                continue;
            }
            int consumed = p < pattern.length ? matchOne(pattern, p, string[s], noCase) : -1;
            if (consumed > 0) {
                p += consumed;
                s++;
            } else if (starP >= 0) {
                p = starP;
                s = ++starS;
            } else {
                return false;
            }
        }
        while (p < pattern.length && pattern[p] == '*') {
            p++;
        }
        return p == pattern.length;
    }

    /** Length of the pattern element at {@code p} if it matches {@code c}, else -1. */
    private static int matchOne(byte[] pattern, int p, byte c, boolean noCase) {
        byte pc = pattern[p];
        if (pc == '?') {
            return 1;
        }
        if (pc == '\\' && p + 1 < pattern.length) {
            return same(pattern[p + 1], c, noCase) ? 2 : -1;
        }
        if (pc == '[') {
            int i = p + 1;
            boolean not = i < pattern.length && pattern[i] == '^';
            if (not) {
                i++;
            }
            boolean match = false;
            while (i < pattern.length && pattern[i] != ']') {
                if (pattern[i] == '\\' && i + 1 < pattern.length) {
                    i++;
                    match |= same(pattern[i], c, noCase);
                } else if (i + 2 < pattern.length && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
                    int lo = pattern[i] & 0xff;
                    int hi = pattern[i + 2] & 0xff;
                    if (lo > hi) {
                        int t = lo;
                        lo = hi;
                        hi = t;
                    }
                    int ch = c & 0xff;
                    if (noCase) {
                        ch = Character.toLowerCase(ch);
                        lo = Character.toLowerCase(lo);
                        hi = Character.toLowerCase(hi);
                    }
                    match |= ch >= lo && ch <= hi;
                    i += 2;
                } else {
                    match |= same(pattern[i], c, noCase);
                }
                i++;
            }
            // An unterminated class consumes the rest of the pattern, as in Redis.
            int end = i < pattern.length ? i + 1 : pattern.length;
            return (match != not) ? end - p : -1;
        }
        return same(pc, c, noCase) ? 1 : -1;
    }

    private static boolean same(byte a, byte b, boolean noCase) {
        return a == b || (noCase && Character.toLowerCase(a & 0xff) == Character.toLowerCase(b & 0xff));
    }
}
