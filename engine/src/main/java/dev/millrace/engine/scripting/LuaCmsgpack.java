package dev.millrace.engine.scripting;

import java.io.ByteArrayOutputStream;

/**
 * lua-cmsgpack 0.4 as Redis ships it: {@code pack(...)} (each argument encoded, concatenated),
 * {@code unpack(s)}, {@code unpack_one(s [, offset])} and {@code unpack_limit(s, limit [, offset])}.
 * Integral numbers are packed as the smallest MessagePack integer, others as float32 when exact,
 * else float64; a table whose keys are exactly 1..n is an array, any other a map; nesting deeper
 * than 16 packs as nil; functions and other values pack as nil.
 */
final class LuaCmsgpack {
    private static final int MAX_NESTING = 16;
    /**
     * Decoding recurses in Java: past this depth it fails as Lua's full stack makes the C library fail
     * (near 4,000 levels there), well before the execution thread's 1 MB Java stack would overflow.
     */
    private static final int MAX_DECODE_DEPTH = 1000;

    private final LuaVm vm;

    LuaCmsgpack(LuaVm vm) {
        this.vm = vm;
    }

    /** Pushes the module table, its fields set in luaopen_create's order (pairs() lists them as Redis does). */
    void install() {
        vm.newTable(0, 0);
        LuaLibraries.function(vm, "pack", this::pack);
        LuaLibraries.function(vm, "unpack", () -> unpack(0, 0, "unpack"));
        LuaLibraries.function(vm, "unpack_one", this::unpackOne);
        LuaLibraries.function(vm, "unpack_limit", this::unpackLimit);
        vm.pushText("cmsgpack");
        vm.rawSetField(-2, "_NAME");
        vm.pushText("lua-cmsgpack 0.4.0");
        vm.rawSetField(-2, "_VERSION");
        vm.pushText("Copyright (C) 2012, Salvatore Sanfilippo");
        vm.rawSetField(-2, "_COPYRIGHT");
        vm.pushText("MessagePack C implementation for Lua");
        vm.rawSetField(-2, "_DESCRIPTION");
    }

    // ---------------------------------------------------------------- pack

    private int pack() {
        int nargs = vm.top();
        if (nargs == 0) {
            return vm.argError(0, "pack", "MessagePack pack needs input.");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i <= nargs; i++) {
            vm.checkStack(4);
            vm.pushValue(i);
            encode(out, 0);
        }
        vm.pushBytes(out.toByteArray());
        return 1;
    }

    /** Encodes the value on top and pops it. */
    private void encode(ByteArrayOutputStream out, int level) {
        int type = vm.type(-1);
        if (type == LuaVm.TTABLE && level == MAX_NESTING) {
            type = LuaVm.TNIL;
        }
        switch (type) {
            case LuaVm.TSTRING -> encodeBytes(out, vm.toBytes(-1));
            case LuaVm.TBOOLEAN -> out.write(vm.toBoolean(-1) ? 0xc3 : 0xc2);
            case LuaVm.TNUMBER -> encodeNumber(out, vm.toNumber(-1));
            case LuaVm.TTABLE -> encodeTable(out, level);
            default -> out.write(0xc0);
        }
        vm.pop(1);
    }

    private static void encodeNumber(ByteArrayOutputStream out, double n) {
        if (!Double.isInfinite(n) && LuaStruct.cLong(n) == n) {
            encodeInt(out, (long) n);
            return;
        }
        float f = (float) n;
        if ((double) f == n) {
            out.write(0xca);
            writeBigEndian(out, Float.floatToRawIntBits(f) & 0xFFFFFFFFL, 4);
        } else {
            out.write(0xcb);
            writeBigEndian(out, Double.doubleToRawLongBits(n), 8);
        }
    }

    private static void encodeInt(ByteArrayOutputStream out, long n) {
        if (n >= 0) {
            if (n <= 127) {
                out.write((int) n);
            } else if (n <= 0xff) {
                out.write(0xcc);
                writeBigEndian(out, n, 1);
            } else if (n <= 0xffff) {
                out.write(0xcd);
                writeBigEndian(out, n, 2);
            } else if (n <= 0xffffffffL) {
                out.write(0xce);
                writeBigEndian(out, n, 4);
            } else {
                out.write(0xcf);
                writeBigEndian(out, n, 8);
            }
        } else if (n >= -32) {
            out.write((int) n & 0xff);
        } else if (n >= -128) {
            out.write(0xd0);
            writeBigEndian(out, n, 1);
        } else if (n >= -32768) {
            out.write(0xd1);
            writeBigEndian(out, n, 2);
        } else if (n >= Integer.MIN_VALUE) {
            out.write(0xd2);
            writeBigEndian(out, n, 4);
        } else {
            out.write(0xd3);
            writeBigEndian(out, n, 8);
        }
    }

    private static void writeBigEndian(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }

