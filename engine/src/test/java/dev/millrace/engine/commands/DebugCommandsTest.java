package dev.millrace.engine.commands;

import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.ReplyCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DebugCommandsTest {
    private static final String ZEROS = "0000000000000000000000000000000000000000";

    private static EngineHarness debugEnabled(int protocol, String setting) {
        ServerConfig config = new ServerConfig();
        config.set("enable-debug-command", setting, true);
        return new EngineHarness(protocol, config);
    }

    @Test
    void disabledByDefaultAndLocalOnlyForLoopback() {
        assertEquals(err(Errors.DEBUG_DISABLED), new EngineHarness().run("DEBUG", "DIGEST"));
        EngineHarness local = debugEnabled(2, "local");
        assertEquals("OK", local.run("DEBUG", "SLEEP", "0"), "the harness connects from 127.0.0.1");
        assertEquals(err(Errors.DEBUG_DISABLED), new OtherClient(local, "10.1.2.3:4444", 2).run("DEBUG", "SLEEP", "0"));
        assertEquals("OK", new OtherClient(local, "[::1]:4444", 2).run("DEBUG", "SLEEP", "0"));
        assertTrue(DebugCommands.isLoopback("::1:4444"));
        assertFalse(DebugCommands.isLoopback("127.0.0.2:1"));
    }

    /** Digests captured from Redis 7.0.15 for the same dataset. */
    @Test
    void digestsAreRedisDigestsForStrings() {
        EngineHarness h = debugEnabled(2, "yes");
        assertEquals(ZEROS, h.run("DEBUG", "DIGEST"));
        TestKeys.putString(h, 0, "a", "1");
        TestKeys.putString(h, 0, "b", "hello");
        TestKeys.putString(h, 0, "c", "123456789012");
        TestKeys.putString(h, 0, "d", "xyz".repeat(20));
        TestKeys.putString(h, 3, "a", "1");
        assertEquals(List.of("b4fc66738120fba0b5aa500ab5c2bf89cea1c5da", "36b23a1456b2dce2c3ed252c456761301dba8060",
                        "116773326adc5913f9494119af445137dfd552e7", "ff6fd5bba7584699841f3416c49a89fd7d4b7434", ZEROS),
                h.run("DEBUG", "DIGEST-VALUE", "a", "b", "c", "d", "nokey"));
        assertEquals("4a7a9defa00ce594ca2d7a8f3b1038c5a0d1582d", h.run("DEBUG", "DIGEST"));
        TestKeys.putString(h, 0, "b", "hello", h.time.get() + 100_000);
        assertEquals("da5f8a996cb650bff77afd52eb9a8855682089e6", h.run("DEBUG", "DIGEST"));
        assertEquals(List.of("d037c4eb8a8b36b602fbced4000daeab0714c1e3"), h.run("DEBUG", "DIGEST-VALUE", "b"));
    }

    @Test
    void protocolAttribSendsTheAttributeInResp3AndTheReplyInBoth() {
        EngineHarness resp3 = debugEnabled(3, "yes");
        assertEquals("Some real reply following the attribute", resp3.run("DEBUG", "PROTOCOL", "attrib"));
        assertEquals(Map.of("key-popularity", List.of("key:123", 90L)), resp3.capture().lastAttribute());
        EngineHarness resp2 = debugEnabled(2, "yes");
        assertEquals("Some real reply following the attribute", resp2.run("DEBUG", "PROTOCOL", "attrib"));
        assertEquals(null, resp2.capture().lastAttribute());
    }

    @Test
    void equalDatasetsHaveEqualDigestsWhateverTheInsertionOrder() {
        EngineHarness one = debugEnabled(2, "yes");
        EngineHarness two = debugEnabled(2, "yes");
        for (int i = 0; i < 200; i++) {
            TestKeys.putString(one, 0, "key:" + i, "v" + i);
            TestKeys.putString(two, 0, "key:" + (199 - i), "v" + (199 - i));
        }
        assertEquals(one.run("DEBUG", "DIGEST"), two.run("DEBUG", "DIGEST"));
        TestKeys.putString(two, 0, "key:7", "changed");
        assertFalse(one.run("DEBUG", "DIGEST").equals(two.run("DEBUG", "DIGEST")));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void protocolSamples(int protocol) {
        EngineHarness h = debugEnabled(protocol, "yes");
        assertEquals("Hello World", h.run("DEBUG", "PROTOCOL", "string"));
        assertEquals(12345L, h.run("DEBUG", "PROTOCOL", "integer"));
        assertEquals(3.141, h.run("DEBUG", "PROTOCOL", "double"));
        assertEquals(new BigInteger("1234567999999999999999999999999999999"), h.run("DEBUG", "PROTOCOL", "bignum"));
        assertEquals(null, h.run("DEBUG", "PROTOCOL", "null"));
        assertEquals(List.of(0L, 1L, 2L), h.run("DEBUG", "PROTOCOL", "array"));
        assertEquals(new LinkedHashSet<>(List.of(0L, 1L, 2L)), h.run("DEBUG", "PROTOCOL", "set"));
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(0L, false);
        map.put(1L, true);
        map.put(2L, false);
        assertEquals(map, h.run("DEBUG", "PROTOCOL", "map"));
        assertEquals(true, h.run("DEBUG", "PROTOCOL", "TRUE"));
        assertEquals(false, h.run("DEBUG", "PROTOCOL", "false"));
        assertEquals("This is a verbatim\nstring", h.run("DEBUG", "PROTOCOL", "verbatim"));
        assertEquals("Some real reply following the attribute", h.run("DEBUG", "PROTOCOL", "attrib"));
        assertEquals(err(Errors.DEBUG_PROTOCOL_TYPE), h.run("DEBUG", "PROTOCOL", "foo"));
    }

    @Test
    void protocolPushNeedsResp3AndIsFollowedByAReply() {
        assertEquals(err("ERR RESP2 is not supported by this command"), debugEnabled(2, "yes").run("DEBUG", "PROTOCOL", "push"));
        EngineHarness h = debugEnabled(3, "yes");
        ReplyCapture capture = new ReplyCapture(3);
        h.engine.execute(h.session, new byte[][]{"DEBUG".getBytes(), "PROTOCOL".getBytes(), "push".getBytes()}, capture);
        assertEquals(List.of(List.of("server-cpu-usage", 42L), "Some real reply following the push reply"), capture.replies());
    }

    @Test
    void objectDescribesAStoredValue() {
        EngineHarness h = debugEnabled(2, "yes");
        TestKeys.putString(h, 0, "n", "12345");
        TestKeys.putString(h, 0, "s", "hello");
        TestKeys.putString(h, 0, "long", "x".repeat(100));
        assertTrue(((String) h.run("DEBUG", "OBJECT", "n")).matches(
                "Value at:0x0 refcount:1 encoding:int serializedlength:3 lru:\\d+ lru_seconds_idle:\\d+"));
        assertTrue(((String) h.run("DEBUG", "OBJECT", "s")).contains(" encoding:embstr serializedlength:6 "));
        // Redis 7.0.15's figures for the same values: strings over 20 bytes are LZF-compressed when that pays.
        assertTrue(((String) h.run("DEBUG", "OBJECT", "long")).contains(" encoding:raw serializedlength:13 "));
        TestKeys.putString(h, 0, "pattern", "abcdefghij".repeat(30));
        assertTrue(((String) h.run("DEBUG", "OBJECT", "pattern")).contains(" serializedlength:25 "));
        TestKeys.putString(h, 0, "random", "k2x9qv0b7mz4r1t8w3yj5nc6ph0ld2fs7ga9ue4o");
        assertTrue(((String) h.run("DEBUG", "OBJECT", "random")).contains(" serializedlength:41 "));
        assertEquals(err("ERR no such key"), h.run("DEBUG", "OBJECT", "nokey"));
    }

    @Test
    void activeExpireSwitchSleepAndReload() {
        EngineHarness h = debugEnabled(2, "yes");
        assertEquals("OK", h.run("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        assertFalse(h.engine.activeExpireEnabled());
        assertEquals("OK", h.run("DEBUG", "SET-ACTIVE-EXPIRE", "1"));
        assertTrue(h.engine.activeExpireEnabled());
        assertEquals("OK", h.run("DEBUG", "SET-ACTIVE-EXPIRE", "x"), "parsed as C's atoi: 0");
        assertFalse(h.engine.activeExpireEnabled());
        assertEquals("OK", h.run("DEBUG", "SLEEP", "0"));
        assertEquals("OK", h.run("DEBUG", "SLEEP", "abc"));
        TestKeys.putString(h, 0, "k", "v");
        assertEquals("OK", h.run("DEBUG", "RELOAD"));
        assertEquals(1L, h.run("DBSIZE"), "the dataset is still there");
        assertEquals("OK", h.run("DEBUG", "RELOAD", "NOSAVE", "MERGE", "NOFLUSH"));
        assertEquals(err("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."), h.run("DEBUG", "RELOAD", "x"));
    }

    @Test
    void unknownSubcommandsAndHelp() {
        EngineHarness h = debugEnabled(2, "yes");
        assertEquals(err("ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP."),
                h.run("DEBUG", "nosuch"));
        assertEquals(err("ERR unknown subcommand or wrong number of arguments for 'digest'. Try DEBUG HELP."),
                h.run("DEBUG", "digest", "x"));
        List<?> help = (List<?>) h.run("DEBUG", "HELP");
        assertEquals("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", help.get(0));
        assertTrue(help.contains("SLEEP <seconds>"));
    }
}
