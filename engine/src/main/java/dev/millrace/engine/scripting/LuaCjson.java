package dev.millrace.engine.scripting;

import dev.millrace.engine.util.Numbers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Lua CJSON 2.1.0 as Redis ships it: {@code cjson.encode}, {@code cjson.decode}, {@code cjson.null},
 * {@code cjson.new} and the option setters, with the C library's rules and messages. Defaults: numbers
 * as {@code %.14g}, NaN and Inf refused when encoding and taken when decoding (with hex numbers), "/"
 * escaped, arrays detected from positive integer keys (holes become null; excessively sparse arrays,
 * max index over 10 and over twice the element count, refused), empty tables as {}, nesting limited
 * to 1000 each way and by Lua's C stack (8000 slots), and the decoder's error messages.
 *
 * <p>Each module table has its own {@link Config}, which its setters change for every later call:
 * in Redis the settings live in the Lua state, so they outlast the script that made them, and
 * {@code cjson.new()} makes a table with fresh defaults. The setters take what lua_cjson.c takes
 * (nil for "leave as is", booleans or "on"/"off", numbers or numeric strings truncated to C ints) and
 * raise its errors, including its slip of naming argument #1 in every range error.
 */
final class LuaCjson {
    private static final String[] ON_OFF = {"off", "on"};
    private static final String[] OFF_ON_NULL = {"off", "on", "null"};

    /** The settings, with lua_cjson.c's defaults; booleans and choices are indexes into their option words. */
    private enum Option {
        SPARSE_CONVERT(0), SPARSE_RATIO(2), SPARSE_SAFE(10), ENCODE_MAX_DEPTH(1000), DECODE_MAX_DEPTH(1000),
        NUMBER_PRECISION(14),
        /** Only reported: each encoding has a buffer of its own here, which is what "off" means in C. */
        KEEP_BUFFER(1),
        /** 0: refused, 1: written as nan, inf, -inf, 2: written as null. */
        ENCODE_INVALID_NUMBERS(0),
        DECODE_INVALID_NUMBERS(1);

        final int initial;

        Option(int initial) {
            this.initial = initial;
        }
    }

    /** One module table's settings (lua_cjson.c's json_config_t). */
    static final class Config {
        private final int[] values = new int[Option.values().length];

        Config() {
            for (Option o : Option.values()) {
                values[o.ordinal()] = o.initial;
            }
        }

        int get(Option option) {
            return values[option.ordinal()];
        }
    }

    /** One argument of a setter: the option it sets, and the integers (min..max) or words it takes. */
    private record Arg(Option option, int min, int max, String[] words) {
        static Arg range(Option option, int min, int max) {
            return new Arg(option, min, max, null);
        }

        static Arg words(Option option, String[] words) {
            return new Arg(option, 0, 0, words);
        }
    }

    private final LuaVm vm;
    private final Supplier<Config> config;

    /** @param config the settings in force when a function of this table is called */
    LuaCjson(LuaVm vm, Supplier<Config> config) {
        this.vm = vm;
        this.config = config;
    }

    /** Pushes a new module table. */
    void install() {
        vm.newTable(0, 13);
        LuaLibraries.function(vm, "encode", this::encode);
        LuaLibraries.function(vm, "decode", this::decode);
        setter("encode_sparse_array", Arg.words(Option.SPARSE_CONVERT, ON_OFF),
                Arg.range(Option.SPARSE_RATIO, 0, Integer.MAX_VALUE), Arg.range(Option.SPARSE_SAFE, 0, Integer.MAX_VALUE));
        setter("encode_max_depth", Arg.range(Option.ENCODE_MAX_DEPTH, 1, Integer.MAX_VALUE));
        setter("decode_max_depth", Arg.range(Option.DECODE_MAX_DEPTH, 1, Integer.MAX_VALUE));
        setter("encode_number_precision", Arg.range(Option.NUMBER_PRECISION, 1, 14));
        setter("encode_keep_buffer", Arg.words(Option.KEEP_BUFFER, ON_OFF));
        setter("encode_invalid_numbers", Arg.words(Option.ENCODE_INVALID_NUMBERS, OFF_ON_NULL));
        setter("decode_invalid_numbers", Arg.words(Option.DECODE_INVALID_NUMBERS, ON_OFF));
        LuaLibraries.function(vm, "new", () -> {
            Config fresh = new Config();
            new LuaCjson(vm, () -> fresh).install();
            return 1;
        });
        vm.pushNull();
        vm.rawSetField(-2, "null");
        vm.pushText("cjson");
        vm.rawSetField(-2, "_NAME");
        vm.pushText("2.1.0");
        vm.rawSetField(-2, "_VERSION");
    }

