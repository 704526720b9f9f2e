package dev.millrace.engine.commands;

import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.millrace.engine.commands.KeyFixtures.put;
import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** OBJECT ENCODING, IDLETIME, FREQ, REFCOUNT, HELP; expected values taken from Redis 7.0.15 after SET. */
class ObjectCommandsTest {
    private final EngineHarness h = new EngineHarness();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "1, int",
            "-9223372036854775808, int",
            "9223372036854775807, int",
            "12345678901234567890, embstr",
            "01, embstr",
            "-0, embstr",
            "v, embstr",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, embstr",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, raw"})
    void stringEncodingAsSetLeavesIt(String value, String encoding) {
        put(h, "k", value);
        assertEquals(encoding, h.run("OBJECT", "ENCODING", "k"));
    }

    @Test
    void aStringModifiedInPlaceIsRaw() {
        put(h, 0, "k", "1", true, -1);
        assertEquals("raw", h.run("OBJECT", "ENCODING", "k"));
        assertEquals(1L, h.run("OBJECT", "REFCOUNT", "k"));
    }

    @Test
    void incrbyfloatLeavesTextThatIsNeverAnInteger() {
        assertEquals("3", h.run("INCRBYFLOAT", "k", "3"));
        assertEquals("embstr", h.run("OBJECT", "ENCODING", "k"));
        assertEquals(1L, h.run("OBJECT", "REFCOUNT", "k"));
        h.run("EXPIRE", "k", "100");
        h.run("COPY", "k", "k2");
        assertEquals("embstr", h.run("OBJECT", "ENCODING", "k2"), "kept by EXPIRE and COPY");
        assertEquals(4L, h.run("INCR", "k"));
        assertEquals("int", h.run("OBJECT", "ENCODING", "k"), "INCR stores an integer again");
        h.run("INCRBYFLOAT", "long", "1e40");
        assertEquals("embstr", h.run("OBJECT", "ENCODING", "long"));
        h.run("INCRBYFLOAT", "huge", "1e50");
        assertEquals("raw", h.run("OBJECT", "ENCODING", "huge"), "over 44 bytes");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"0, 2147483647", "9999, 2147483647", "10000, 1", "-1, 1", "abc, 1", "01, 1"})
    void sharedIntegersReportIntMaxReferences(String value, long refcount) {
        put(h, "k", value);
        assertEquals(refcount, h.run("OBJECT", "REFCOUNT", "k"));
    }

    @Test
    void idleTimeCountsWholeSecondsSinceTheLastAccess() {
        put(h, "k", "v");
        h.advance(2_999);
        assertEquals(2L, h.run("OBJECT", "IDLETIME", "k"));
        h.advance(1);
        assertEquals(3L, h.run("OBJECT", "IDLETIME", "k"));
        h.run("EXPIRE", "k", "100");
        assertEquals(0L, h.run("OBJECT", "IDLETIME", "k"), "a write command's lookup is an access");
    }

    @Test
    void freqIsAnErrorWithoutAnLfuPolicy() {
        put(h, "k", "v");
        assertEquals(err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
                + "when switching between policies at runtime LRU and LFU data will take some time to adjust."),
                h.run("OBJECT", "FREQ", "k"));
        assertNull(h.run("OBJECT", "FREQ", "nokey"));
    }

    @Test
    void missingKeysReplyANullBulkString() {
        for (String sub : List.of("ENCODING", "IDLETIME", "FREQ", "REFCOUNT")) {
            assertEquals(List.of("nullBulk"), calls("OBJECT", sub, "nokey"), sub);
        }
        assertEquals(4, h.engine.keyspace().keyspaceMisses());
    }

    @Test
    void helpIsALineOfSimpleStringsEach() {
        @SuppressWarnings("unchecked")
        List<Object> help = (List<Object>) h.run("OBJECT", "HELP");
        assertEquals(15, help.size());
        assertEquals("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", help.get(0));
        assertEquals("    Prints this help.", help.get(14));
        List<String> calls = calls("object", "help");
        assertEquals("array", calls.get(0));
        assertEquals(15, calls.stream().filter(c -> c.equals("simple")).count());
    }

    @Test
    void subcommandAndArityErrorsAsRedis() {
        assertEquals(err("ERR unknown subcommand 'foo'. Try OBJECT HELP."), h.run("OBJECT", "foo"));
        assertEquals(err("ERR wrong number of arguments for 'object|encoding' command"), h.run("OBJECT", "ENCODING"));
        assertEquals(err("ERR wrong number of arguments for 'object|encoding' command"),
                h.run("OBJECT", "encoding", "a", "b"));
    }

    @Test
    void theSameInResp3() {
        EngineHarness h3 = new EngineHarness(3);
        put(h3, "k", "12");
        assertEquals("int", h3.run("OBJECT", "ENCODING", "k"));
        assertNull(h3.run("OBJECT", "ENCODING", "nokey"));
    }

    /** The ReplyWriter methods a command calls, by name: shows which null or aggregate it chose. */
    private List<String> calls(String... args) {
        List<String> names = new ArrayList<>();
        ReplyWriter recorder = (ReplyWriter) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{ReplyWriter.class}, (proxy, method, methodArgs) -> {
                    if (method.getName().equals("protocol")) {
                        return 2;
                    }
                    if (method.getName().equals("mark")) {
                        return -1L; // where the output stands, not a reply: this recorder takes nothing back
                    }
                    names.add(method.getName());
                    return null;
                });
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        h.engine.execute(h.session, argv, recorder);
        return names;
    }
}
