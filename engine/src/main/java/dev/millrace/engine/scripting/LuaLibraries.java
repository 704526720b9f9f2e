package dev.millrace.engine.scripting;

import java.util.function.Supplier;

/**
 * The libraries Redis links into its Lua besides the standard ones: cjson, cmsgpack, bit (LuaBitOp)
 * and struct. LuaJava's Lua 5.1 has none of them, so they are written in Java against the Lua stack,
 * with the C libraries' behaviour and error texts.
 */
final class LuaLibraries {
    private LuaLibraries() { }

    /**
     * Adds the four library tables as fields of the table on top of the stack.
     *
     * @param cjson the settings the {@code cjson} table's functions use when called
     */
    static void install(LuaVm vm, Supplier<LuaCjson.Config> cjson) {
        new LuaBit(vm).install();
        vm.rawSetField(-2, "bit");
        new LuaStruct(vm).install();
        vm.rawSetField(-2, "struct");
        new LuaCjson(vm, cjson).install();
        vm.rawSetField(-2, "cjson");
        new LuaCmsgpack(vm).install();
        vm.rawSetField(-2, "cmsgpack");
    }

    /** Adds {@code body} as field {@code name} of the table on top. */
    static void function(LuaVm vm, String name, LuaVm.Body body) {
        vm.pushFunction(body);
        vm.rawSetField(-2, name);
    }
}
