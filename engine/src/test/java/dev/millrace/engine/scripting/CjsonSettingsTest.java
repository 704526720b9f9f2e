package dev.millrace.engine.scripting;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * cjson's option setters and cjson.new, through EVAL and FCALL on a real Lua. Every expected reply
 * was read from redis-server 7.0.15 (lua_cjson.c 2.1.0); scripting.txt's sweep compares the same
 * cases byte for byte when a redis-server is at hand.
 */
class CjsonSettingsTest {
    private final EngineHarness h = new EngineHarness();

    private Object eval(String script) {
        return h.run("EVAL", script, "0");
    }

    /** The error reply of a script that raises {@code message} on its line 1. */
    private static Object raised(String script, String message) {
        return err("ERR user_script:1: " + message + " script: "
                + Scripting.sha1hex(script.getBytes(StandardCharsets.UTF_8)) + ", on @user_script:1.");
    }

    private void assertRaises(String script, String message) {
        assertEquals(raised(script, message), eval(script), script);
    }

    private static List<Object> list(Object... values) {
        return Arrays.asList(values);
    }

    @Test
    void settersReturnTheDefaults() {
        assertEquals(list(null, 2L, 10L), eval("return {cjson.encode_sparse_array()}"), "false is a nil reply");
        assertEquals(list(1000L, 1000L, 14L, "true", "false", "true"), eval("return {cjson.encode_max_depth(),"
                + " cjson.decode_max_depth(), cjson.encode_number_precision(), tostring(cjson.encode_keep_buffer()),"
                + " tostring(cjson.encode_invalid_numbers()), tostring(cjson.decode_invalid_numbers())}"));
        assertEquals(list(1000L, 1000L), eval("return {cjson.encode_max_depth(nil), cjson.decode_max_depth(nil)}"),
                "nil leaves the setting as it is");
    }

    @Test
    void sparseArraysAreRefusedConvertedOrKept() {
        String sparse = " return cjson.encode({[1]=1, [40]=2})";
        assertRaises("return cjson.encode({[1]=1, [40]=2})", "Cannot serialise table: excessively sparse array");
        assertEquals(list("true", 2L, 10L), eval("local c, r, s = cjson.encode_sparse_array(true) return {tostring(c), r, s}"));
        assertEquals("{\"1\":1,\"40\":2}", eval(sparse));
        assertEquals("[1," + "null,".repeat(38) + "2]", eval("cjson.encode_sparse_array('off', 0)" + sparse),
                "ratio 0 never finds an array sparse");
        assertEquals("[1," + "null,".repeat(38) + "2]", eval("cjson.encode_sparse_array(false, 2, 40)" + sparse),
                "an index up to safe is always an array");
        assertRaises("cjson.encode_sparse_array(false, 1, 0) return cjson.encode({[1]=1, [3]=3})",
                "Cannot serialise table: excessively sparse array");
        assertEquals("[1,2,3]", eval("return cjson.encode({1, 2, 3})"), "ratio 1: only holes make it sparse");
        assertEquals("[1,null,3,4]", eval("cjson.encode_sparse_array(true, 2, 0) return cjson.encode({[1]=1, [3]=3, [4]=4})"));
    }

    @Test
    void sparseArraysKeepCsIntArithmetic() {
        assertEquals("{\"10000000000\":2}", eval("cjson.encode_sparse_array(false, 0) return cjson.encode({[1e10]=2})"),
                "an index past INT_MAX is INT_MIN: not an array");
        assertRaises("cjson.encode_sparse_array(false, 2147483647) return cjson.encode({[1]=1, [20]=2})",
                "Cannot serialise table: excessively sparse array");
    }

