package dev.millrace.engine.scripting;

import dev.millrace.engine.util.Numbers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lua CJSON 2.1 as Redis ships it: {@code cjson.encode}, {@code cjson.decode} and {@code cjson.null}
 * with its defaults: numbers as {@code %.14g}, NaN and Inf refused, "/" escaped, arrays detected from
 * positive integer keys (holes become null; excessively sparse arrays, max index over 10 and over
 * twice the element count, refused), empty tables as {}, nesting limited to 1000, and the decoder's
 * leniency (hex, Infinity and NaN numbers) and error messages. The encode options setters
 * ({@code encode_keep_buffer}, ...) are not provided.
 */
final class LuaCjson {
    private static final int MAX_DEPTH = 1000;
    private static final int SPARSE_RATIO = 2;
    private static final int SPARSE_SAFE = 10;

    private final LuaVm vm;

    LuaCjson(LuaVm vm) {
        this.vm = vm;
    }

    void install() {
        vm.newTable(0, 3);
        LuaLibraries.function(vm, "encode", this::encode);
        LuaLibraries.function(vm, "decode", this::decode);
        vm.pushNull();
        vm.rawSetField(-2, "null");
        vm.pushText("cjson");
        vm.rawSetField(-2, "_NAME");
        vm.pushText("2.1.0");
        vm.rawSetField(-2, "_VERSION");
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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            encodeValue(out, 1, 0);
        } catch (Raised e) {
            return -1;
        }
        vm.pushBytes(out.toByteArray());
        return 1;
    }

    private Raised unserialisable(int index, String reason) {
        vm.raise("Cannot serialise " + Scripting.typeName(vm.type(index)) + ": " + reason);
        return new Raised();
    }

    /** Encodes the value at absolute stack index {@code index}. */
    private void encodeValue(ByteArrayOutputStream out, int index, int depth) throws Raised {
        switch (vm.type(index)) {
            case LuaVm.TSTRING -> encodeString(out, vm.toBytes(index));
            case LuaVm.TNUMBER -> encodeNumber(out, index);
            case LuaVm.TBOOLEAN -> ascii(out, vm.toBoolean(index) ? "true" : "false");
            case LuaVm.TTABLE -> encodeTable(out, index, depth + 1);
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

    private void encodeNumber(ByteArrayOutputStream out, int index) throws Raised {
        double n = vm.toNumber(index);
        if (Double.isNaN(n) || Double.isInfinite(n)) {
            throw unserialisable(index, "must not be NaN or Inf");
        }
        ascii(out, CFormat.g(n, 14));
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

    private void encodeTable(ByteArrayOutputStream out, int index, int depth) throws Raised {
        if (depth > MAX_DEPTH) {
            vm.raise("Cannot serialise, excessive nesting (" + depth + ")");
            throw new Raised();
        }
        vm.checkStack(4);
        int length = arrayLength(index);
        if (length > 0) {
            out.write('[');
            for (int i = 1; i <= length; i++) {
                if (i > 1) {
                    out.write(',');
                }
                vm.rawGetI(index, i);
                encodeValue(out, vm.top(), depth);
                vm.pop(1);
            }
            out.write(']');
            return;
        }
        out.write('{');
        boolean first = true;
        vm.pushNil();
        while (vm.next(index)) {
            if (!first) {
                out.write(',');
            }
            first = false;
            int key = vm.top() - 1;
            if (vm.type(key) == LuaVm.TNUMBER) {
                out.write('"');
                encodeNumber(out, key);
                out.write('"');
            } else if (vm.type(key) == LuaVm.TSTRING) {
                encodeString(out, vm.toBytes(key));
            } else {
                throw unserialisable(key, "table key must be a number or string");
            }
            out.write(':');
            encodeValue(out, vm.top(), depth);
            vm.pop(1);
        }
        out.write('}');
    }

    /** The array length of the table, or -1 when it is an object (some key is not a positive integer). */
    private int arrayLength(int index) throws Raised {
        double max = 0;
        int items = 0;
        vm.pushNil();
        while (vm.next(index)) {
            if (vm.type(-2) == LuaVm.TNUMBER) {
                double k = vm.toNumber(-2);
                if (k != 0 && Math.floor(k) == k && k >= 1) {
                    max = Math.max(max, k);
                    items++;
                    vm.pop(1);
                    continue;
                }
            }
            vm.pop(2);
            return -1;
        }
        if (max > (double) items * SPARSE_RATIO && max > SPARSE_SAFE) {
            throw unserialisable(index, "excessively sparse array");
        }
        return (int) max;
    }

    // ---------------------------------------------------------------- decode

    private enum Token { T_OBJ_BEGIN, T_OBJ_END, T_ARR_BEGIN, T_ARR_END, T_STRING, T_NUMBER, T_BOOLEAN, T_NULL,
        T_COLON, T_COMMA, T_END, T_WHITESPACE, T_ERROR, T_UNKNOWN }

    /** The decoder's cursor and current token. */
    private final class Parser {
        final byte[] data;
        int ptr;
        Token type;
        int index;
        byte[] string;
        double number;
        boolean bool;
        String error;

        Parser(byte[] data) {
            this.data = data;
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
                        number();
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
                    } else if (isInvalidNumber()) {
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
        Parser p = new Parser(vm.toBytes(1));
        try {
            p.next();
            value(p, 0);
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

    private void value(Parser p, int depth) throws Raised {
        vm.checkStack(3);
        switch (p.type) {
            case T_STRING -> vm.pushBytes(p.string);
            case T_NUMBER -> vm.pushNumber(p.number);
            case T_BOOLEAN -> vm.pushBoolean(p.bool);
            case T_NULL -> vm.pushNull();
            case T_OBJ_BEGIN -> object(p, depth + 1);
            case T_ARR_BEGIN -> array(p, depth + 1);
            default -> throw parseError(p, "value");
        }
    }

    private void checkDepth(Parser p, int depth) throws Raised {
        if (depth > MAX_DEPTH) {
            vm.raise("Found too many nested data structures (" + depth + ") at character " + (p.index + 1));
            throw new Raised();
        }
    }

    private void object(Parser p, int depth) throws Raised {
        checkDepth(p, depth);
        vm.newTable(0, 0);
        p.next();
        if (p.type == Token.T_OBJ_END) {
            return;
        }
        while (true) {
            if (p.type != Token.T_STRING) {
                throw parseError(p, "object key string");
            }
            vm.pushBytes(p.string);
            p.next();
            if (p.type != Token.T_COLON) {
                throw parseError(p, "colon");
            }
            p.next();
            value(p, depth);
            vm.rawSet(-3);
            p.next();
            if (p.type == Token.T_OBJ_END) {
                return;
            }
            if (p.type != Token.T_COMMA) {
                throw parseError(p, "comma or object end");
            }
            p.next();
        }
    }

    private void array(Parser p, int depth) throws Raised {
        checkDepth(p, depth);
        vm.newTable(0, 0);
        p.next();
        if (p.type == Token.T_ARR_END) {
            return;
        }
        for (int i = 1; ; i++) {
            value(p, depth);
            vm.rawSetI(-2, i);
            p.next();
            if (p.type == Token.T_ARR_END) {
                return;
            }
            if (p.type != Token.T_COMMA) {
                throw parseError(p, "comma or array end");
            }
            p.next();
        }
    }
}
