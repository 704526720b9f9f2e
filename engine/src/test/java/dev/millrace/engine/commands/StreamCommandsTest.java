package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.millrace.engine.commands.StoredRecords.replayed;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM and XSETID in-process: replies and errors as
 * redis-server 7.0.15 gives them, and the effects they log (replayed, they rebuild the same stream).
 */
class StreamCommandsTest {
    private final EngineHarness h = new EngineHarness();

    private static List<Object> entry(String id, String... fieldsAndValues) {
        return List.of(id, List.of((Object[]) fieldsAndValues));
    }

    @Test
    void addsWithExplicitAndAutomaticIds() {
        assertEquals("1-1", h.run("XADD", "s", "1-1", "f", "v"));
        assertEquals("1-2", h.run("XADD", "s", "1-*", "f", "v"));
        assertEquals("5-0", h.run("XADD", "s", "5", "f", "v"));
        long now = h.time.get();
        assertEquals(now + "-0", h.run("XADD", "s", "*", "a", "b"));
        assertEquals(now + "-1", h.run("XADD", "s", "*", "a", "b"));
        assertEquals(5L, h.run("XLEN", "s"));
        assertEquals("stream", h.run("TYPE", "s"));
        assertEquals(List.of("0:XADD s 1-1 f v", "0:XADD s 1-2 f v", "0:XADD s 5-0 f v",
                "0:XADD s " + now + "-0 a b", "0:XADD s " + now + "-1 a b"), h.effects());
    }

