package dev.millrace.engine.scripting;

import dev.millrace.engine.reply.ReplyWriter;

import java.nio.charset.StandardCharsets;

/**
 * Writes the Lua value on top of the stack as a Redis reply and pops it (Redis's luaReplyToRedisReply):
 * string to bulk, number to integer (truncated), true to 1 and false to null (or booleans once the
 * script chose RESP3), {@code {err=}} to an error, {@code {ok=}} to a status, {@code {double=}},
 * {@code {big_number=}}, {@code {verbatim_string=}}, {@code {map=}}, {@code {set=}} to their RESP3
 * types, any other table to an array cut at its first nil, anything else to null.
 */
final class LuaValueReply {
    private LuaValueReply() { }

    static void write(LuaVm vm, ReplyWriter out, int scriptProtocol) {
        vm.checkStack(4);
        switch (vm.type(-1)) {
            case LuaVm.TSTRING -> out.bulk(vm.toBytes(-1));
            case LuaVm.TBOOLEAN -> {
                boolean value = vm.toBoolean(-1);
                if (scriptProtocol == 2) {
                    if (value) {
                        out.integer(1);
                    } else {
                        out.nullBulk();
                    }
                } else {
                    out.bool(value);
                }
            }
            case LuaVm.TNUMBER -> out.integer(LuaStruct.cLong(vm.toNumber(-1))); // (long long) as C on x86-64
            case LuaVm.TTABLE -> {
                writeTable(vm, out, scriptProtocol);
                return;
            }
            default -> out.nullBulk();
        }
        vm.pop(1);
    }

    private static void writeTable(LuaVm vm, ReplyWriter out, int scriptProtocol) {
        String err = stringField(vm, "err");
        if (err != null) {
            out.error(noNewlines(err));
            vm.pop(1);
            return;
        }
        String ok = stringField(vm, "ok");
        if (ok != null) {
            out.simple(noNewlines(ok));
            vm.pop(1);
            return;
        }
        vm.rawGetField(-1, "double");
        if (vm.type(-1) == LuaVm.TNUMBER) {
            out.doubleValue(vm.toNumber(-1));
            vm.pop(2);
            return;
        }
        vm.pop(1);
        String big = stringField(vm, "big_number");
        if (big != null) {
            out.bigNumber(noNewlines(big));
            vm.pop(1);
            return;
        }
        vm.rawGetField(-1, "verbatim_string");
        if (vm.type(-1) == LuaVm.TTABLE) {
            String format = stringField(vm, "format");
            String text = stringField(vm, "string");
            if (format != null && text != null) {
                out.verbatim(format, text);
                vm.pop(2);
                return;
            }
        }
        vm.pop(1);
        vm.rawGetField(-1, "map");
        if (vm.type(-1) == LuaVm.TTABLE) {
            out.map(countEntries(vm));
            vm.pushNil();
            while (vm.next(-2)) {
                vm.pushValue(-2);
                write(vm, out, scriptProtocol);  // the key
                write(vm, out, scriptProtocol);  // the value
            }
            vm.pop(2);
            return;
        }
        vm.pop(1);
        vm.rawGetField(-1, "set");
        if (vm.type(-1) == LuaVm.TTABLE) {
            out.set(countEntries(vm));
            vm.pushNil();
            while (vm.next(-2)) {
                vm.pop(1);
                vm.pushValue(-1);
                write(vm, out, scriptProtocol);
            }
            vm.pop(2);
            return;
        }
        vm.pop(1);
        int length = 0;
        while (true) {
            vm.rawGetI(-1, length + 1);
            boolean present = vm.type(-1) != LuaVm.TNIL;
            vm.pop(1);
            if (!present) {
                break;
            }
            length++;
        }
        out.array(length);
        for (int i = 1; i <= length; i++) {
            vm.rawGetI(-1, i);
            write(vm, out, scriptProtocol);
        }
        vm.pop(1);
    }


    /** t[name] of the table on top when it is a string, else null; the stack is unchanged. */
    static String stringField(LuaVm vm, String name) {
        vm.rawGetField(-1, name);
        String value = vm.type(-1) == LuaVm.TSTRING ? vm.toText(-1) : null;
        vm.pop(1);
        return value;
    }

    private static int countEntries(LuaVm vm) {
        int n = 0;
        vm.pushNil();
        while (vm.next(-2)) {
            vm.pop(1);
            n++;
        }
        return n;
    }

    /** Redis maps CR and LF to spaces in status and error lines so the protocol stays valid. */
    static String noNewlines(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
