package dev.millrace.engine.commands;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigCommandsTest {

    private static Map<Object, Object> map(Object... kv) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String failed(String name, String reason) {
        return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void getBySeveralNamesAndPatterns(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        // ReplyCapture keeps maps as maps in both protocols; the encoder flattens them for RESP2.
        assertEquals(map("hz", "10", "maxclients", "10000"), h.run("CONFIG", "GET", "hz", "maxclients"));
        assertEquals(map("HZ", "10"), h.run("CONFIG", "GET", "HZ"), "an exact name is echoed as typed");
        assertEquals(map("Hz", "10"), h.run("CONFIG", "GET", "Hz", "h?"), "a parameter is reported once");
        assertEquals(map("appendonly", "yes", "appendfsync", "everysec", "appendfilename", "appendonly.aof"),
                h.run("CONFIG", "GET", "APPEND*"));
        assertEquals(map(), h.run("CONFIG", "GET", "nosuch"));
        assertEquals(err("ERR wrong number of arguments for 'config|get' command"), h.run("CONFIG", "GET"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void setRoundTripsInCanonicalForm(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        assertEquals("OK", h.run("CONFIG", "SET", "maxmemory", "1gb", "appendfsync", "ALWAYS", "protected-mode", "NO"));
        assertEquals(map("maxmemory", "1073741824"), h.run("CONFIG", "GET", "maxmemory"));
        assertEquals(map("appendfsync", "always"), h.run("CONFIG", "GET", "appendfsync"));
        assertEquals(map("protected-mode", "no"), h.run("CONFIG", "GET", "protected-mode"));
        assertEquals("OK", h.run("CONFIG", "SET", "save", ""));
        assertEquals(map("save", ""), h.run("CONFIG", "GET", "save"));
        assertTrue(h.config.saveRules().isEmpty());
        assertEquals("OK", h.run("CONFIG", "SET", "hz", "0"));
        assertEquals(map("hz", "1"), h.run("CONFIG", "GET", "hz"), "hz is held within 1..500");
        assertEquals("OK", h.run("CONFIG", "SET", "hz", "1000"));
        assertEquals(map("hz", "500"), h.run("CONFIG", "GET", "hz"));
    }

    @Test
    void setIsAllOrNothing() {
        EngineHarness h = new EngineHarness();
        assertEquals(err(failed("maxclients", "argument couldn't be parsed into an integer")),
                h.run("CONFIG", "SET", "hz", "20", "maxclients", "x"));
        assertEquals(map("hz", "10"), h.run("CONFIG", "GET", "hz"), "the valid pair was not applied");
    }

    @Test
    void setErrorsUseRedisWording() {
        EngineHarness h = new EngineHarness();
        assertEquals(err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
                h.run("CONFIG", "SET", "nosuch", "1"));
        assertEquals(err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
                h.run("CONFIG", "SET", "hz", "x", "nosuch", "1"), "names are checked before values");
        assertEquals(err("ERR Unknown option or number of arguments for CONFIG SET - 'a'"),
                h.run("CONFIG", "SET", "a\0b", "1"), "a name ends at a NUL byte, as C prints it");
        assertEquals(err(failed("HZ", "duplicate parameter")), h.run("CONFIG", "SET", "hz", "10", "HZ", "11"),
                "name errors quote the argument as typed");
        assertEquals(err(failed("databases", "can't set immutable config")), h.run("CONFIG", "SET", "databases", "4"));
        assertEquals(err(failed("hz", "argument couldn't be parsed into an integer")), h.run("CONFIG", "SET", "hz", "abc"));
        assertEquals(err(failed("timeout", "argument couldn't be parsed into an integer")), h.run("CONFIG", "SET", "timeout", "+5"));
        assertEquals(err(failed("timeout", "argument must be between 0 and 2147483647 inclusive")),
                h.run("CONFIG", "SET", "timeout", "-1"));
        assertEquals(err(failed("maxclients", "argument must be between 1 and 4294967295 inclusive")),
                h.run("CONFIG", "SET", "maxclients", "0"));
        assertEquals(err(failed("appendfsync", "argument(s) must be one of the following: everysec, always, no")),
                h.run("CONFIG", "SET", "appendfsync", "foo"));
        assertEquals(err(failed("loglevel", "argument(s) must be one of the following: debug, verbose, notice, warning")),
                h.run("CONFIG", "SET", "loglevel", "foo"));
        assertEquals(err(failed("maxmemory", "argument must be a memory value")), h.run("CONFIG", "SET", "maxmemory", "-1"));
        assertEquals(err(failed("maxmemory", "argument must be a memory value")), h.run("CONFIG", "SET", "maxmemory", "abc"));
        assertEquals(err(failed("protected-mode", "argument must be 'yes' or 'no'")),
                h.run("CONFIG", "SET", "protected-mode", "maybe"));
        assertEquals(err(failed("save", "Invalid save parameters")), h.run("CONFIG", "SET", "save", "1 2 3"));
        assertEquals(err("ERR syntax error"), h.run("CONFIG", "SET", "hz", "10", "a"));
        assertEquals(err("ERR wrong number of arguments for 'config|set' command"), h.run("CONFIG", "SET", "a"));
    }

    @Test
    void memoryValuesParseAsRedisMemtoull() {
        EngineHarness h = new EngineHarness();
        assertEquals("OK", h.run("CONFIG", "SET", "maxmemory", ""), "no digits read as 0");
        assertEquals(map("maxmemory", "0"), h.run("CONFIG", "GET", "maxmemory"));
        assertEquals("OK", h.run("CONFIG", "SET", "maxmemory", "1Kb"));
        assertEquals(map("maxmemory", "1024"), h.run("CONFIG", "GET", "maxmemory"));
        assertEquals("OK", h.run("CONFIG", "SET", "maxmemory", "18446744073709551615"), "maxmemory is unsigned 64-bit");
        assertEquals(map("maxmemory", "18446744073709551615"), h.run("CONFIG", "GET", "maxmemory"));
        assertEquals(Long.MAX_VALUE, h.config.getLong("maxmemory"), "read back within a long");
        assertEquals("OK", h.run("CONFIG", "SET", "maxmemory", "99999999999999999999kb"), "saturates, then wraps");
        assertEquals(map("maxmemory", "18446744073709550592"), h.run("CONFIG", "GET", "maxmemory"));
        assertEquals(err(failed("maxmemory", "argument must be a memory value")),
                h.run("CONFIG", "SET", "maxmemory", "0".repeat(128) + "1"), "more than 127 digits");
        assertEquals(err(failed("maxmemory", "argument must be a memory value")), h.run("CONFIG", "SET", "maxmemory", "1.5mb"));
        assertEquals(err(failed("proto-max-bulk-len", "argument must be between 1048576 and 9223372036854775807 inclusive")),
                h.run("CONFIG", "SET", "proto-max-bulk-len", "18446744073709551615"), "a signed parameter sees -1");
        assertEquals(err(failed("client-query-buffer-limit", "argument must be between 1048576 and 9223372036854775807 inclusive")),
                h.run("CONFIG", "SET", "client-query-buffer-limit", "9223372036854775808"));
        assertEquals("OK", h.run("CONFIG", "SET", "maxmemory", "0"));
    }

    @Test
    void requirepassSetAtRuntimeAppliesToNewConnections() {
        EngineHarness h = new EngineHarness();
        assertEquals("OK", h.run("CONFIG", "SET", "requirepass", "s3cret"));
        assertEquals("PONG", h.run("PING"), "the current connection stays authenticated");
        OtherClient other = new OtherClient(h, "127.0.0.1:1", 2);
        assertEquals(err("NOAUTH Authentication required."), other.run("PING"));
        assertEquals("OK", other.run("AUTH", "s3cret"));
    }

    @Test
    void resetstatZeroesInfoCounters() {
        EngineHarness h = new EngineHarness();
        h.run("PING");
        h.run("NOSUCH");
        assertTrue(h.engine.stats().commandsProcessed > 0);
        assertEquals("OK", h.run("CONFIG", "RESETSTAT"));
        assertEquals(0L, h.engine.stats().commandsProcessed);
        assertEquals(0L, h.engine.stats().errorReplies);
        assertEquals(err("ERR wrong number of arguments for 'config|resetstat' command"), h.run("CONFIG", "RESETSTAT", "x"));
    }

    @Test
    void help() {
        EngineHarness h = new EngineHarness();
        assertEquals(List.of("CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                "RESETSTAT", "    Reset statistics reported by the INFO command.",
                "HELP", "    Prints this help."), h.run("CONFIG", "HELP"));
    }
}
