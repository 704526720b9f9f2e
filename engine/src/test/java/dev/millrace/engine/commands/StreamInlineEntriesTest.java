package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.keyspace.ObjectPages;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.stream.Stream;
import dev.millrace.engine.stream.StreamLog;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.millrace.engine.commands.StoredRecords.replayed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream keeps its entries in the keyspace, on its own pages, while they are within {@code
 * stream-inline-max-entries} and {@code stream-inline-max-bytes}, and moves them to its log, for good,
 * at the first append past either: the replies never show where they are.
 */
class StreamInlineEntriesTest {

    private static EngineHarness withLimit(long entries, long bytes) {
        ServerConfig config = new ServerConfig();
        config.set("stream-inline-max-entries", Long.toString(entries), true);
        config.set("stream-inline-max-bytes", Long.toString(bytes), true);
        return new EngineHarness(2, config);
    }

    private static byte[] payload(EngineHarness h, String key) {
        return Record.decode(h.store().get(0, key.getBytes(StandardCharsets.UTF_8))).payload();
    }

    private static Stream stream(EngineHarness h, String key) {
        return Stream.decode(h.store(), payload(h, key), false);
    }

    /** The stream's own log (for the in-memory store: one that exists, empty, until appended to). */
    private static StreamLog logOf(EngineHarness h, String key) {
        return h.store().streamLogs().open(ObjectPages.decode(h.store(), payload(h, key), 0).objectId());
    }

    private static List<Object> range(EngineHarness h, String key) {
        return (List<Object>) h.run("XRANGE", key, "-", "+");
    }

    @Test
    void entriesStayInTheKeyspaceUpToTheLimitAndMoveToTheLogWithTheNext() {
        EngineHarness h = withLimit(4, 1 << 20);
        List<Object> expected = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            h.run("XADD", "s", i + "-0", "f", "v" + i);
            expected.add(List.of(i + "-0", List.of("f", "v" + i)));
        }
        assertTrue(stream(h, "s").entriesInline());
        assertEquals(0, logOf(h, "s").lastNumber(), "no entry in the log yet");
        assertTrue(h.store().pageCount() > 0, "the entries are on the stream's pages");
        assertEquals(expected, range(h, "s"));