    // ---------------------------------------------------------------- settings

    private void setter(String name, Arg... args) {
        LuaLibraries.function(vm, name, () -> set(name, args));
    }

    /** Sets each option whose argument is not nil, in order (an error leaves the earlier ones set), and pushes them all. */
    private int set(String name, Arg[] args) {
        if (vm.top() > args.length) {
            return vm.argError(args.length + 1, name, "found too many arguments");
        }
        vm.setTop(args.length); // absent arguments become nil, below the values pushed
        Config cfg = config.get();
        for (int i = 0; i < args.length; i++) {
            Arg arg = args[i];
            int index = i + 1;
            if (vm.type(index) != LuaVm.TNIL) {
                Integer value = arg.words == null ? integerArgument(name, index, arg) : wordArgument(name, index, arg);
                if (value == null) {
                    return -1;
                }
                cfg.values[arg.option.ordinal()] = value;
            }
            int value = cfg.get(arg.option);
            if (arg.words == null) {
                vm.pushNumber(value);
            } else if (value <= 1) {
                vm.pushBoolean(value == 1);
            } else {
                vm.pushText(arg.words[value]);
            }
        }
        return args.length;
    }

    /** json_integer_option: luaL_checkinteger's C int, then the range check that always blames argument #1. */
    private Integer integerArgument(String name, int index, Arg arg) {
        int value = (int) vm.toInteger(index);
        if (value == 0 && !vm.isNumber(index)) {
            vm.typeError(index, name, "number");
            return null;
        }
        if (value < arg.min || value > arg.max) {
            vm.argError(1, name, "expected integer between " + arg.min + " and " + arg.max);
            return null;
        }
        return value;
    }

    /** json_enum_option: true or false, else one of the words as luaL_checkoption reads it (a number as its text). */
    private Integer wordArgument(String name, int index, Arg arg) {
        if (vm.type(index) == LuaVm.TBOOLEAN) {
            return vm.toBoolean(index) ? 1 : 0;
        }
        if (vm.type(index) != LuaVm.TSTRING && vm.type(index) != LuaVm.TNUMBER) {
            vm.typeError(index, name, "string");
            return null;
        }
        String word = vm.toText(index);
        int nul = word.indexOf('\0');
        if (nul >= 0) {
            word = word.substring(0, nul);
        }
        for (int i = 0; i < arg.words.length; i++) {
            if (arg.words[i].equals(word)) {
                return i;
            }
        }
        vm.argError(index, name, "invalid option '" + word + "'");
        return null;
    }

    /** An error was raised on the Lua stack: unwind the encoder or decoder. */
    private static final class Raised extends Exception {
        Raised() {
            super(null, null, false, false);
        }
    }

    // ---------------------------------------------------------------- encode

    private int encode() {
        if (vm.top() != 1) {
            return vm.argError(1, "encode", "expected 1 argument");
        }
        Encoder encoder = new Encoder(config.get());
        try {
            encoder.run();
        } catch (Raised e) {
            return -1;
        }
        vm.pushBytes(encoder.out.toByteArray());
        return 1;
    }

    private Raised unserialisable(int index, String reason) {
        vm.raise("Cannot serialise " + Scripting.typeName(vm.type(index)) + ": " + reason);
        return new Raised();
    }

    /** A table being written, which stays on the Lua stack meanwhile: an array of {@code length} or an object. */
    private static final class Table {
        final int index;
        final int length;
        int written;

        Table(int index, int length) {
            this.index = index;
            this.length = length;
        }
    }

    /**
     * Writes the argument, walking nested tables with a list of open tables rather than Java recursion:
     * raised limits let nesting reach Lua's 8000 stack slots, deeper than a 1 MB Java stack recurses.
     * The element being written stays on the Lua stack above its table, as in lua_cjson.c, so
     * lua_checkstack refuses the depth the C library reaches (7998 arrays, 4000 objects).
     */
    private final class Encoder {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final Config cfg;
        final ArrayDeque<Table> open = new ArrayDeque<>();

        Encoder(Config cfg) {
            this.cfg = cfg;
        }

        void run() throws Raised {
            value();
            while (!open.isEmpty()) {
                Table t = open.peek();
                boolean array = t.length > 0;
                if (t.written > 0) {
                    vm.pop(1);
                } else if (!array) {
                    vm.pushNil();
                }
                if (array ? t.written == t.length : !vm.next(t.index)) {
                    out.write(array ? ']' : '}');
                    open.pop();
                    continue;
                }
                if (t.written++ > 0) {
                    out.write(',');
                }
                if (array) {
                    vm.rawGetI(t.index, t.written);
                } else {
                    key(vm.top() - 1);
                }
                value();
            }
        }

