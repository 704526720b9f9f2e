package dev.millrace.engine.commands;

import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.ReplyCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocking list commands in the engine, with several clients of one engine: who is served, in
 * which order, from which key, when (ready keys are served once the writing command is done, timeouts
 * from cron), and how a wait ends otherwise (CLIENT UNBLOCK, disconnection). The harness's own client
 * does the writing; {@link OtherClient}s block.
 */
class ListBlockingTest {
    private final EngineHarness h = new EngineHarness();

    private OtherClient client(int protocol) {
        return new OtherClient(h, "127.0.0.1:" + (40000 + h.engine.clients().count()), protocol);
    }

    private OtherClient blocked(String... command) {
        OtherClient c = client(2);
        int before = c.replies().size();
        c.run(command);
        assertEquals(before, c.replies().size(), "blocked: no reply yet to " + String.join(" ", command));
        assertTrue(c.session.blocked());
        return c;
    }

    private static List<Object> list(Object... elements) {
        return Arrays.asList(elements);
    }

    @Test
    void clientsAreServedInTheOrderTheyBlocked() {
        OtherClient first = blocked("BLPOP", "q", "0");
        OtherClient second = blocked("BRPOP", "q", "0");
        OtherClient third = blocked("BLPOP", "other", "q", "0");
        assertEquals(2L, h.run("RPUSH", "q", "a", "b"));
        assertEquals(List.of(list("q", "a")), first.replies());
        assertEquals(List.of(list("q", "b")), second.replies());
        assertTrue(third.replies().isEmpty(), "the list was emptied before the third client's turn");
        assertEquals(0L, h.run("EXISTS", "q"), "the served pops emptied the list, which is deleted");
        h.run("LPUSH", "q", "c");
        assertEquals(List.of(list("q", "c")), third.replies());
        assertFalse(third.session.blocked());
    }

    @Test
    void aClientIsServedFromTheKeyThatBecameReady() {
        OtherClient c = blocked("BLPOP", "a", "b", "0");
        h.run("SET", "a", "string"); // a string readies nobody waiting for a list
        assertTrue(c.replies().isEmpty());
        h.run("RPUSH", "b", "1");
        assertEquals(List.of(list("b", "1")), c.replies(), "served from b, not failed on a (Redis 7.0)");
    }

    @Test
    void aKeyOfAnotherTypeLeavesTheClientWaiting() {
        OtherClient c = blocked("BLPOP", "q", "0");
        h.run("SET", "q", "v");
        h.run("APPEND", "q", "w");
        assertTrue(c.session.blocked());
        h.run("DEL", "q");
        h.run("RPUSH", "q", "x");
        assertEquals(List.of(list("q", "x")), c.replies());
    }

