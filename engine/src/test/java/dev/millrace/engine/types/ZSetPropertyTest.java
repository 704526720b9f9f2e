package dev.millrace.engine.types;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ZSet against a simple model (a map of member to score, sorted on demand by score as C compares
 * doubles, then member bytes): random adds with every ZADD option, removes, rank and score range
 * removals and pops, with small listpack thresholds so sets convert from listpack to skiplist
 * mid-run, and some runs large enough for multi-level trees. After every step it compares size,
 * scores (the sign of a zero too), ranks, elements by index, iteration both ways, score and lex range
 * bounds and counts, a full ZSCAN and a ZRANDMEMBER sample.
 */
class ZSetPropertyTest {
    private static final Comparator<Map.Entry<String, Double>> ORDER = (a, b) -> {
        double x = a.getValue();
        double y = b.getValue();
        return x < y ? -1 : x > y ? 1 : a.getKey().compareTo(b.getKey());
    };

    /** The model: ISO-8859-1 strings compare as the members' unsigned bytes. */
    private final Map<String, Double> model = new HashMap<>();

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private List<Map.Entry<String, Double>> sorted() {
        List<Map.Entry<String, Double>> entries = new ArrayList<>(model.entrySet());
        entries.sort(ORDER);
        return entries;
    }

    private static double score(Random r, boolean lexMode) {
        if (lexMode) {
            return 0;
        }
        return switch (r.nextInt(8)) {
            case 0 -> Double.NEGATIVE_INFINITY;
            case 1 -> Double.POSITIVE_INFINITY;
            case 2 -> -0.0;
            case 3 -> 0.0;
            case 4 -> r.nextInt(7) - 3;
            case 5 -> 1.5;
            default -> (r.nextDouble() - 0.5) * 1000;
        };
    }

    private static String member(Random r, int pool) {
        int n = r.nextInt(pool);
        return "m" + n + (n % 5 == 0 ? "long-member" : "");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void matchesTheModelAcrossBothForms(long seed) {
        Random r = new Random(seed);
        boolean lexMode = seed % 4 == 0;
        boolean large = seed % 3 == 0;
        int pool = large ? 3000 : 60;
        int steps = large ? 2500 : 1500;
        ZSet.Limits limits = new ZSet.Limits(r.nextInt(10), 3 + r.nextInt(10));
        PagedTreeTest.MapPages pages = new PagedTreeTest.MapPages(seed % 2 == 0);
        String first = member(r, pool);
        ZSet zset = ZSet.createFor(bytes(first), limits, () -> pages);
        boolean listpack = limits.maxListpackEntries() != 0 && first.length() <= limits.maxListpackValue();
        assertEquals(listpack, zset.isListpack());

        int deepestTree = 0;
        for (int step = 0; step < steps; step++) {
            int op = r.nextInt(20);
            if (op < 12) {
                String m = member(r, pool);
                double s = score(r, lexMode);
                boolean wasListpack = zset.isListpack();
                boolean present = model.containsKey(m);
                ZSet.AddOptions options = options(r);
                ZSet.AddResult result = zset.add(bytes(m), s, options);
                if (wasListpack && !present && !options.xx()
                        && !limits.listpackFits(model.size() + 1, m.length())) {
                    listpack = false;
                }
                expectAdd(m, s, options, result, listpack);
            } else if (op < 15) {
                String m = member(r, pool);
                assertEquals(model.remove(m) != null, zset.remove(bytes(m)));
            } else if (op < 17 && !model.isEmpty()) {
                int from = r.nextInt(model.size());
                int to = from + r.nextInt(Math.min(5, model.size() - from) + 1);
                List<Map.Entry<String, Double>> sorted = sorted();
                zset.removeRange(from, to);
                for (int i = from; i < to; i++) {
                    model.remove(sorted.get(i).getKey());
                }
            } else {
                checkRanges(zset, r);
            }
            assertEquals(listpack, zset.isListpack(), "form at step " + step);
            check(zset, r, step, large);
            if (!zset.isListpack()) {
                deepestTree = Math.max(deepestTree, zset.scoreRoot().height());
            }
        }
        assertFalse(zset.isListpack(), "the run reached the skiplist form");
        if (large) {
            assertTrue(deepestTree > 0, "the trees grew past one page");
        }
    }

    private static ZSet.AddOptions options(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> new ZSet.AddOptions(true, false, false, false, false);
            case 1 -> new ZSet.AddOptions(false, true, false, false, false);
            case 2 -> new ZSet.AddOptions(false, r.nextBoolean(), true, false, r.nextBoolean());
            case 3 -> new ZSet.AddOptions(false, r.nextBoolean(), false, true, r.nextBoolean());
            case 4 -> new ZSet.AddOptions(false, false, false, false, true);
            default -> ZSet.AddOptions.PLAIN;
        };
    }

    /** Redis's zsetAdd rules, applied to the model. */
    private void expectAdd(String m, double s, ZSet.AddOptions o, ZSet.AddResult result, boolean listpack) {
        Double current = model.get(m);
        if (current == null) {
            if (o.xx()) {
                assertEquals(ZSet.Outcome.SKIPPED, result.outcome());
                return;
            }
            assertEquals(ZSet.Outcome.ADDED, result.outcome());
            assertEquals(s, result.score());
            model.put(m, stored(s, listpack));
            return;
        }
        if (o.nx()) {
            assertEquals(ZSet.Outcome.SKIPPED, result.outcome());
            return;
        }
        double updated = o.incr() ? current + s : s;
        if (Double.isNaN(updated)) {
            assertEquals(ZSet.Outcome.NAN, result.outcome());
            return;
        }
        if ((o.lt() && updated >= current) || (o.gt() && updated <= current)) {
            assertEquals(ZSet.Outcome.SKIPPED, result.outcome());
            return;
        }
        assertEquals(updated != current ? ZSet.Outcome.UPDATED : ZSet.Outcome.UNCHANGED, result.outcome());
        if (updated != current) {
            model.put(m, stored(updated, listpack));
        }
    }

