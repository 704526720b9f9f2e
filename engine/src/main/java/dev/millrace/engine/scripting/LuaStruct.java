package dev.millrace.engine.scripting;

import java.io.ByteArrayOutputStream;

/**
 * Roberto Ierusalimschy's {@code struct} library as Redis ships it: {@code pack(fmt, ...)},
 * {@code unpack(fmt, data [, pos])} and {@code size(fmt)}. Formats: {@code > <} endianness,
 * {@code !n} alignment, {@code x} padding, {@code b B h H l L T} 1/1/2/2/8/8/8-byte integers,
 * {@code i In I In} n-byte integers (default 4, at most 32), {@code cn} n chars, {@code s} a
 * zero-terminated string, {@code f d} float and double. Numbers convert to integers as C does on
 * x86-64 (out-of-range values become 0x8000000000000000).
 */
final class LuaStruct {
    private static final int MAX_INT_SIZE = 32;
    private static final int MAX_ALIGN = 8;

    private final LuaVm vm;

    LuaStruct(LuaVm vm) {
        this.vm = vm;
    }

    void install() {
        vm.newTable(0, 3);
        LuaLibraries.function(vm, "pack", this::pack);
        LuaLibraries.function(vm, "unpack", this::unpack);
        LuaLibraries.function(vm, "size", this::size);
    }

    /** A format string being read, with the header options it set. */
    private static final class Format {
        final byte[] fmt;
        int at;
        boolean little = true;
        int align = 1;

        Format(byte[] fmt) {
            this.fmt = fmt;
        }

        boolean more() {
            return at < fmt.length;
        }

        int number(int defaultValue) {
            if (at >= fmt.length || !Character.isDigit(fmt[at])) {
                return defaultValue;
            }
            long a = 0;
            while (at < fmt.length && Character.isDigit(fmt[at])) {
                a = a * 10 + (fmt[at++] - '0');
            }
            return (int) Math.min(a, Integer.MAX_VALUE);
        }
    }

    /** Thrown to leave pack/unpack after an error was raised on the Lua stack. */
    private static final class Raised extends Exception {
        Raised() {
            super(null, null, false, false);
        }
    }

    private int optionSize(char opt, Format f, String function) throws Raised {
        switch (opt) {
            case 'B', 'b' -> { return 1; }
            case 'H', 'h' -> { return 2; }
            case 'L', 'l', 'T', 'd' -> { return 8; }
            case 'f' -> { return 4; }
            case 'x' -> { return 1; }
            case 'c' -> { return f.number(1); }
            case 's', ' ', '<', '>', '!' -> { return 0; }
            case 'i', 'I' -> {
                int size = f.number(4);
                if (size > MAX_INT_SIZE) {
                    throw raised(vm.raise("integral size " + size + " is larger than limit of " + MAX_INT_SIZE));
                }
                return size;
            }
            default -> throw raised(vm.argError(1, function, "invalid format option '" + opt + "'"));
        }
    }

    private static Raised raised(int ignored) {
        return new Raised();
    }

    private static int toAlign(long len, Format f, char opt, int size) {
        if (size == 0 || opt == 'c') {
            return 0;
        }
        if (size > f.align) {
            size = f.align;
        }
        return (int) ((size - (len & (size - 1))) & (size - 1));
    }

    private void common(char opt, Format f) throws Raised {
        switch (opt) {
            case '>' -> f.little = false;
            case '<' -> f.little = true;
            case '!' -> {
                int a = f.number(MAX_ALIGN);
                if (a <= 0 || (a & (a - 1)) != 0) {
                    throw raised(vm.raise("alignment " + a + " is not a power of 2"));
                }
                f.align = a;
            }
            default -> { }
        }
    }

    private byte[] checkString(int arg, String function) throws Raised {
        if (vm.type(arg) != LuaVm.TSTRING && vm.type(arg) != LuaVm.TNUMBER) {
            throw raised(vm.typeError(arg, function, "string"));
        }
        return vm.toBytes(arg);
    }

    private double checkNumber(int arg, String function) throws Raised {
        if (!vm.isNumber(arg)) {
            throw raised(vm.typeError(arg, function, "number"));
        }
        return vm.toNumber(arg);
    }

    /** (long) of a double as x86-64's cvttsd2si: NaN and out-of-range give Long.MIN_VALUE. */
    static long cLong(double n) {
        if (Double.isNaN(n) || n >= 0x1p63 || n < -0x1p63) {
            return Long.MIN_VALUE;
        }
        return (long) n;
    }

    /** (unsigned long) of a double as gcc compiles it on x86-64. */
    static long cUnsignedLong(double n) {
        return n < 0x1p63 ? cLong(n) : cLong(n - 0x1p63) ^ Long.MIN_VALUE;
    }

