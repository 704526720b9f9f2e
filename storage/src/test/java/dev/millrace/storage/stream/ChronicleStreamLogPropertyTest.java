package dev.millrace.storage.stream;

import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamId;
import dev.millrace.engine.stream.StreamLog;
import dev.millrace.storage.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Random operations on a few Chronicle stream logs (at most two open at once, so logs are closed and
 * reopened under the test's feet), checked after every step against a model: a list of live entries
 * with the cycle each was appended in, the first number of an empty log, and the pending deletions.
 * Deletion follows the Chronicle rule (whole cycles, when performed), so the model predicts exact
 * first numbers. Seeded: a failure names its seed and step.
 */
class ChronicleStreamLogPropertyTest {
    private static final int LOGS = 3;
    private static final int STEPS = 500;

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(1_800_000_000_000L);
    private ChronicleStreamLogs logs;
    private ChronicleStreamLogs.Settings settings;

    /** What one log must hold. */
    private static final class Model {
        record Entry(long number, StreamId id, byte[][] fields, long cycle, long bytesBefore) {
        }

        final List<Entry> live = new ArrayList<>();
        long emptyFirst = 1;
        /** The bytes before the next entry. */
        long nextBytesBefore;
        long pendingRelease = Long.MIN_VALUE;
        boolean pendingRetire;

        long first() {
            return live.isEmpty() ? emptyFirst : live.get(0).number;
        }

        long last() {
            return live.isEmpty() ? emptyFirst - 1 : live.get(live.size() - 1).number;
        }

        Entry entry(long number) {
            return live.get((int) (number - first()));
        }

        void truncateAfter(long number) {
            if (live.isEmpty() || number >= last()) {
                return;
            }
            if (number < first()) {
                emptyFirst = first();
            }
            nextBytesBefore = live.stream().filter(e -> e.number > number).findFirst().orElseThrow().bytesBefore;
            live.removeIf(e -> e.number > number);
        }

        /** Chronicle's rule: the cycles before the one holding the first entry at or above the mark go. */
        void performRelease() {
            long below = pendingRelease;
            pendingRelease = Long.MIN_VALUE;
            if (below == Long.MIN_VALUE || live.isEmpty()) {
                return;
            }
            long keepFrom = live.stream().filter(e -> e.number >= below).findFirst().map(Entry::cycle).orElse(Long.MAX_VALUE);
            long lastBefore = last();
            live.removeIf(e -> e.cycle < keepFrom);
            if (live.isEmpty()) {
                emptyFirst = Math.min(below, lastBefore + 1);
            }
        }
    }

    @AfterEach
    void closeLogs() {
        if (logs != null) {
            logs.close();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void randomOperationsMatchTheModel(long seed) {
        Random random = new Random(seed);
        settings = ChronicleStreamLogs.Settings.defaults(clock).withBlockSize(1 << 20).withMaxOpenLogs(2);
        logs = new ChronicleStreamLogs(dir, settings);
        Model[] models = new Model[LOGS + 1];
        for (int i = 1; i <= LOGS; i++) {
            models[i] = new Model();
        }
        for (int step = 0; step < STEPS; step++) {
            int logId = 1 + random.nextInt(LOGS);
            String where = "seed " + seed + " step " + step + " log " + logId;
            step(random, logId, models, where);
            StreamLog log = logs.open(logId);
            assertEquals(models[logId].first(), log.firstNumber(), where + ": first number");
            assertEquals(models[logId].last(), log.lastNumber(), where + ": last number");
            assertEquals(models[logId].nextBytesBefore, log.bytesBefore(log.lastNumber() + 1), where + ": bytes before the next");
        }
        reopen();
        for (int i = 1; i <= LOGS; i++) {
            Model model = models[i];
            assertEquals(model.first(), logs.open(i).firstNumber(), "seed " + seed + " at the end, log " + i);
            assertEquals(model.last(), logs.open(i).lastNumber(), "seed " + seed + " at the end, log " + i);
            for (long n = model.first(); n <= model.last(); n++) {
                assertRead(logs.open(i), model, n, "seed " + seed + " at the end, log " + i);
            }
        }
    }

    private void step(Random random, int logId, Model[] models, String where) {
        Model model = models[logId];
        StreamLog log = logs.open(logId);
        int op = random.nextInt(100);
        if (op < 35) {
            appendNew(random, log, model, model.last() + 1);
        } else if (op < 40) {
            if (model.last() >= 1) {
                long number = Math.max(1, model.last() - random.nextInt(5));
                log.append(number, new StreamId(0, 0), new byte[][]{{1}});
            }
        } else if (op < 44) {
            long number = model.last() + 2 + random.nextInt(100);
            if (model.live.isEmpty()) {
                appendNew(random, log, model, number);
            } else {
                assertThrows(IllegalStateException.class, () -> log.append(number, new StreamId(1, 1), new byte[0][]), where);
            }
        } else if (op < 46) {
            byte[][] huge = {new byte[(int) settings.maxEntryBytes() - 3]};
            assertThrows(IllegalArgumentException.class, () -> log.append(model.last() + 1, new StreamId(1, 1), huge), where);
        } else if (op < 51) {
            long number = model.first() - 3 + random.nextInt((int) (model.last() - model.first() + 6));
            log.truncateAfter(number);
            model.truncateAfter(number);
        } else if (op < 56) {
            long number = model.first() - 1 + random.nextInt((int) (model.last() - model.first() + 4));
            log.releaseBelow(number);
            if (!model.pendingRetire) {
                model.pendingRelease = Math.max(model.pendingRelease, number);
            }
        } else if (op < 60) {
            logs.deleteReleased();
            for (int i = 1; i <= LOGS; i++) {
                if (models[i].pendingRetire) {
                    models[i] = new Model();
                } else {
                    models[i].performRelease();
                }
            }
        } else if (op < 61) {
            logs.retire(logId);
            model.pendingRetire = true;
            model.pendingRelease = Long.MIN_VALUE;
        } else if (op < 69) {
            clock.advance(random.nextInt(2 * settings.rollCycle().lengthInMillis()));
        } else if (op < 84) {
            for (int i = 0; i < 5 && !model.live.isEmpty(); i++) {
                assertRead(log, model, model.first() + random.nextInt((int) (model.last() - model.first() + 1)), where);
            }
        } else if (op < 94) {
            if (!model.live.isEmpty()) {
                long from = model.first() + random.nextInt((int) (model.last() - model.first() + 1));
                long to = Math.min(model.last(), from + random.nextInt(40));
                boolean backward = random.nextBoolean();
                for (long n = from; n <= to; n++) {
                    assertRead(log, model, backward ? to - (n - from) : n, where);
                }
            }
        } else if (op < 97) {
            reopen();
        } else {
            logs.sync();
        }
    }

    private void appendNew(Random random, StreamLog log, Model model, long number) {
        byte[][] fields = new byte[2 * random.nextInt(3)][];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = new byte[random.nextInt(10) == 0 ? random.nextInt(20_000) : random.nextInt(30)];
            random.nextBytes(fields[i]);
        }
        StreamId id = new StreamId(random.nextLong(), random.nextLong());
        log.append(number, id, fields);
        model.live.add(new Model.Entry(number, id, fields, clock.currentTimeMillis() / settings.rollCycle().lengthInMillis(),
                model.nextBytesBefore));
        model.nextBytesBefore += StreamEntry.size(fields);
    }

    private static void assertRead(StreamLog log, Model model, long number, String where) {
        Model.Entry expected = model.entry(number);
        StreamEntry entry = log.read(number);
        assertEquals(expected.id(), entry.id(), where + ": id of " + number);
        assertEquals(expected.id(), log.id(number), where + ": id() of " + number);
        assertEquals(expected.bytesBefore(), log.bytesBefore(number), where + ": bytes before " + number);
        assertEquals(expected.fields().length, entry.fieldsAndValues().length, where + ": elements of " + number);
        for (int i = 0; i < expected.fields().length; i++) {
            assertArrayEquals(expected.fields()[i], entry.fieldsAndValues()[i], where + ": element " + i + " of " + number);
        }
    }

    private void reopen() {
        logs.close();
        logs = new ChronicleStreamLogs(dir, settings);
    }
}