    @Test
    void refusesIdsNotAboveTheTop() {
        h.run("XADD", "s", "5-5", "f", "v");
        assertEquals(err("ERR The ID specified in XADD is equal or smaller than the target stream top item"),
                h.run("XADD", "s", "5-5", "f", "v"));
        assertEquals(err("ERR The ID specified in XADD is equal or smaller than the target stream top item"),
                h.run("XADD", "s", "4-*", "f", "v"));
        assertEquals(err("ERR The ID specified in XADD must be greater than 0-0"), h.run("XADD", "t", "0-0", "f", "v"));
        assertEquals(0L, h.run("EXISTS", "t"));
        assertEquals(err("ERR Invalid stream ID specified as stream command argument"), h.run("XADD", "s", "x", "f", "v"));
        assertEquals(err("ERR wrong number of arguments for 'xadd' command"), h.run("XADD", "s", "*", "f"));
        assertNull(h.run("XADD", "none", "NOMKSTREAM", "*", "f", "v"));
        h.run("SET", "str", "x");
        assertEquals(err(SetCommandsTest.WRONGTYPE), h.run("XADD", "str", "*", "f", "v"));
        String huge = "x".repeat(1 << 20);
        assertEquals(err("ERR Elements are too large to be stored"), h.run("XADD", "big", "*", "f", huge));
        assertEquals(0L, h.run("EXISTS", "big"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void rangesInBothDirections(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        for (int i = 1; i <= 5; i++) {
            h.run("XADD", "s", i + "-0", "n", Integer.toString(i));
        }
        assertEquals(List.of(entry("2-0", "n", "2"), entry("3-0", "n", "3")), h.run("XRANGE", "s", "2", "3"));
        assertEquals(List.of(entry("3-0", "n", "3"), entry("2-0", "n", "2")), h.run("XREVRANGE", "s", "3", "2"));
        assertEquals(List.of(entry("3-0", "n", "3")), h.run("XRANGE", "s", "(2-0", "(4-0"));
        assertEquals(List.of(entry("1-0", "n", "1"), entry("2-0", "n", "2")), h.run("XRANGE", "s", "-", "+", "COUNT", "2"));
        assertEquals(List.of(entry("5-0", "n", "5")), h.run("XREVRANGE", "s", "+", "-", "COUNT", "1"));
        assertNull(h.run("XRANGE", "s", "-", "+", "COUNT", "0"));
        assertEquals(List.of(), h.run("XRANGE", "missing", "-", "+"));
        assertEquals(List.of(), h.run("XRANGE", "s", "6", "+"));
        assertEquals(err("ERR invalid start ID for the interval"),
                h.run("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"));
        assertEquals(err("ERR Invalid stream ID specified as stream command argument"), h.run("XRANGE", "s", "(-", "+"));
        assertEquals(err("ERR syntax error"), h.run("XRANGE", "s", "-", "+", "LIMIT", "2"));
    }

    @Test
    void deletesLeaveTheRestInOrder() {
        for (int i = 1; i <= 5; i++) {
            h.run("XADD", "s", i + "-0", "n", Integer.toString(i));
        }
        assertEquals(2L, h.run("XDEL", "s", "2-0", "4-0", "9-0"));
        assertEquals(0L, h.run("XDEL", "s", "2-0"));
        assertEquals(3L, h.run("XLEN", "s"));
        assertEquals(List.of(entry("1-0", "n", "1"), entry("3-0", "n", "3"), entry("5-0", "n", "5")),
                h.run("XRANGE", "s", "-", "+"));
        assertEquals(List.of(entry("5-0", "n", "5"), entry("3-0", "n", "3"), entry("1-0", "n", "1")),
                h.run("XREVRANGE", "s", "+", "-"));
        assertEquals(1L, h.run("XDEL", "s", "1-0"));
        assertEquals(List.of(entry("3-0", "n", "3"), entry("5-0", "n", "5")), h.run("XRANGE", "s", "-", "+"));
        assertEquals(err("ERR Invalid stream ID specified as stream command argument"), h.run("XDEL", "s", "3-0", "bad"));
        assertEquals(2L, h.run("XLEN", "s"));
        assertEquals(0L, h.run("XDEL", "missing", "bad"));
    }

    @Test
    void trimsExactlyAndByWholeNodes() {
        for (int i = 1; i <= 250; i++) {
            h.run("XADD", "s", i + "-0", "f", "v");
        }
        assertEquals(0L, h.run("XTRIM", "s", "MAXLEN", "~", "200"));
        assertEquals(100L, h.run("XTRIM", "s", "MAXLEN", "~", "120"));
        assertEquals(150L, h.run("XLEN", "s"));
        assertEquals(30L, h.run("XTRIM", "s", "MAXLEN", "120"));
        assertEquals(List.of(entry("131-0", "f", "v")), h.run("XRANGE", "s", "-", "+", "COUNT", "1"));
        assertEquals(10L, h.run("XTRIM", "s", "MINID", "141"));
        assertEquals(110L, h.run("XLEN", "s"));
        assertEquals(err("ERR syntax error, LIMIT cannot be used without the special ~ option"),
                h.run("XTRIM", "s", "MAXLEN", "1", "LIMIT", "10"));
        assertEquals(err("ERR syntax error, XTRIM must be called with a trimming strategy"), h.run("XTRIM", "s", "LIMIT", "0"));
        assertEquals("251-0", h.run("XADD", "s", "MAXLEN", "=", "5", "251-0", "f", "v"));
        assertEquals(5L, h.run("XLEN", "s"));
        EngineHarness again = replayed(h, 0);
        assertEquals(h.run("XRANGE", "s", "-", "+"), again.run("XRANGE", "s", "-", "+"));
        assertEquals(5L, again.run("XLEN", "s"));
    }

    @Test
    void setIdMovesTheTop() {
        h.run("XADD", "s", "1-1", "f", "v");
        assertEquals("OK", h.run("XSETID", "s", "5-0", "ENTRIESADDED", "10", "MAXDELETEDID", "2-0"));
        assertEquals(err("ERR The ID specified in XADD is equal or smaller than the target stream top item"),
                h.run("XADD", "s", "4-0", "f", "v"));
        assertEquals("5-1", h.run("XADD", "s", "5-*", "f", "v"));
        assertEquals(err("ERR The ID specified in XSETID is smaller than the target stream top item"),
                h.run("XSETID", "s", "5-0"));
        assertEquals(err("ERR no such key"), h.run("XSETID", "missing", "5-0"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void readsNewEntriesOfSeveralStreams(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        h.run("XADD", "a", "1-0", "f", "1");
        h.run("XADD", "a", "2-0", "f", "2");
        h.run("XADD", "b", "3-0", "f", "3");
        Object reply = h.run("XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "3-0");
        if (protocol == 2) {
            assertEquals(List.of(List.of("a", List.of(entry("1-0", "f", "1")))), reply);
        } else {
            assertEquals(java.util.Map.of("a", List.of(entry("1-0", "f", "1"))), reply);
        }
        assertNull(h.run("XREAD", "STREAMS", "a", "b", "$", "$"));
        assertEquals(err("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."),
                h.run("XREAD", "STREAMS", "a", "b", "0"));
    }

    /**
     * A trim that passes over nodes of deleted entries and removes no live one changes nothing: it
     * used to drop those nodes' tombstones without the stream being saved, and the record, left
     * naming them, then counted them again (XLEN 9 instead of 11 here).
     */
    @Test
    void aTrimRemovingOnlyDeletedEntriesChangesNothing() {
        h.run("CONFIG", "SET", "stream-node-max-entries", "3");
        for (String id : List.of("3", "4", "5")) {
            h.run("XADD", "s", id, "f", "v");
        }
        h.run("XTRIM", "s", "MAXLEN", "2");
        for (String id : List.of("8", "9", "11", "12", "15", "17", "18", "19", "22", "24", "25", "26", "27", "28")) {
            h.run("XADD", "s", id, "f", "v");
        }
        h.run("XDEL", "s", "11-0", "9-0");
        assertEquals(3L, h.run("XTRIM", "s", "MINID", "9"));
        assertEquals(11L, h.run("XLEN", "s"));
        List<String> effects = h.effects();
        assertEquals(0L, h.run("XTRIM", "s", "MINID", "2")); // the node of 9 and 11 goes only with a live entry
        assertEquals(11L, h.run("XLEN", "s"));
        assertEquals(11, ((List<?>) h.run("XRANGE", "s", "-", "+")).size());
        assertEquals(effects, h.effects(), "nothing logged");
        assertEquals(1L, h.run("XTRIM", "s", "MAXLEN", "10"));
        assertEquals(List.of("15-0", "17-0"), ((List<?>) h.run("XRANGE", "s", "-", "+", "COUNT", "2")).stream()
                .map(e -> ((List<?>) e).get(0)).toList());
        assertEquals(h.run("XRANGE", "s", "-", "+"), replayed(h, 0).run("XRANGE", "s", "-", "+"));
    }
}