    @Test
    void maxDepthsLimitNestingWithRedisErrors() {
        assertEquals(list(2L, "[[1]]"), eval("return {cjson.encode_max_depth(2), cjson.encode({{1}})}"));
        assertRaises("return cjson.encode({{{1}}})", "Cannot serialise, excessive nesting (3)");
        assertEquals(list(2L, "[[1]]"), eval("return {cjson.decode_max_depth(2), cjson.encode(cjson.decode('[[1]]'))}"));
        assertRaises("return cjson.decode('[[[1]]]')", "Found too many nested data structures (3) at character 3");
        assertRaises("cjson.decode_max_depth(1) return cjson.decode('  {\"a\": {}}')",
                "Found too many nested data structures (2) at character 9");
    }

    @Test
    void raisedDepthsStopWhereLuasStackStopsRedis() throws Exception {
        Object[] replies = new Object[4];
        String arrays = "local t = {} local top = t for i = 1, 10000 do t[1] = {} t = t[1] end";
        String objects = "local t = {} local top = t for i = 1, 10000 do t.a = {} t = t.a end";
        Thread thread = new Thread(null, () -> {
            eval("cjson.encode_max_depth(100000) cjson.decode_max_depth(100000)");
            replies[0] = eval(arrays + " local ok, e = pcall(cjson.encode, top) return e");
            replies[1] = eval(objects + " local ok, e = pcall(cjson.encode, top) return e");
            replies[2] = eval("local ok, e = pcall(cjson.decode, string.rep('[', 10000) .. string.rep(']', 10000)) return e");
            replies[3] = eval("local ok, e = pcall(cjson.decode, string.rep('{\"a\":', 10000) .. '1' .. string.rep('}', 10000))"
                    + " return e");
        }, "small-stack", 1 << 20);
        thread.start();
        thread.join();
        assertEquals(list("Cannot serialise, excessive nesting (7998)", "Cannot serialise, excessive nesting (4000)",
                "Found too many nested data structures (7999) at character 7999",
                "Found too many nested data structures (4000) at character 19996"), Arrays.asList(replies));
    }

    @Test
    void precisionIsPrintfsSignificantDigits() {
        String numbers = "{1/3, 123456789, 0.1, 2/3, 1e20, -1.5e-7, 100, 123.456, 9.5, 0.5, 2^53}";
        assertEquals(list("[0.3,1e+08,0.1,0.7,1e+20,-1e-07,1e+02,1e+02,1e+01,0.5,9e+15]",
                "[0.333,1.23e+08,0.1,0.667,1e+20,-1.5e-07,100,123,9.5,0.5,9.01e+15]",
                "[0.33333333333333,123456789,0.1,0.66666666666667,1e+20,-1.5e-07,100,123.456,9.5,0.5,9.007199254741e+15]"),
                eval("local r = {} for _, p in ipairs({1, 3, 14}) do cjson.encode_number_precision(p)"
                        + " r[#r + 1] = cjson.encode(" + numbers + ") end return r"));
        assertEquals(1L, eval("return cjson.encode_number_precision(1.9)"), "truncated as C does");
    }

    @Test
    void invalidNumbersAreRefusedWrittenOrNull() {
        assertRaises("return cjson.encode(1/0)", "Cannot serialise number: must not be NaN or Inf");
        assertEquals(list("true", "[nan,inf,-inf,nan,1.5]", "{\"inf\":1}", "{\"-inf\":1}"),
                eval("return {tostring(cjson.encode_invalid_numbers(true)), cjson.encode({0/0, 1/0, -1/0, -(0/0), 1.5}),"
                        + " cjson.encode({[1/0]=1}), cjson.encode({[-1/0]=1})}"));
        assertEquals(list("null", "[null,null,null,1.5]", "{\"null\":1}", "null"),
                eval("return {tostring(cjson.encode_invalid_numbers('null')), cjson.encode({0/0, 1/0, -1/0, 1.5}),"
                        + " cjson.encode({[1/0]=1}), cjson.encode(0/0)}"));
        assertEquals(list("true", "false", "null"), eval("return {tostring(cjson.encode_invalid_numbers('on')),"
                + " tostring(cjson.encode_invalid_numbers('off')), tostring(cjson.encode_invalid_numbers('null'))}"));
        assertEquals("[inf,-inf,nan]", eval("cjson.encode_number_precision(3) cjson.encode_invalid_numbers(true)"
                + " return cjson.encode({1/0, -1/0, 0/0})"));
    }

