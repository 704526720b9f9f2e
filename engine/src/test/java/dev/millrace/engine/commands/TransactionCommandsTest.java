package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.RespEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MULTI, EXEC, DISCARD and the dispatcher's queueing gate, one connection, in both protocols; the
 * expected replies are the ones redis-server 7.0.15 gives (checked against it, see compat
 * transactions.txt for the byte-level comparison).
 */
class TransactionCommandsTest {

    private static List<Object> list(Object... elements) {
        return Arrays.asList(elements);
    }

    /** Runs a command on the harness's session and returns its reply's raw RESP bytes, escaped. */
    private static String raw(EngineHarness h, String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        RespEncoder out = new RespEncoder(h.session::protocol);
        h.engine.execute(h.session, argv, out);
        h.engine.afterBatch();
        return out.escaped();
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void queuedCommandsRunAtExecAndTheirRepliesFormOneArray(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        assertEquals("OK", h.run("MULTI"));
        assertEquals("QUEUED", h.run("SET", "a", "1"));
        assertEquals("QUEUED", h.run("INCR", "a"));
        assertEquals("QUEUED", h.run("GET", "a"));
        assertEquals("QUEUED", h.run("EXISTS", "a"));
        assertEquals(list("OK", 2L, "2", 1L), h.run("EXEC"));
        assertEquals("2", h.run("GET", "a"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void aRuntimeErrorInsideExecRollsNothingBack(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        h.run("MULTI");
        h.run("SET", "a", "1");
        h.run("LPUSH", "a", "x");
        h.run("INCR", "a");
        assertEquals(list("OK", err("WRONGTYPE Operation against a key holding the wrong kind of value"), 2L), h.run("EXEC"));
        assertEquals("2", h.run("GET", "a"));
        assertEquals(List.of("0:SET a 1", "0:INCR a"), h.effects());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void anExecAndItsNullRepliesAreEncodedAsRedisDoes(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        raw(h, "MULTI");
        raw(h, "BLPOP", "l", "0");
        raw(h, "GET", "nokey");
        raw(h, "HGETALL", "nokey");
        String expected = protocol == 2 ? "*3\\r\\n*-1\\r\\n$-1\\r\\n*0\\r\\n" : "*3\\r\\n_\\r\\n_\\r\\n%0\\r\\n";
        assertEquals(expected, raw(h, "EXEC"));
        raw(h, "MULTI");
        assertEquals("*0\\r\\n", raw(h, "EXEC"), "an empty transaction");
    }

    @ParameterizedTest
    @ValueSource(strings = {"unknown", "arity", "subcommand", "nomulti"})
    void aCommandRefusedWhileQueueingAbortsTheTransaction(String refusal) {
        EngineHarness h = new EngineHarness();
        h.run("MULTI");
        h.run("SET", "a", "1");
        Object reply = switch (refusal) {
            case "unknown" -> h.run("FOO", "bar");
            case "arity" -> h.run("GET");
            case "subcommand" -> h.run("CLIENT", "NOSUCH");
            default -> h.run("SAVE");
        };
        assertEquals(switch (refusal) {
            case "unknown" -> err("ERR unknown command 'FOO', with args beginning with: 'bar' ");
            case "arity" -> err("ERR wrong number of arguments for 'get' command");
            case "subcommand" -> err("ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.");
            default -> err("ERR Command not allowed inside a transaction");
        }, reply);
        assertEquals("QUEUED", h.run("SET", "b", "2"), "commands are still answered QUEUED after the refusal");
        assertEquals(err("EXECABORT Transaction discarded because of previous errors."), h.run("EXEC"));
        assertEquals(0L, h.run("EXISTS", "a", "b"), "nothing ran");
        assertEquals(err("ERR EXEC without MULTI"), h.run("EXEC"), "the transaction is over");
        assertTrue(h.effects().isEmpty());
    }

    @Test
    void shutdownIsRefusedInsideMultiToo() {
        EngineHarness h = new EngineHarness();
        h.run("MULTI");
        assertEquals(err("ERR Command not allowed inside a transaction"), h.run("SHUTDOWN"));
        assertFalse(h.closed());
        assertEquals("OK", h.run("DISCARD"));
    }

    @Test
    void nestedMultiAndWatchInsideMultiAreErrorsThatDoNotAbort() {
        EngineHarness h = new EngineHarness();
        h.run("MULTI");
        assertEquals(err("ERR MULTI calls can not be nested"), h.run("MULTI"));
        assertEquals(err("ERR WATCH inside MULTI is not allowed"), h.run("WATCH", "a"));
        h.run("SET", "a", "1");
        assertEquals(list("OK"), h.run("EXEC"));
    }

    @Test
    void execAndDiscardWithoutMulti() {
        EngineHarness h = new EngineHarness();
        assertEquals(err("ERR EXEC without MULTI"), h.run("EXEC"));
        assertEquals(err("ERR DISCARD without MULTI"), h.run("DISCARD"));
    }

    @Test
    void anExecRefusedByAGateDiscardsTheTransactionAndSaysWhy() {
        EngineHarness h = new EngineHarness();
        assertEquals(err("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"),
                h.run("EXEC", "x"), "even outside MULTI");
        h.run("MULTI");
        h.run("SET", "a", "1");
        assertEquals(err("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"),
                h.run("EXEC", "x"));
        assertEquals(err("ERR EXEC without MULTI"), h.run("EXEC"));
        assertEquals(0L, h.run("EXISTS", "a"));
    }

    @Test
    void anExecRefusedForWantOfAuthenticationNamesTheCode() {
        ServerConfig config = new ServerConfig();
        config.set("requirepass", "pw", true);
        EngineHarness h = new EngineHarness(2, config);
        assertEquals(err("EXECABORT Transaction discarded because of: NOAUTH Authentication required."), h.run("EXEC"));
        assertEquals(err("NOAUTH Authentication required."), h.run("MULTI"));
    }

    @Test
    void discardDropsTheQueueAndWrongArityOfTheTransactionCommandsAborts() {
        EngineHarness h = new EngineHarness();
        h.run("MULTI");
        h.run("SET", "a", "1");
        assertEquals("OK", h.run("DISCARD"));
        assertEquals(0L, h.run("EXISTS", "a"));
        h.run("MULTI");
        assertEquals(err("ERR wrong number of arguments for 'discard' command"), h.run("DISCARD", "x"));
        assertEquals(err("EXECABORT Transaction discarded because of previous errors."), h.run("EXEC"));
        h.run("MULTI");
        assertEquals(err("ERR wrong number of arguments for 'multi' command"), h.run("MULTI", "x"));
        assertEquals(err("EXECABORT Transaction discarded because of previous errors."), h.run("EXEC"));
    }

    @Test
    void selectInsideATransactionMovesTheCommandsAfterIt() {
        EngineHarness h = new EngineHarness();
        h.run("MULTI");
        h.run("SELECT", "1");
        h.run("SET", "z", "1");
        assertEquals(list("OK", "OK"), h.run("EXEC"));
        assertEquals("1", h.run("GET", "z"), "the session stays in db 1");
        assertEquals(List.of("1:SET z 1"), h.effects());
    }

    @Test
    void quitAndResetAreNotQueued() {
        EngineHarness h = new EngineHarness();
        h.run("WATCH", "w");
        h.run("MULTI");
        h.run("SET", "a", "1");
        assertEquals("RESET", h.run("RESET"));
        assertEquals(err("ERR EXEC without MULTI"), h.run("EXEC"), "RESET ended the transaction");
        assertEquals(0, h.engine.watchedKeys().watching(h.session), "and the watches");
        h.run("MULTI");
        assertEquals("OK", h.run("QUIT"));
        assertTrue(h.closed());
    }

    @Test
    void blockingCommandsInsideExecAnswerAsOnTimeout() {
        EngineHarness h = new EngineHarness();
        h.run("MULTI");
        h.run("BLPOP", "l", "0");
        h.run("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        h.run("BZPOPMIN", "z", "0");
        assertEquals(list(null, null, null), h.run("EXEC"));
        assertFalse(h.session.blocked());
    }

    @Test
    void commandsInsideExecThatNeedNoRecordGoThroughAsUsual() {
        EngineHarness h = new EngineHarness();
        h.run("MULTI");
        h.run("PING");
        h.run("ECHO", "hi");
        h.run("UNWATCH");
        assertEquals(list("PONG", "hi", "OK"), h.run("EXEC"));
    }

    @Test
    void clientListShowsTheTransaction() {
        EngineHarness h = new EngineHarness();
        OtherClient other = new OtherClient(h, "127.0.0.1:40001", 2);
        other.run("MULTI");
        other.run("SET", "a", "1");
        other.run("GET", "a");
        String line = (String) h.run("CLIENT", "LIST", "ID", Long.toString(other.session.id()));
        assertTrue(line.contains(" flags=x db=0 sub=0 psub=0 ssub=0 multi=2 "), line);
        assertTrue(line.contains(" cmd=get "), "a queued command is the last command: " + line);
        other.run("EXEC");
        other.run("MULTI");
        other.run("CLIENT", "INFO");
        assertTrue(((String) ((List<?>) other.run("EXEC")).get(0)).contains(" flags=x db=0 sub=0 psub=0 ssub=0 multi=1 "),
                "while EXEC runs its commands the client is still in MULTI");
        line = (String) h.run("CLIENT", "LIST", "ID", Long.toString(other.session.id()));
        assertTrue(line.contains(" flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 "), line);
    }

    @Test
    void aDisconnectedClientsTransactionAndWatchesGo() {
        EngineHarness h = new EngineHarness();
        OtherClient other = new OtherClient(h, "127.0.0.1:40001", 2);
        other.run("WATCH", "a");
        other.run("MULTI");
        h.engine.disconnect(other.session);
        assertNull(other.session.transaction());
        assertEquals(0, h.engine.watchedKeys().watching(other.session));
        assertEquals("OK", h.run("SET", "a", "1"), "a write to the key once watched finds nobody to tell");
    }
}
