package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientCommandsTest {

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void idAndNames(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        assertEquals(h.session.id(), h.run("CLIENT", "ID"));
        assertNull(h.run("CLIENT", "GETNAME"));
        assertEquals("OK", h.run("CLIENT", "SETNAME", "worker-1"));
        assertEquals("worker-1", h.run("CLIENT", "GETNAME"));
        assertEquals(err("ERR Client names cannot contain spaces, newlines or special characters."),
                h.run("CLIENT", "SETNAME", "two words"));
        assertEquals(err("ERR Client names cannot contain spaces, newlines or special characters."),
                h.run("CLIENT", "SETNAME", "line\nbreak"));
        assertEquals("worker-1", h.run("CLIENT", "GETNAME"));
        assertEquals("OK", h.run("CLIENT", "SETNAME", ""));
        assertNull(h.run("CLIENT", "GETNAME"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void infoDescribesThisConnection(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        h.run("CLIENT", "SETNAME", "me");
        h.run("SELECT", "2");
        h.advance(3_000);
        String info = (String) h.run("CLIENT", "INFO");
        assertTrue(info.endsWith("\n"));
        assertTrue(info.startsWith("id=" + h.session.id() + " addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=-1 name=me age=3 idle=0 flags=N db=2 "), info);
        assertTrue(info.contains(" cmd=client|info user=default redir=-1 resp=" + protocol + " lib-name= lib-ver=\n"), info);
    }

    @Test
    void listShowsEveryClientAndFilters() {
        EngineHarness h = new EngineHarness();
        OtherClient other = new OtherClient(h, "10.0.0.9:4000", 2);
        String all = (String) h.run("CLIENT", "LIST");
        assertEquals(2, all.split("\n").length);
        assertTrue(all.contains("addr=10.0.0.9:4000"));
        assertEquals(all.replace("cmd=client|list", "cmd=client|list"), h.run("CLIENT", "LIST", "TYPE", "normal"));
        assertEquals("", h.run("CLIENT", "LIST", "TYPE", "pubsub"));
        assertEquals("", h.run("CLIENT", "LIST", "TYPE", "replica"));
        String byId = (String) h.run("CLIENT", "LIST", "ID", Long.toString(other.session.id()), "999",
                Long.toString(h.session.id()));
        String[] lines = byId.split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith("id=" + other.session.id() + " "));
        assertTrue(lines[1].startsWith("id=" + h.session.id() + " "));
        assertEquals(err("ERR Unknown client type 'foo'"), h.run("CLIENT", "LIST", "TYPE", "foo"));
        assertEquals(err("ERR Invalid client ID"), h.run("CLIENT", "LIST", "ID", "abc"));
        assertEquals(err("ERR syntax error"), h.run("CLIENT", "LIST", "foo"));
    }

    @Test
    void killByAddressOldForm() {
        EngineHarness h = new EngineHarness();
        OtherClient other = new OtherClient(h, "10.0.0.9:4000", 2);
        assertEquals(err("ERR No such client"), h.run("CLIENT", "KILL", "1.2.3.4:5"));
        assertEquals("OK", h.run("CLIENT", "KILL", "10.0.0.9:4000"));
        assertTrue(other.closed);
        assertNull(h.engine.clients().byId(other.session.id()));
        assertFalse(h.closed());
    }

    @Test
    void killWithFiltersCountsAndSkipsTheCallerByDefault() {
        EngineHarness h = new EngineHarness();
        OtherClient a = new OtherClient(h, "10.0.0.1:1", 2);
        OtherClient b = new OtherClient(h, "10.0.0.2:2", 2);
        assertEquals(0L, h.run("CLIENT", "KILL", "ID", "999"));
        assertEquals(1L, h.run("CLIENT", "KILL", "ID", Long.toString(a.session.id())));
        assertTrue(a.closed);
        assertEquals(0L, h.run("CLIENT", "KILL", "TYPE", "master"));
        assertEquals(1L, h.run("CLIENT", "KILL", "USER", "default"));
        assertTrue(b.closed);
        assertFalse(h.closed());
        assertEquals(1L, h.run("CLIENT", "KILL", "LADDR", "127.0.0.1:6379", "SKIPME", "no"));
        assertTrue(h.closed(), "the caller is closed after its reply");
    }

    @Test
    void killErrors() {
        EngineHarness h = new EngineHarness();
        assertEquals(err("ERR client-id should be greater than 0"), h.run("CLIENT", "KILL", "ID", "abc"));
        assertEquals(err("ERR client-id should be greater than 0"), h.run("CLIENT", "KILL", "ID", "0"));
        assertEquals(err("ERR Unknown client type 'foo'"), h.run("CLIENT", "KILL", "TYPE", "foo"));
        assertEquals(err("ERR No such user 'nobody'"), h.run("CLIENT", "KILL", "USER", "nobody"));
        assertEquals(err("ERR syntax error"), h.run("CLIENT", "KILL", "SKIPME", "maybe"));
        assertEquals(err("ERR syntax error"), h.run("CLIENT", "KILL", "foo", "bar"));
        assertEquals(err("ERR syntax error"), h.run("CLIENT", "KILL", "ADDR", "1.2.3.4:5", "ID"));
        assertEquals(err("ERR wrong number of arguments for 'client|kill' command"), h.run("CLIENT", "KILL"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void setInfoAndModes(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        assertEquals("OK", h.run("CLIENT", "SETINFO", "LIB-NAME", "jedis"));
        assertEquals("OK", h.run("CLIENT", "SETINFO", "lib-ver", "5.1.0"));
        assertTrue(((String) h.run("CLIENT", "INFO")).contains(" lib-name=jedis lib-ver=5.1.0\n"));
        assertEquals(err("ERR Unrecognized option 'lib-x'"), h.run("CLIENT", "SETINFO", "lib-x", "v"));
        assertEquals(err("ERR lib-name cannot contain spaces, newlines or special characters."),
                h.run("CLIENT", "SETINFO", "lib-name", "a b"));
        assertEquals("OK", h.run("CLIENT", "SETINFO", "LIB-NAME", ""));
        assertEquals("", h.session.libName());

        assertEquals("OK", h.run("CLIENT", "NO-EVICT", "on"));
        assertEquals("OK", h.run("CLIENT", "NO-TOUCH", "ON"));
        assertTrue(((String) h.run("CLIENT", "INFO")).contains(" flags=eT "));
        assertEquals("OK", h.run("CLIENT", "NO-EVICT", "OFF"));
        assertEquals("OK", h.run("CLIENT", "NO-TOUCH", "off"));
        assertFalse(h.session.noEvict() || h.session.noTouch());
        assertEquals(err("ERR syntax error"), h.run("CLIENT", "NO-EVICT", "maybe"));
        assertEquals(err("ERR syntax error"), h.run("CLIENT", "NO-TOUCH", "maybe"));
    }

    @Test
    void helpAndUnknownSubcommands() {
        EngineHarness h = new EngineHarness();
        List<?> help = (List<?>) h.run("client", "help");
        assertEquals("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", help.get(0));
        assertTrue(help.contains("REPLY (ON|OFF|SKIP)"));
        assertEquals("    Prints this help.", help.get(help.size() - 1));
        assertEquals(err("ERR unknown subcommand 'nosuch'. Try CLIENT HELP."), h.run("CLIENT", "nosuch"));
        assertEquals(err("ERR wrong number of arguments for 'client' command"), h.run("CLIENT"));
    }
}