    @Test
    void decodingInvalidNumbersCanBeRefused() {
        assertEquals(list("true", "16"), eval("return {tostring(cjson.decode_invalid_numbers()), tostring(cjson.decode('0x10'))}"));
        assertEquals("false", eval("return tostring(cjson.decode_invalid_numbers(false))"));
        String[][] refused = {
            {"0x10", "invalid number at character 1"}, {"01", "invalid number at character 1"},
            {"-Infinity", "invalid number at character 1"}, {"-nan", "invalid number at character 1"},
            {"-", "invalid number at character 1"}, {"+1", "invalid token at character 1"},
            {"Infinity", "invalid token at character 1"}, {"NaN", "invalid token at character 1"},
            {"[1,NaN]", "invalid token at character 4"}, {"[+1]", "invalid token at character 2"},
        };
        for (String[] c : refused) {
            assertEquals("Expected value but found " + c[1],
                    eval("local ok, e = pcall(cjson.decode, '" + c[0] + "') return e"), c[0]);
        }
        assertEquals(list("1.5", "-0"), eval("return {tostring(cjson.decode('1.5')), tostring(cjson.decode('-0'))}"),
                "JSON's own numbers still decode");
        assertEquals(list("true", "16"), eval("return {tostring(cjson.decode_invalid_numbers('on')), tostring(cjson.decode('0x10'))}"));
    }

    @Test
    void keepBufferIsAcceptedAndReported() {
        assertEquals(list("true", "false", "false", "[1,2]", "true", "false"),
                eval("return {tostring(cjson.encode_keep_buffer()), tostring(cjson.encode_keep_buffer(false)),"
                        + " tostring(cjson.encode_keep_buffer()), cjson.encode({1,2}), tostring(cjson.encode_keep_buffer('on')),"
                        + " tostring(cjson.encode_keep_buffer('off'))}"));
    }

    @Test
    void badArgumentsRaiseLuaCjsonsErrors() {
        String[][] cases = {
            {"cjson.encode_max_depth(0)", "bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647)"},
            {"cjson.encode_max_depth(2147483648)", "bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647)"},
            {"cjson.encode_max_depth(1/0)", "bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647)"},
            {"cjson.encode_max_depth(1, 2)", "bad argument #2 to 'encode_max_depth' (found too many arguments)"},
            {"cjson.encode_max_depth('x')", "bad argument #1 to 'encode_max_depth' (number expected, got string)"},
            {"cjson.encode_max_depth(true)", "bad argument #1 to 'encode_max_depth' (number expected, got boolean)"},
            {"cjson.decode_max_depth({})", "bad argument #1 to 'decode_max_depth' (number expected, got table)"},
            {"cjson.encode_number_precision(15)", "bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)"},
            {"cjson.encode_number_precision(nil, 1)", "bad argument #2 to 'encode_number_precision' (found too many arguments)"},
            {"cjson.encode_sparse_array(1)", "bad argument #1 to 'encode_sparse_array' (invalid option '1')"},
            {"cjson.encode_sparse_array({})", "bad argument #1 to 'encode_sparse_array' (string expected, got table)"},
            {"cjson.encode_sparse_array(true, -1)", "bad argument #1 to 'encode_sparse_array' (expected integer between 0 and 2147483647)"},
            {"cjson.encode_sparse_array(true, 1, 'x')", "bad argument #3 to 'encode_sparse_array' (number expected, got string)"},
            {"cjson.encode_sparse_array(true, 1, 2, 3)", "bad argument #4 to 'encode_sparse_array' (found too many arguments)"},
            {"cjson.encode_keep_buffer('maybe')", "bad argument #1 to 'encode_keep_buffer' (invalid option 'maybe')"},
            {"cjson.encode_invalid_numbers('NULL')", "bad argument #1 to 'encode_invalid_numbers' (invalid option 'NULL')"},
            {"cjson.encode_invalid_numbers(2)", "bad argument #1 to 'encode_invalid_numbers' (invalid option '2')"},
            {"cjson.decode_invalid_numbers('null')", "bad argument #1 to 'decode_invalid_numbers' (invalid option 'null')"},
        };
        for (String[] c : cases) {
            assertRaises("return " + c[0], c[1]);
        }
        assertEquals(list(12L, 16L, 100L, 5L, 5L), eval("return {cjson.encode_max_depth(' 12 '), cjson.encode_max_depth('0x10'),"
                + " cjson.encode_max_depth('1e2'), cjson.encode_max_depth(5.7), cjson.encode_max_depth(4294967301)}"),
                "numeric strings count; C truncates to lua_Integer, then to int");
        assertEquals(list("true", 0L, 0L), eval("local c, r, s = cjson.encode_sparse_array(nil, 1e300, -1e300)"
                + " return {tostring(c), r, s}"), "out of lua_Integer's range is 0 after C's conversion");
    }

