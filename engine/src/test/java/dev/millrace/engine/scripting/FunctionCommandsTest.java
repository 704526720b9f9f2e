package dev.millrace.engine.scripting;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.persistence.Snapshots;
import dev.millrace.engine.rdb.Rdb;
import dev.millrace.engine.rdb.RedisDumps;
import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.ReplyCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FUNCTION and FCALL: libraries, registration, calls, errors, DUMP/RESTORE and persistence. */
class FunctionCommandsTest {
    private static final String LIB = """
            #!lua name=mylib
            local function hset_now(keys, args)
              return redis.call('HSET', keys[1], args[1], args[2])
            end
            redis.register_function('hset_now', hset_now)
            redis.register_function{function_name='hget_ro', callback=function(keys, args)
              return redis.call('HGET', keys[1], args[1]) end, flags={'no-writes'}, description='reads a field'}
            """;

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void aLibraryIsLoadedListedAndCalled(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        assertEquals("mylib", h.run("FUNCTION", "LOAD", LIB));
        assertEquals(1L, h.run("FCALL", "hset_now", "1", "h", "f", "v"));
        assertEquals("v", h.run("FCALL_RO", "hget_ro", "1", "h", "f"));
        assertEquals("v", h.run("FCALL", "hget_ro", "1", "h", "f"));
        assertEquals(err("ERR Can not execute a script with write flag using *_ro command."),
                h.run("FCALL_RO", "hset_now", "1", "h", "f", "v"));
        List<?> libraries = (List<?>) h.run("FUNCTION", "LIST", "WITHCODE");
        assertEquals(1, libraries.size());
        Map<Object, Object> library = EngineHarness.asMap(libraries.get(0));
        assertEquals("mylib", library.get("library_name"));
        assertEquals("LUA", library.get("engine"));
        assertEquals(LIB, library.get("library_code"));
        List<?> functions = (List<?>) library.get("functions");
        Map<Object, Object> first = EngineHarness.asMap(functions.get(0));
        Map<Object, Object> second = EngineHarness.asMap(functions.get(1));
        assertEquals("hset_now", first.get("name"));
        assertNull(first.get("description"));
        assertEquals("reads a field", second.get("description"));
        Object flags = second.get("flags");
        assertEquals(List.of("no-writes"), flags instanceof LinkedHashSet<?> set ? List.copyOf(set) : flags);
        Map<Object, Object> stats = EngineHarness.asMap(h.run("FUNCTION", "STATS"));
        assertNull(stats.get("running_script"));
        Map<Object, Object> lua = EngineHarness.asMap(EngineHarness.asMap(stats.get("engines")).get("LUA"));
        assertEquals(1L, lua.get("libraries_count"));
        assertEquals(2L, lua.get("functions_count"));
    }

    @Test
    void everyChangeOfTheLibrariesCountsAsAChangeOfTheData() {
        EngineHarness h = new EngineHarness();
        h.engine.keyspace().resetDirty();
        h.run("FUNCTION", "LOAD", LIB);
        h.run("FUNCTION", "DELETE", "mylib");
        h.run("FUNCTION", "LOAD", LIB);
        Object payload = h.run("FUNCTION", "DUMP");
        h.run("FUNCTION", "FLUSH");
        h.run("FUNCTION", "RESTORE", (String) payload);
        assertEquals(5, h.engine.keyspace().dirty(), "LOAD, DELETE, LOAD, FLUSH, RESTORE; DUMP changes nothing");
        h.run("FUNCTION", "DELETE", "nosuch");
        h.run("FUNCTION", "LOAD", LIB);
        assertEquals(5, h.engine.keyspace().dirty(), "refused changes are none");
    }

