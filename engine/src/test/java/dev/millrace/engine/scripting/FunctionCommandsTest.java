package dev.millrace.engine.scripting;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.persistence.Snapshots;
import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.ReplyCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static dev.millrace.engine.testing.EngineHarness.err;
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
    void librariesSurviveARestartOnTheSameStoreAndTheirEffectsReplay() {
        EngineHarness h = new EngineHarness();
        h.run("FUNCTION", "LOAD", LIB);
        h.run("FUNCTION", "LOAD", "#!lua name=gone\nredis.register_function('gone', function() return 1 end)");
        h.run("FUNCTION", "DELETE", "gone");
        assertEquals(List.of("0:FUNCTION LOAD REPLACE " + LIB,
                "0:FUNCTION LOAD REPLACE #!lua name=gone\nredis.register_function('gone', function() return 1 end)",
                "0:FUNCTION DELETE gone"), h.effects());

        // A new engine over the same key store (a restart): the libraries come back from their page.
        Engine restarted = new Engine(new ServerConfig(), h.store, EffectLog.NONE, Snapshots.none(0), h.time::get);
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
        assertTrue(FunctionLibraries.stored(replayed.store) != null, "the replayed set is stored too");
    }

    private static Object call(Engine engine, String... args) {
        Session session = engine.connect(Connection.NONE);
        ReplyCapture capture = new ReplyCapture(2);
        byte[][] argv = Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.ISO_8859_1)).toArray(byte[][]::new);
        engine.execute(session, argv, capture);
        return capture.last();
    }
}
