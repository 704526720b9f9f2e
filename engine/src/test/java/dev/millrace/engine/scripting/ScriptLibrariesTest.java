package dev.millrace.engine.scripting;

import dev.millrace.engine.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Locale;
import java.util.Random;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Round trips through the cjson, cmsgpack, bit and struct libraries, as seeded property runs.
 * Exact bytes against redis-server 7.0.15 are checked by the scripting.txt compatibility sweep.
 */
class ScriptLibrariesTest {
    private final EngineHarness h = new EngineHarness();

    private Object eval(String script, String... args) {
        String[] argv = new String[args.length + 3];
        argv[0] = "EVAL";
        argv[1] = script;
        argv[2] = "0";
        System.arraycopy(args, 0, argv, 3, args.length);
        return h.run(argv);
    }

    /** JSON that cjson re-encodes to the same text: integers, strings, arrays, one-key objects, booleans. */
    private static String randomJson(Random random, int depth) {
        int kind = depth > 3 ? random.nextInt(3) : random.nextInt(6);
        return switch (kind) {
            case 0 -> Long.toString(random.nextInt(2_000_000) - 1_000_000);
            case 1 -> quoted(random);
            case 2 -> random.nextBoolean() ? "true" : "false";
            case 3, 4 -> {
                int n = 1 + random.nextInt(4);
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < n; i++) {
                    sb.append(i > 0 ? "," : "").append(randomJson(random, depth + 1));
                }
                yield sb.append(']').toString();
            }
            default -> "{" + quoted(random) + ":" + randomJson(random, depth + 1) + "}";
        };
    }

    private static String quoted(Random random) {
        String alphabet = "abcXYZ019 _-\"\\/\n\t";
        StringBuilder sb = new StringBuilder("\"");
        int n = 1 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            char c = alphabet.charAt(random.nextInt(alphabet.length()));
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '/' -> sb.append("\\/");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void cjsonAndCmsgpackRoundTrip(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 25; i++) {
            String json = randomJson(random, 0);
            assertEquals(json, eval("return cjson.encode(cjson.decode(ARGV[1]))", json), "cjson: " + json);
            assertEquals(json, eval("return cjson.encode(cmsgpack.unpack(cmsgpack.pack(cjson.decode(ARGV[1]))))", json),
                    "cmsgpack: " + json);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14})
    void cmsgpackKeepsNumbersAndBinaryStrings(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 50; i++) {
            double n = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(256) - 128;
                case 1 -> random.nextLong() >> random.nextInt(64);
                case 2 -> random.nextFloat();
                default -> random.nextDouble() * 1e12;
            };
            byte[] bytes = new byte[random.nextInt(70000) < 10 ? 70000 : random.nextInt(300)];
            random.nextBytes(bytes);
            String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
            String number = Double.toString(n);
            assertEquals(List.of(1L, 1L), eval("local n, s = cmsgpack.unpack(cmsgpack.pack(tonumber(ARGV[1]), ARGV[2]))"
                    + " return {n == tonumber(ARGV[1]) and 1 or 0, s == ARGV[2] and 1 or 0}", number, s), number);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23})
    void bitMatchesJavaInt(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 50; i++) {
            int a = random.nextInt();
            int b = random.nextInt();
            int n = random.nextInt(40);
            List<Object> expected = List.of((long) (a & b), (long) (a | b), (long) (a ^ b), (long) ~a,
                    (long) (a << (n & 31)), (long) (a >>> (n & 31)), (long) (a >> (n & 31)),
                    (long) Integer.rotateLeft(a, n), (long) Integer.rotateRight(a, n), (long) Integer.reverseBytes(a),
                    String.format("%08x", a), String.format("%04X", a & 0xFFFF));
            assertEquals(expected, eval("local a, b, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])"
                    + " return {bit.band(a, b), bit.bor(a, b), bit.bxor(a, b), bit.bnot(a), bit.lshift(a, n),"
                    + " bit.rshift(a, n), bit.arshift(a, n), bit.rol(a, n), bit.ror(a, n), bit.bswap(a),"
                    + " bit.tohex(a), bit.tohex(a, -4)}", Integer.toString(a), Integer.toString(b), Integer.toString(n)));
            long wide = (long) a + ((long) random.nextInt(1000) << 32);
            assertEquals((long) a, eval("return bit.tobit(tonumber(ARGV[1]))", Long.toString(wide)), "wraps modulo 2^32");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33})
    void structPacksAndUnpacksBack(long seed) {
        Random random = new Random(seed);
        String[] options = {"b", "B", "h", "H", "i", "I", "l", "i3", "I5", "i16", "d", "f", "s", "c4", "x"};
        for (int i = 0; i < 40; i++) {
            StringBuilder format = new StringBuilder(random.nextBoolean() ? "<" : ">");
            if (random.nextBoolean()) {
                format.append("!").append(1 << random.nextInt(4));
            }
            StringBuilder values = new StringBuilder();
            int count = 1 + random.nextInt(5);
            for (int k = 0; k < count; k++) {
                String opt = options[random.nextInt(options.length)];
                format.append(opt);
                String value = switch (opt) {
                    case "b" -> Integer.toString(random.nextInt(256) - 128);
                    case "B" -> Integer.toString(random.nextInt(256));
                    case "h" -> Integer.toString(random.nextInt(65536) - 32768);
                    case "H" -> Integer.toString(random.nextInt(65536));
                    case "i", "l", "i16" -> Integer.toString(random.nextInt());
                    case "i3" -> Integer.toString(random.nextInt(1 << 23) - (1 << 22));
                    case "I", "I5" -> Long.toString(random.nextInt() & 0xFFFFFFFFL);
                    case "d" -> Double.toString(random.nextDouble() * 1e6);
                    case "f" -> "1.5";
                    case "s" -> "'zero terminated'";
                    case "c4" -> "'four'";
                    default -> null;
                };
                if (value != null) {
                    values.append(values.length() > 0 ? ", " : "").append(value);
                }
            }
            String script = String.format(Locale.ROOT, "local v = {%s} local p = struct.pack('%s', unpack(v))"
                    + " local u = {struct.unpack('%s', p)} if #u ~= #v + 1 then return 'count ' .. #u end"
                    + " for i = 1, #v do if u[i] ~= v[i] then return 'value ' .. i .. ': ' .. tostring(u[i]) end end"
                    + " if u[#u] ~= #p + 1 then return 'position' end if not string.find('%s', '[sc]') and struct.size('%s') ~= #p"
                    + " then return 'size' end return 'ok'", values, format, format, format, format);
            assertEquals("ok", eval(script), format + " with " + values);
        }
    }

    @Test
    void libraryErrorsCarryTheScriptLine() {
        assertEquals(err("ERR user_script:1: bad argument #1 to 'band' (number expected, got string) script: "
                + Scripting.sha1hex("return bit.band('x')".getBytes()) + ", on @user_script:1."), eval("return bit.band('x')"));
        assertEquals(err("ERR user_script:1: Expected value but found invalid token at character 1 script: "
                + Scripting.sha1hex("return cjson.decode('x')".getBytes()) + ", on @user_script:1."), eval("return cjson.decode('x')"));
        assertEquals(err("ERR user_script:1: Missing bytes in input. script: "
                + Scripting.sha1hex("return cmsgpack.unpack('\\146\\1')".getBytes()) + ", on @user_script:1."),
                eval("return cmsgpack.unpack('\\146\\1')"));
        assertEquals("Expected value but found T_END at character 2", eval("local ok, e = pcall(cjson.decode, '[') return e"),
                "called by pcall, a C function, the error has no script line (as luaL_where)");
    }

    @Test
    void deeplyNestedMessagePackStopsAtLuasStackLimit() throws Exception {
        Object[] reply = new Object[1];
        Thread thread = new Thread(null, () -> reply[0] = eval("return cmsgpack.unpack(string.rep('\\145', 100000) .. '\\1')"),
                "small-stack", 1 << 20);
        thread.start();
        thread.join();
        String error = reply[0].toString();
        assertEquals(true, error.startsWith("-ERR user_script:1: stack overflow (in function mp_decode_to_lua_array) script: "), error);
    }

    @Test
    void cjsonNestingLimitsHoldOnTheServersStack() throws Exception {
        Object[] replies = new Object[3];
        Thread thread = new Thread(null, () -> {
            replies[0] = eval("return #cjson.encode(cjson.decode(string.rep('[', 1000) .. string.rep(']', 1000)))");
            replies[1] = eval("return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))");
            replies[2] = eval("local t = {} local top = t for i = 1, 1000 do t[1] = {} t = t[1] end return cjson.encode(top)");
        }, "small-stack", 1 << 20);
        thread.start();
        thread.join();
        assertEquals(2000L, replies[0]);
        assertEquals(true, replies[1].toString().startsWith("-ERR user_script:1: Found too many nested data structures (1001) at character 1001"),
                replies[1].toString());
        assertEquals(true, replies[2].toString().startsWith("-ERR user_script:1: Cannot serialise, excessive nesting (1001)"),
                replies[2].toString());
    }
}
