package dev.millrace.engine.scripting;

import dev.millrace.engine.reply.ReplyWriter;

import java.util.ArrayDeque;

/**
 * Writes the Lua value on top of the stack as a Redis reply and pops it (Redis's luaReplyToRedisReply):
 * string to bulk, number to integer (truncated), true to 1 and false to null (or booleans once the
 * script chose RESP3), {@code {err=}} to an error, {@code {ok=}} to a status, {@code {double=}},
 * {@code {big_number=}}, {@code {verbatim_string=}}, {@code {map=}}, {@code {set=}} to their RESP3
 * types, any other table to an array cut at its first nil, anything else to null.
 *
 * <p>Nested tables are walked with an explicit stack of frames, not recursion: a table nested as deep
 * as Lua's C stack allows (8000 levels, a table holding itself for one) must not overflow the
 * execution thread's Java stack. Past Lua's limit the value is "ERR reached lua stack limit", as in Redis.
 */
final class LuaValueReply {
    private static final int ARRAY = 0;
    private static final int MAP = 1;
    private static final int SET = 2;

    private LuaValueReply() { }

    /** An aggregate being written: its table(s) stay on the Lua stack until its last element is written. */
    private static final class Frame {
        final int kind;
        final int length;
        int next = 1;
        /** MAP: whether the key was just written and its value is on top. */
        boolean valueOnTop;

        Frame(int kind, int length) {
            this.kind = kind;
            this.length = length;
        }

        /** Pushes the next element to write and returns true, or pops the aggregate's tables and returns false. */
        boolean advance(LuaVm vm) {
            switch (kind) {
                case ARRAY -> {
                    if (next <= length) {
                        vm.rawGetI(-1, next++);
                        return true;
                    }
                    vm.pop(1);
                    return false;
                }
                case MAP -> {
                    if (valueOnTop) {
                        valueOnTop = false;
                        return true;
                    }
                    if (vm.next(-2)) {
                        vm.pushValue(-2);
                        valueOnTop = true;
                        return true;
                    }
                    vm.pop(2);
                    return false;
                }
                default -> {
                    if (vm.next(-2)) {
                        vm.pop(1);
                        vm.pushValue(-1);
                        return true;
                    }
                    vm.pop(2);
                    return false;
                }
            }
        }
    }

    static void write(LuaVm vm, ReplyWriter out, int scriptProtocol) {
        ArrayDeque<Frame> frames = new ArrayDeque<>();
        boolean valueOnTop = true;
        while (true) {
            if (valueOnTop) {
                Frame opened = writeOne(vm, out, scriptProtocol);
                if (opened != null) {
                    frames.push(opened);
                }
            }
            Frame frame = frames.peek();
            if (frame == null) {
                return;
            }
            valueOnTop = frame.advance(vm);
            if (!valueOnTop) {
                frames.pop();
            }
        }
    }

    /**
     * Writes the value on top: a scalar or a single-field table is written and popped (null returned);
     * a map, set or array is announced and returned as a frame whose elements follow.
     */
    private static Frame writeOne(LuaVm vm, ReplyWriter out, int scriptProtocol) {
        if (!vm.tryCheckStack(4)) {
            out.error("ERR reached lua stack limit");
            vm.pop(1);
            return null;
        }
        switch (vm.type(-1)) {
            case LuaVm.TSTRING -> out.bulk(vm.toBytes(-1));
            case LuaVm.TBOOLEAN -> {
                boolean value = vm.toBoolean(-1);
                if (scriptProtocol == 3) {
                    out.bool(value);
                } else if (value) {
                    out.integer(1);
                } else {
                    out.nullBulk();
                }
            }
            case LuaVm.TNUMBER -> out.integer(LuaStruct.cLong(vm.toNumber(-1))); // (long long) as C on x86-64
            case LuaVm.TTABLE -> {
                return writeTable(vm, out);
            }
            default -> out.nullBulk();
        }
        vm.pop(1);
        return null;
    }

    private static Frame writeTable(LuaVm vm, ReplyWriter out) {
        String err = stringField(vm, "err");
        if (err != null) {
            out.error(noNewlines(err));
            vm.pop(1);
            return null;
        }
        String ok = stringField(vm, "ok");
        if (ok != null) {
            out.simple(noNewlines(ok));
            vm.pop(1);
            return null;
        }
        vm.rawGetField(-1, "double");
        if (vm.type(-1) == LuaVm.TNUMBER) {
            out.doubleValue(vm.toNumber(-1));
            vm.pop(2);
            return null;
        }
        vm.pop(1);
        String big = stringField(vm, "big_number");
        if (big != null) {
            out.bigNumber(noNewlines(big));
            vm.pop(1);
            return null;
        }
        vm.rawGetField(-1, "verbatim_string");
        if (vm.type(-1) == LuaVm.TTABLE) {
            String format = stringField(vm, "format");
            String text = stringField(vm, "string");
            if (format != null && text != null) {
                out.verbatim(format, text);
                vm.pop(2);
                return null;
            }
        }
        vm.pop(1);
        vm.rawGetField(-1, "map");
        if (vm.type(-1) == LuaVm.TTABLE) {
            out.map(countEntries(vm));
            vm.pushNil();
            return new Frame(MAP, 0);
        }
        vm.pop(1);
        vm.rawGetField(-1, "set");
        if (vm.type(-1) == LuaVm.TTABLE) {
            out.set(countEntries(vm));
            vm.pushNil();
            return new Frame(SET, 0);
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
        return new Frame(ARRAY, length);
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
}