        /** Writes the value on top of the stack, or opens it if it is a table. */
        private void value() throws Raised {
            int index = vm.top();
            switch (vm.type(index)) {
                case LuaVm.TSTRING -> encodeString(out, vm.toBytes(index));
                case LuaVm.TNUMBER -> number(index);
                case LuaVm.TBOOLEAN -> ascii(out, vm.toBoolean(index) ? "true" : "false");
                case LuaVm.TTABLE -> openTable(index);
                case LuaVm.TNIL -> ascii(out, "null");
                default -> {
                    if (vm.isNullUserdata(index)) {
                        ascii(out, "null");
                    } else {
                        throw unserialisable(index, "type not supported");
                    }
                }
            }
        }

        private void key(int index) throws Raised {
            if (vm.type(index) == LuaVm.TNUMBER) {
                out.write('"');
                number(index);
                out.write('"');
            } else if (vm.type(index) == LuaVm.TSTRING) {
                encodeString(out, vm.toBytes(index));
            } else {
                throw unserialisable(index, "table key must be a number or string");
            }
            out.write(':');
        }

        private void number(int index) throws Raised {
            double n = vm.toNumber(index);
            if (Double.isNaN(n) || Double.isInfinite(n)) {
                switch (cfg.get(Option.ENCODE_INVALID_NUMBERS)) {
                    case 0 -> throw unserialisable(index, "must not be NaN or Inf");
                    case 1 -> {
                        if (Double.isNaN(n)) {
                            ascii(out, "nan"); // never "-nan"
                            return;
                        }
                    }
                    default -> {
                        ascii(out, "null");
                        return;
                    }
                }
            }
            ascii(out, CFormat.g(n, cfg.get(Option.NUMBER_PRECISION)));
        }

        private void openTable(int index) throws Raised {
            int depth = open.size() + 1;
            if (depth > cfg.get(Option.ENCODE_MAX_DEPTH) || !vm.tryCheckStack(3)) {
                vm.setTop(1); // the message needs slots: the encoding is abandoned anyway
                vm.raise("Cannot serialise, excessive nesting (" + depth + ")");
                throw new Raised();
            }
            vm.showContents(index);
            int length = arrayLength(index);
            out.write(length > 0 ? '[' : '{');
            open.push(new Table(index, length));
        }

        /**
         * lua_array_length: the largest key when every key is a positive integer, else -1 (an object,
         * as is an excessively sparse array when the sparse setting converts them). C's int arithmetic
         * is kept: a key of 2^31 or more becomes INT_MIN, and items * ratio wraps.
         */
        private int arrayLength(int index) throws Raised {
            int max = 0;
            int items = 0;
            vm.pushNil();
            while (vm.next(index)) {
                if (vm.type(-2) == LuaVm.TNUMBER) {
                    double k = vm.toNumber(-2);
                    if (k != 0 && Math.floor(k) == k && k >= 1) {
                        if (k > max) {
                            max = k < 0x1p31 ? (int) k : Integer.MIN_VALUE;
                        }
                        items++;
                        vm.pop(1);
                        continue;
                    }
                }
                vm.pop(2);
                return -1;
            }
            int ratio = cfg.get(Option.SPARSE_RATIO);
            if (ratio > 0 && max > items * ratio && max > cfg.get(Option.SPARSE_SAFE)) {
                if (cfg.get(Option.SPARSE_CONVERT) == 0) {
                    throw unserialisable(index, "excessively sparse array");
                }
                return -1;
            }
            return max;
        }
    }

    private static void ascii(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void encodeString(ByteArrayOutputStream out, byte[] s) {
        out.write('"');
        for (byte b : s) {
            int c = b & 0xFF;
            switch (c) {
                case '"' -> ascii(out, "\\\"");
                case '\\' -> ascii(out, "\\\\");
                case '/' -> ascii(out, "\\/");
                case '\b' -> ascii(out, "\\b");
                case '\t' -> ascii(out, "\\t");
                case '\n' -> ascii(out, "\\n");
                case '\f' -> ascii(out, "\\f");
                case '\r' -> ascii(out, "\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        ascii(out, String.format("\\u%04x", c));
                    } else {
                        out.write(c);
                    }
                }
            }
        }
        out.write('"');
    }

    // ---------------------------------------------------------------- decode

    private enum Token { T_OBJ_BEGIN, T_OBJ_END, T_ARR_BEGIN, T_ARR_END, T_STRING, T_NUMBER, T_BOOLEAN, T_NULL,
        T_COLON, T_COMMA, T_END, T_WHITESPACE, T_ERROR, T_UNKNOWN }

