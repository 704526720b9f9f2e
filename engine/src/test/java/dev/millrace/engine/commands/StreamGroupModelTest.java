package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.millrace.engine.commands.StoredRecords.replayed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * XREADGROUP, XACK, XCLAIM and XAUTOCLAIM (with XADD, XDEL and a moving clock) against a model PEL
 * over random operations per seed; the logged effects, replayed into a fresh engine, must rebuild the
 * same group state. And a group with 100,000 pending entries stays fast.
 */
class StreamGroupModelTest {
    private static final String[] CONSUMERS = {"alice", "bob", "carol"};

    /** One pending entry of the model. */
    private static final class Pending {
        String consumer;
        long time;
        long count;

        Pending(String consumer, long time, long count) {
            this.consumer = consumer;
            this.time = time;
            this.count = count;
        }
    }

    private final NavigableMap<Long, Pending> pel = new TreeMap<>();
    private final TreeSet<Long> entries = new TreeSet<>();
    private long lastDelivered;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void behavesLikeAModelPel(long seed) {
        Random random = new Random(seed);
        EngineHarness h = new EngineHarness();
        h.run("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM");
        long nextMs = 1;
        for (int op = 0; op < 400; op++) {
            int kind = random.nextInt(100);
            String consumer = CONSUMERS[random.nextInt(CONSUMERS.length)];
            long now = h.time.get();
            if (kind < 25) {
                nextMs += 1 + random.nextInt(3);
                h.run("XADD", "s", nextMs + "-0", "f", "v");
                entries.add(nextMs);
            } else if (kind < 40) {
                int count = 1 + random.nextInt(4);
                List<Long> expected = new ArrayList<>();
                for (long ms : entries.tailSet(lastDelivered, false)) {
                    if (expected.size() < count) {
                        expected.add(ms);
                    }
                }
                for (long ms : expected) {
                    pel.put(ms, new Pending(consumer, now, 1));
                    lastDelivered = ms;
                }
                Object reply = h.run("XREADGROUP", "GROUP", "g", consumer, "COUNT", Integer.toString(count), "STREAMS", "s", ">");
                assertEquals(expected, readIds(reply), "XREADGROUP >");
            } else if (kind < 48) {
                int count = 1 + random.nextInt(4);
                List<Long> expected = new ArrayList<>();
                List<Boolean> present = new ArrayList<>();
                for (Map.Entry<Long, Pending> e : pel.entrySet()) {
                    if (e.getValue().consumer.equals(consumer) && expected.size() < count) {
                        expected.add(e.getKey());
                        boolean exists = entries.contains(e.getKey());
                        present.add(exists);
                        if (exists) {
                            e.getValue().time = now;
                            e.getValue().count++;
                        }
                    }
                }
                Object reply = h.run("XREADGROUP", "GROUP", "g", consumer, "COUNT", Integer.toString(count), "STREAMS", "s", "0");
                assertEquals(expected, readIds(reply), "XREADGROUP history");
                assertEquals(present, readPresent(reply), "deleted entries read as null");
            } else if (kind < 60) {
                List<String> ids = new ArrayList<>(List.of("XACK", "s", "g"));
                long expected = 0;
                TreeSet<Long> acked = new TreeSet<>();
                for (int i = 0; i < 1 + random.nextInt(3); i++) {
                    long ms = 1 + random.nextInt((int) nextMs + 1);
                    ids.add(ms + "-0");
                    if (acked.add(ms) && pel.remove(ms) != null) {
                        expected++;
                    }
                }
                assertEquals(expected, h.run(ids.toArray(new String[0])), "XACK");
            } else if (kind < 72) {
                long minIdle = random.nextInt(3) * 20L;
                boolean force = random.nextInt(4) == 0;
                List<String> args = new ArrayList<>(List.of("XCLAIM", "s", "g", consumer, Long.toString(minIdle)));
                List<Long> expected = new ArrayList<>();
                TreeSet<Long> asked = new TreeSet<>();
                for (int i = 0; i < 1 + random.nextInt(3); i++) {
                    asked.add(1 + (long) random.nextInt((int) nextMs + 1));
                }
                for (long ms : asked) {
                    args.add(ms + "-0");
                    Pending p = pel.get(ms);
                    if (!entries.contains(ms)) {
                        pel.remove(ms);
                    } else if (p == null && force) {
                        pel.put(ms, new Pending(consumer, now, 1));
                        expected.add(ms);
                    } else if (p != null && (minIdle == 0 || now - p.time >= minIdle)) {
                        p.consumer = consumer; // JUSTID: the delivery count stays
                        p.time = now;
                        expected.add(ms);
                    }
                }
                args.add("JUSTID");
                if (force) {
                    args.add("FORCE");
                }
                assertEquals(ids(expected), h.run(args.toArray(new String[0])), "XCLAIM " + args);
            } else if (kind < 80) {
                int count = 1 + random.nextInt(4);
                long start = random.nextInt((int) nextMs + 1);
                long minIdle = random.nextInt(2) * 20L;
                List<Long> claimed = new ArrayList<>();
                List<Long> deleted = new ArrayList<>();
                long attempts = count * 10L;
                Iterator<Map.Entry<Long, Pending>> it = pel.tailMap(start, true).entrySet().iterator();
                long left = count;
                Long cursor = null;
                while (true) {
                    if (attempts-- == 0 || left == 0 || !it.hasNext()) {
                        cursor = it.hasNext() ? it.next().getKey() : 0L;
                        break;
                    }
                    Map.Entry<Long, Pending> e = it.next();
                    if (!entries.contains(e.getKey())) {
                        deleted.add(e.getKey());
                        it.remove();
                        left--;
                        continue;
                    }
                    if (minIdle != 0 && now - e.getValue().time < minIdle) {
                        continue;
                    }
                    e.getValue().consumer = consumer;
                    e.getValue().time = now;
                    e.getValue().count++;
                    claimed.add(e.getKey());
                    left--;
                }
                Object reply = h.run("XAUTOCLAIM", "s", "g", consumer, Long.toString(minIdle), Long.toString(start),
                        "COUNT", Integer.toString(count));
                List<?> parts = (List<?>) reply;
                assertEquals(cursor + "-0", parts.get(0), "XAUTOCLAIM cursor");
                assertEquals(claimed, entryIds((List<?>) parts.get(1)), "XAUTOCLAIM claimed");
                assertEquals(ids(deleted), parts.get(2), "XAUTOCLAIM deleted");
            } else if (kind < 88 && !entries.isEmpty()) {
                long ms = 1 + random.nextInt((int) nextMs + 1);
                assertEquals(entries.remove(ms) ? 1L : 0L, h.run("XDEL", "s", ms + "-0"));
            } else {
                h.advance(random.nextInt(30));
            }
            assertEquals(modelPending(h.time.get()), h.run("XPENDING", "s", "g", "-", "+", "1000"), "after op " + op);
        }
        EngineHarness again = replayed(h, 0);
        for (String[] command : new String[][] {{"XPENDING", "s", "g", "-", "+", "1000"}, {"XPENDING", "s", "g"},
                {"XINFO", "GROUPS", "s"}, {"XRANGE", "s", "-", "+"}}) {
            assertEquals(h.run(command), again.run(command), String.join(" ", command) + " after replay");
        }
    }