    private int pack() {
        try {
            Format f = new Format(checkString(1, "pack"));
            int arg = 2;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (f.more()) {
                char opt = (char) f.fmt[f.at++];
                int size = optionSize(opt, f, "pack");
                int pad = toAlign(out.size(), f, opt, size);
                out.write(new byte[pad], 0, pad);
                switch (opt) {
                    case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' -> {
                        double n = checkNumber(arg++, "pack");
                        long value = n < 0 ? cLong(n) : cUnsignedLong(n);
                        byte[] bytes = new byte[size];
                        for (int i = 0; i < size; i++) {
                            int at = f.little ? i : size - 1 - i;
                            bytes[at] = (byte) (i < 8 ? value >>> (8 * i) : 0);
                        }
                        out.write(bytes, 0, size);
                    }
                    case 'x' -> out.write(0);
                    case 'f' -> writeBits(out, Float.floatToRawIntBits((float) checkNumber(arg++, "pack")) & 0xFFFFFFFFL, 4, f.little);
                    case 'd' -> writeBits(out, Double.doubleToRawLongBits(checkNumber(arg++, "pack")), 8, f.little);
                    case 'c', 's' -> {
                        byte[] s = checkString(arg++, "pack");
                        int n = size == 0 ? s.length : size;
                        if (s.length < n) {
                            throw raised(vm.argError(arg, "pack", "string too short"));
                        }
                        out.write(s, 0, n);
                        if (opt == 's') {
                            out.write(0);
                        }
                    }
                    default -> common(opt, f);
                }
            }
            vm.pushBytes(out.toByteArray());
            return 1;
        } catch (Raised e) {
            return -1;
        }
    }

    private static void writeBits(ByteArrayOutputStream out, long bits, int size, boolean little) {
        for (int i = 0; i < size; i++) {
            int shift = little ? 8 * i : 8 * (size - 1 - i);
            out.write((int) (bits >>> shift) & 0xFF);
        }
    }

    private static long readBits(byte[] data, int pos, int size, boolean little) {
        long l = 0;
        for (int i = 0; i < size; i++) {
            int at = little ? pos + size - 1 - i : pos + i;
            l = (l << 8) | (data[at] & 0xFF);
        }
        return l;
    }

    private int unpack() {
        try {
            Format f = new Format(checkString(1, "unpack"));
            byte[] data = checkString(2, "unpack");
            long pos = 0;
            if (vm.top() >= 3 && vm.type(3) != LuaVm.TNIL) {
                pos = cLong(checkNumber(3, "unpack")) - 1;
                if (pos < 0) {
                    if (pos == -1) {
                        throw raised(vm.argError(3, "unpack", "offset must be 1 or greater"));
                    }
                    throw raised(vm.argError(2, "unpack", "data string too short"));
                }
            }
            vm.setTop(2);
            int results = 0;
            while (f.more()) {
                char opt = (char) f.fmt[f.at++];
                long size = optionSize(opt, f, "unpack");
                pos += toAlign(pos, f, opt, (int) size);
                if (pos + size > data.length) {
                    throw raised(vm.argError(2, "unpack", "data string too short"));
                }
                int p = (int) pos;
                switch (opt) {
                    case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' -> {
                        int n = (int) size;
                        long l = readBits(data, p, n, f.little);
                        boolean signed = Character.isLowerCase(opt);
                        vm.checkStack(2);
                        if (!signed) {
                            vm.pushNumber(unsignedToDouble(l));
                        } else {
                            long mask = -1L << ((n * 8 - 1) & 63);
                            if ((l & mask) != 0) {
                                l |= mask;
                            }
                            vm.pushNumber(l);
                        }
                        results++;
                    }
                    case 'x' -> { }
                    case 'f' -> {
                        vm.checkStack(2);
                        vm.pushNumber(Float.intBitsToFloat((int) readBits(data, p, 4, f.little)));
                        results++;
                    }
                    case 'd' -> {
                        vm.checkStack(2);
                        vm.pushNumber(Double.longBitsToDouble(readBits(data, p, 8, f.little)));
                        results++;
                    }
                    case 'c' -> {
                        if (size == 0) {
                            if (results == 0 || !vm.isNumber(-1)) {
                                throw raised(vm.raise("format 'c0' needs a previous size"));
                            }
                            size = (long) vm.toNumber(-1);
                            vm.pop(1);
                            results--;
                            if (pos + size > data.length) {
                                throw raised(vm.argError(2, "unpack", "data string too short"));
                            }
                        }
                        vm.checkStack(2);
                        vm.pushBytes(data, p, (int) size);
                        results++;
                    }
                    case 's' -> {
                        int end = p;
                        while (end < data.length && data[end] != 0) {
                            end++;
                        }
                        if (end == data.length) {
                            throw raised(vm.raise("unfinished string in data"));
                        }
                        size = end - p + 1;
                        vm.checkStack(2);
                        vm.pushBytes(data, p, end - p);
                        results++;
                    }
                    default -> common(opt, f);
                }
                pos += size;
            }
            vm.pushNumber(pos + 1);
            return results + 1;
        } catch (Raised e) {
            return -1;
        }
    }

    private static double unsignedToDouble(long l) {
        return l >= 0 ? (double) l : ((double) (l >>> 1) * 2.0 + (l & 1));
    }

    private int size() {
        try {
            Format f = new Format(checkString(1, "size"));
            long pos = 0;
            while (f.more()) {
                char opt = (char) f.fmt[f.at++];
                int size = optionSize(opt, f, "size");
                pos += toAlign(pos, f, opt, size);
                if (opt == 's') {
                    throw raised(vm.argError(1, "size", "option 's' has no fixed size"));
                }
                if (opt == 'c' && size == 0) {
                    throw raised(vm.argError(1, "size", "option 'c0' has no fixed size"));
                }
                if (opt == '!' || opt == '<' || opt == '>' || opt == ' ') {
                    common(opt, f);
                }
                pos += size;
            }
            vm.pushNumber(pos);
            return 1;
        } catch (Raised e) {
            return -1;
        }
    }
}
