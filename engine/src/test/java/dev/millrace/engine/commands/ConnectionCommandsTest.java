package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionCommandsTest {

    private static EngineHarness withPassword(int protocol) {
        ServerConfig config = new ServerConfig();
        config.set("requirepass", "secret", true);
        return new EngineHarness(protocol, config);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void pingAndEcho(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        assertEquals("PONG", h.run("PING"));
        assertEquals("hello", h.run("PING", "hello"));
        assertEquals(err("ERR wrong number of arguments for 'ping' command"), h.run("PING", "a", "b"));
        assertEquals("hi there", h.run("ECHO", "hi there"));
        assertEquals(err("ERR wrong number of arguments for 'echo' command"), h.run("ECHO"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void selectChangesTheSessionDatabaseWithinRange(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        assertEquals("OK", h.run("SELECT", "15"));
        assertEquals(15, h.session.db());
        assertEquals(err("ERR DB index is out of range"), h.run("SELECT", "16"));
        assertEquals(err("ERR DB index is out of range"), h.run("SELECT", "-1"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("SELECT", "abc"));
        assertEquals(err("ERR value is out of range, value must between -2147483648 and 2147483647"), h.run("SELECT", "4294967296"), "an integer outside int");
        assertEquals(err("ERR value is out of range, value must between -2147483648 and 2147483647"), h.run("SELECT", "-2147483649"));
        assertEquals(err("ERR value is not an integer or out of range"), h.run("SELECT", "99999999999999999999"));
        assertEquals(15, h.session.db());
        assertTrue(h.effects().isEmpty(), "SELECT is not logged");
    }

    @Test
    void authWithoutAPasswordConfigured() {
        EngineHarness h = new EngineHarness();
        assertEquals(err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"),
                h.run("AUTH", "x"));
        assertEquals("OK", h.run("AUTH", "default", "anything"));
        assertEquals(err("WRONGPASS invalid username-password pair or user is disabled."), h.run("AUTH", "someone", "x"));
        assertEquals(err("ERR syntax error"), h.run("AUTH", "a", "b", "c"));
    }

    @Test
    void requirepassGatesEverythingButNoAuthCommands() {
        EngineHarness h = withPassword(2);
        assertFalse(h.session.authenticated());
        assertEquals(err("NOAUTH Authentication required."), h.run("PING"));
        assertEquals(err("NOAUTH Authentication required."), h.run("CLIENT", "ID"));
        assertEquals(err("WRONGPASS invalid username-password pair or user is disabled."), h.run("AUTH", "wrong"));
        assertEquals(err("WRONGPASS invalid username-password pair or user is disabled."), h.run("AUTH", "nobody", "secret"));
        assertEquals(err("ERR Protocol version is not an integer or out of range"), h.run("HELLO", "x"));
        String helloNoAuth = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";
        assertEquals(err(helloNoAuth), h.run("HELLO"));
        assertEquals(err(helloNoAuth), h.run("HELLO", "3"));
        assertEquals(2, h.session.protocol(), "a refused HELLO changes nothing");
        assertEquals("OK", h.run("AUTH", "secret"));
        assertEquals("PONG", h.run("PING"));
        assertEquals("RESET", h.run("RESET"));
        assertEquals(err("NOAUTH Authentication required."), h.run("PING"));
        assertEquals("OK", h.run("AUTH", "default", "secret"));
        assertEquals(err("WRONGPASS invalid username-password pair or user is disabled."), h.run("AUTH", "wrong"));
        assertTrue(h.session.authenticated(), "a failed AUTH keeps an earlier success");
        assertEquals("OK", h.run("QUIT"));
    }

    @Test
    void helloAuthenticatesNamesAndSwitchesProtocolBeforeReplying() {
        EngineHarness h = withPassword(2);
        assertEquals(err("WRONGPASS invalid username-password pair or user is disabled."),
                h.run("HELLO", "3", "AUTH", "default", "wrong"));
        Object reply = h.run("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "conn1");
        Map<Object, Object> expected = new LinkedHashMap<>();
        expected.put("server", "redis");
        expected.put("version", "7.0.15");
        expected.put("proto", 3L);
        expected.put("id", h.session.id());
        expected.put("mode", "standalone");
        expected.put("role", "master");
        expected.put("modules", List.of());
        assertEquals(expected, reply);
        assertEquals(3, h.session.protocol());
        assertEquals("conn1", h.session.name());
        assertTrue(h.session.authenticated());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void helloErrors(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        assertEquals(err("NOPROTO unsupported protocol version"), h.run("HELLO", "4"));
        assertEquals(err("NOPROTO unsupported protocol version"), h.run("HELLO", "1"));
        assertEquals(err("ERR Syntax error in HELLO option 'FOO'"), h.run("HELLO", "2", "FOO"));
        assertEquals(err("ERR Syntax error in HELLO option 'AUTH'"), h.run("HELLO", "2", "AUTH", "default"));
        assertEquals(err("ERR Client names cannot contain spaces, newlines or special characters."),
                h.run("HELLO", "2", "SETNAME", "a b"));
        assertEquals(protocol, h.session.protocol());
        Object reply = h.run("HELLO");
        assertEquals((long) protocol, ((Map<?, ?>) reply).get("proto"), "HELLO alone keeps the protocol");
        assertEquals(2L, ((Map<?, ?>) h.run("HELLO", "2")).get("proto"));
        assertEquals(2, h.session.protocol());
    }

    @Test
    void quitRepliesThenCloses() {
        EngineHarness h = new EngineHarness();
        assertEquals("OK", h.run("QUIT"));
        assertTrue(h.closed());
        assertTrue(h.session.closing());
    }

    @Test
    void resetRestoresTheInitialConnectionState() {
        EngineHarness h = new EngineHarness(3);
        h.run("SELECT", "4");
        h.run("CLIENT", "SETNAME", "named");
        h.run("CLIENT", "NO-EVICT", "ON");
        h.run("CLIENT", "NO-TOUCH", "ON");
        assertEquals("RESET", h.run("RESET"));
        assertEquals(0, h.session.db());
        assertEquals(2, h.session.protocol());
        assertEquals("", h.session.name());
        assertFalse(h.session.noEvict());
        assertFalse(h.session.noTouch());
        assertTrue(h.session.authenticated(), "no requirepass: still authenticated");
    }
}
