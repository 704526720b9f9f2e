package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.millrace.engine.commands.StoredRecords.replayed;
import static dev.millrace.engine.commands.StreamGroupCommandsTest.entry;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * XREADGROUP ... BLOCK with several clients of one engine: served by XADD in the order the clients
 * blocked, each with what its group has not delivered yet; ended with an error when its stream is
 * deleted or retyped or its group destroyed (as redis-server 7.0.15 does), with a null on timeout.
 */
class StreamGroupBlockingTest {
    private final EngineHarness h = new EngineHarness();

    private OtherClient blocked(int protocol, String... command) {
        OtherClient c = new OtherClient(h, "127.0.0.1:" + (40000 + h.engine.clients().count()), protocol);
        c.run(command);
        assertTrue(c.replies().isEmpty(), "blocked: no reply yet to " + String.join(" ", command));
        assertTrue(c.session.blocked());
        return c;
    }

    private OtherClient blockedRead(String consumer) {
        return blocked(2, "XREADGROUP", "GROUP", "g", consumer, "BLOCK", "0", "STREAMS", "s", ">");
    }

    @Test
    void clientsAreServedInTheOrderTheyBlocked() {
        h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        OtherClient first = blockedRead("c1");
        OtherClient second = blockedRead("c2");
        h.logged.clear();
        long now = h.time.get();
        h.run("XADD", "s", "1-0", "f", "1");
        assertEquals(List.of(List.of(List.of("s", List.of(entry("1-0", "f", "1"))))), first.replies());
        assertTrue(second.replies().isEmpty(), "the first client took the only new entry");
        assertTrue(second.session.blocked());
        assertEquals(List.of("0:XADD s 1-0 f 1", "0:XGROUP CREATECONSUMER s g c1",
                "0:XCLAIM s g c1 0 1-0 TIME " + now + " RETRYCOUNT 1 FORCE JUSTID LASTID 1-0",
                "0:XGROUP SETID s g 1-0 ENTRIESREAD 1"), h.effects());
        h.run("XADD", "s", "2-0", "f", "2");
        assertEquals(List.of(List.of(List.of("s", List.of(entry("2-0", "f", "2"))))), second.replies());
        assertFalse(second.session.blocked());
        assertEquals(Arrays.asList(2L, "1-0", "2-0", List.of(Arrays.asList("c1", "1"), Arrays.asList("c2", "1"))),
                h.run("XPENDING", "s", "g"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void servedEffectsReplayToTheSameGroup(int protocol) {
        h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        h.run("XGROUP", "CREATE", "other", "g", "$", "MKSTREAM");
        OtherClient reader = blocked(protocol, "XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "BLOCK", "1000", "STREAMS", "other", "s", ">", ">");
        h.run("XADD", "s", "1-0", "f", "1");
        List<Object> entries = List.of(entry("1-0", "f", "1"));
        assertEquals(List.of(protocol == 2 ? List.of(List.of("s", entries)) : Map.of("s", entries)), reader.replies());
        h.run("XADD", "other", "2-0", "f", "2");
        h.advance(3);
        h.run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "other", "s", "0", "0");
        h.advance(5);
        EngineHarness again = replayed(h, 0);
        for (String[] command : new String[][] {{"XPENDING", "s", "g", "-", "+", "10"}, {"XINFO", "GROUPS", "s"}}) {
            assertEquals(h.run(command), again.run(command), String.join(" ", command));
        }
    }

    @Test
    void noAckMovesTheGroupWithoutPendingEntries() {
        h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        OtherClient reader = blocked(2, "XREADGROUP", "GROUP", "g", "c", "NOACK", "BLOCK", "0", "STREAMS", "s", ">");
        h.run("XADD", "s", "1-0", "f", "1");
        assertEquals(1, reader.replies().size());
        assertEquals(Arrays.asList(0L, null, null, null), h.run("XPENDING", "s", "g"));
        assertEquals("1-0", ((Map<?, ?>) ((List<?>) h.run("XINFO", "GROUPS", "s")).get(0)).get("last-delivered-id"));
    }

    @Test
    void aLostStreamOrGroupEndsTheWaitWithAnError() {
        h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        OtherClient deleted = blockedRead("c");
        h.run("DEL", "s");
        assertEquals(List.of(err("UNBLOCKED the stream key no longer exists")), deleted.replies());
        assertFalse(deleted.session.blocked());

        h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        OtherClient retyped = blockedRead("c");
        h.run("SET", "s", "x");
        assertEquals(List.of(err("UNBLOCKED the stream key no longer exists")), retyped.replies());

        h.run("DEL", "s");
        h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        OtherClient destroyed = blockedRead("c");
        h.run("XGROUP", "DESTROY", "s", "g");
        assertEquals(List.of(err("NOGROUP the consumer group this client was blocked on no longer exists")), destroyed.replies());

        for (String[] loss : new String[][] {{"RENAME", "s", "t"}, {"PEXPIRE", "s", "0"}, {"FLUSHALL"}, {"SWAPDB", "0", "1"}}) {
            h.run("FLUSHALL");
            h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
            OtherClient reader = blockedRead("c");
            h.run(loss);
            assertEquals(List.of(err("UNBLOCKED the stream key no longer exists")), reader.replies(), loss[0]);
        }

        OtherClient plainRead = blocked(2, "XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        h.run("DEL", "s");
        assertTrue(plainRead.session.blocked(), "XREAD keeps waiting when its stream is deleted, as in Redis 7.0");
        h.run("XADD", "s", "5-0", "f", "v");
        assertEquals(1, plainRead.replies().size());
    }

    @Test
    void timesOutWithANull() {
        h.run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        OtherClient reader = blocked(2, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "100", "STREAMS", "s", ">");
        h.advance(101);
        h.engine.cron();
        assertEquals(Arrays.asList((Object) null), reader.replies());
        assertFalse(reader.session.blocked());
        assertEquals(List.of(), h.run("XINFO", "CONSUMERS", "s", "g"), "a consumer is created only when served");
    }
}