    @Test
    void loadAndCallErrorsAreRedisErrors() {
        EngineHarness h = new EngineHarness();
        assertEquals(err("ERR Missing library metadata"), h.run("FUNCTION", "LOAD", "return 1"));
        assertEquals(err("ERR Library name was not given"), h.run("FUNCTION", "LOAD", "#!lua\nreturn 1"));
        assertEquals(err("ERR Engine 'py' not found"), h.run("FUNCTION", "LOAD", "#!py name=x\nreturn 1"));
        assertEquals(err("ERR No functions registered"), h.run("FUNCTION", "LOAD", "#!lua name=x\nreturn 1"));
        assertEquals(err("ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'error'"),
                h.run("FUNCTION", "LOAD", "#!lua name=x\nerror('boom')"));
        assertEquals(err("ERR Error compiling function: user_function:2: unexpected symbol near '<eof>'"),
                h.run("FUNCTION", "LOAD", "#!lua name=y\nreturn 1 +"));
        assertEquals("mylib", h.run("FUNCTION", "LOAD", LIB));
        assertEquals(err("ERR Library 'mylib' already exists"), h.run("FUNCTION", "LOAD", LIB));
        assertEquals(err("ERR Function hset_now already exists"),
                h.run("FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('hset_now', function() end)"));
        assertEquals(err("ERR Function not found"), h.run("FCALL", "nosuch", "0"));
        assertEquals(err("ERR Bad number of keys provided"), h.run("FCALL", "hset_now", "x"));
        assertEquals(err("ERR user_function:2: boom script: boom, on @user_function:2."),
                load(h, "#!lua name=boomlib\nredis.register_function('boom', function() error('boom') end)", "boom"));
        assertEquals(err("ERR Library not found"), h.run("FUNCTION", "DELETE", "nope"));
        assertEquals(err("ERR DUMP payload version or checksum are wrong"), h.run("FUNCTION", "RESTORE", "bad"));
    }

    private static Object load(EngineHarness h, String code, String function) {
        h.run("FUNCTION", "LOAD", code);
        return h.run("FCALL", function, "0");
    }

    @Test
    void functionsDoNotSeeTheKeysAndArgvOfScripts() {
        EngineHarness h = new EngineHarness();
        h.run("EVAL", "return 1", "1", "some-key", "some-arg");
        h.run("FUNCTION", "LOAD", "#!lua name=kk\nredis.register_function('kk', function() return KEYS end)");
        assertEquals(err("ERR user_function:2: Script attempted to access nonexistent global variable 'KEYS' script: kk, on @user_function:2."),
                h.run("FCALL", "kk", "0"));
    }

    @Test
    void replaceSwapsTheLibrarysFunctions() {
        EngineHarness h = new EngineHarness();
        h.run("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('a', function() return 'a' end)");
        assertEquals("lib", h.run("FUNCTION", "LOAD", "REPLACE", "#!lua name=lib\nredis.register_function('b', function() return 'b' end)"));
        assertEquals(err("ERR Function not found"), h.run("FCALL", "a", "0"));
        assertEquals("b", h.run("FCALL", "b", "0"));
        assertEquals("OK", h.run("FUNCTION", "DELETE", "lib"));
        assertEquals(List.of(), h.run("FUNCTION", "LIST"));
    }

    @Test
    void dumpAndRestoreFollowTheirPolicy() {
        EngineHarness h = new EngineHarness();
        h.run("FUNCTION", "LOAD", LIB);
        byte[] payload = ((String) h.run("FUNCTION", "DUMP")).getBytes(StandardCharsets.ISO_8859_1);
        byte[] restoreCommand = "RESTORE".getBytes();
        assertEquals(err("ERR Library mylib already exists"), h.run("FUNCTION".getBytes(), restoreCommand, payload));
        assertEquals("OK", h.run("FUNCTION".getBytes(), restoreCommand, payload, "REPLACE".getBytes()));
        assertEquals("OK", h.run("FUNCTION", "FLUSH"));
        assertEquals(err("ERR Function not found"), h.run("FCALL", "hset_now", "0"));
        h.run("FUNCTION", "LOAD", "#!lua name=extra\nredis.register_function('extra', function() return 1 end)");
        assertEquals("OK", h.run("FUNCTION".getBytes(), restoreCommand, payload, "FLUSH".getBytes()));
        assertEquals(err("ERR Function not found"), h.run("FCALL", "extra", "0"), "FLUSH dropped the other libraries");
        assertEquals(1L, h.run("FCALL", "hset_now", "1", "h", "f", "v"));
        payload[payload.length - 1] ^= 1;
        assertEquals(err("ERR DUMP payload version or checksum are wrong"), h.run("FUNCTION".getBytes(), restoreCommand, payload));
        assertEquals(err("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."),
                h.run("FUNCTION", "RESTORE", "x", "bad"));
    }

