package dev.millrace.engine.scripting;

import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.util.DoubleFormat;

import java.nio.charset.StandardCharsets;

/**
 * The reply of a command a script runs, built directly as a Lua value on the stack (Redis's
 * redisProtocolToLuaType). In RESP2 (the script's default, {@code redis.setresp(2)}): integer to
 * number, bulk to string, null to false, status to {@code {ok=...}}, error to {@code {err=...}},
 * array to table; RESP3 types reach Lua as their RESP2 forms. In RESP3: null to nil, map to
 * {@code {map={...}}}, set to {@code {set={k=true}}}, double to {@code {double=n}}, boolean to
 * boolean, big number to {@code {big_number=s}}, verbatim to {@code {verbatim_string={format=,string=}}};
 * attributes are dropped.
 *
 * <p>Aggregates are tracked as frames: an array's table stays on the stack while its elements are
 * pushed and stored; a finished aggregate is stored into its parent. A scalar takes one slot until it
 * is stored, so only aggregates (a few slots per level) and table-valued replies check the stack: a
 * Java function called from Lua starts with LUA_MINSTACK (20) free slots. One builder per command call.
 */
final class LuaReplyBuilder implements ReplyWriter {
    private static final int ARRAY = 0;
    private static final int MAP = 1;
    private static final int SET = 2;
    private static final int SKIP = 3;

    private final LuaVm vm;
    private final int protocol;
    private int depth;
    /** The frames of the aggregates being built, allocated with the first one: most replies are scalars. */
    private int[] kinds = {};
    private int[] remaining = {};
    private int[] index = {};
    private boolean[] keyPending = {};
    private boolean topLevelError;

    LuaReplyBuilder(LuaVm vm, int protocol) {
        this.vm = vm;
        this.protocol = protocol;
    }

    /** Whether the reply was an error (then an {@code {err=...}} table is on the stack). */
    boolean isError() {
        return topLevelError;
    }

    /** Pushes Redis's error table for an error reply text such as "ERR something" (luaPushErrorBuff). */
    static void pushErrorTable(LuaVm vm, String message) {
        vm.newTable(0, 1);
        vm.pushBytes(errorTableText(message).getBytes(StandardCharsets.ISO_8859_1));
        vm.rawSetField(-2, "err");
    }

    /** "CODE message" as Redis stores it in an error table: a code always, no trailing CR/LF. */
    static String errorTableText(String message) {
        int space = message.indexOf(' ');
        String code = space < 0 ? "ERR" : message.substring(0, space);
        String text = space < 0 ? message : message.substring(space + 1);
        int start = 0;
        int end = text.length();
        while (start < end && (text.charAt(start) == '\r' || text.charAt(start) == '\n')) {
            start++;
        }
        while (end > start && (text.charAt(end - 1) == '\r' || text.charAt(end - 1) == '\n')) {
            end--;
        }
        return code + " " + text.substring(start, end);
    }

    private void pushed() {
        while (depth > 0) {
            int d = depth - 1;
            switch (kinds[d]) {
                case ARRAY -> vm.rawSetI(-2, ++index[d]);
                case MAP -> {
                    if (!keyPending[d]) {
                        keyPending[d] = true;
                        return;
                    }
                    keyPending[d] = false;
                    vm.rawSet(-3);
                }
                case SET -> {
                    vm.pushBoolean(true);
                    vm.rawSet(-3);
                }
                default -> vm.pop(1);
            }
            if (--remaining[d] > 0) {
                return;
            }
            if (!finish(d)) {
                return;
            }
        }
    }

    /** Ends frame {@code d}: its value is complete on the stack. Returns whether a value was produced. */
    private boolean finish(int d) {
        depth = d;
        switch (kinds[d]) {
            case MAP -> vm.rawSetField(-2, "map");
            case SET -> vm.rawSetField(-2, "set");
            case SKIP -> {
                return false;
            }
            default -> { }
        }
        return true;
    }

