package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.util.Numbers;

import java.util.ArrayList;
import java.util.List;

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence of two
 * strings, by Redis's dynamic-programming table and its exact backtracking, so the same subsequence
 * and the same match ranges (latest first) come out when several are equally long.
 *
 * <p>O(len1 × len2) time and 4 × (len1+1) × (len2+1) bytes of transient memory, refused (as Redis
 * does) when that exceeds proto-max-bulk-len.
 */
final class Lcs {
    private Lcs() { }

    /** One common run: [aStart, aEnd] in the first string matches [bStart, bEnd] in the second. */
    private record Match(int aStart, int aEnd, int bStart, int bEnd) {
        int length() {
            return aEnd - aStart + 1;
        }
    }

    static void execute(Call call) {
        byte[] recordA = call.keyspace().lookupRead(call.db(), call.arg(1), call.now());
        byte[] recordB = call.keyspace().lookupRead(call.db(), call.arg(2), call.now());
        if ((recordA != null && !StringKeys.isString(recordA)) || (recordB != null && !StringKeys.isString(recordB))) {
            call.reply().error(Errors.LCS_NOT_STRINGS);
            return;
        }
        boolean getLength = false;
        boolean getIndexes = false;
        boolean withMatchLength = false;
        long minMatchLength = 0;
        for (int j = 3; j < call.argc(); j++) {
            boolean moreArgs = j < call.argc() - 1;
            if (call.argIs(j, "idx")) {
                getIndexes = true;
            } else if (call.argIs(j, "len")) {
                getLength = true;
            } else if (call.argIs(j, "withmatchlen")) {
                withMatchLength = true;
            } else if (call.argIs(j, "minmatchlen") && moreArgs) {
                Long parsed = Numbers.parseLong(call.arg(++j));
                if (parsed == null) {
                    call.reply().error(Errors.NOT_INTEGER);
                    return;
                }
                minMatchLength = Math.max(parsed, 0);
            } else {
                call.syntaxError();
                return;
            }
        }
        if (getLength && getIndexes) {
            call.reply().error(Errors.LCS_LEN_AND_IDX);
            return;
        }
        byte[] a = recordA == null ? new byte[0] : StringKeys.value(recordA);
        byte[] b = recordB == null ? new byte[0] : StringKeys.value(recordB);
        long cells = (long) (a.length + 1) * (b.length + 1);
        if (cells * Integer.BYTES > call.engine().config().getLong("proto-max-bulk-len")) {
            call.reply().error(Errors.LCS_TOO_MUCH_MEMORY);
            return;
        }
        int[] table;
        try {
            table = cells > Integer.MAX_VALUE - 8 ? null : new int[(int) cells];
        } catch (OutOfMemoryError e) {
            table = null; // Redis's ztrymalloc failing: refuse the command, keep the server
        }
        if (table == null) {
            call.reply().error(Errors.LCS_ALLOCATION_FAILED);
            return;
        }
        fill(table, a, b);
        int length = table[table.length - 1];
        if (getLength) {
            call.reply().integer(length);
            return;
        }
        byte[] common = new byte[length];
        List<Match> matches = backtrack(table, a, b, common, minMatchLength);
        if (!getIndexes) {
            call.reply().bulk(common);
            return;
        }
        ReplyWriter reply = call.reply();
        reply.map(2);
        reply.bulk("matches");
        reply.array(matches.size());
        for (Match m : matches) {
            reply.array(withMatchLength ? 3 : 2);
            reply.array(2);
            reply.integer(m.aStart());
            reply.integer(m.aEnd());
            reply.array(2);
            reply.integer(m.bStart());
            reply.integer(m.bEnd());
            if (withMatchLength) {
                reply.integer(m.length());
            }
        }
        reply.bulk("len");
        reply.integer(length);
    }

    /** table[i * (|b|+1) + j] = length of the LCS of a[0..i) and b[0..j). */
    private static void fill(int[] table, byte[] a, byte[] b) {
        int width = b.length + 1;
        for (int i = 1; i <= a.length; i++) {
            int row = i * width;
            int above = row - width;
            for (int j = 1; j <= b.length; j++) {
                if (a[i - 1] == b[j - 1]) {
                    table[row + j] = table[above + j - 1] + 1;
                } else {
                    table[row + j] = Math.max(table[above + j], table[row + j - 1]);
                }
            }
        }
    }

    /**
     * Walks the table back from the end as Redis does (on a tie, moving in the second string first),
     * filling {@code common} and collecting the runs of at least {@code minMatchLength}.
     */
    private static List<Match> backtrack(int[] table, byte[] a, byte[] b, byte[] common, long minMatchLength) {
        int width = b.length + 1;
        List<Match> matches = new ArrayList<>();
        int idx = common.length;
        int noRange = a.length; // an impossible start: no run in progress
        int aStart = noRange;
        int aEnd = 0;
        int bStart = 0;
        int bEnd = 0;
        int i = a.length;
        int j = b.length;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (a[i - 1] == b[j - 1]) {
                common[idx - 1] = a[i - 1];
                if (aStart == noRange) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) {
                    emit = true;
                }
                idx--;
                i--;
                j--;
            } else {
                if (table[(i - 1) * width + j] > table[i * width + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (aStart != noRange) {
                    emit = true;
                }
            }
            if (emit) {
                Match m = new Match(aStart, aEnd, bStart, bEnd);
                if (minMatchLength == 0 || m.length() >= minMatchLength) {
                    matches.add(m);
                }
                aStart = noRange;
            }
        }
        return matches;
    }
}