    /** The decoder's cursor and current token. */
    private final class Parser {
        final byte[] data;
        /** decode_invalid_numbers: whether hex, Inf, NaN, "+1" and leading zeros are numbers. */
        final boolean invalidNumbers;
        int ptr;
        Token type;
        int index;
        byte[] string;
        double number;
        boolean bool;
        String error;

        Parser(byte[] data, boolean invalidNumbers) {
            this.data = data;
            this.invalidNumbers = invalidNumbers;
        }

        int at(int i) {
            return i < data.length ? data[i] & 0xFF : 0;
        }

        void next() {
            while (true) {
                int ch = at(ptr);
                if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
                    ptr++;
                    continue;
                }
                break;
            }
            index = ptr;
            int ch = at(ptr);
            switch (ch) {
                case '{' -> single(Token.T_OBJ_BEGIN);
                case '}' -> single(Token.T_OBJ_END);
                case '[' -> single(Token.T_ARR_BEGIN);
                case ']' -> single(Token.T_ARR_END);
                case ',' -> single(Token.T_COMMA);
                case ':' -> single(Token.T_COLON);
                case 0 -> type = Token.T_END;
                case '"' -> string();
                default -> {
                    if (ch == '-' || (ch >= '0' && ch <= '9')) {
                        if (!invalidNumbers && isInvalidNumber()) {
                            fail("invalid number");
                        } else {
                            number();
                        }
                    } else if (startsWith("true")) {
                        type = Token.T_BOOLEAN;
                        bool = true;
                        ptr += 4;
                    } else if (startsWith("false")) {
                        type = Token.T_BOOLEAN;
                        bool = false;
                        ptr += 5;
                    } else if (startsWith("null")) {
                        type = Token.T_NULL;
                        ptr += 4;
                    } else if (invalidNumbers && isInvalidNumber()) {
                        number();
                    } else {
                        fail("invalid token");
                    }
                }
            }
        }

        private void single(Token token) {
            type = token;
            ptr++;
        }

