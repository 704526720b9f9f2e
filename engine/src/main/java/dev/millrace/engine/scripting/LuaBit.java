package dev.millrace.engine.scripting;

/**
 * LuaBitOp 1.0 ({@code bit}): 32-bit operations on Lua numbers. Arguments are normalised as the C
 * library does (add 2^52+2^51 and keep the low 32 bits: round to nearest, wrap modulo 2^32) and
 * results are signed 32-bit numbers.
 */
final class LuaBit {
    private final LuaVm vm;

    LuaBit(LuaVm vm) {
        this.vm = vm;
    }

    void install() {
        vm.newTable(0, 12);
        LuaLibraries.function(vm, "tobit", () -> unary("tobit", x -> x));
        LuaLibraries.function(vm, "bnot", () -> unary("bnot", x -> ~x));
        LuaLibraries.function(vm, "bswap", () -> unary("bswap", Integer::reverseBytes));
        LuaLibraries.function(vm, "band", () -> fold("band", (a, b) -> a & b));
        LuaLibraries.function(vm, "bor", () -> fold("bor", (a, b) -> a | b));
        LuaLibraries.function(vm, "bxor", () -> fold("bxor", (a, b) -> a ^ b));
        LuaLibraries.function(vm, "lshift", () -> shift("lshift", (x, n) -> x << n));
        LuaLibraries.function(vm, "rshift", () -> shift("rshift", (x, n) -> x >>> n));
        LuaLibraries.function(vm, "arshift", () -> shift("arshift", (x, n) -> x >> n));
        LuaLibraries.function(vm, "rol", () -> shift("rol", Integer::rotateLeft));
        LuaLibraries.function(vm, "ror", () -> shift("ror", Integer::rotateRight));
        LuaLibraries.function(vm, "tohex", this::tohex);
    }

    /** barg: the argument as LuaBitOp normalises it, or null after raising its type error. */
    private Integer arg(int index, String function) {
        if (!vm.isNumber(index)) {
            vm.typeError(index, function, "number");
            return null;
        }
        return normalize(vm.toNumber(index));
    }

    static int normalize(double value) {
        return (int) Double.doubleToRawLongBits(value + 6755399441055744.0);
    }

    private int result(int value) {
        vm.pushNumber(value);
        return 1;
    }

    private int unary(String name, java.util.function.IntUnaryOperator op) {
        Integer x = arg(1, name);
        return x == null ? -1 : result(op.applyAsInt(x));
    }

    private int fold(String name, java.util.function.IntBinaryOperator op) {
        Integer acc = arg(1, name);
        if (acc == null) {
            return -1;
        }
        for (int i = vm.top(); i > 1; i--) {
            Integer x = arg(i, name);
            if (x == null) {
                return -1;
            }
            acc = op.applyAsInt(acc, x);
        }
        return result(acc);
    }

    private int shift(String name, java.util.function.IntBinaryOperator op) {
        Integer x = arg(1, name);
        Integer n = x == null ? null : arg(2, name);
        return n == null ? -1 : result(op.applyAsInt(x, n & 31));
    }

    private int tohex() {
        Integer x = arg(1, "tohex");
        if (x == null) {
            return -1;
        }
        int n = 8;
        if (vm.top() >= 2 && vm.type(2) != LuaVm.TNIL) {
            Integer given = arg(2, "tohex");
            if (given == null) {
                return -1;
            }
            n = given;
        }
        String digits = "0123456789abcdef";
        if (n < 0) {
            n = -n;
            digits = "0123456789ABCDEF";
        }
        if (n > 8) {
            n = 8;
        }
        char[] out = new char[n];
        int value = x;
        for (int i = n - 1; i >= 0; i--) {
            out[i] = digits.charAt(value & 15);
            value >>>= 4;
        }
        vm.pushText(new String(out));
        return 1;
    }
}