    private static void encodeBytes(ByteArrayOutputStream out, byte[] s) {
        int len = s.length;
        if (len < 32) {
            out.write(0xa0 | len);
        } else if (len <= 0xff) {
            out.write(0xd9);
            writeBigEndian(out, len, 1);
        } else if (len <= 0xffff) {
            out.write(0xda);
            writeBigEndian(out, len, 2);
        } else {
            out.write(0xdb);
            writeBigEndian(out, len, 4);
        }
        out.writeBytes(s);
    }

    private static void header(ByteArrayOutputStream out, long n, int fix, int code16, int code32) {
        if (n <= 15) {
            out.write(fix | (int) n);
        } else if (n <= 0xffff) {
            out.write(code16);
            writeBigEndian(out, n, 2);
        } else {
            out.write(code32);
            writeBigEndian(out, n, 4);
        }
    }

    private void encodeTable(ByteArrayOutputStream out, int level) {
        int table = vm.top();
        vm.showContents(table);
        if (isArray(table)) {
            int len = vm.objLen(table);
            header(out, len, 0x90, 0xdc, 0xdd);
            for (int j = 1; j <= len; j++) {
                vm.checkStack(4);
                vm.rawGetI(table, j);
                encode(out, level + 1);
            }
            return;
        }
        int count = 0;
        vm.pushNil();
        while (vm.next(table)) {
            vm.pop(1);
            count++;
        }
        header(out, count, 0x80, 0xde, 0xdf);
        vm.pushNil();
        while (vm.next(table)) {
            vm.checkStack(4);
            vm.pushValue(-2);
            encode(out, level + 1);  // the key
            encode(out, level + 1);  // the value
        }
    }

    /** table_is_an_array: every key a positive int-valued number, and as many keys as the largest one. */
    private boolean isArray(int table) {
        int top = vm.top();
        double max = 0;
        int count = 0;
        vm.pushNil();
        while (vm.next(table)) {
            vm.pop(1);
            double n;
            if (vm.type(-1) != LuaVm.TNUMBER || (n = vm.toNumber(-1)) <= 0 || (int) n != n) {
                vm.setTop(top);
                return false;
            }
            max = Math.max(max, n);
            count++;
        }
        vm.setTop(top);
        return max == count;
    }

    // ---------------------------------------------------------------- unpack

    /** The decoder's cursor: an error is "Missing bytes" (EOF) or "Bad data format". */
    private static final class Cursor {
        final byte[] data;
        int pos;
        int depth;
        String error;

        Cursor(byte[] data, int pos) {
            this.data = data;
            this.pos = pos;
        }

        int left() {
            return data.length - pos;
        }

        boolean need(int n) {
            if (left() < n) {
                error = "Missing bytes in input.";
                return false;
            }
            return true;
        }

        long read(int n) {
            long v = 0;
            for (int i = 0; i < n; i++) {
                v = (v << 8) | (data[pos + i] & 0xff);
            }
            pos += n;
            return v;
        }
    }

    private int unpackOne() {
        if (vm.top() >= 2 && vm.type(2) != LuaVm.TNIL && !vm.isNumber(2)) {
            return vm.typeError(2, "unpack_one", "number");
        }
        int offset = vm.top() >= 2 && vm.type(2) != LuaVm.TNIL ? (int) vm.toNumber(2) : 0;
        vm.setTop(1);
        return unpack(1, offset, "unpack_one");
    }

    private int unpackLimit() {
        if (!vm.isNumber(2)) {
            return vm.typeError(2, "unpack_limit", "number");
        }
        int limit = (int) vm.toNumber(2);
        if (vm.top() >= 3 && vm.type(3) != LuaVm.TNIL && !vm.isNumber(3)) {
            return vm.typeError(3, "unpack_limit", "number");
        }
        int offset = vm.top() >= 3 && vm.type(3) != LuaVm.TNIL ? (int) vm.toNumber(3) : 0;
        vm.setTop(1);
        return unpack(limit, offset, "unpack_limit");
    }

    private int unpack(int limit, int offset, String function) {
        if (vm.type(1) != LuaVm.TSTRING && vm.type(1) != LuaVm.TNUMBER) {
            return vm.typeError(1, function, "string");
        }
        byte[] data = vm.toBytes(1);
        boolean decodeAll = limit == 0 && offset == 0;
        if (offset < 0 || limit < 0) {
            return vm.raise("Invalid request to unpack with offset of " + offset + " and limit of " + data.length + ".");
        }
        if (offset > data.length) {
            return vm.raise("Start offset " + offset + " greater than input length " + data.length + ".");
        }
        if (decodeAll) {
            limit = Integer.MAX_VALUE;
        }
        vm.setTop(1);
        Cursor c = new Cursor(data, offset);
        int count = 0;
        while (c.left() > 0 && count < limit) {
            vm.checkStack(4);
            decode(c);
            if (c.error != null) {
                return vm.raise(c.error);
            }
            count++;
        }
        if (!decodeAll) {
            vm.pushNumber(c.left() == 0 ? -1 : data.length - c.left());
            vm.insert(2);
            count++;
        }
        return count;
    }

