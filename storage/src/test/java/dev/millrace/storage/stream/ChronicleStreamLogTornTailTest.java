package dev.millrace.storage.stream;

import dev.millrace.engine.Clock;
import dev.millrace.engine.stream.StreamEntry;
import dev.millrace.engine.stream.StreamLog;
import dev.millrace.storage.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a child JVM appending to a stream log: every entry whose append returned is there and
 * intact after reopen, and appending continues; an excerpt the kill left unfinished is never read.
 */
class ChronicleStreamLogTornTailTest {
    private static final int ROUNDS = 3;
    private static final long ACKS_PER_ROUND = 3_000;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedEntrySurvivesSigkill() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            ChildJvm child = ChildJvm.start(StreamWriterMain.class, dir.toString(), "loop");
            String line = child.readLine();
            assertNotNull(line, "child died before it was ready");
            long start = Long.parseLong(line.substring("READY ".length())) + 1;
            long lastAck = start - 1;
            while ((line = child.readLine()) != null && lastAck - start + 1 < ACKS_PER_ROUND) {
                lastAck = Long.parseLong(line.substring("ACK ".length()));
            }
            child.kill();
            assertTrue(lastAck - start + 1 >= ACKS_PER_ROUND, "round " + round + ": the child acknowledged too little");
            long appended = checkAndContinue(lastAck);
            System.out.printf("round %d: entries %d..%d acknowledged, 1..%d in the log after SIGKILL%n",
                    round, start, lastAck, appended - 1);
        }
    }

    @Test
    void anUnfinishedExcerptIsDiscardedAndOverwritten() throws Exception {
        ChildJvm child = ChildJvm.start(StreamWriterMain.class, dir.toString(), "torn", "40");
        String line;
        while ((line = child.readLine()) != null && !line.equals("TORN")) {
            // the child is appending its entries
        }
        assertEquals("TORN", line);
        child.kill();
        assertEquals(41, checkAndContinue(40));
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, ChronicleStreamLogs.Settings.defaults(Clock.SYSTEM))) {
            assertEquals(41, logs.open(1).lastNumber(), "nothing of the junk after the entry that replaced it");
        }
    }

    /**
     * Reopens the log, checks entries 1..lastNumber (at least {@code acknowledged}), appends the next
     * one and reads it back.
     *
     * @return the last number after that append
     */
    private long checkAndContinue(long acknowledged) {
        try (ChronicleStreamLogs logs = new ChronicleStreamLogs(dir, ChronicleStreamLogs.Settings.defaults(Clock.SYSTEM))) {
            StreamLog log = logs.open(1);
            long last = log.lastNumber();
            assertTrue(last >= acknowledged, "last entry " + last + ", acknowledged " + acknowledged);
            assertEquals(1, log.firstNumber());
            for (long n = 1; n <= last; n++) {
                assertEntry(log, n);
            }
            log.append(last + 1, StreamWriterMain.id(last + 1), StreamWriterMain.entry(last + 1));
            assertEntry(log, last + 1);
            return last + 1;
        }
    }

    private static void assertEntry(StreamLog log, long n) {
        StreamEntry entry = log.read(n);
        assertEquals(StreamWriterMain.id(n), entry.id(), "entry " + n);
        byte[][] expected = StreamWriterMain.entry(n);
        assertEquals(expected.length, entry.fieldsAndValues().length, "entry " + n);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], entry.fieldsAndValues()[i], "entry " + n + " element " + i);
        }
    }
}