        h.run("XADD", "s", "5-0", "f", "v5");
        expected.add(List.of("5-0", List.of("f", "v5")));
        assertFalse(stream(h, "s").entriesInline());
        assertEquals(1, logOf(h, "s").firstNumber());
        assertEquals(5, logOf(h, "s").lastNumber());
        assertEquals(0, h.store().pageCount(), "the keyspace's copy is freed");
        assertEquals(expected, range(h, "s"));
        assertEquals(5L, h.run("XLEN", "s"));
        // Once in the log, always: trimming it small does not bring it back.
        assertEquals(4L, h.run("XTRIM", "s", "MAXLEN", "1"));
        h.run("XADD", "s", "6-0", "f", "v6");
        assertFalse(stream(h, "s").entriesInline());
        assertEquals(List.of(List.of("5-0", List.of("f", "v5")), List.of("6-0", List.of("f", "v6"))), range(h, "s"));
    }

    @Test
    void theEntriesMoveWhenTheirBytesWouldPassTheLimit() {
        EngineHarness h = withLimit(100, 40);
        h.run("XADD", "s", "1-0", "f", "0123456789"); // 4 + 1 + 4 + 10 = 19 bytes
        h.run("XADD", "s", "2-0", "f", "0123456789"); // 38
        assertTrue(stream(h, "s").entriesInline());
        h.run("XADD", "s", "3-0", "f", "0123456789"); // 57: past 40
        assertFalse(stream(h, "s").entriesInline());
        assertEquals(3, logOf(h, "s").lastNumber());
        // An entry larger than the limit goes to the log of a new stream at once.
        h.run("XADD", "big", "1-0", "f", "x".repeat(100));
        assertFalse(stream(h, "big").entriesInline());
    }

    @Test
    void withALimitOfZeroEveryStreamStartsInItsLog() {
        EngineHarness h = withLimit(0, 1 << 20);
        h.run("XADD", "s", "1-0", "f", "v");
        assertFalse(stream(h, "s").entriesInline());
        assertEquals(1, logOf(h, "s").lastNumber());
    }

    @Test
    void trimsDeletesAndGroupsWorkOnEntriesInTheKeyspaceAndSurviveTheMove() {
        EngineHarness h = withLimit(6, 1 << 20);
        for (int i = 1; i <= 6; i++) {
            h.run("XADD", "s", i + "-0", "f", "v" + i);
        }
        assertEquals(1L, h.run("XDEL", "s", "3-0"));
        assertEquals(2L, h.run("XTRIM", "s", "MINID", "3-0")); // 1 and 2; 3 was deleted
        h.run("XGROUP", "CREATE", "s", "g", "0");
        assertEquals(List.of(List.of("s", List.of(List.of("4-0", List.of("f", "v4"))))),
                h.run("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"));
        assertTrue(stream(h, "s").entriesInline());
        assertEquals(3, (long) stream(h, "s").length());
        // Trimmed entries left the keyspace at once: 3 (deleted, kept until trimmed), 4, 5 and 6 remain.
        for (int i = 7; i <= 9; i++) {
            h.run("XADD", "s", i + "-0", "f", "v" + i);
        }
        assertFalse(stream(h, "s").entriesInline());
        assertEquals(3, logOf(h, "s").firstNumber(), "the log starts where the stream does (at 3, deleted)");
        assertEquals(List.of("4-0", "5-0", "6-0", "7-0", "8-0", "9-0"),
                range(h, "s").stream().map(e -> ((List<?>) e).get(0)).toList());
        assertEquals(List.of(List.of("s", List.of(List.of("5-0", List.of("f", "v5"))))),
                h.run("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"));
        assertEquals(1L, h.run("XACK", "s", "g", "4-0"));
    }

    @Test
    void copyAndRenameKeepEntriesInTheKeyspace() {
        EngineHarness h = withLimit(4, 1 << 20);
        h.run("XADD", "s", "1-0", "f", "a");
        h.run("XADD", "s", "2-0", "f", "b");
        assertEquals(1L, h.run("COPY", "s", "c"));
        assertEquals("OK", h.run("RENAME", "s", "r"));
        h.run("XADD", "c", "3-0", "f", "c");
        assertEquals(range(h, "r").size() + 1, range(h, "c").size());
        assertTrue(stream(h, "c").entriesInline());
        assertEquals(List.of(List.of("1-0", List.of("f", "a")), List.of("2-0", List.of("f", "b"))), range(h, "r"));
        for (int i = 4; i <= 6; i++) {
            h.run("XADD", "c", i + "-0", "f", "x");
        }
        assertFalse(stream(h, "c").entriesInline());
        assertEquals(6, range(h, "c").size());
        assertEquals(2, range(h, "r").size(), "the copy's move left the original alone");
        assertEquals(1L, h.run("DEL", "r"));
    }

    @Test
    void aReplayWithAnotherLimitRebuildsTheSameStreams() {
        EngineHarness h = withLimit(3, 1 << 20);
        for (int i = 1; i <= 10; i++) {
            h.run("XADD", "s" + (i % 3), i + "-0", "f", "v" + i);
        }
        h.run("XTRIM", "s1", "MAXLEN", "1");
        EngineHarness again = replayed(h, 0); // the default limit: every stream stays in the keyspace
        for (String key : List.of("s0", "s1", "s2")) {
            assertEquals(range(h, key), range(again, key), key);
            assertTrue(stream(again, key).entriesInline(), key);
        }
        assertFalse(stream(h, "s1").entriesInline());
    }
}
