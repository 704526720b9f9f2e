package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM in-process: replies and errors as
 * redis-server 7.0.15 gives them (the cases of compat/streamgroups.txt), and the effects they log.
 */
class StreamGroupCommandsTest {
    private static final String NO_KEY = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE "
            + "you may want to use the MKSTREAM option to create an empty stream automatically.";
    private final EngineHarness h = new EngineHarness();

    static List<Object> entry(String id, String... fieldsAndValues) {
        return List.of(id, List.of((Object[]) fieldsAndValues));
    }

    static List<Object> list(Object... items) {
        return Arrays.asList(items);
    }

    /** A map reply as the harness captures it (the encoder flattens it for RESP2). */
    static Object map(Object... keysAndValues) {
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private void add(EngineHarness h, String key, int... ms) {
        for (int m : ms) {
            h.run("XADD", key, m + "-0", "f", Integer.toString(m));
        }
    }

    @Test
    void createsGroupsWithTheirOptions() {
        add(h, "s", 1, 2, 3);
        assertEquals("OK", h.run("XGROUP", "CREATE", "s", "g1", "0"));
        assertEquals(err("BUSYGROUP Consumer Group name already exists"), h.run("XGROUP", "CREATE", "s", "g1", "$", "MKSTREAM"));
        assertEquals("OK", h.run("XGROUP", "CREATE", "s", "g2", "$"));
        assertEquals("OK", h.run("XGROUP", "CREATE", "s", "g3", "0", "ENTRIESREAD", "10"));
        assertEquals("OK", h.run("XGROUP", "CREATE", "s", "g4", "0", "MKSTREAM", "MKSTREAM"));
        assertEquals(err("ERR value for ENTRIESREAD must be positive or -1"), h.run("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "-2"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "x"));
        assertEquals(err("ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP."),
                h.run("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD"));
        assertEquals(err("ERR Invalid stream ID specified as stream command argument"), h.run("XGROUP", "CREATE", "s", "g", "-"));
        assertEquals(err(NO_KEY), h.run("XGROUP", "CREATE", "missing", "g", "abc"));
        assertEquals(0L, h.run("EXISTS", "missing"));
        assertEquals(err("ERR wrong number of arguments for 'xgroup|create' command"), h.run("XGROUP", "CREATE", "s", "g"));
        assertEquals("OK", h.run("XGROUP", "CREATE", "new", "g", "5-5", "MKSTREAM", "ENTRIESREAD", "3"));
        assertEquals(List.of(map("name", "g", "consumers", 0L, "pending", 0L, "last-delivered-id", "5-5", "entries-read", 3L, "lag", 0L)),
                h.run("XINFO", "GROUPS", "new"));
        assertEquals(List.of(
                map("name", "g1", "consumers", 0L, "pending", 0L, "last-delivered-id", "0-0", "entries-read", null, "lag", 3L),
                map("name", "g2", "consumers", 0L, "pending", 0L, "last-delivered-id", "3-0", "entries-read", null, "lag", 0L),
                map("name", "g3", "consumers", 0L, "pending", 0L, "last-delivered-id", "0-0", "entries-read", 10L, "lag", -7L),
                map("name", "g4", "consumers", 0L, "pending", 0L, "last-delivered-id", "0-0", "entries-read", null, "lag", 3L)),
                h.run("XINFO", "GROUPS", "s"));
        h.run("SET", "str", "x");
        assertEquals(err(SetCommandsTest.WRONGTYPE), h.run("XGROUP", "CREATE", "str", "g", "abc", "MKSTREAM"));
    }

    @Test
    void setsIdsAndManagesConsumers() {
        add(h, "s", 1, 2, 3);
        h.run("XGROUP", "CREATE", "s", "g", "0");
        assertEquals("OK", h.run("XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "2"));
        assertEquals(err("ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP."),
                h.run("XGROUP", "SETID", "s", "g", "0", "MKSTREAM"));
        assertEquals(err("NOGROUP No such consumer group 'nog' for key name 's'"), h.run("XGROUP", "SETID", "s", "nog", "0"));
        assertEquals(1L, h.run("XGROUP", "CREATECONSUMER", "s", "g", "c1"));
        assertEquals(0L, h.run("XGROUP", "CREATECONSUMER", "s", "g", "c1"));
        assertEquals(1L, h.run("XGROUP", "CREATECONSUMER", "s", "g", "c2"));
        assertEquals(err("NOGROUP No such consumer group 'nog' for key name 's'"), h.run("XGROUP", "CREATECONSUMER", "s", "nog", "c"));
        assertEquals(err(NO_KEY), h.run("XGROUP", "DELCONSUMER", "missing", "g", "c"));
        h.run("XGROUP", "SETID", "s", "g", "0");
        h.run("XREADGROUP", "GROUP", "g", "c2", "COUNT", "2", "STREAMS", "s", ">");
        assertEquals(2L, h.run("XGROUP", "DELCONSUMER", "s", "g", "c2"));
        assertEquals(0L, h.run("XGROUP", "DELCONSUMER", "s", "g", "c2"));
        assertEquals(list(0L, null, null, null), h.run("XPENDING", "s", "g"), "its pending entries went with it");
        assertEquals(1L, h.run("XGROUP", "DESTROY", "s", "g"));
        assertEquals(0L, h.run("XGROUP", "DESTROY", "s", "g"));
        assertEquals(List.of(), h.run("XINFO", "GROUPS", "s"));
        assertEquals(err("ERR unknown subcommand 'FOO'. Try XGROUP HELP."), h.run("XGROUP", "FOO"));
        assertEquals(17, ((List<?>) h.run("XGROUP", "HELP")).size());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void readsNewEntriesAndTheConsumersHistory(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        add(h, "s", 1, 2, 3);
        h.run("XGROUP", "CREATE", "s", "g", "0");
        Object first = h.run("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">");
        Object rest = h.run("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">");
        if (protocol == 2) {
            assertEquals(List.of(List.of("s", List.of(entry("1-0", "f", "1")))), first);
            assertEquals(List.of(List.of("s", List.of(entry("2-0", "f", "2"), entry("3-0", "f", "3")))), rest);
        } else {
            assertEquals(Map.of("s", List.of(entry("1-0", "f", "1"))), first);
        }
        assertNull(h.run("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"));
        h.run("XDEL", "s", "2-0");
        Object history = h.run("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", "0");
        List<Object> historyEntries = List.of(entry("1-0", "f", "1"), list("2-0", null));
        assertEquals(protocol == 2 ? List.of(List.of("s", historyEntries)) : Map.of("s", historyEntries), history);
        Object none = h.run("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", "0");
        assertEquals(protocol == 2 ? List.of(List.of("s", List.of())) : Map.of("s", List.of()), none);
        assertEquals(List.of(map("name", "g", "consumers", 2L, "pending", 3L, "last-delivered-id", "3-0",
                "entries-read", 3L, "lag", 0L)), h.run("XINFO", "GROUPS", "s"));
        // 1-0 was delivered twice, 2-0 (deleted) is left as it was, 3-0 once.
        assertEquals(List.of(list("1-0", "c1", 0L, 2L), list("2-0", "c1", 0L, 1L), list("3-0", "c1", 0L, 1L)),
                h.run("XPENDING", "s", "g", "-", "+", "10"));
    }

    @Test
    void destroyingAGroupFreesItsPages() {
        for (int i = 1; i <= 2000; i++) {
            h.run("XADD", "s", i + "-0", "f", "v");
        }
        long withoutGroups = h.store().pageCount();
        h.run("XGROUP", "CREATE", "s", "g", "0");
        h.run("XREADGROUP", "GROUP", "g", "a", "COUNT", "1000", "STREAMS", "s", ">");
        h.run("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">");
        long groupPages = h.store().pageCount() - withoutGroups;
        assertEquals(1000L, h.run("XGROUP", "DELCONSUMER", "s", "g", "a"));
        assertEquals(true, h.store().pageCount() - withoutGroups < groupPages, "a deleted consumer's pages are freed");
        assertEquals(1L, h.run("XGROUP", "DESTROY", "s", "g"));
        assertEquals(withoutGroups + 1, h.store().pageCount(), "only the (now empty) groups tree's root is left");
    }

    @Test
    void copiesAStreamWithItsGroups() {
        add(h, "s", 1, 2);
        h.run("XGROUP", "CREATE", "s", "g", "0");
        h.run("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">");
        assertEquals(1L, h.run("COPY", "s", "t"));
        assertEquals(h.run("XINFO", "GROUPS", "s"), h.run("XINFO", "GROUPS", "t"));
        assertEquals(h.run("XPENDING", "s", "g", "-", "+", "10"), h.run("XPENDING", "t", "g", "-", "+", "10"));
        h.run("XACK", "t", "g", "1-0");
        h.run("XREADGROUP", "GROUP", "g", "d", "STREAMS", "t", ">");
        assertEquals(list(1L, "1-0", "1-0", List.of(list("c", "1"))), h.run("XPENDING", "s", "g"), "the copy is independent");
        assertEquals(list(1L, "2-0", "2-0", List.of(list("d", "1"))), h.run("XPENDING", "t", "g"));
        h.run("RENAME", "t", "u");
        assertEquals(list(1L, "2-0", "2-0", List.of(list("d", "1"))), h.run("XPENDING", "u", "g"), "groups move with the key");
    }

    @Test
    void refusesBadReads() {
        add(h, "s", 1);
        h.run("XGROUP", "CREATE", "s", "g", "0");
        assertEquals(err("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this "
                + "consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an "
                + "empty result set."), h.run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"));
        assertEquals(err("NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option"),
                h.run("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"));
        assertEquals(err("NOGROUP No such key 'missing' or consumer group 'g' in XREADGROUP with GROUP option"),
                h.run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "missing", ">", ">"));
        assertEquals(err("ERR Invalid stream ID specified as stream command argument"),
                h.run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "missing", "abc", ">"));
        assertEquals(err("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."),
                h.run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "s", ">"));
        assertEquals(err("ERR syntax error"), h.run("XREADGROUP", "COUNT", "1", "NOACK", "STREAMS", "s", ">"));
        assertEquals(err("ERR timeout is negative"), h.run("XREADGROUP", "GROUP", "g", "c", "BLOCK", "-1", "STREAMS", "s", ">"));
        h.run("SET", "str", "x");
        assertEquals(err(SetCommandsTest.WRONGTYPE), h.run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "str", ">", ">"));
        assertEquals(List.of(), h.run("XINFO", "CONSUMERS", "s", "g"), "no consumer was created by failed reads");
    }

    @Test
    void logsDeliveriesAsClaimsAndTheGroupsPosition() {
        add(h, "s", 1, 2);
        h.run("XGROUP", "CREATE", "s", "g", "0");
        h.logged.clear();
        long now = h.time.get();
        h.run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
        assertEquals(List.of("0:XGROUP CREATECONSUMER s g c",
                "0:XCLAIM s g c 0 1-0 TIME " + now + " RETRYCOUNT 1 FORCE JUSTID LASTID 1-0",
                "0:XCLAIM s g c 0 2-0 TIME " + now + " RETRYCOUNT 1 FORCE JUSTID LASTID 2-0",
                "0:XGROUP SETID s g 2-0 ENTRIESREAD 2"), h.effects());
        add(h, "s", 3);
        h.logged.clear();
        h.run("XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s", ">");
        assertEquals(List.of("0:XGROUP SETID s g 3-0 ENTRIESREAD 3"), h.effects());
        h.logged.clear();
        assertEquals(2L, h.run("XACK", "s", "g", "1-0", "2-0", "3-0"));
        assertEquals(0L, h.run("XACK", "s", "g", "1-0"));
        assertEquals(List.of("0:XACK s g 1-0 2-0 3-0"), h.effects());
        assertEquals(err("ERR Invalid stream ID specified as stream command argument"), h.run("XACK", "s", "g", "3-*"));
        assertEquals(0L, h.run("XACK", "missing", "g", "abc"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void describesPendingEntries(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        add(h, "s", 1, 2, 3, 4, 5);
        h.run("XGROUP", "CREATE", "s", "g", "0");
        assertEquals(list(0L, null, null, null), h.run("XPENDING", "s", "g"));
        h.run("XREADGROUP", "GROUP", "g", "c2", "COUNT", "2", "STREAMS", "s", ">");
        h.advance(1);
        h.run("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">");
        h.run("XGROUP", "CREATECONSUMER", "s", "g", "c0");
        assertEquals(list(4L, "1-0", "4-0", List.of(list("c1", "2"), list("c2", "2"))), h.run("XPENDING", "s", "g"));
        assertEquals(List.of(list("1-0", "c2", 1L, 1L), list("2-0", "c2", 1L, 1L), list("3-0", "c1", 0L, 1L), list("4-0", "c1", 0L, 1L)),
                h.run("XPENDING", "s", "g", "-", "+", "10"));
        assertEquals(List.of(list("3-0", "c1", 0L, 1L), list("4-0", "c1", 0L, 1L)), h.run("XPENDING", "s", "g", "-", "+", "10", "c1", "extra"));
        // "(4" is 4-max less one: 4-0 is in, as in Redis.
        assertEquals(List.of(list("2-0", "c2", 1L, 1L), list("3-0", "c1", 0L, 1L), list("4-0", "c1", 0L, 1L)),
                h.run("XPENDING", "s", "g", "(1", "(4", "10"));
        assertEquals(List.of(list("1-0", "c2", 1L, 1L), list("2-0", "c2", 1L, 1L)), h.run("XPENDING", "s", "g", "IDLE", "1", "-", "+", "10"));
        assertEquals(List.of(list("1-0", "c2", 1L, 1L)), h.run("XPENDING", "s", "g", "-", "+", "1"));
        assertEquals(List.of(), h.run("XPENDING", "s", "g", "-", "+", "-1"));
        assertEquals(List.of(), h.run("XPENDING", "s", "g", "-", "+", "10", "nobody"));
        assertEquals(err("ERR invalid end ID for the interval"), h.run("XPENDING", "s", "g", "-", "(0-0", "10"));
        assertEquals(err("ERR syntax error"), h.run("XPENDING", "s", "g", "IDLE", "5", "-", "+"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"));
        assertEquals(err("NOGROUP No such key 'missing' or consumer group 'g'"), h.run("XPENDING", "missing", "g"));
    }

    @Test
    void claimsIdleEntriesWithTheirOptions() {
        add(h, "s", 1, 2, 3, 4, 5);
        h.run("XGROUP", "CREATE", "s", "g", "0");
        h.run("XREADGROUP", "GROUP", "g", "c1", "COUNT", "3", "STREAMS", "s", ">");
        h.run("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">");
        assertEquals(List.of(entry("1-0", "f", "1")), h.run("XCLAIM", "s", "g", "c3", "0", "1-0"));
        assertEquals(List.of("2-0"), h.run("XCLAIM", "s", "g", "c3", "0", "2-0", "JUSTID"));
        assertEquals(List.of(), h.run("XCLAIM", "s", "g", "c3", "100000000", "3-0"));
        assertEquals(List.of("4-0"), h.run("XCLAIM", "s", "g", "c3", "0", "4-0", "TIME", "1000", "JUSTID"));
        assertEquals(List.of(entry("4-0", "f", "4")), h.run("XCLAIM", "s", "g", "c2", "50000000", "1-0", "2-0", "4-0"));
        assertEquals(List.of(), h.run("XCLAIM", "s", "g", "c4", "0", "9-0", "FORCE"), "FORCE needs the entry in the stream");
        assertEquals(1L, h.run("XACK", "s", "g", "1-0"));
        assertEquals(List.of(), h.run("XCLAIM", "s", "g", "c4", "0", "1-0"));
        assertEquals(List.of("1-0"), h.run("XCLAIM", "s", "g", "c4", "0", "1-0", "FORCE", "JUSTID"));
        h.run("XDEL", "s", "5-0");
        h.logged.clear();
        assertEquals(List.of(), h.run("XCLAIM", "s", "g", "c4", "0", "5-0", "FORCE"), "a deleted entry leaves the PEL");
        long now = h.time.get();
        assertEquals(List.of("0:XCLAIM s g c2 0 5-0 TIME " + now + " RETRYCOUNT 1 FORCE JUSTID LASTID 5-0"), h.effects());
        assertEquals(list(4L, "1-0", "4-0", List.of(list("c1", "1"), list("c2", "1"), list("c3", "1"), list("c4", "1"))),
                h.run("XPENDING", "s", "g"));
        assertEquals(List.of("2-0"), h.run("XCLAIM", "s", "g", "c4", "0", "2-0", "RETRYCOUNT", "7", "IDLE", "-1", "JUSTID"));
        assertEquals(List.of(list("2-0", "c4", 0L, 7L)), h.run("XPENDING", "s", "g", "2", "2", "1"));
        h.logged.clear();
        assertEquals(List.of("2-0"), h.run("XCLAIM", "s", "g", "c4", "0", "2", "LASTID", "10-0", "JUSTID"));
        assertEquals(List.of("0:XCLAIM s g c4 0 2 TIME " + now + " RETRYCOUNT 7 FORCE JUSTID LASTID 10-0"), h.effects());
        h.logged.clear();
        assertEquals(List.of(), h.run("XCLAIM", "s", "g", "c4", "0", "9-0", "LASTID", "11-0"));
        assertEquals(List.of("0:XGROUP SETID s g 11-0 ENTRIESREAD 5"), h.effects());
        assertEquals(err("ERR Invalid RETRYCOUNT option argument for XCLAIM"), h.run("XCLAIM", "s", "g", "c", "0", "2-0", "RETRYCOUNT", "x"));
        assertEquals(err("ERR Unrecognized XCLAIM option 'RETRYCOUNT'"), h.run("XCLAIM", "s", "g", "c", "0", "2-0", "RETRYCOUNT"));
        assertEquals(err("ERR Unrecognized XCLAIM option 'abc'"), h.run("XCLAIM", "s", "g", "c", "0", "abc"));
        assertEquals(err("ERR Invalid min-idle-time argument for XCLAIM"), h.run("XCLAIM", "s", "g", "c", "x", "2-0"));
        assertEquals(err("NOGROUP No such key 's' or consumer group 'nog'"), h.run("XCLAIM", "s", "nog", "c", "x", "2-0"));
    }

    @Test
    void autoClaimsAndReportsDeletedEntries() {
        add(h, "s", 1, 2, 3, 4, 5);
        h.run("XGROUP", "CREATE", "s", "g", "0");
        h.run("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">");
        h.run("XCLAIM", "s", "g", "c1", "0", "1-0", "2-0", "3-0", "TIME", "1000", "JUSTID");
        h.run("XDEL", "s", "2-0");
        assertEquals(list("0-0", List.of(entry("1-0", "f", "1"), entry("3-0", "f", "3")), List.of("2-0")),
                h.run("XAUTOCLAIM", "s", "g", "c2", "50000000", "0"));
        assertEquals(list("0-0", List.of(), List.of()), h.run("XAUTOCLAIM", "s", "g", "c2", "50000000", "0"));
        assertEquals(list("3-0", List.of(entry("1-0", "f", "1")), List.of()), h.run("XAUTOCLAIM", "s", "g", "c3", "0", "0", "COUNT", "1"));
        assertEquals(list("0-0", List.of("4-0", "5-0"), List.of()), h.run("XAUTOCLAIM", "s", "g", "c3", "0", "(3", "JUSTID"));
        assertEquals(list("4-0", List.of("1-0", "3-0"), List.of()), h.run("XAUTOCLAIM", "s", "g", "c4", "0", "0", "COUNT", "2", "JUSTID"));
        h.run("XDEL", "s", "1-0", "3-0", "4-0");
        h.logged.clear();
        assertEquals(list("4-0", List.of(), List.of("1-0", "3-0")), h.run("XAUTOCLAIM", "s", "g", "c4", "0", "0", "COUNT", "2"));
        assertEquals(2, h.effects().size(), "each deleted entry is logged as an XCLAIM that removes it");
        assertEquals(list("0-0", List.of(entry("5-0", "f", "5")), List.of("4-0")), h.run("XAUTOCLAIM", "s", "g", "c4", "0", "0"));
        assertEquals(list(1L, "5-0", "5-0", List.of(list("c4", "1"))), h.run("XPENDING", "s", "g"));
        assertEquals(err("ERR COUNT must be > 0"), h.run("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423488"));
        assertEquals(err("ERR syntax error"), h.run("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT"));
        assertEquals(err("ERR invalid start ID for the interval"),
                h.run("XAUTOCLAIM", "s", "g", "c", "0", "(18446744073709551615-18446744073709551615"));
        assertEquals(err("ERR Invalid min-idle-time argument for XAUTOCLAIM"), h.run("XAUTOCLAIM", "missing", "g", "c", "x", "0"));
        assertEquals(err("NOGROUP No such key 'missing' or consumer group 'g'"), h.run("XAUTOCLAIM", "missing", "g", "c", "0", "0"));
    }
}
