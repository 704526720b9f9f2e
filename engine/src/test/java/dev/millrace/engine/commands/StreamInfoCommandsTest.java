package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.millrace.engine.commands.StreamGroupCommandsTest.entry;
import static dev.millrace.engine.commands.StreamGroupCommandsTest.list;
import static dev.millrace.engine.commands.StreamGroupCommandsTest.map;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * XINFO STREAM (and FULL), GROUPS, CONSUMERS and HELP in-process, with the values redis-server 7.0.15
 * gives: the radix-tree model of listpack nodes, and the entries-read and lag rules of XINFO GROUPS.
 */
class StreamInfoCommandsTest {
    private final EngineHarness h = new EngineHarness();

    private Map<?, ?> info(String key) {
        return (Map<?, ?>) h.run("XINFO", "STREAM", key);
    }

    private List<Object> lags(String key) {
        List<Object> out = new ArrayList<>();
        for (Object group : (List<?>) h.run("XINFO", "GROUPS", key)) {
            Map<?, ?> g = (Map<?, ?>) group;
            out.add(list(g.get("name"), g.get("entries-read"), g.get("lag")));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void describesAStream(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        h.run("XADD", "s", "1-0", "a", "1");
        h.run("XADD", "s", "2-0", "b", "2");
        h.run("XGROUP", "CREATE", "s", "g", "0");
        assertEquals(map("length", 2L, "radix-tree-keys", 1L, "radix-tree-nodes", 2L, "last-generated-id", "2-0",
                "max-deleted-entry-id", "0-0", "entries-added", 2L, "recorded-first-entry-id", "1-0", "groups", 1L,
                "first-entry", entry("1-0", "a", "1"), "last-entry", entry("2-0", "b", "2")), h.run("XINFO", "STREAM", "s"));
        h.run("XGROUP", "CREATE", "new", "g", "$", "MKSTREAM");
        assertEquals(map("length", 0L, "radix-tree-keys", 0L, "radix-tree-nodes", 1L, "last-generated-id", "0-0",
                "max-deleted-entry-id", "0-0", "entries-added", 0L, "recorded-first-entry-id", "0-0", "groups", 1L,
                "first-entry", null, "last-entry", null), h.run("XINFO", "STREAM", "new"));
        h.time.set(1_000);
        h.run("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">");
        assertEquals(map("length", 2L, "radix-tree-keys", 1L, "radix-tree-nodes", 2L, "last-generated-id", "2-0",
                "max-deleted-entry-id", "0-0", "entries-added", 2L, "recorded-first-entry-id", "1-0",
                "entries", List.of(entry("1-0", "a", "1")),
                "groups", List.of(map("name", "g", "last-delivered-id", "1-0", "entries-read", 1L, "lag", 1L,
                        "pel-count", 1L, "pending", List.of(list("1-0", "c", 1000L, 1L)),
                        "consumers", List.of(map("name", "c", "seen-time", 1000L, "pel-count", 1L,
                                "pending", List.of(list("1-0", 1000L, 1L))))))),
                h.run("XINFO", "STREAM", "s", "FULL", "COUNT", "1"));
        h.time.set(1_250);
        assertEquals(List.of(map("name", "c", "pending", 1L, "idle", 250L)), h.run("XINFO", "CONSUMERS", "s", "g"));
        assertEquals(List.of(entry("1-0", "a", "1"), entry("2-0", "b", "2")),
                ((Map<?, ?>) h.run("XINFO", "STREAM", "s", "FULL", "COUNT", "0")).get("entries"));
    }

    @Test
    void countsListpackNodesAndRadixTreeNodesAsRedis() {
        h.run("CONFIG", "SET", "stream-node-max-entries", "3");
        for (String ms : new String[] {"1", "2", "3", "4", "300", "70000", "70001"}) {
            h.run("XADD", "r", ms + "-0", "f", "v");
        }
        // Values from redis-server 7.0.15 for the same commands.
        assertEquals(List.of(3L, 10L), List.of(info("r").get("radix-tree-keys"), info("r").get("radix-tree-nodes")));
        h.run("XDEL", "r", "4-0", "300-0", "70000-0");
        assertEquals(List.of(2L, 6L), List.of(info("r").get("radix-tree-keys"), info("r").get("radix-tree-nodes")));
        assertEquals("70000-0", info("r").get("max-deleted-entry-id"));
        h.run("XTRIM", "r", "MAXLEN", "1");
        assertEquals(List.of(1L, 2L, "70001-0"),
                List.of(info("r").get("radix-tree-keys"), info("r").get("radix-tree-nodes"), info("r").get("recorded-first-entry-id")));
    }

    @Test
    void estimatesEntriesReadAndLagAsRedis() {
        for (int i = 1; i <= 4; i++) {
            h.run("XADD", "l", i + "-0", "f", "v");
        }
        h.run("XGROUP", "CREATE", "l", "a", "0");
        h.run("XGROUP", "CREATE", "l", "b", "1-0");
        h.run("XGROUP", "CREATE", "l", "c", "2-0");
        h.run("XGROUP", "CREATE", "l", "d", "$");
        h.run("XGROUP", "CREATE", "l", "e", "0", "ENTRIESREAD", "2");
        h.run("XGROUP", "CREATE", "l", "f", "9-0");
        assertEquals(List.of(list("a", null, 4L), list("b", null, 3L), list("c", null, null), list("d", null, 0L),
                list("e", 2L, 2L), list("f", null, null)), lags("l"));
        h.run("XREADGROUP", "GROUP", "a", "x", "COUNT", "1", "STREAMS", "l", ">");
        h.run("XREADGROUP", "GROUP", "c", "x", "COUNT", "1", "STREAMS", "l", ">");
        h.run("XREADGROUP", "GROUP", "e", "x", "COUNT", "1", "STREAMS", "l", ">");
        assertEquals(List.of(list("a", 1L, 3L), list("b", null, 3L), list("c", null, null), list("d", null, 0L),
                list("e", 3L, 1L), list("f", null, null)), lags("l"));
        h.run("XDEL", "l", "3-0"); // a tombstone ahead makes the counters unknown
        assertEquals(List.of(list("a", 1L, null), list("b", null, null), list("c", null, null), list("d", null, 0L),
                list("e", 3L, null), list("f", null, null)), lags("l"));
        h.run("XREADGROUP", "GROUP", "a", "x", "STREAMS", "l", ">");
        h.run("XDEL", "l", "1-0");
        h.run("XADD", "l", "5-0", "f", "v");
        assertEquals(List.of(list("a", 4L, 1L), list("b", null, null), list("c", null, null), list("d", null, null),
                list("e", 3L, null), list("f", null, null)), lags("l"));
        h.run("XTRIM", "l", "MAXLEN", "1");
        assertEquals(List.of(list("a", 4L, 1L), list("b", null, 1L), list("c", null, 1L), list("d", null, 1L),
                list("e", 3L, 2L), list("f", null, null)), lags("l"));
        h.run("XSETID", "l", "5-0", "ENTRIESADDED", "50");
        h.run("XDEL", "l", "5-0");
        assertEquals(List.of(list("a", 4L, 46L), list("b", null, 0L), list("c", null, 0L), list("d", null, 0L),
                list("e", 3L, 47L), list("f", null, null)), lags("l"));
    }

    @Test
    void refusesWhatRedisRefuses() {
        h.run("XADD", "s", "1-0", "f", "v");
        assertEquals(err("ERR no such key"), h.run("XINFO", "STREAM", "missing", "FULL"));
        assertEquals(err("ERR no such key"), h.run("XINFO", "GROUPS", "missing"));
        assertEquals(err("NOGROUP No such consumer group 'nog' for key name 's'"), h.run("XINFO", "CONSUMERS", "s", "nog"));
        assertEquals(err("ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."),
                h.run("XINFO", "STREAM", "s", "COUNT", "1"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("XINFO", "STREAM", "s", "FULL", "COUNT", "x"));
        assertEquals(err("ERR wrong number of arguments for 'xinfo|groups' command"), h.run("XINFO", "GROUPS", "s", "x"));
        assertEquals(err("ERR unknown subcommand 'FOO'. Try XINFO HELP."), h.run("XINFO", "FOO"));
        assertEquals(List.of("XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "CONSUMERS <key> <groupname>",
                "    Show consumers of <groupname>.", "GROUPS <key>", "    Show the stream consumer groups.",
                "STREAM <key> [FULL [COUNT <count>]", "    Show information about the stream.", "HELP",
                "    Prints this help."), h.run("XINFO", "HELP"));
        h.run("SET", "str", "x");
        assertEquals(err(SetCommandsTest.WRONGTYPE), h.run("XINFO", "STREAM", "str", "FULL"));
    }
}