        private boolean startsWith(String word) {
            for (int i = 0; i < word.length(); i++) {
                if (at(ptr + i) != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** cjson's json_is_invalid_number: numbers JSON forbids that the decoder still takes. */
        private boolean isInvalidNumber() {
            int p = ptr;
            if (at(p) == '+') {
                return true;
            }
            if (at(p) == '-') {
                p++;
            }
            if (at(p) == '0') {
                int ch2 = at(p + 1);
                return (ch2 | 0x20) == 'x' || (ch2 >= '0' && ch2 <= '9');
            } else if (at(p) <= '9') {
                return false;
            }
            return regionIgnoreCase(p, "inf") || regionIgnoreCase(p, "nan");
        }

        private boolean regionIgnoreCase(int p, String word) {
            for (int i = 0; i < word.length(); i++) {
                if ((at(p + i) | 0x20) != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private void number() {
            int end = data.length;
            for (int i = ptr; i < data.length; i++) {
                if (data[i] == 0) {
                    end = i;
                    break;
                }
            }
            byte[] view = end == data.length ? data : java.util.Arrays.copyOf(data, end);
            Numbers.ParsedDouble parsed = Numbers.strtod(view, ptr);
            if (parsed.end() <= ptr) {
                fail("invalid number");
                return;
            }
            number = parsed.value();
            ptr = parsed.end();
            type = Token.T_NUMBER;
        }

        private void fail(String message) {
            type = Token.T_ERROR;
            error = message;
            index = ptr;
        }

        private void string() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ptr++;
            while (true) {
                int ch = at(ptr);
                if (ch == '"') {
                    break;
                }
                if (ptr >= data.length || (ch == 0)) {
                    fail("unexpected end of string");
                    return;
                }
                if (ch != '\\') {
                    out.write(ch);
                    ptr++;
                    continue;
                }
                int esc = at(ptr + 1);
                switch (esc) {
                    case '"', '\\', '/' -> out.write(esc);
                    case 'b' -> out.write('\b');
                    case 'f' -> out.write('\f');
                    case 'n' -> out.write('\n');
                    case 'r' -> out.write('\r');
                    case 't' -> out.write('\t');
                    case 'u' -> {
                        int consumed = unicode(out);
                        if (consumed < 0) {
                            fail("invalid unicode escape code");
                            return;
                        }
                        ptr += consumed;
                        continue;
                    }
                    default -> {
                        fail("invalid escape code");
                        return;
                    }
                }
                ptr += 2;
            }
            ptr++;
            type = Token.T_STRING;
            string = out.toByteArray();
        }

        private int hex4(int p) {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(at(p + i), 16);
                if (d < 0) {
                    return -1;
                }
                v = v * 16 + d;
            }
            return v;
        }

        /** Decodes "\\uXXXX" (and a following low surrogate) at ptr into UTF-8; returns bytes consumed or -1. */
        private int unicode(ByteArrayOutputStream out) {
            int cp = hex4(ptr + 2);
            if (cp < 0) {
                return -1;
            }
            int consumed = 6;
            if ((cp & 0xF800) == 0xD800) {
                if ((cp & 0xFC00) != 0xD800 || at(ptr + 6) != '\\' || at(ptr + 7) != 'u') {
                    return -1;
                }
                int low = hex4(ptr + 8);
                if (low < 0 || (low & 0xFC00) != 0xDC00) {
                    return -1;
                }
                cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
                consumed = 12;
            }
            out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            return consumed;
        }
    }

    private int decode() {
        if (vm.top() != 1) {
            return vm.argError(1, "decode", "expected 1 argument");
        }
        if (vm.type(1) != LuaVm.TSTRING && vm.type(1) != LuaVm.TNUMBER) {
            return vm.typeError(1, "decode", "string");
        }
        Config cfg = config.get();
        Parser p = new Parser(vm.toBytes(1), cfg.get(Option.DECODE_INVALID_NUMBERS) == 1);
        try {
            p.next();
            value(p, cfg.get(Option.DECODE_MAX_DEPTH));
            p.next();
            if (p.type != Token.T_END) {
                throw parseError(p, "the end");
            }
        } catch (Raised e) {
            return -1;
        }
        return 1;
    }

    private Raised parseError(Parser p, String expected) {
        String found = p.type == Token.T_ERROR ? p.error : p.type.name();
        vm.raise("Expected " + expected + " but found " + found + " at character " + (p.index + 1));
        return new Raised();
    }

    /**
     * Pushes the value starting at the current token. Nested arrays and objects are kept in a list
     * (an array's next index, or 0 for an object) rather than in Java recursion, for the reason the
     * encoder gives; the tables and the pending key are on the Lua stack as lua_cjson.c has them, so
     * lua_checkstack stops nesting where it does (7999 arrays, 4000 objects).
     */
    private void value(Parser p, int maxDepth) throws Raised {
        ArrayDeque<int[]> open = new ArrayDeque<>();
        boolean pending = true;
        while (true) {
            if (pending) {
                switch (p.type) {
                    case T_STRING -> vm.pushBytes(p.string);
                    case T_NUMBER -> vm.pushNumber(p.number);
                    case T_BOOLEAN -> vm.pushBoolean(p.bool);
                    case T_NULL -> vm.pushNull();
                    case T_OBJ_BEGIN, T_ARR_BEGIN -> {
                        boolean array = p.type == Token.T_ARR_BEGIN;
                        int depth = open.size() + 1;
                        if (depth > maxDepth || !vm.tryCheckStack(array ? 2 : 3)) {
                            vm.setTop(1); // the message needs slots: the decoding is abandoned anyway
                            vm.raise("Found too many nested data structures (" + depth + ") at character " + p.ptr);
                            throw new Raised();
                        }
                        vm.newTable(0, 0);
                        p.next();
                        if (p.type == (array ? Token.T_ARR_END : Token.T_OBJ_END)) {
                            pending = false;
                            continue;
                        }
                        open.push(new int[] {array ? 1 : 0});
                        if (!array) {
                            key(p);
                        }
                        continue;
                    }
                    default -> throw parseError(p, "value");
                }
                pending = false;
            }
            int[] into = open.peek();
            if (into == null) {
                return;
            }
            boolean array = into[0] > 0;
            if (array) {
                vm.rawSetI(-2, into[0]++);
            } else {
                vm.rawSet(-3);
            }
            p.next();
            if (p.type == (array ? Token.T_ARR_END : Token.T_OBJ_END)) {
                open.pop();
                continue;
            }
            if (p.type != Token.T_COMMA) {
                throw parseError(p, array ? "comma or array end" : "comma or object end");
            }
            p.next();
            if (!array) {
                key(p);
            }
            pending = true;
        }
    }

    /** An object's "key": pushes the key and moves to its value's first token. */
    private void key(Parser p) throws Raised {
        if (p.type != Token.T_STRING) {
            throw parseError(p, "object key string");
        }
        vm.pushBytes(p.string);
        p.next();
        if (p.type != Token.T_COLON) {
            throw parseError(p, "colon");
        }
        p.next();
    }
}