    private void open(int kind, int elements, String wrapper) {
        vm.checkStack(4);
        if (wrapper != null) {
            vm.newTable(0, 1);
        }
        vm.newTable(kind == ARRAY ? elements : 0, kind == ARRAY ? 0 : elements);
        pushFrame(kind, elements); // a map counts its pairs: a key alone does not count
        if (elements == 0 && finish(depth - 1)) {
            pushed();
        }
    }

    private void pushFrame(int kind, int values) {
        if (depth == kinds.length) {
            int n = Math.max(8, depth * 2);
            kinds = java.util.Arrays.copyOf(kinds, n);
            remaining = java.util.Arrays.copyOf(remaining, n);
            index = java.util.Arrays.copyOf(index, n);
            keyPending = java.util.Arrays.copyOf(keyPending, n);
        }
        kinds[depth] = kind;
        remaining[depth] = values;
        index[depth] = 0;
        keyPending[depth] = false;
        depth++;
    }

    @Override public void simple(String text) {
        vm.checkStack(3);
        vm.newTable(0, 1);
        vm.pushBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        vm.rawSetField(-2, "ok");
        pushed();
    }

    @Override public void error(String message) {
        vm.checkStack(3);
        pushErrorTable(vm, message);
        if (depth == 0) {
            topLevelError = true;
        }
        pushed();
    }

    @Override public void integer(long value) {
        vm.pushNumber(value);
        pushed();
    }

    @Override public void bulk(byte[] value) {
        vm.pushBytes(value);
        pushed();
    }

    @Override public void bulk(String value) {
        bulk(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override public void bulk(byte[] value, int offset, int length) {
        vm.pushBytes(value, offset, length);
        pushed();
    }

    private void nullValue() {
        if (protocol == 2) {
            vm.pushBoolean(false);
        } else {
            vm.pushNil();
        }
        pushed();
    }

    @Override public void nullBulk() { nullValue(); }
    @Override public void nullArray() { nullValue(); }

    @Override public void array(int length) { open(ARRAY, length, null); }

    @Override public void map(int entries) {
        if (protocol == 2) {
            open(ARRAY, entries * 2, null);
        } else {
            open(MAP, entries, "map");
        }
    }

    @Override public void set(int length) {
        if (protocol == 2) {
            open(ARRAY, length, null);
        } else {
            open(SET, length, "set");
        }
    }

    @Override public void doubleValue(double value) {
        if (protocol == 2) {
            bulk(DoubleFormat.format(value));
        } else {
            vm.checkStack(3);
            vm.newTable(0, 1);
            vm.pushNumber(value);
            vm.rawSetField(-2, "double");
            pushed();
        }
    }

    @Override public void doubleText(String text) {
        if (protocol == 2) {
            bulk(text);
        } else {
            doubleValue(Double.parseDouble(text));
        }
    }

    @Override public void bool(boolean value) {
        if (protocol == 2) {
            integer(value ? 1 : 0);
        } else {
                vm.pushBoolean(value);
            pushed();
        }
    }

    @Override public void verbatim(String format, String text) {
        if (protocol == 2) {
            bulk(text);
            return;
        }
        vm.checkStack(5);
        vm.newTable(0, 1);
        vm.newTable(0, 2);
        vm.pushBytes(text.getBytes(StandardCharsets.UTF_8));
        vm.rawSetField(-2, "string");
        vm.pushText(format);
        vm.rawSetField(-2, "format");
        vm.rawSetField(-2, "verbatim_string");
        pushed();
    }

    @Override public void bigNumber(String digits) {
        if (protocol == 2) {
            bulk(digits);
            return;
        }
        vm.checkStack(3);
        vm.newTable(0, 1);
        vm.pushText(digits);
        vm.rawSetField(-2, "big_number");
        pushed();
    }

    @Override public void attribute(int entries) {
        if (entries == 0) {
            return;
        }
        pushFrame(SKIP, entries * 2); // its keys and values are pushed, then dropped
    }

    @Override public void push(int length) { array(length); }

    @Override public int protocol() { return protocol; }
}