    @Test
    void aFailingSetterKeepsTheSettingsBeforeTheBadArgument() {
        eval("cjson.encode_sparse_array(true, 5, -1)");
        assertEquals(list("true", 5L, 10L), eval("local c, r, s = cjson.encode_sparse_array() return {tostring(c), r, s}"));
    }

    @Test
    void newMakesAModuleWithItsOwnSettings() {
        assertEquals(list(3L, 5L, 1000L, "true", "cjson", "2.1.0", "{\"1\":1,\"40\":2}"),
                eval("cjson.encode_max_depth(3) local j = cjson.new() j.encode_max_depth(5) j.encode_sparse_array(true)"
                        + " return {cjson.encode_max_depth(), j.encode_max_depth(), j.new().encode_max_depth(),"
                        + " tostring(j.null == cjson.null), j._NAME, j._VERSION, j.encode({[1]=1, [40]=2})}"));
        assertEquals(list(1L, 13L), eval("local j = cjson.new(1, 2) j.x = 1 local n = 0 for _ in pairs(j) do n = n + 1 end"
                + " return {j.x, n - 1}"), "extra arguments are ignored; the table is the script's own");
    }

    @Test
    void evalSettingsLastUntilScriptFlush() {
        assertEquals(7L, eval("return cjson.encode_max_depth(7)"));
        assertEquals(7L, eval("return cjson.encode_max_depth()"), "the setting outlives the script");
        assertEquals("OK", h.run("FUNCTION", "FLUSH"));
        assertEquals(7L, eval("return cjson.encode_max_depth()"), "FUNCTION FLUSH leaves EVAL's Lua state alone");
        assertEquals("OK", h.run("SCRIPT", "FLUSH"));
        assertEquals(list(null, 1000L), eval("return {cjson.encode_sparse_array(), cjson.encode_max_depth()}"),
                "SCRIPT FLUSH recreates EVAL's Lua state");
    }

    @Test
    void functionsHaveTheirOwnSettingsThatNoFlushResets() {
        String library = "#!lua name=lib1\n"
                + "redis.register_function('getd', function() return cjson.encode_max_depth() end)\n"
                + "redis.register_function('setd', function(k, a) return cjson.encode_max_depth(tonumber(a[1])) end)";
        assertEquals(9L, eval("return cjson.encode_max_depth(9)"));
        assertEquals("lib1", h.run("FUNCTION", "LOAD", library));
        assertEquals(1000L, h.run("FCALL", "getd", "0"), "functions run in another Lua state");
        assertEquals(33L, h.run("FCALL", "setd", "0", "33"));
        assertEquals(9L, eval("return cjson.encode_max_depth()"));
        assertEquals("OK", h.run("SCRIPT", "FLUSH"));
        assertEquals("OK", h.run("FUNCTION", "FLUSH"));
        assertEquals("lib1", h.run("FUNCTION", "LOAD", library));
        assertEquals(33L, h.run("FCALL", "getd", "0"), "neither flush recreates the functions' Lua state");
    }
}