    /** A listpack keeps -0 as 0; the skiplist keeps it. */
    private static double stored(double score, boolean listpack) {
        return listpack && score == 0 ? 0.0 : score;
    }

    private void check(ZSet zset, Random r, int step, boolean large) {
        List<Map.Entry<String, Double>> sorted = sorted();
        assertEquals(sorted.size(), zset.size());
        String where = " at step " + step;
        for (int k = 0; k < Math.min(8, sorted.size()); k++) {
            int i = r.nextInt(sorted.size());
            Map.Entry<String, Double> e = sorted.get(i);
            assertEquals(e.getValue(), zset.score(bytes(e.getKey())), "score" + where);
            assertEquals(i, zset.rank(bytes(e.getKey())), "rank" + where);
            ZSet.Element at = zset.get(i);
            assertEquals(e.getKey(), text(at.member()), "get" + where);
            assertEquals(e.getValue(), at.score(), "get score" + where);
        }
        assertNull(zset.score(bytes("absent")));
        assertEquals(-1, zset.rank(bytes("absent")));
        if (!large || step % 97 == 0) {
            List<String> ascending = new ArrayList<>();
            zset.iterator(0, true).forEachRemaining(e -> ascending.add(text(e.member())));
            assertEquals(sorted.stream().map(Map.Entry::getKey).toList(), ascending, "iteration" + where);
            if (!sorted.isEmpty()) {
                int from = r.nextInt(sorted.size());
                Iterator<ZSet.Element> down = zset.iterator(from, false);
                for (int i = from; i >= 0; i--) {
                    assertEquals(sorted.get(i).getKey(), text(down.next().member()), "descending" + where);
                }
                assertFalse(down.hasNext());
            }
            checkScan(zset, r, sorted);
            checkSample(zset, r, sorted);
        }
    }

    private void checkScan(ZSet zset, Random r, List<Map.Entry<String, Double>> sorted) {
        Map<String, Double> seen = new HashMap<>();
        long cursor = 0;
        int calls = 0;
        do {
            cursor = zset.scan(cursor, 1 + r.nextInt(20), e -> seen.put(text(e.member()), e.score()));
            assertTrue(++calls <= sorted.size() + 1, "scan ends");
        } while (cursor != 0);
        assertEquals(model, seen);
    }

    private void checkSample(ZSet zset, Random r, List<Map.Entry<String, Double>> sorted) {
        if (sorted.size() < 2) {
            return;
        }
        int count = 1 + r.nextInt(sorted.size() - 1);
        List<String> picked = new ArrayList<>();
        zset.sample(count, true, r, e -> picked.add(text(e.member())));
        assertEquals(count, picked.size());
        assertEquals(count, new HashSet<>(picked).size(), "distinct");
        List<String> order = sorted.stream().map(Map.Entry::getKey).toList();
        for (int i = 1; i < picked.size(); i++) {
            assertTrue(order.indexOf(picked.get(i - 1)) < order.indexOf(picked.get(i)), "in set order");
        }
        Set<String> repeats = new HashSet<>();
        zset.sample(3 * sorted.size(), false, r, e -> repeats.add(text(e.member())));
        assertTrue(model.keySet().containsAll(repeats));
    }

    /** Score and lex range bounds and counts against the model. */
    private void checkRanges(ZSet zset, Random r) {
        List<Map.Entry<String, Double>> sorted = sorted();
        double a = score(r, false);
        double b = r.nextInt(4) == 0 ? a : score(r, false);
        ScoreRange range = new ScoreRange(Math.min(a, b), r.nextBoolean(), Math.max(a, b), r.nextBoolean());
        if (r.nextInt(5) == 0) {
            range = new ScoreRange(Math.max(a, b), r.nextBoolean(), Math.min(a, b), r.nextBoolean());
        }
        long first = -1;
        long last = -1;
        for (int i = 0; i < sorted.size(); i++) {
            if (range.contains(sorted.get(i).getValue())) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        assertEquals(first, zset.firstIndex(range), range.toString());
        assertEquals(last, zset.lastIndex(range), range.toString());
        assertEquals(first < 0 ? 0 : last - first + 1, zset.count(range), range.toString());

        if (model.values().stream().allMatch(s -> s == 0)) {
            byte[] low = lexEnd(r);
            byte[] high = lexEnd(r);
            LexRange lex = LexRange.parse(low, high);
            long lexFirst = -1;
            long lexLast = -1;
            for (int i = 0; i < sorted.size(); i++) {
                if (lex.contains(bytes(sorted.get(i).getKey()))) {
                    lexFirst = lexFirst < 0 ? i : lexFirst;
                    lexLast = i;
                }
            }
            String what = text(low) + " " + text(high);
            assertEquals(lexFirst, zset.firstIndex(lex), what);
            assertEquals(lexLast, zset.lastIndex(lex), what);
            assertEquals(lexFirst < 0 ? 0 : lexLast - lexFirst + 1, zset.lexCount(lex), what);
        }
    }

    private static byte[] lexEnd(Random r) {
        return bytes(switch (r.nextInt(6)) {
            case 0 -> "-";
            case 1 -> "+";
            case 2 -> "(m" + r.nextInt(40);
            case 3 -> "[m" + r.nextInt(40);
            case 4 -> "[m";
            default -> "(m" + r.nextInt(4) + "long-member";
        });
    }
}
