package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static dev.millrace.engine.commands.StoredRecords.logged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BZPOPMIN, BZPOPMAX and BZMPOP with several clients of one engine (the blocking machinery itself is
 * ListBlockingTest's subject): served at once when a key has members, else served in the order the
 * clients blocked once a write leaves a sorted set under a key they wait on, timing out with a null
 * array, and logged as the ZPOPMIN/ZPOPMAX they amounted to, so the log replays to the same sets.
 * Replies served at once are also in zsets.golden.
 */
class ZSetBlockingTest {
    private final EngineHarness h = new EngineHarness();

    private OtherClient client(int protocol) {
        return new OtherClient(h, "127.0.0.1:" + (40000 + h.engine.clients().count()), protocol);
    }

    private OtherClient blocked(int protocol, String... command) {
        OtherClient c = client(protocol);
        c.run(command);
        assertTrue(c.replies().isEmpty(), "blocked: no reply yet to " + String.join(" ", command));
        assertTrue(c.session.blocked());
        return c;
    }

    private static List<Object> list(Object... elements) {
        return Arrays.asList(elements);
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void clientsAreServedInTheOrderTheyBlocked(int protocol) {
        OtherClient min = blocked(protocol, "BZPOPMIN", "z", "0");
        OtherClient max = blocked(protocol, "BZPOPMAX", "other", "z", "0");
        OtherClient multi = blocked(protocol, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "5");
        OtherClient late = blocked(protocol, "BZPOPMIN", "z", "0");
        assertEquals(4L, h.run("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"));
        assertEquals(List.of(list("z", "a", 1.0)), min.replies());
        assertEquals(List.of(list("z", "d", 4.0)), max.replies());
        assertEquals(List.of(list("z", list(list("b", 2.0), list("c", 3.0)))), multi.replies());
        assertTrue(late.replies().isEmpty(), "the set was emptied before its turn");
        assertEquals(0L, h.run("EXISTS", "z"));
        h.run("ZINCRBY", "z", "7", "e");
        assertEquals(List.of(list("z", "e", 7.0)), late.replies());
        assertFalse(late.session.blocked());
    }

    @Test
    void servedPopsAreLoggedAsZpopminAndZpopmax() {
        OtherClient min = blocked(2, "BZPOPMIN", "z", "0");
        OtherClient multi = blocked(2, "BZMPOP", "0", "2", "y", "z", "MAX", "COUNT", "2");
        h.run("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d");
        h.run("ZADD", "now", "1", "x");
        h.run("BZPOPMAX", "missing", "now", "0");
        h.run("ZADD", "now", "1", "x", "2", "y");
        h.run("BZMPOP", "1", "1", "now", "MIN", "COUNT", "5");
        assertEquals(List.of(
                "0:ZADD z 1 a 2 b 3 c 4 d", "0:ZPOPMIN z", "0:ZPOPMAX z 2",
                "0:ZADD now 1 x", "0:ZPOPMAX now",
                "0:ZADD now 1 x 2 y", "0:ZPOPMIN now 5"), h.effects());
        assertEquals(1, min.replies().size());
        assertEquals(1, multi.replies().size());
        EngineHarness copy = new EngineHarness();
        copy.engine.replay(logged(h));
        assertEquals(h.run("ZRANGE", "z", "0", "-1", "WITHSCORES"), copy.run("ZRANGE", "z", "0", "-1", "WITHSCORES"));
        assertEquals(List.of("b", 2.0), copy.run("ZRANGE", "z", "0", "-1", "WITHSCORES"));
    }

    @Test
    void onlyASortedSetWakesTheClient() {
        OtherClient c = blocked(2, "BZPOPMIN", "a", "b", "0");
        h.run("RPUSH", "a", "x");
        h.run("SET", "b", "v");
        assertTrue(c.session.blocked(), "a list and a string leave it waiting");
        h.run("DEL", "b");
        h.run("ZADD", "b", "5", "m");
        assertEquals(List.of(list("b", "m", 5.0)), c.replies());
    }

    @Test
    void everyWriteThatLeavesASortedSetReadiesItsKey() {
        h.run("ZADD", "src", "1", "a", "2", "b");
        OtherClient stored = blocked(2, "BZPOPMIN", "u", "0");
        OtherClient ranged = blocked(2, "BZPOPMAX", "r", "0");
        OtherClient renamed = blocked(2, "BZMPOP", "0", "1", "n", "MIN");
        h.run("ZUNIONSTORE", "u", "1", "src");
        h.run("ZRANGESTORE", "r", "src", "0", "0");
        h.run("COPY", "src", "c");
        h.run("RENAME", "c", "n");
        assertEquals(List.of(list("u", "a", 1.0)), stored.replies());
        assertEquals(List.of(list("r", "a", 1.0)), ranged.replies());
        assertEquals(List.of(list("n", list(list("a", 1.0)))), renamed.replies());
    }

    @Test
    void aLargeSetServesBlockedClientsToo() {
        h.run("CONFIG", "SET", "zset-max-listpack-entries", "4");
        OtherClient c = blocked(2, "BZMPOP", "0", "1", "big", "MAX", "COUNT", "3");
        h.run("ZADD", "big", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f");
        assertEquals(List.of(list("big", list(list("f", 6.0), list("e", 5.0), list("d", 4.0)))), c.replies());
        assertEquals("skiplist", h.run("OBJECT", "ENCODING", "big"));
        assertEquals(3L, h.run("ZCARD", "big"));
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void aTimeoutAnswersANullArray(int protocol) {
        OtherClient single = blocked(protocol, "BZPOPMIN", "z", "0.5");
        OtherClient multi = blocked(protocol, "BZMPOP", "1", "1", "z", "MIN");
        h.advance(500);
        h.engine.cron();
        assertTrue(single.replies().isEmpty(), "a deadline passes strictly after it");
        h.advance(1);
        h.engine.cron();
        assertEquals(1, single.replies().size());
        assertNull(single.replies().get(0));
        assertTrue(multi.replies().isEmpty());
        h.advance(500);
        h.engine.cron();
        assertEquals(1, multi.replies().size());
        assertNull(multi.replies().get(0));
        assertEquals(List.of(), h.effects(), "nothing was popped, nothing logged");
    }
}