    @Test
    void blmpopIsServedWithItsCountAndBlmoveMovesWhenServed() {
        OtherClient mpop = blocked("BLMPOP", "0", "2", "a", "q", "RIGHT", "COUNT", "2");
        OtherClient move = blocked("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
        h.run("RPUSH", "q", "1", "2", "3");
        assertEquals(List.of(list("q", list("3", "2"))), mpop.replies());
        assertEquals(list("1"), h.run("LRANGE", "q", "0", "-1"));
        h.run("RPUSH", "src", "x", "y");
        assertEquals(List.of("y"), move.replies());
        assertEquals(list("y"), h.run("LRANGE", "dst", "0", "-1"));
        assertEquals(list("x"), h.run("LRANGE", "src", "0", "-1"));
    }

    @Test
    void aServedMoveReadiesItsDestinationForTheNextClientInTheSamePass() {
        OtherClient mover = blocked("BRPOPLPUSH", "a", "b", "0");
        OtherClient popper = blocked("BLPOP", "b", "0");
        h.run("RPUSH", "a", "v");
        assertEquals(List.of("v"), mover.replies());
        assertEquals(List.of(list("b", "v")), popper.replies());
        assertEquals(0L, h.run("EXISTS", "a", "b"));
    }

    @Test
    void aMoveToADestinationOfAnotherTypeAnswersWrongtypeWhenServed() {
        OtherClient c = blocked("BLMOVE", "src", "dst", "LEFT", "LEFT", "0");
        h.run("SET", "dst", "string");
        h.run("RPUSH", "src", "x");
        assertEquals(List.of(err("WRONGTYPE Operation against a key holding the wrong kind of value")), c.replies());
        assertFalse(c.session.blocked());
        assertEquals(list("x"), h.run("LRANGE", "src", "0", "-1"), "the element stays where it was");
    }

    @Test
    void everyWriteThatLeavesAListReadiesItsKey() {
        OtherClient renamed = blocked("BLPOP", "r", "0");
        OtherClient copied = blocked("BLPOP", "c", "0");
        OtherClient moved = blocked("BLPOP", "m", "0");
        OtherClient pushed = blocked("BLPOP", "p", "0");
        h.run("RPUSH", "tmp", "1", "2", "3", "4");
        h.run("COPY", "tmp", "c");
        h.run("RPOPLPUSH", "tmp", "p");
        h.run("RENAME", "tmp", "r");
        h.run("SELECT", "5");
        h.run("RPUSH", "m", "in-5");
        h.run("MOVE", "m", "0");
        assertEquals(List.of(list("c", "1")), copied.replies());
        assertEquals(List.of(list("p", "4")), pushed.replies());
        assertEquals(List.of(list("r", "1")), renamed.replies());
        assertEquals(List.of(list("m", "in-5")), moved.replies());
    }

    @Test
    void swapdbReadiesTheKeysWaitedForInBothDatabases() {
        OtherClient c = blocked("BLPOP", "q", "0");
        h.run("SELECT", "1");
        h.run("RPUSH", "q", "from-1");
        assertTrue(c.replies().isEmpty(), "a push in another database readies nothing here");
        h.run("SWAPDB", "0", "1");
        assertEquals(List.of(list("q", "from-1")), c.replies());
    }

    @Test
    void timeoutsAreMillisecondDeadlinesCheckedByCron() {
        OtherClient c = blocked("BLPOP", "q", "0.25");
        h.advance(250);
        h.engine.cron();
        assertTrue(c.session.blocked(), "at the deadline itself the client still waits, as in Redis");
        h.advance(1);
        h.engine.cron();
        assertEquals(1, c.replies().size());
        assertNull(c.replies().get(0), "a null array on timeout");
        assertFalse(c.session.blocked());
        h.run("RPUSH", "q", "a");
        assertEquals(list("a"), h.run("LRANGE", "q", "0", "-1"), "a timed-out client is not served");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "-0.0009", "-0.001"})
    void zeroAndTimeoutsRoundedUpToZeroWaitForever(String timeout) {
        OtherClient c = blocked("BRPOPLPUSH", "q", "d", timeout);
        h.advance(365L * 24 * 3600 * 1000);
        h.engine.cron();
        assertTrue(c.session.blocked(), "a timeout of 0 ms after rounding up waits for ever");
        h.run("RPUSH", "q", "late");
        assertEquals(List.of("late"), c.replies());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0001", "0.001", "1e-300"})
    void timeoutsBelowOneMillisecondAreRoundedUpToOne(String timeout) {
        OtherClient c = blocked("BLPOP", "q", timeout);
        h.advance(1);
        h.engine.cron();
        assertTrue(c.session.blocked());
        h.advance(1);
        h.engine.cron();
        assertEquals(Arrays.asList((Object) null), c.replies());
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775", "9223372036854775.807"})
    void timeoutsWithoutAnAddressableDeadlineWaitForever(String timeout) {
        OtherClient c = blocked("BLPOP", "q", timeout);
        h.advance(3_000);
        h.engine.cron();
        assertTrue(c.session.blocked(), "Redis's deadline overflows and is never reached");
        assertEquals(1, h.engine.blocking().clientsWithDeadline());
    }

    @Test
    void theTimeoutReplyIsANullArrayInBothProtocolsForEveryBlockingCommand() {
        OtherClient resp3 = client(3);
        resp3.run("BLMOVE", "q", "d", "LEFT", "LEFT", "1");
        OtherClient resp2 = client(2);
        resp2.run("BLMPOP", "1", "1", "q", "LEFT");
        h.advance(1001);
        h.engine.cron();
        assertEquals(1, resp3.replies().size());
        assertNull(resp3.replies().get(0));
        assertEquals(1, resp2.replies().size());
        assertNull(resp2.replies().get(0));
    }

    @Test
    void aClientThatDisconnectsIsForgotten() {
        OtherClient gone = blocked("BLPOP", "q", "10");
        OtherClient stays = blocked("BLPOP", "q", "0");
        assertEquals(2, h.engine.blocking().blockedClients());
        h.engine.disconnect(gone.session);
        assertEquals(1, h.engine.blocking().blockedClients());
        assertEquals(0, h.engine.blocking().clientsWithDeadline());
        h.run("RPUSH", "q", "a");
        assertTrue(gone.replies().isEmpty());
        assertEquals(List.of(list("q", "a")), stays.replies());
    }

    @Test
    void clientKillEndsAWaitWithoutAReply() {
        OtherClient c = blocked("BLPOP", "q", "0");
        assertEquals(1L, h.run("CLIENT", "KILL", "ID", Long.toString(c.session.id())));
        assertTrue(c.closed);
        assertEquals(0, h.engine.blocking().blockedClients());
        h.run("RPUSH", "q", "a");
        assertTrue(c.replies().isEmpty());
    }

    @Test
    void clientUnblockEndsAWaitAsATimeoutOrWithAnError() {
        OtherClient timedOut = blocked("BLPOP", "q", "0");
        OtherClient failed = blocked("BLMOVE", "q", "d", "LEFT", "LEFT", "0");
        String id = Long.toString(timedOut.session.id());
        assertEquals(1L, h.run("CLIENT", "UNBLOCK", id));
        assertEquals(0L, h.run("CLIENT", "UNBLOCK", id), "no longer blocked");
        assertEquals(1L, h.run("CLIENT", "UNBLOCK", Long.toString(failed.session.id()), "error"));
        assertEquals(Arrays.asList((Object) null), timedOut.replies());
        assertEquals(List.of(err("UNBLOCKED client unblocked via CLIENT UNBLOCK")), failed.replies());
        assertEquals(0L, h.run("CLIENT", "UNBLOCK", Long.toString(h.session.id()), "TIMEOUT"));
        assertEquals(0L, h.run("CLIENT", "UNBLOCK", "999"));
        assertEquals(err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"), h.run("CLIENT", "UNBLOCK", "abc", "foo"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("CLIENT", "UNBLOCK", "abc"));
        assertEquals(err("ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP."),
                h.run("CLIENT", "UNBLOCK", "1", "TIMEOUT", "x"));
    }

    @Test
    void blockedClientsShowInInfoAndClientList() {
        blocked("BLPOP", "q", "0");
        OtherClient timed = blocked("BLPOP", "q", "5");
        String info = (String) h.run("INFO", "clients");
        assertTrue(info.contains("blocked_clients:2\r\n"), info);
        assertTrue(info.contains("clients_in_timeout_table:1\r\n"), info);
        String clients = (String) h.run("CLIENT", "LIST", "ID", Long.toString(timed.session.id()));
        assertTrue(clients.contains(" flags=b ") && clients.contains(" cmd=blpop "), clients);
    }

    @Test
    void aBlockedClientsFurtherCommandsMustWait() {
        OtherClient c = blocked("BLPOP", "q", "0");
        assertThrows(IllegalStateException.class, () -> c.run("PING"));
    }

    @Test
    void aSkippedReplyIsTheOneTheServedCommandSends() {
        OtherClient c = client(2);
        c.run("CLIENT", "REPLY", "SKIP");
        c.run("BLPOP", "q", "0");
        h.run("RPUSH", "q", "a");
        assertTrue(c.replies().isEmpty(), "CLIENT REPLY SKIP applies to BLPOP's reply when it comes");
        assertEquals("PONG", c.run("PING"));
    }

    @Test
    void commandsRunInsideAnotherNeitherBlockNorWakeBeforeItEnds() {
        OtherClient waiter = blocked("BLPOP", "q", "0");
        ReplyCapture nested = new ReplyCapture(2);
        List<Object> seenInside = new ArrayList<>();
        // Stands in for EXEC: while the outer command runs, it runs others through the dispatcher.
        ReplyWriter exec = new ForwardingWriter(h.capture()) {
            @Override
            public void simple(String text) {
                super.simple(text);
                run(nested, "RPUSH", "q", "a", "b");
                run(nested, "BLPOP", "empty", "0");
                seenInside.addAll(waiter.replies());
                run(nested, "LPOP", "q");
            }
        };
        h.engine.execute(h.session, argv("SET", "outer", "v"), exec);
        h.engine.afterBatch();
        assertEquals(Arrays.asList(2L, null, "a"), nested.replies(), "the nested BLPOP answers as on timeout");
        assertTrue(seenInside.isEmpty(), "nobody is served before the outer command ends");
        assertEquals(List.of(list("q", "b")), waiter.replies());
        assertFalse(h.session.blocked());
    }

    private void run(ReplyWriter out, String... args) {
        h.engine.execute(h.session, argv(args), out);
    }

    private static byte[][] argv(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return argv;
    }

    /** Passes every reply on; a test overrides the one it wants to act on. */
    private static class ForwardingWriter implements ReplyWriter {
        private final ReplyWriter out;

        ForwardingWriter(ReplyWriter out) {
            this.out = out;
        }

        @Override public void simple(String text) { out.simple(text); }
        @Override public void error(String message) { out.error(message); }
        @Override public void integer(long value) { out.integer(value); }
        @Override public void bulk(byte[] value) { out.bulk(value); }
        @Override public void bulk(String value) { out.bulk(value); }
        @Override public void bulk(byte[] value, int offset, int length) { out.bulk(value, offset, length); }
        @Override public void nullBulk() { out.nullBulk(); }
        @Override public void nullArray() { out.nullArray(); }
        @Override public void array(int length) { out.array(length); }
        @Override public void map(int entries) { out.map(entries); }
        @Override public void set(int length) { out.set(length); }
        @Override public void doubleValue(double value) { out.doubleValue(value); }
        @Override public void doubleText(String text) { out.doubleText(text); }
        @Override public void bool(boolean value) { out.bool(value); }
        @Override public void verbatim(String format, String text) { out.verbatim(format, text); }
        @Override public void bigNumber(String digits) { out.bigNumber(digits); }
        @Override public void attribute(int entries) { out.attribute(entries); }
        @Override public void push(int length) { out.push(length); }
        @Override public int protocol() { return out.protocol(); }
    }
}
