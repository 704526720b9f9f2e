package dev.millrace.engine.scripting;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EVAL and friends: conversions both ways in RESP2 and RESP3, errors, effects, the script cache. */
class EvalCommandsTest {

    private static Object eval(EngineHarness h, String script, String... keysAndArgs) {
        String[] argv = new String[keysAndArgs.length + 2];
        argv[0] = "EVAL";
        argv[1] = script;
        System.arraycopy(keysAndArgs, 0, argv, 2, keysAndArgs.length);
        return h.run(argv);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void luaValuesBecomeRepliesAsRedisConvertsThem(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        assertEquals(1L, eval(h, "return 1", "0"));
        assertEquals(-3L, eval(h, "return -3.99", "0"), "numbers are truncated toward zero");
        assertEquals("hello", eval(h, "return 'hello'", "0"));
        assertEquals(1L, eval(h, "return true", "0"));
        assertNull(eval(h, "return false", "0"));
        assertNull(eval(h, "return nil", "0"));
        assertEquals(List.of(1L, 2L, 3L), eval(h, "return {1,2,3.7,nil,4}", "0"), "arrays stop at the first nil");
        assertEquals(Arrays.asList(1L, null, "x"), eval(h, "return {true,false,'x'}", "0"));
        assertEquals(List.of(), eval(h, "return {a=1}", "0"));
        assertEquals("FINE", eval(h, "return {ok='FINE'}", "0"));
        assertEquals("A  B", eval(h, "return {ok='A\\r\\nB'}", "0"));
        assertEquals(err("MY bad"), eval(h, "return {err='MY bad'}", "0"));
        assertEquals(err("ERR bar"), eval(h, "return redis.error_reply('bar')", "0"));
        assertEquals("FINE", eval(h, "return redis.status_reply('FINE')", "0"));
        assertEquals(Long.MIN_VALUE, eval(h, "return 2^63", "0"), "C's out-of-range conversion");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void resp3ScriptsReturnResp3Types(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        // The capture keeps RESP3 types whatever the protocol: the transport downgrades them for RESP2.
        assertEquals(3.5, eval(h, "redis.setresp(3) return {double=3.5}", "0"));
        assertEquals(Boolean.FALSE, eval(h, "redis.setresp(3) return false", "0"));
        assertEquals(Boolean.TRUE, eval(h, "redis.setresp(3) return true", "0"));
        assertEquals(Map.of("a", 1L), EngineHarness.asMap(eval(h, "return {map={a=1}}", "0")));
        assertEquals(new LinkedHashSet<>(List.of("b")), eval(h, "return {set={b=true}}", "0"));
        assertEquals("123", String.valueOf(eval(h, "return {big_number='123'}", "0")));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void repliesBecomeLuaValuesPerTheScriptsProtocol(int protocol) {
        EngineHarness h = new EngineHarness(protocol);
        h.run("HSET", "h", "f", "v");
        h.run("SADD", "s", "m");
        h.run("ZADD", "z", "1.5", "a");
        assertEquals("boolean", eval(h, "return type(redis.call('get', 'missing'))", "0"), "RESP2 null is false");
        assertEquals("nil", eval(h, "redis.setresp(3) return type(redis.call('get', 'missing'))", "0"), "RESP3 null is nil");
        assertEquals("PONG", eval(h, "local t = redis.call('ping') return t.ok", "0"));
        assertEquals(List.of("f", "v"), eval(h, "return redis.call('hgetall', 'h')", "0"));
        assertEquals("v", eval(h, "redis.setresp(3) return redis.call('hgetall', 'h').map.f", "0"));
        assertEquals("true", eval(h, "redis.setresp(3) return tostring(redis.call('smembers', 's').set.m)", "0"));
        assertEquals("1.5", eval(h, "return redis.call('zscore', 'z', 'a')", "0"), "a RESP2 double is a string");
        assertEquals(3L, eval(h, "redis.setresp(3) return redis.call('zscore', 'z', 'a').double * 2", "0"));
        assertEquals(1L, eval(h, "return redis.call('exists', 'h')", "0"));
        assertEquals("WRONGTYPE Operation against a key holding the wrong kind of value",
                eval(h, "return redis.pcall('incr', 'h').err", "0"));
    }

    @Test
    void redisCallRaisesAndPcallReturnsErrors() {
        EngineHarness h = new EngineHarness();
        h.run("SET", "s", "abc");
        assertEquals(err("ERR value is not an integer or out of range script: 2bab3b661081db58bd2341920e0ba7cf5dc77b25, on @user_script:1."),
                eval(h, "return redis.call('incr', KEYS[1])", "1", "s"));
        assertEquals(err("ERR value is not an integer or out of range"), eval(h, "return redis.pcall('incr', KEYS[1])", "1", "s"));
        assertEquals(err("ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1."),
                eval(h, "return redis.call('nosuch')", "0"));
        assertEquals(err("ERR Unknown Redis command called from script"), eval(h, "return redis.pcall('nosuch')", "0"));
        assertEquals(err("ERR Please specify at least one argument for this redis lib call script: 0a907e1429221a4d85516cab7fd219a82a9439d8, on @user_script:1."),
                eval(h, "return redis.call()", "0"));
        assertEquals(err("ERR Lua redis lib command arguments must be strings or integers script: 4368e88f98d93af9caf358186e5fbf273374ee91, on @user_script:1."),
                eval(h, "return redis.call('get', {})", "0"));
        assertEquals(err("ERR Wrong number of args calling Redis command from script script: 023c7f5874ffd190cefdb2cdda582e692d724869, on @user_script:1."),
                eval(h, "return redis.call('set', KEYS[1])", "1", "a"));
        assertEquals(err("ERR This Redis command is not allowed from script script: da2e3861a2b413fdb2f1d6c71aa3a61c2098f008, on @user_script:1."),
                eval(h, "return redis.call('client','list')", "0"));
        assertEquals("0.10000000000000001", eval(h, "return redis.call('echo', 0.1)", "0"), "numbers as %.17g");
    }

    @Test
    void scriptErrorsNameTheScriptAndLine() {
        EngineHarness h = new EngineHarness();
        assertEquals(err("ERR user_script:1: Script attempted to access nonexistent global variable 'a' script: bbfcd1ececc90deec823f7fb730e4bfb2a4ba625, on @user_script:1."),
                eval(h, "return a", "0"));
        assertEquals(err("ERR user_script:1: Attempt to modify a readonly table script: 86eda770a6060824b090dd4df091e3bd4121279c, on @user_script:1."),
                eval(h, "a=1", "0"));
        assertEquals(err("ERR user_script:1: x script: 9851144f39f03a0d597a980c5aa79c80cb696891, on @user_script:1."),
                eval(h, "error('x')", "0"));
        assertEquals(err("MY x script: 892d3143709ed90870061a291d50ce1f009cd7bf, on @user_script:1."),
                eval(h, "error({err='MY x'})", "0"));
        assertEquals(err("ERR Error compiling script (new function): user_script:1: '<eof>' expected near 'error'"),
                eval(h, "return syntax error", "0"));
        assertEquals(err("ERR user_script:2: x script: a01739e7bdb1f5fe6043ca4b4f50c662b95fc4af, on @user_script:2."),
                eval(h, "#!lua flags=no-writes\nerror(\"x\")", "0"), "the shebang line counts");
        for (String removed : List.of("print", "loadfile", "dofile", "debug", "os", "io", "require", "package", "newproxy", "setfenv", "getfenv")) {
            Object reply = eval(h, "return " + removed, "0");
            assertTrue(reply.toString().contains("nonexistent global variable '" + removed + "'"), reply.toString());
        }
    }

    @Test
    void numkeysIsChecked() {
        EngineHarness h = new EngineHarness();
        assertEquals(err("ERR Number of keys can't be negative"), eval(h, "return 1", "-1"));
        assertEquals(err("ERR Number of keys can't be greater than number of args"), eval(h, "return 1", "2", "a"));
        assertEquals(err("ERR value is not an integer or out of range"), eval(h, "return 1", "x"));
        assertEquals(List.of("k1", "k2", "a1", 2L, 1L), eval(h, "return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}", "2", "k1", "k2", "a1"));
    }

    @Test
    void aScriptIsLoggedAsTheEffectsOfItsCommandsInItsBatch() {
        EngineHarness h = new EngineHarness();
        eval(h, "redis.call('set', KEYS[1], 'v') redis.call('expire', KEYS[1], 100) redis.call('get', KEYS[1])"
                + " redis.call('select', 2) redis.call('incr', 'n') return 1", "1", "k");
        assertEquals(List.of("0:SET k v", "0:PEXPIREAT k " + (h.time.get() + 100_000), "2:incr n"), h.effects());
        assertEquals(1, h.logged.size(), "one AOF record");
        assertEquals(0L, h.run("EXISTS", "n"), "SELECT inside the script stays inside");
    }

    @Test
    void readOnlyScriptsMayNotWrite() {
        EngineHarness h = new EngineHarness();
        h.run("SET", "s", "v");
        assertEquals("v", h.run("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "s"));
        String del = "return redis.call('del', KEYS[1])";
        assertEquals(err("ERR Write commands are not allowed from read-only scripts. script: "
                        + Scripting.sha1hex(del.getBytes()) + ", on @user_script:1."),
                h.run("EVAL_RO", del, "1", "s"));
        assertEquals(err("ERR Write commands are not allowed from read-only scripts. script: fd62e2d5b0fa7f778ebeeae125841af41328b852, on @user_script:2."),
                eval(h, "#!lua flags=no-writes\nreturn redis.call(\"set\",\"a\",\"b\")", "0"));
        assertEquals(List.of("0:SET s v"), h.effects(), "only the setup wrote");
    }

    @Test
    void theScriptCacheHoldsEvaluatedAndLoadedScripts() {
        EngineHarness h = new EngineHarness();
        String sha = (String) h.run("SCRIPT", "LOAD", "return 'cached'");
        assertEquals(Scripting.sha1hex("return 'cached'".getBytes()), sha);
        assertEquals("cached", h.run("EVALSHA", sha.toUpperCase(), "0"));
        assertEquals("cached", h.run("EVALSHA_RO", sha, "0"));
        eval(h, "return 2", "0");
        assertEquals(List.of(1L, 1L, 0L), h.run("SCRIPT", "EXISTS", sha, Scripting.sha1hex("return 2".getBytes()), "nope"));
        assertEquals(err("NOSCRIPT No matching script. Please use EVAL."), h.run("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"));
        assertEquals(err("ERR SCRIPT FLUSH only support SYNC|ASYNC option"), h.run("SCRIPT", "FLUSH", "x"));
        assertEquals("OK", h.run("SCRIPT", "FLUSH", "ASYNC"));
        assertEquals(List.of(0L), h.run("SCRIPT", "EXISTS", sha));
        assertEquals(err("NOTBUSY No scripts in execution right now."), h.run("SCRIPT", "KILL"));
        assertEquals(err("ERR Error compiling script (new function): user_script:1: '<eof>' expected near 'error'"),
                h.run("SCRIPT", "LOAD", "return syntax error"));
        assertEquals(err("ERR Unexpected flag in script shebang: bad"), h.run("SCRIPT", "LOAD", "#!lua flags=bad\nreturn 1"));
    }

    @Test
    void binaryStringsCrossTheBoundaryIntact() {
        EngineHarness h = new EngineHarness();
        StringBuilder all = new StringBuilder();
        for (int c = 0; c < 256; c++) {
            all.append((char) c);
        }
        String bytes = all.toString();
        assertEquals("OK", eval(h, "return redis.call('set', KEYS[1], ARGV[1])", "1", "bin", bytes));
        assertEquals(bytes, h.run("GET", "bin"));
        assertEquals(bytes, eval(h, "return redis.call('get', KEYS[1])", "1", "bin"));
        assertEquals(256L, eval(h, "return #ARGV[1]", "0", bytes));
        assertEquals(bytes + bytes, eval(h, "return ARGV[1] .. redis.call('get', 'bin')", "0", bytes));
        assertEquals(Scripting.sha1hex(new byte[0]), eval(h, "return redis.sha1hex({})", "0"), "not a string: hashed as empty");
    }

    @Test
    void mathRandomFollowsRedisSequence() {
        EngineHarness h = new EngineHarness();
        // The first draws of a fresh redis-server 7.0.15.
        assertEquals("0.39646477363839", eval(h, "return tostring(math.random())", "0"));
        assertEquals("0.84048536971234", eval(h, "return tostring(math.random())", "0"));
        assertEquals("0.041630344484761", eval(h, "math.randomseed(1) return tostring(math.random())", "0"));
        assertEquals("0.4544924448498", eval(h, "return tostring(math.random())", "0"));
    }

    @Test
    void aTableHoldingItselfIsCutAtLuasStackLimitAsRedisDoes() throws Exception {
        EngineHarness h = new EngineHarness();
        Object[] reply = new Object[1];
        // The execution thread's stack in the server: a Netty thread with the JVM's default 1 MB.
        Thread thread = new Thread(null, () -> reply[0] = eval(h, "local t = {} t[1] = t return t", "0"), "small-stack", 1 << 20);
        thread.start();
        thread.join();
        int depth = 0;
        Object level = reply[0];
        while (level instanceof List<?> list) {
            assertEquals(1, list.size());
            level = list.get(0);
            depth++;
        }
        assertEquals(err("ERR reached lua stack limit"), level);
        assertEquals(7995, depth, "redis-server 7.0.15 nests 7995 arrays before the error");
    }
}