    private List<Object> modelPending(long now) {
        List<Object> out = new ArrayList<>();
        for (Map.Entry<Long, Pending> e : pel.entrySet()) {
            out.add(Arrays.asList(e.getKey() + "-0", e.getValue().consumer, now - e.getValue().time, e.getValue().count));
        }
        return out;
    }

    private static List<String> ids(List<Long> ms) {
        List<String> out = new ArrayList<>();
        ms.forEach(m -> out.add(m + "-0"));
        return out;
    }

    private static List<Long> readIds(Object reply) {
        List<Long> out = new ArrayList<>();
        if (reply != null) {
            entryIds(streamEntries(reply)).forEach(out::add);
        }
        return out;
    }

    private static List<Boolean> readPresent(Object reply) {
        List<Boolean> out = new ArrayList<>();
        for (Object entry : streamEntries(reply)) {
            out.add(((List<?>) entry).get(1) != null);
        }
        return out;
    }

    private static List<?> streamEntries(Object reply) {
        List<?> streams = (List<?>) reply;
        assertEquals(1, streams.size());
        return (List<?>) ((List<?>) streams.get(0)).get(1);
    }

    private static List<Long> entryIds(List<?> entries) {
        List<Long> out = new ArrayList<>();
        for (Object entry : entries) {
            String id = (String) ((List<?>) entry).get(0);
            out.add(Long.parseLong(id.substring(0, id.indexOf('-'))));
        }
        return out;
    }

    @Test
    void aLargePelStaysFast() {
        EngineHarness h = new EngineHarness();
        int n = 100_000;
        String[] add = {"XADD", "s", null, "f", "v"};
        for (int i = 1; i <= n; i++) {
            add[2] = i + "-0";
            h.run(add);
        }
        h.run("XGROUP", "CREATE", "s", "g", "0");
        for (int i = 0; i < n / 10_000; i++) {
            h.run("XREADGROUP", "GROUP", "g", i % 2 == 0 ? "a" : "b", "COUNT", "10000", "STREAMS", "s", ">");
        }
        assertEquals(StreamGroupCommandsTest.list((long) n, "1-0", n + "-0",
                List.of(StreamGroupCommandsTest.list("a", "50000"), StreamGroupCommandsTest.list("b", "50000"))),
                h.run("XPENDING", "s", "g"));
        long started = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            int from = 1 + (i * 97) % (n - 10);
            List<?> range = (List<?>) h.run("XPENDING", "s", "g", from + "-0", "+", "10");
            assertEquals(10, range.size());
            String first = (String) ((List<?>) range.get(0)).get(0);
            assertTrue(Long.parseLong(first.substring(0, first.indexOf('-'))) <= from + 1, first + " from " + from);
            assertEquals(1L, h.run("XACK", "s", "g", (from + 5) + "-0"));
        }
        List<?> mine = (List<?>) h.run("XPENDING", "s", "g", "IDLE", "0", "50000", "+", "5", "b");
        assertEquals(5, mine.size());
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(millis < 5_000, "1000 XPENDING ranges and XACKs over 100,000 pending entries took " + millis + " ms");
        assertTrue((Long) ((List<?>) h.run("XPENDING", "s", "g")).get(0) < n);
    }
}
