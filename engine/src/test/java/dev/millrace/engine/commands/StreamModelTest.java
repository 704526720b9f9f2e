package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

import static dev.millrace.engine.commands.StoredRecords.replayed;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * XADD, XDEL, exact XTRIM (MAXLEN and MINID), XRANGE, XREVRANGE and XLEN against a sorted map, over
 * random operations per seed, with small nodes so trims cross node boundaries often, and a random
 * limit on the entries kept in the keyspace (none: in the log from the start), so that the stream
 * moves to its log mid-way. At the end the logged effects, replayed into a fresh engine (the default
 * limit), must rebuild the same stream.
 */
class StreamModelTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void behavesLikeASortedMap(long seed) {
        Random random = new Random(seed);
        ServerConfig config = new ServerConfig();
        config.set("stream-inline-max-entries", Integer.toString(seed % 4 == 0 ? 0 : random.nextInt(60)), true);
        EngineHarness h = new EngineHarness(2, config);
        h.run("CONFIG", "SET", "stream-node-max-entries", Integer.toString(1 + random.nextInt(8)));
        NavigableMap<Long, String> model = new TreeMap<>();
        long nextMs = 1;
        for (int op = 0; op < 600; op++) {
            int kind = random.nextInt(100);
            if (kind < 45) {
                nextMs += 1 + random.nextInt(3);
                String value = "v" + op;
                assertEquals(nextMs + "-0", h.run("XADD", "s", Long.toString(nextMs), "f", value));
                model.put(nextMs, value);
            } else if (kind < 60 && !model.isEmpty()) {
                long target = 1 + (long) random.nextInt((int) nextMs + 2);
                long expected = model.remove(target) != null ? 1 : 0;
                assertEquals(expected, h.run("XDEL", "s", target + "-0"), "XDEL " + target);
            } else if (kind < 65) {
                int maxLen = random.nextInt(model.size() + 3);
                long expected = Math.max(0, model.size() - maxLen);
                while (model.size() > maxLen) {
                    model.pollFirstEntry();
                }
                assertEquals(expected, h.run("XTRIM", "s", "MAXLEN", Integer.toString(maxLen)), "MAXLEN " + maxLen);
            } else if (kind < 70) {
                long minId = 1 + (long) random.nextInt((int) nextMs + 2);
                NavigableMap<Long, String> below = model.headMap(minId, false);
                long expected = below.size();
                below.clear();
                assertEquals(expected, h.run("XTRIM", "s", "MINID", Long.toString(minId)), "MINID " + minId);
            } else {
                long a = random.nextInt((int) nextMs + 2);
                long b = a + random.nextInt(40);
                int count = random.nextInt(5) == 0 ? 1 + random.nextInt(6) : Integer.MAX_VALUE;
                List<Object> forward = new ArrayList<>();
                for (Map.Entry<Long, String> e : model.subMap(a, true, b, true).entrySet()) {
                    if (forward.size() < count) {
                        forward.add(List.of(e.getKey() + "-0", List.of("f", e.getValue())));
                    }
                }
                List<Object> backward = new ArrayList<>();
                for (Map.Entry<Long, String> e : model.subMap(a, true, b, true).descendingMap().entrySet()) {
                    if (backward.size() < count) {
                        backward.add(List.of(e.getKey() + "-0", List.of("f", e.getValue())));
                    }
                }
                String[] countArgs = count == Integer.MAX_VALUE ? new String[0] : new String[] {"COUNT", Integer.toString(count)};
                if (model.isEmpty() && h.run("EXISTS", "s").equals(0L)) {
                    continue;
                }
                assertEquals(forward, h.run(concat(new String[] {"XRANGE", "s", Long.toString(a), Long.toString(b)}, countArgs)));
                assertEquals(backward, h.run(concat(new String[] {"XREVRANGE", "s", Long.toString(b), Long.toString(a)}, countArgs)));
            }
            if (!model.isEmpty() || h.run("EXISTS", "s").equals(1L)) {
                assertEquals((long) model.size(), h.run("XLEN", "s"));
            }
        }
        EngineHarness again = replayed(h, 0);
        assertEquals(h.run("XRANGE", "s", "-", "+"), again.run("XRANGE", "s", "-", "+"));
        assertEquals(h.run("XLEN", "s"), again.run("XLEN", "s"));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