    @Test
    void dumpIsRedisPayloadByteForByte() {
        EngineHarness h = new EngineHarness();
        h.run(bytes("FUNCTION"), bytes("LOAD"), RedisDumps.MYLIB_CODE);
        assertEquals(HexFormat.of().formatHex(RedisDumps.MYLIB), HexFormat.of().formatHex(dump(h)));
        h.run("FUNCTION", "FLUSH");
        h.run(bytes("FUNCTION"), bytes("LOAD"), RedisDumps.PLAIN_CODE);
        assertArrayEquals(RedisDumps.PLAIN, dump(h));
        h.run("FUNCTION", "FLUSH");
        assertArrayEquals(payload(), dump(h), "no library: the trailer alone");

        // 20345 bytes of code: LZF to 2067, lengths past 14 bits. Redis 7.0.15's dump is 2086 bytes, its
        // start and its checksum (the last 8 bytes) as below.
        StringBuilder big = new StringBuilder("#!lua name=big\n");
        for (int i = 0; i < 200; i++) {
            big.append("redis.register_function('fn").append(i).append("', function(keys, args) return redis.call('GET', keys[1]) .. '")
                    .append(i * 7).append("' end)\n");
        }
        h.run("FUNCTION", "LOAD", big.toString());
        String dump = HexFormat.of().formatHex(dump(h));
        assertEquals(2 * 2086, dump.length());
        assertTrue(dump.startsWith("f5c348138000004f79"), dump.substring(0, 20));
        assertTrue(dump.endsWith("0a00d0bb888a63917e53"), "version 10, then the checksum of Redis's dump");
    }

    @Test
    void redisPayloadsRestore() {
        EngineHarness h = new EngineHarness();
        assertEquals("OK", h.run(bytes("FUNCTION"), bytes("RESTORE"), RedisDumps.MYLIB));
        assertEquals("x", h.run("FCALL", "myfunc", "0", "x"));
        assertEquals("OK", h.run(bytes("FUNCTION"), bytes("RESTORE"), RedisDumps.PLAIN, bytes("FLUSH")));
        assertEquals(1L, h.run("FCALL", "f", "0"));
        assertEquals(err("ERR Function not found"), h.run("FCALL", "myfunc", "0", "x"));

        // The 7.0 release candidates' format: Redis 7.0 gives the code a first line of its own.
        byte[] preGa = payload(Rdb.OPCODE_FUNCTION_PRE_GA, string("mylib"), string("LUA"), 1,
                string("a description"), string("redis.register_function('g', function() return 2 end)\0cut"));
        assertEquals("OK", h.run(bytes("FUNCTION"), bytes("RESTORE"), preGa));
        assertEquals(2L, h.run("FCALL", "g", "0"));
        Map<Object, Object> restored = EngineHarness.asMap(((List<?>) h.run("FUNCTION", "LIST", "LIBRARYNAME", "mylib", "WITHCODE")).get(0));
        assertEquals("#!LUA name=mylib\nredis.register_function('g', function() return 2 end)", restored.get("library_code"));
    }

    @Test
    void restoreErrorsAreRedisErrors() {
        // Each reply checked against Redis 7.0.15 with the same payload.
        EngineHarness h = new EngineHarness();
        String a = "#!lua name=a\nredis.register_function('f', function() return 1 end)";
        String b = "#!lua name=b\nredis.register_function('f', function() return 2 end)";
        byte[] badChecksum = RedisDumps.MYLIB.clone();
        badChecksum[badChecksum.length - 1] ^= 1;
        byte[] newerVersion = RedisDumps.MYLIB.clone();
        newerVersion[newerVersion.length - Rdb.TRAILER] = Rdb.VERSION + 1;
        int function2 = Rdb.OPCODE_FUNCTION2;
        int preGa = Rdb.OPCODE_FUNCTION_PRE_GA;
        assertRestoreFails(h, "ERR DUMP payload version or checksum are wrong", badChecksum);
        assertRestoreFails(h, "ERR DUMP payload version or checksum are wrong", newerVersion);
        assertRestoreFails(h, "ERR DUMP payload version or checksum are wrong", new byte[9]);
        assertRestoreFails(h, "ERR given type is not a function", payload(0, string(a)));
        assertRestoreFails(h, "ERR given type is not a function", payload(function2, string(a), 0));
        assertRestoreFails(h, "ERR Failed loading library payload", payload(function2));
        assertRestoreFails(h, "ERR Failed loading library payload", payload(function2, 0xc4));
        assertRestoreFails(h, "ERR Failed loading library name", payload(preGa, 0x85));
        assertRestoreFails(h, "ERR Failed loading library blob", payload(preGa, string("a"), string("LUA"), 0));
        assertRestoreFails(h, "ERR Library 'a' already exists", payload(function2, string(a), function2, string("#!lua name=a\nfoo(")));
        assertRestoreFails(h, "ERR Function f already exists", payload(function2, string(a), function2, string(b)));

        h.run("FUNCTION", "LOAD", a);
        assertEquals(err("ERR Library a already exists"), h.run(bytes("FUNCTION"), bytes("RESTORE"), payload(function2, string(a))));
        assertEquals(err("ERR Function f already exists"),
                h.run(bytes("FUNCTION"), bytes("RESTORE"), payload(function2, string(b)), bytes("REPLACE")));
        assertEquals(1L, h.run("FCALL", "f", "0"), "a failed restore changes nothing");
    }

