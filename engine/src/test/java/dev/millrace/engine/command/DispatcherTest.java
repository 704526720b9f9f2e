package dev.millrace.engine.command;

import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.ReplyCapture;
import org.junit.jupiter.api.Test;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DispatcherTest {
    private final EngineHarness h = new EngineHarness();

    @Test
    void unknownCommandQuotesItsFirstArguments() {
        assertEquals(err("ERR unknown command 'foo', with args beginning with: 'a' 'b' "), h.run("foo", "a", "b"));
        assertEquals(err("ERR unknown command 'foo', with args beginning with: "), h.run("foo"));
    }

    @Test
    void unknownCommandArgumentsStopAfter128Characters() {
        String longArg = "x".repeat(200);
        Object reply = h.run("nope", longArg, "second");
        assertEquals(err("ERR unknown command 'nope', with args beginning with: '" + "x".repeat(128) + "' "), reply);
    }

    @Test
    void unknownCommandNamesAndArgumentsEndAtANulByteAsInC() {
        assertEquals(err("ERR unknown command 'fo', with args beginning with: 'a' 'c' "), h.run("fo\0o", "a\0b", "c"));
        assertEquals(err("ERR unknown subcommand 'a'. Try CONFIG HELP."), h.run("CONFIG", "a\0b"));
    }

    @Test
    void wrongArityNamesTheCommandInLowerCase() {
        assertEquals(err("ERR wrong number of arguments for 'get' command"), h.run("GET"));
        assertEquals(err("ERR wrong number of arguments for 'client|setname' command"), h.run("CLIENT", "SETNAME"));
        assertEquals(err("ERR wrong number of arguments for 'client' command"), h.run("client"));
    }

    @Test
    void unknownSubcommandPointsAtHelp() {
        assertEquals(err("ERR unknown subcommand 'nope'. Try CLIENT HELP."), h.run("client", "nope"));
    }

    /**
     * A truncated record (as a damaged disk could leave) makes the command fail inside the server: the
     * client gets an error, its transaction ends, and it goes on; the commands before it keep their effects.
     */
    @Test
    void aCommandThatFailsInsideTheServerRepliesWithAnErrorAndTheClientGoesOn() {
        h.store().put(0, "corrupt".getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[]{1});
        Object reply = h.run("GET", "corrupt");
        assertEquals(ReplyCapture.Err.class, reply.getClass(), String.valueOf(reply));
        assertTrue(((ReplyCapture.Err) reply).message().startsWith("ERR internal error in 'get' command ("), reply.toString());
        assertEquals("PONG", h.run("PING"));

        assertEquals("OK", h.run("MULTI"));
        assertEquals("QUEUED", h.run("SET", "before", "1"));
        assertEquals("QUEUED", h.run("GET", "corrupt"));
        // The capture cannot take a partial reply back, so EXEC answers for the failed command here
        // (through the server's writer it is that command's element: TransactionIT).
        reply = h.run("EXEC");
        assertTrue(reply.toString().contains("internal error in 'exec' command"), reply.toString());
        assertEquals("OK", h.run("SET", "after", "2"), "the transaction is over");
        assertEquals("1", h.run("GET", "before"));
    }
}
