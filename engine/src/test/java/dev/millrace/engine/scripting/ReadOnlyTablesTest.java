package dev.millrace.engine.scripting;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The read-only globals and library tables (environment.lua's views): scripts and functions read them
 * as Redis 7.0.15's read-only tables read, and every way of writing them is refused. Orders and exact
 * bytes against redis-server are pinned by the scripting.txt and functions.txt compatibility sweeps.
 */
class ReadOnlyTablesTest {
    private final EngineHarness h = new EngineHarness();

    private Object eval(String script) {
        return h.run("EVAL", script, "0");
    }

    private static final String KEYS_OF = "local function keys(t) local r = {} for k in pairs(t) do r[#r + 1] = k end return r end ";

    @Test
    void pairsAndNextListWhatRedisListsInItsOrder() {
        assertEquals(List.of("string", "xpcall", "__redis__err__handler", "tostring", "_VERSION", "unpack",
                "setmetatable", "next", "assert", "tonumber", "rawequal", "collectgarbage", "struct", "getmetatable",
                "ARGV", "_G", "cjson", "math", "pcall", "KEYS", "redis", "type", "bit", "cmsgpack", "select", "rawset",
                "gcinfo", "rawget", "loadstring", "table", "coroutine", "pairs", "ipairs", "error", "load"),
                eval(KEYS_OF + "return keys(_G)"));
        assertEquals(List.of("log", "LOG_WARNING", "error_reply", "REPL_AOF", "call", "REPL_ALL", "REDIS_VERSION_NUM",
                "REPL_SLAVE", "pcall", "LOG_NOTICE", "set_repl", "debug", "LOG_DEBUG", "sha1hex", "REDIS_VERSION",
                "status_reply", "acl_check_cmd", "REPL_REPLICA", "breakpoint", "setresp", "replicate_commands",
                "LOG_VERBOSE", "REPL_NONE"), eval(KEYS_OF + "return keys(redis)"));
        assertEquals(List.of(15L, 9L, 31L, 6L, 13L, 8L, 12L, 3L), eval(KEYS_OF
                + "local r = {} for _, t in ipairs({string, table, math, coroutine, cjson, cmsgpack, bit, struct}) do"
                + " r[#r + 1] = #keys(t) end return r"));
        assertEquals(List.of("log", "LOG_WARNING", 3L), eval("local k = next(redis) return {k, next(redis, k)}"));
        assertEquals(23L, eval("local n = 0 table.foreach(redis, function() n = n + 1 end) return n"));
        assertEquals(List.of(1L, 1L, "function"), eval("local f, s, i = pairs(redis) return {s == redis and 1, i == nil and 1, type(f)}"),
                "the state is the table itself, never what holds its contents");
    }

    @Test
    void rawReadsAndMetatablesAreRedis() {
        assertEquals(List.of(3L, "table", "function", 1L),
                eval("return {rawget(redis, 'REPL_ALL'), type(rawget(_G, 'redis')), type(rawget(string, 'format')),"
                        + " rawget(redis, 'nope') == nil and 1}"));
        assertEquals(Arrays.asList("nil", "nil", "table", "function", 1L, "nil"),
                eval("return {tostring(getmetatable(redis)), tostring(getmetatable(string)), type(getmetatable(_G)),"
                        + " type(getmetatable(_G).__index), getmetatable('').__index == string and 1,"
                        + " tostring(getmetatable(getmetatable(_G)))}"));
        assertEquals(List.of("__index", "__index"),
                eval(KEYS_OF + "return {keys(getmetatable(_G))[1], keys(getmetatable(''))[1]}"));
        assertEquals(List.of(0L, 0L, 0L, "", 0L), eval("local n = 0 for _ in ipairs(_G) do n = n + 1 end"
                + " return {#redis, select('#', unpack(redis)), n, table.concat(_G), table.maxn(_G)}"));
        assertEquals(err("ERR user_script:1: Script attempted to access nonexistent global variable 'foo' script: "
                + Scripting.sha1hex("local x = getmetatable(_G).__index(_G, 'foo')".getBytes()) + ", on @user_script:1."),
                eval("local x = getmetatable(_G).__index(_G, 'foo')"));
    }

    @Test
    void everyWriteIsRefused() {
        for (String write : List.of("redis.call = nil", "redis.x = 1", "_G.x = 1", "string.format = nil",
                "getmetatable(_G).__index = nil", "getmetatable('').__index = nil", "getmetatable('').x = 1")) {
            Object reply = eval(write);
            assertEquals(err("ERR user_script:1: Attempt to modify a readonly table script: "
                    + Scripting.sha1hex(write.getBytes()) + ", on @user_script:1."), reply, write);
        }
        for (String write : List.of("rawset(redis, 'call', 1)", "rawset(getmetatable(''), 'x', 1)",
                "setmetatable(getmetatable(_G), {})", "setmetatable(_G, nil)", "table.insert(redis, 'x')",
                "table.insert(_G, 1, 'x')")) {
            Object reply = eval(write);
            assertEquals(err("ERR Attempt to modify a readonly table script: "
                    + Scripting.sha1hex(write.getBytes()) + ", on @user_script:1."), reply, write);
        }
        assertEquals("X", eval("return ('x'):upper()"), "the strings' metatable is intact");
        assertEquals(List.of(0L, 0L), eval("return {#redis, #_G}"), "nothing was written into a view");
    }

    @Test
    void theWrappedBuiltInsCheckTheirArgumentsAsTheCFunctionsDo() {
        assertEquals(err("ERR user_script:1: bad argument #2 to 'rawset' (value expected) script: "
                + Scripting.sha1hex("rawset(redis)".getBytes()) + ", on @user_script:1."), eval("rawset(redis)"));
        assertEquals(err("ERR user_script:1: bad argument #1 to 'next' (table expected, got no value) script: "
                + Scripting.sha1hex("next()".getBytes()) + ", on @user_script:1."), eval("next()"));
        assertEquals(err("ERR user_script:1: wrong number of arguments to 'insert' script: "
                + Scripting.sha1hex("table.insert({}, 1, 2, 3)".getBytes()) + ", on @user_script:1."),
                eval("table.insert({}, 1, 2, 3)"));
        assertEquals(Arrays.asList(null, "bad argument #1 to '?' (table expected, got nil)"),
                eval("return {pcall(rawset, nil, 'x', 1)}"), "called from C: no name, no line");
        assertEquals(err("ERR user_script:1: cannot change a protected metatable script: "
                + Scripting.sha1hex("setmetatable(setmetatable({}, {__metatable = 1}), {})".getBytes()) + ", on @user_script:1."),
                eval("setmetatable(setmetatable({}, {__metatable = 1}), {})"));
        assertEquals(Arrays.asList(null, "attempt to call a boolean value"), eval("return {pcall()}"));
        assertEquals(List.of(1L, 2L, 3L), eval("local t = {} table.insert(t, 1) table.insert(t, 3) table.insert(t, 2, 2)"
                + " rawset(t, 'k', 1) return t"), "ordinary tables are written as ever");
    }

    @Test
    void cjsonAndCmsgpackEncodeWhatAViewHolds() {
        assertEquals(Arrays.asList(null, "Cannot serialise function: type not supported"),
                eval("return {pcall(cjson.encode, {x = string})}"));
        assertEquals("\u0083\u00a4pack\u00c0\u00a4size\u00c0\u00a6unpack\u00c0", eval("return cmsgpack.pack(struct)"));
        assertEquals(List.of("cmsgpack", "Copyright (C) 2012, Salvatore Sanfilippo"),
                eval("return {cmsgpack._NAME, cmsgpack._COPYRIGHT}"));
    }

    @Test
    void functionsHaveTheirOwnGlobalsAsInRedis() {
        h.run("FUNCTION", "LOAD", "#!lua name=ro\nlocal r = redis\n" + KEYS_OF
                + "redis.register_function('g', function() return keys(_G) end)\n"
                + "redis.register_function('r', function() return {#keys(redis), #keys(r), type(getmetatable(r))} end)\n"
                + "redis.register_function('w', function() r.log = 1 end)\n"
                + "redis.register_function('l', function() return type(loadstring('return redis.breakpoint')()) end)\n");
        assertEquals(List.of("string", "xpcall", "tostring", "_VERSION", "unpack", "setmetatable", "next", "assert",
                "tonumber", "rawequal", "collectgarbage", "struct", "getmetatable", "_G", "cjson", "math", "pcall",
                "redis", "type", "bit", "cmsgpack", "select", "rawset", "gcinfo", "rawget", "loadstring", "table",
                "coroutine", "pairs", "ipairs", "error", "load"), h.run("FCALL", "g", "0"));
        assertEquals(List.of(20L, 8L, "table"), h.run("FCALL", "r", "0"), "no debugging functions; the load-time API");
        assertEquals(err("ERR user_function:5: Attempt to modify a readonly table script: w, on @user_function:5."),
                h.run("FCALL", "w", "0"));
        assertEquals("nil", h.run("FCALL", "l", "0"), "a loaded chunk gets the functions' globals");
        assertEquals(err("ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table"),
                h.run("FUNCTION", "LOAD", "#!lua name=w2\nredis.log = nil"));
    }

    @Test
    void aclCheckCmdAllowsEveryKnownCommand() {
        assertEquals(List.of(1L, 1L), eval("return {redis.acl_check_cmd('get', 'x'), redis.acl_check_cmd('config', 'get')}"));
        assertEquals(err("ERR Invalid command passed to redis.acl_check_cmd() script: "
                + Scripting.sha1hex("return redis.acl_check_cmd('client', 'nosuch')".getBytes()) + ", on @user_script:1."),
                eval("return redis.acl_check_cmd('client', 'nosuch')"));
        assertEquals(err("ERR Please specify at least one argument for this redis lib call script: "
                + Scripting.sha1hex("return redis.acl_check_cmd()".getBytes()) + ", on @user_script:1."),
                eval("return redis.acl_check_cmd()"));
    }
}