    private static void assertRestoreFails(EngineHarness h, String error, byte[] payload) {
        assertEquals(err(error), h.run(bytes("FUNCTION"), bytes("RESTORE"), payload, bytes("FLUSH")), HexFormat.of().formatHex(payload));
    }

    @Test
    void aStoredPageInTheFormerFormatStillLoads() {
        // Written as Millrace wrote it before: "MRFN", version 1, the count, each code's length and code, a CRC32.
        byte[] code = LIB.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer page = ByteBuffer.allocate(4 + 1 + 4 + 4 + code.length + 8);
        page.put(bytes("MRFN")).put((byte) 1).putInt(1).putInt(code.length).put(code);
        CRC32 crc = new CRC32();
        crc.update(page.array(), 0, page.position());
        page.putLong(crc.getValue());
        EngineHarness h = new EngineHarness();
        h.store().putPage(FunctionLibraries.STORE_OBJECT_ID, 0, page.array());

        assertEquals(1L, h.run("FCALL", "hset_now", "1", "h", "f", "v"));
        h.run("FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('other', function() return 1 end)");
        byte[] rewritten = FunctionLibraries.stored(h.store());
        assertEquals(Rdb.OPCODE_FUNCTION2, rewritten[0] & 0xff, "a change writes Redis's format");
        Engine restarted = new Engine(new ServerConfig(), h.store(), EffectLog.NONE, Snapshots.none(0), h.time::get);
        assertEquals("v", call(restarted, "FCALL_RO", "hget_ro", "1", "h", "f"));
        assertEquals(1L, call(restarted, "FCALL", "other", "0"));
    }

    /** A DUMP payload of these bytes (an int is one byte), then Redis's trailer. */
    private static byte[] payload(Object... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof Integer oneByte) {
                body.write(oneByte);
            } else {
                body.writeBytes((byte[]) part);
            }
        }
        return Rdb.dumpPayload(body);
    }

    /** An RDB string, uncompressed. */
    private static byte[] string(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Rdb.writeLength(out, s.length());
        out.writeBytes(bytes(s));
        return out.toByteArray();
    }

    private static byte[] dump(EngineHarness h) {
        return ((String) h.run("FUNCTION", "DUMP")).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void librariesSurviveARestartOnTheSameStoreAndTheirEffectsReplay() {
        EngineHarness h = new EngineHarness();
        h.run("FUNCTION", "LOAD", LIB);
        h.run("FUNCTION", "LOAD", "#!lua name=gone\nredis.register_function('gone', function() return 1 end)");
        h.run("FUNCTION", "DELETE", "gone");
        assertEquals(List.of("0:FUNCTION LOAD REPLACE " + LIB,
                "0:FUNCTION LOAD REPLACE #!lua name=gone\nredis.register_function('gone', function() return 1 end)",
                "0:FUNCTION DELETE gone"), h.effects());

        // A new engine over the same key store (a restart): the libraries come back from their page.
        Engine restarted = new Engine(new ServerConfig(), h.store(), EffectLog.NONE, Snapshots.none(0), h.time::get);
        assertEquals("v", call(restarted, "FCALL", "hset_now", "1", "h2", "f", "v") == null ? null
                : call(restarted, "FCALL_RO", "hget_ro", "1", "h2", "f"));
        assertEquals(err("ERR Function not found"), call(restarted, "FCALL", "gone", "0"));

        // An empty store replaying the logged effects (recovery, a snapshot build) reaches the same set.
        EngineHarness replayed = new EngineHarness();
        List<Effect> flat = new ArrayList<>();
        h.logged.forEach(flat::addAll);
        replayed.engine.replay(flat);
        assertEquals(1L, replayed.run("FCALL", "hset_now", "1", "h", "f", "v"));
        assertEquals(err("ERR Function not found"), replayed.run("FCALL", "gone", "0"));
        assertTrue(FunctionLibraries.stored(replayed.store()) != null, "the replayed set is stored too");
    }

    private static Object call(Engine engine, String... args) {
        Session session = engine.connect(Connection.NONE);
        ReplyCapture capture = new ReplyCapture(2);
        byte[][] argv = Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.ISO_8859_1)).toArray(byte[][]::new);
        engine.execute(session, argv, capture);
        return capture.last();
    }
}
