package dev.millrace.engine.scripting;

import party.iroiro.luajava.JFunction;
import party.iroiro.luajava.lua51.Lua51;
import party.iroiro.luajava.lua51.Lua51Natives;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One real Lua 5.1 interpreter (PUC-Rio, through LuaJava's JNI binding) and the binary-safe stack
 * operations the scripting code needs on top of it.
 *
 * <p>LuaJava moves strings as Java {@code String}s through JNI's modified UTF-8, which is not
 * binary-safe. Here, bytes leave Lua through {@code luaJ_todirectbuffer} (a view of Lua's own string,
 * copied at once) and enter Lua as ASCII text when every byte is 1..127, or otherwise as a constant
 * of a tiny precompiled Lua 5.1 chunk ({@code return K0, K1, ...}) loaded with {@code luaL_loadbuffer}:
 * the only binary-safe way into the binding's API.
 *
 * <p>Only raw table operations are used from Java: a metamethod raising an error would unwind through
 * JNI frames. Not thread-safe: the execution thread only.
 */
final class LuaVm implements AutoCloseable {
    /** Lua 5.1's "lua_Number is a double, size_t 8 bytes, little-endian" chunk header on this platform. */
    private static final byte[] CHUNK_HEADER = {0x1b, 'L', 'u', 'a', 0x51, 0, 1, 4, 8, 4, 8, 0};
    /** Lua 5.1's MAXSTACK is 250: a chunk returns at most this many strings. */
    private static final int STRINGS_PER_CHUNK = 200;
    private static final int OP_LOADK = 1;
    private static final int OP_RETURN = 30;
    private static final int LUA_TSTRING = 4;

    static final int TNONE = -1;
    static final int TNIL = 0;
    static final int TBOOLEAN = 1;
    static final int TLIGHTUSERDATA = 2;
    static final int TNUMBER = 3;
    static final int TSTRING = 4;
    static final int TTABLE = 5;
    static final int TFUNCTION = 6;

    private final Lua51 lua;
    final Lua51Natives c;
    /** The running Lua thread: the main state, or a coroutine while one calls into Java. */
    long l;
    /** Registry slot of environment.lua's where(level): luaL_where for errors raised from Java. */
    private int whereRef = -1;
    /** Registry slot of environment.lua's read-only views -> their contents table. */
    private int contentsRef = -1;
    private ByteBuffer chunk = ByteBuffer.allocateDirect(4096).order(ByteOrder.LITTLE_ENDIAN);

    LuaVm() {
        lua = new Lua51();
        c = (Lua51Natives) lua.getLuaNatives();
        l = lua.getPointer();
    }

    /** Runs Lua source in the global environment, keeping {@code results} values (setup code only: errors are bugs). */
    void run(String source, String chunkName, int results) {
        ByteBuffer code = direct(source.getBytes(StandardCharsets.UTF_8));
        if (c.luaJ_loadbuffer(l, code, code.limit(), chunkName) != 0 || c.lua_pcall(l, 0, results, 0) != 0) {
            String error = toText(-1);
            c.lua_settop(l, 0);
            throw new IllegalStateException("Lua setup failed: " + error);
        }
    }

    /**
     * Compiles {@code body} as a function under {@code chunkName}, leaving it on the stack.
     *
     * @return null, or the compiler's message (on the stack is then nothing)
     */
    String load(byte[] body, String chunkName) {
        ByteBuffer code = direct(body);
        if (c.luaJ_loadbuffer(l, code, code.limit(), chunkName) != 0) {
            String error = toText(-1);
            c.lua_settop(l, -2);
            return error;
        }
        return null;
    }

    private static ByteBuffer direct(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(1, bytes.length));
        buffer.put(bytes).flip();
        return buffer;
    }

    void openLibraries() {
        lua.openLibraries();
    }

    /** A Java function Lua can call: it returns how many results it pushed, or -1 to raise the value on top. */
    @FunctionalInterface
    interface Body {
        int run();
    }

    /**
     * Pushes {@code body} as a Lua function. While it runs, this VM's stack operations address the
     * calling Lua thread (a coroutine's own stack if a coroutine called it). A Java exception becomes
     * a Lua error instead of unwinding through Lua's C frames.
     */
    void pushFunction(Body body) {
        JFunction function = caller -> {
            long saved = l;
            l = caller.getPointer();
            try {
                return body.run();
            } catch (RuntimeException e) {
                c.lua_pushstring(l, "internal error: " + e);
                return -1;
            } finally {
                l = saved;
            }
        };
        lua.push(function);
    }

    int top() {
        return c.lua_gettop(l);
    }

    void setTop(int index) {
        c.lua_settop(l, index);
    }

    void pop(int n) {
        c.lua_settop(l, -n - 1);
    }

    int type(int index) {
        return c.lua_type(l, index);
    }

    /** lua_checkstack: whether {@code extra} more slots fit (Lua's C stack is limited to 8000). */
    boolean tryCheckStack(int extra) {
        return c.lua_checkstack(l, extra) != 0;
    }

    void checkStack(int extra) {
        if (c.lua_checkstack(l, extra) == 0) {
            throw new IllegalStateException("Lua stack overflow");
        }
    }

    void pushNil() {
        c.lua_pushnil(l);
    }

    void pushBoolean(boolean value) {
        c.lua_pushboolean(l, value ? 1 : 0);
    }

    void pushNumber(double value) {
        c.lua_pushnumber(l, value);
    }

    /** Pushes ASCII text (names, messages Millrace writes). */
    void pushText(String ascii) {
        c.lua_pushstring(l, ascii);
    }

    /** Pushes any bytes as one Lua string. */
    void pushBytes(byte[] bytes) {
        if (isPlainAscii(bytes, 0, bytes.length)) {
            c.lua_pushstring(l, new String(bytes, StandardCharsets.ISO_8859_1));
        } else {
            pushViaChunk(new byte[][] {bytes}, 0, 1);
        }
    }

    /** Pushes bytes {@code [off, off+len)} as one Lua string. */
    void pushBytes(byte[] bytes, int off, int len) {
        if (isPlainAscii(bytes, off, len)) {
            c.lua_pushstring(l, new String(bytes, off, len, StandardCharsets.ISO_8859_1));
        } else {
            byte[] copy = new byte[len];
            System.arraycopy(bytes, off, copy, 0, len);
            pushViaChunk(new byte[][] {copy}, 0, 1);
        }
    }

    /** Creates an array table of the given strings and leaves it on the stack (KEYS, ARGV). */
    void pushStringArray(byte[][] values, int from, int to) {
        c.lua_createtable(l, to - from, 0);
        for (int i = from; i < to; i++) {
            pushBytes(values[i]);
            c.lua_rawseti(l, -2, i - from + 1);
        }
    }

    private static boolean isPlainAscii(byte[] bytes, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (bytes[i] <= 0) {
                return false;
            }
        }
        return true;
    }

    /** Builds and runs a chunk whose function returns {@code values[from..to)} as constants. */
    private void pushViaChunk(byte[][] values, int from, int to) {
        for (int start = from; start < to; start += STRINGS_PER_CHUNK) {
            int end = Math.min(to, start + STRINGS_PER_CHUNK);
            int n = end - start;
            int size = CHUNK_HEADER.length + 64 + 4 * (n + 1);
            for (int i = start; i < end; i++) {
                size += 13 + values[i].length;
            }
            if (chunk.capacity() < size) {
                chunk = ByteBuffer.allocateDirect(Integer.highestOneBit(size) * 2).order(ByteOrder.LITTLE_ENDIAN);
            }
            ByteBuffer b = chunk;
            b.clear();
            b.put(CHUNK_HEADER);
            b.putLong(0);              // no source name
            b.putInt(0).putInt(0);     // line defined, last line defined
            b.put((byte) 0).put((byte) 0).put((byte) 2).put((byte) Math.max(2, n)); // upvalues, params, vararg, max stack
            b.putInt(n + 1);
            for (int i = 0; i < n; i++) {
                b.putInt(OP_LOADK | (i << 6) | (i << 14));
            }
            b.putInt(OP_RETURN | ((n + 1) << 23));
            b.putInt(n);
            for (int i = start; i < end; i++) {
                byte[] v = values[i];
                b.put((byte) LUA_TSTRING).putLong(v.length + 1L).put(v).put((byte) 0);
            }
            b.putInt(0);               // nested functions
            b.putInt(0).putInt(0).putInt(0); // debug: line info, locals, upvalues
            b.flip();
            if (c.luaJ_loadbuffer(l, b, b.limit(), "=bytes") != 0 || c.lua_pcall(l, 0, n, 0) != 0) {
                String error = toText(-1);
                c.lua_settop(l, -2);
                throw new IllegalStateException("binary string chunk rejected: " + error);
            }
        }
    }

    /** The bytes of the string (or number, converted in place as Lua does) at {@code index}, or null. */
    byte[] toBytes(int index) {
        // Fast path for ASCII (keys, command names, numbers): lua_tostring's Java string is exact when it
        // has as many chars as the Lua string has bytes and all are below 0x80 (a NUL byte would cut it
        // short, a byte of 0x80 or more would not come back as one such char). Anything else is read as
        // a direct view of Lua's bytes, which costs a DirectByteBuffer per string.
        long length = c.lua_objlen(l, index);
        String text = c.lua_tostring(l, index);
        if (text != null && text.length() == length && isAscii(text)) {
            return text.getBytes(StandardCharsets.ISO_8859_1);
        }
        ByteBuffer view = (ByteBuffer) c.luaJ_todirectbuffer(l, index);
        if (view == null) {
            return null;
        }
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** A string at {@code index} as ISO-8859-1 text (one char per byte), or null. */
    String toText(int index) {
        byte[] bytes = toBytes(index);
        return bytes == null ? null : new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** lua_isnumber: a number or a string convertible to one. */
    boolean isNumber(int index) {
        return c.lua_isnumber(l, index) != 0;
    }

    /** Pushes cjson.null: a light userdata holding NULL. */
    void pushNull() {
        c.lua_pushlightuserdata(l, 0);
    }

    boolean isNullUserdata(int index) {
        return c.lua_type(l, index) == TLIGHTUSERDATA && c.lua_touserdata(l, index) == 0;
    }

    void setWhereRef(int ref) {
        whereRef = ref;
    }

    void setContentsRef(int ref) {
        contentsRef = ref;
    }

    /**
     * Replaces a read-only view (the globals, a library table: see environment.lua) at the absolute
     * {@code index} by the table holding its contents, so that raw reads see what Redis's read-only
     * table holds. Anything else stays as it is.
     */
    void showContents(int index) {
        if (contentsRef < 0 || type(index) != TTABLE) {
            return;
        }
        pushRef(contentsRef);
        c.lua_pushvalue(l, index);
        c.lua_rawget(l, -2);
        if (type(-1) == TTABLE) {
            c.lua_replace(l, index);
            pop(1);
        } else {
            pop(2);
        }
    }

    /**
     * Raises {@code message} from the Java function running now as luaL_error does: prefixed with the
     * calling script's "source:line: ". Returns -1, the value the function must return.
     */
    int raise(String message) {
        String where = "";
        if (whereRef >= 0) {
            pushRef(whereRef);
            c.lua_pushnumber(l, 3);
            if (c.lua_pcall(l, 1, 1, 0) == 0 && type(-1) == TSTRING) {
                where = toText(-1);
            }
            pop(1);
        }
        pushBytes((where + message).getBytes(StandardCharsets.ISO_8859_1));
        return -1;
    }

    /** luaL_argerror's text: "bad argument #n to 'f' (reason)", raised. */
    int argError(int arg, String function, String reason) {
        return raise("bad argument #" + arg + " to '" + function + "' (" + reason + ")");
    }

    /** luaL_typerror for argument {@code arg}: "expected X, got Y", raised. */
    int typeError(int arg, String function, String expected) {
        String got = arg > top() ? "no value" : Scripting.typeName(type(arg));
        return argError(arg, function, expected + " expected, got " + got);
    }

    double toNumber(int index) {
        return c.lua_tonumber(l, index);
    }

    /** lua_tointeger: the number (or numeric string) truncated by C, out-of-range values as this platform converts them. */
    long toInteger(int index) {
        return c.lua_tointeger(l, index);
    }

    boolean toBoolean(int index) {
        return c.lua_toboolean(l, index) != 0;
    }

    void newTable(int arraySize, int hashSize) {
        c.lua_createtable(l, arraySize, hashSize);
    }

    void rawSetI(int tableIndex, int i) {
        c.lua_rawseti(l, tableIndex, i);
    }

    void rawGetI(int tableIndex, int i) {
        c.lua_rawgeti(l, tableIndex, i);
    }

    /** t[key] = value on top, where t is at {@code tableIndex} (absolute or below the value). */
    void rawSetField(int tableIndex, String key) {
        c.lua_pushstring(l, key);
        c.lua_insert(l, -2);
        c.lua_rawset(l, tableIndex < 0 ? tableIndex - 1 : tableIndex);
    }

    /** Pushes t[key] for the table at {@code tableIndex}. */
    void rawGetField(int tableIndex, String key) {
        c.lua_pushstring(l, key);
        c.lua_rawget(l, tableIndex < 0 ? tableIndex - 1 : tableIndex);
    }

    void rawSet(int tableIndex) {
        c.lua_rawset(l, tableIndex);
    }

    void rawGet(int tableIndex) {
        c.lua_rawget(l, tableIndex);
    }

    boolean next(int tableIndex) {
        return c.lua_next(l, tableIndex) != 0;
    }

    void pushValue(int index) {
        c.lua_pushvalue(l, index);
    }

    void remove(int index) {
        c.lua_remove(l, index);
    }

    void insert(int index) {
        c.lua_insert(l, index);
    }

    void getGlobal(String name) {
        c.lua_getglobal(l, name);
    }

    void setGlobal(String name) {
        c.lua_setglobal(l, name);
    }

    int objLen(int index) {
        return (int) c.lua_objlen(l, index);
    }

    /** lua_pcall: {@code nargs} arguments above the function, the error handler at {@code handlerIndex}. */
    int pcall(int nargs, int nresults, int handlerIndex) {
        return c.lua_pcall(l, nargs, nresults, handlerIndex);
    }

    int ref() {
        return c.luaL_ref(l, c.getRegistryIndex());
    }

    void pushRef(int ref) {
        c.lua_rawgeti(l, c.getRegistryIndex(), ref);
    }

    void unref(int ref) {
        c.luaL_unref(l, c.getRegistryIndex(), ref);
    }

    /** A full collection: after SCRIPT FLUSH and FUNCTION FLUSH, as Redis recreates its state. */
    void collectGarbage() {
        c.luaJ_gc(l);
    }

    /** Kilobytes the Lua heap uses (collectgarbage("count")). */
    long memoryBytes() {
        return (long) c.lua_gc(l, 3, 0) * 1024 + c.lua_gc(l, 4, 0);
    }

    @Override
    public void close() {
        lua.close();
    }
}
