package dev.millrace.engine.command;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