    /** Decodes one value onto the stack (nothing is pushed when {@code c.error} is set). */
    private void decode(Cursor c) {
        if (!c.need(1)) {
            return;
        }
        int b = c.data[c.pos] & 0xff;
        switch (b) {
            case 0xcc, 0xd0, 0xcd, 0xd1, 0xce, 0xd2, 0xcf, 0xd3 -> {
                int size = switch (b) {
                    case 0xcc, 0xd0 -> 1;
                    case 0xcd, 0xd1 -> 2;
                    case 0xce, 0xd2 -> 4;
                    default -> 8;
                };
                if (!c.need(1 + size)) {
                    return;
                }
                c.pos++;
                long v = c.read(size);
                boolean signed = b >= 0xd0;
                if (signed) {
                    v = (v << (64 - 8 * size)) >> (64 - 8 * size);
                    vm.pushNumber(v);
                } else {
                    vm.pushNumber(v >= 0 ? (double) v : ((double) (v >>> 1) * 2.0 + (v & 1)));
                }
            }
            case 0xc0 -> {
                c.pos++;
                vm.pushNil();
            }
            case 0xc3, 0xc2 -> {
                c.pos++;
                vm.pushBoolean(b == 0xc3);
            }
            case 0xca -> {
                if (c.need(5)) {
                    c.pos++;
                    vm.pushNumber(Float.intBitsToFloat((int) c.read(4)));
                }
            }
            case 0xcb -> {
                if (c.need(9)) {
                    c.pos++;
                    vm.pushNumber(Double.longBitsToDouble(c.read(8)));
                }
            }
            case 0xc4, 0xd9 -> string(c, 1);
            case 0xc5, 0xda -> string(c, 2);
            case 0xc6, 0xdb -> string(c, 4);
            case 0xdc -> aggregate(c, 2, false);
            case 0xdd -> aggregate(c, 4, false);
            case 0xde -> aggregate(c, 2, true);
            case 0xdf -> aggregate(c, 4, true);
            default -> {
                if ((b & 0x80) == 0) {
                    c.pos++;
                    vm.pushNumber(b);
                } else if ((b & 0xe0) == 0xe0) {
                    c.pos++;
                    vm.pushNumber((byte) b);
                } else if ((b & 0xe0) == 0xa0) {
                    int len = b & 0x1f;
                    if (c.need(1 + len)) {
                        vm.pushBytes(c.data, c.pos + 1, len);
                        c.pos += 1 + len;
                    }
                } else if ((b & 0xf0) == 0x90) {
                    c.pos++;
                    elements(c, b & 0x0f, false);
                } else if ((b & 0xf0) == 0x80) {
                    c.pos++;
                    elements(c, b & 0x0f, true);
                } else {
                    c.error = "Bad data format in input.";
                }
            }
        }
    }

    private void string(Cursor c, int lengthBytes) {
        if (!c.need(1 + lengthBytes)) {
            return;
        }
        c.pos++;
        long len = c.read(lengthBytes);
        if (!c.need((int) Math.min(len, Integer.MAX_VALUE))) {
            return;
        }
        vm.pushBytes(c.data, c.pos, (int) len);
        c.pos += (int) len;
    }

    private void aggregate(Cursor c, int lengthBytes, boolean map) {
        if (!c.need(1 + lengthBytes)) {
            return;
        }
        c.pos++;
        elements(c, c.read(lengthBytes), map);
    }

    /**
     * Decodes an array's or map's elements into a new table. Like the C library, each level holds its
     * table and one more slot (the index or the key) while an element decodes, and fails with Lua's
     * "stack overflow" once Lua's stack is full: nesting is bounded before the Java stack is.
     */
    private void elements(Cursor c, long n, boolean map) {
        vm.newTable(0, 0);
        if (c.depth >= MAX_DECODE_DEPTH || !vm.tryCheckStack(4)) {
            c.error = "stack overflow (in function mp_decode_to_lua_" + (map ? "hash" : "array") + ")";
            vm.pop(1);
            return;
        }
        c.depth++; // a cursor serves one unpack call: an error ends it, so no reset is needed then
        for (long i = 1; i <= n; i++) {
            if (!map) {
                vm.pushNumber(i);
            }
            decode(c);
            if (c.error != null) {
                vm.pop(map ? 1 : 2);
                return;
            }
            if (map) {
                boolean badKey = vm.type(-1) == LuaVm.TNIL || (vm.type(-1) == LuaVm.TNUMBER && Double.isNaN(vm.toNumber(-1)));
                decode(c);
                if (c.error != null) {
                    vm.pop(2);
                    return;
                }
                if (badKey) {
                    vm.pop(2); // Lua cannot hold a nil or NaN key: the pair is dropped
                    continue;
                }
            }
            vm.rawSet(-3);
        }
        c.depth--;
    }
}
