package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.util.Glob;
import dev.millrace.engine.util.Numbers;

/**
 * The options of a scan over one key's elements (HSCAN, SSCAN, ZSCAN), parsed as
 * Redis's scanGenericCommand parses them: {@code COUNT n} (an integer, at least 1) and
 * {@code MATCH pattern} in any order and repeated (the last wins), anything else a syntax error.
 * Immutable.
 *
 * @param count   how many elements a step should visit (a hint); 10 by default
 * @param pattern the glob elements must match, or null for all ({@code *} counts as none)
 */
record ScanOptions(long count, byte[] pattern) {
    /** Redis's default COUNT. */
    static final long DEFAULT_COUNT = 10;

    /**
     * The options from argument {@code from} on.
     *
     * @return the options, or null after replying the error
     */
    static ScanOptions parse(Call call, int from) {
        long count = DEFAULT_COUNT;
        byte[] pattern = null;
        for (int i = from; i < call.argc(); i += 2) {
            boolean hasValue = i + 1 < call.argc();
            if (call.argIs(i, "count") && hasValue) {
                Long value = Numbers.parseLong(call.arg(i + 1));
                if (value == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return null;
                }
                if (value < 1) {
                    call.syntaxError();
                    return null;
                }
                count = value;
            } else if (call.argIs(i, "match") && hasValue) {
                byte[] p = call.arg(i + 1);
                pattern = p.length == 1 && p[0] == '*' ? null : p;
            } else {
                call.syntaxError();
                return null;
            }
        }
        return new ScanOptions(count, pattern);
    }

    /** Whether an element (a hash field's name, a member) passes MATCH. */
    boolean matches(byte[] element) {
        return pattern == null || Glob.matches(pattern, element, false);
    }
}
