package dev.millrace.engine.scripting;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.commands.HelpReply;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.util.Glob;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * FUNCTION and FCALL: libraries of Lua functions loaded with {@code #!lua name=...} code and
 * {@code redis.register_function}, called by name. Changes are logged as the FUNCTION command itself
 * (LOAD always with REPLACE, so replay is idempotent) and kept in the key store ({@link FunctionLibraries}).
 */
public final class FunctionCommands implements CommandFamily {
    private static final byte[] FUNCTION = bytes("FUNCTION");
    private final Scripting scripting;

    public FunctionCommands(Scripting scripting) {
        this.scripting = scripting;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("fcall", call -> fcall(call, false));
        bind.bind("fcall_ro", call -> fcall(call, true));
        bind.bind("function|load", this::load);
        bind.bind("function|delete", this::delete);
        bind.bind("function|flush", this::flush);
        bind.bind("function|list", this::list);
        bind.bind("function|dump", call -> call.reply().bulk(scripting.functions().libraries().dump()));
        bind.bind("function|restore", this::restore);
        bind.bind("function|stats", this::stats);
        bind.bind("function|kill", call -> ScriptingCommands.replyKill(call, scripting.kill(true)));
        bind.bind("function|help", this::help);
    }

    private void fcall(Call call, boolean readOnly) {
        FunctionLibraries.Function function = scripting.functions().libraries().function(call.argString(1));
        if (function == null) {
            call.reply().error(Errors.FUNCTION_NOT_FOUND);
            return;
        }
        Long numKeys = Numbers.parseLong(call.arg(2));
        if (numKeys == null) {
            call.reply().error(Errors.FUNCTION_BAD_NUMKEYS);
            return;
        }
        if (numKeys > call.argc() - 3) {
            call.reply().error(Errors.SCRIPT_TOO_MANY_KEYS);
            return;
        }
        if (numKeys < 0) {
            call.reply().error(Errors.SCRIPT_NEGATIVE_KEYS);
            return;
        }
        if (readOnly && !function.readOnly()) {
            call.reply().error(Errors.FUNCTION_WRITE_IN_READ_ONLY);
            return;
        }
        scripting.run(call, function.ref(), function.name(), readOnly || function.readOnly(), true, numKeys.intValue(), 3);
    }

    private void load(Call call) {
        boolean replace = false;
        for (int i = 2; i < call.argc() - 1; i++) {
            if (!call.argIs(i, "replace")) {
                call.reply().error("ERR Unknown option given: " + call.argString(i));
                return;
            }
            replace = true;
        }
        byte[] code = call.arg(call.argc() - 1);
        FunctionLoader.LibraryMeta loaded = scripting.functions().loadLibrary(code, replace);
        if (loaded.error() != null) {
            call.reply().error(loaded.error());
            return;
        }
        librariesChanged(call, bytes("LOAD"), bytes("REPLACE"), code);
        call.reply().bulk(bytes(loaded.name()));
    }

    /**
     * Logs a change of the libraries as FUNCTION {@code effect}. It counts as a change of the data, as
     * in Redis: for the save rules and rdb_changes_since_last_save.
     */
    private static void librariesChanged(Call call, byte[]... effect) {
        byte[][] argv = new byte[effect.length + 1][];
        argv[0] = FUNCTION;
        System.arraycopy(effect, 0, argv, 1, effect.length);
        call.effect(argv);
        call.keyspace().addDirty(1);
    }

    private void delete(Call call) {
        if (!scripting.functions().deleteLibrary(call.argString(2))) {
            call.reply().error(Errors.FUNCTION_LIBRARY_NOT_FOUND);
            return;
        }
        librariesChanged(call, bytes("DELETE"), call.arg(2));
        call.reply().simple("OK");
    }

    private void flush(Call call) {
        if (!ScriptingCommands.flushModeValid(call)) {
            call.reply().error(Errors.FUNCTION_FLUSH_MODE);
            return;
        }
        scripting.functions().flushLibraries();
        librariesChanged(call, bytes("FLUSH"));
        call.reply().simple("OK");
    }

    private void restore(Call call) {
        String policy = "APPEND";
        if (call.argc() == 4) {
            policy = call.argString(3).toUpperCase(Locale.ROOT);
        }
        if (call.argc() > 4 || !List.of("FLUSH", "APPEND", "REPLACE").contains(policy)) {
            call.reply().error(Errors.FUNCTION_RESTORE_POLICY);
            return;
        }
        String error = scripting.functions().restoreLibraries(call.arg(2), policy);
        if (error != null) {
            call.reply().error(error);
            return;
        }
        librariesChanged(call, bytes("RESTORE"), call.arg(2), bytes(policy));
        call.reply().simple("OK");
    }

    private void list(Call call) {
        boolean withCode = false;
        byte[] pattern = null;
        for (int i = 2; i < call.argc(); i++) {
            if (call.argIs(i, "withcode") && !withCode) {
                withCode = true;
            } else if (call.argIs(i, "libraryname") && pattern == null) {
                if (i + 1 >= call.argc()) {
                    call.reply().error("ERR library name argument was not given");
                    return;
                }
                pattern = call.arg(++i);
            } else {
                call.reply().error("ERR Unknown argument " + call.argString(i));
                return;
            }
        }
        byte[] filter = pattern;
        List<FunctionLibraries.Library> shown = scripting.functions().libraries().all().stream()
                .filter(l -> filter == null || Glob.matches(filter, bytes(l.name()), false)).toList();
        ReplyWriter out = call.reply();
        out.array(shown.size());
        for (FunctionLibraries.Library library : shown) {
            out.map(withCode ? 4 : 3);
            out.bulk("library_name");
            out.bulk(bytes(library.name()));
            out.bulk("engine");
            out.bulk("LUA");
            out.bulk("functions");
            out.array(library.functions().size());
            for (FunctionLibraries.Function function : library.functions().values()) {
                out.map(3);
                out.bulk("name");
                out.bulk(bytes(function.name()));
                out.bulk("description");
                if (function.description() == null) {
                    out.nullBulk();
                } else {
                    out.bulk(bytes(function.description()));
                }
                out.bulk("flags");
                out.set(function.flags().size());
                function.flags().forEach(out::simple);
            }
            if (withCode) {
                out.bulk("library_code");
                out.bulk(library.code());
            }
        }
    }

    /**
     * running_script is the function a busy FCALL runs, which only a client served meanwhile can see
     * (FUNCTION STATS is allow_busy); during a busy EVAL it is refused with BUSY, as in Redis.
     */
    private void stats(Call call) {
        ReplyWriter out = call.reply();
        Scripting.RunningFunction running = scripting.runningFunction();
        if (running == null && scripting.running()) {
            out.error(Errors.BUSY_EVAL);
            return;
        }
        out.map(2);
        out.bulk("running_script");
        if (running == null) {
            out.nullBulk();
        } else {
            out.map(3);
            out.bulk("name");
            out.bulk(running.name());
            out.bulk("command");
            out.array(running.command().length);
            for (byte[] arg : running.command()) {
                out.bulk(arg);
            }
            out.bulk("duration_ms");
            out.integer(running.durationMillis());
        }
        out.bulk("engines");
        out.map(1);
        out.bulk("LUA");
        out.map(2);
        out.bulk("libraries_count");
        out.integer(scripting.functions().libraries().all().size());
        out.bulk("functions_count");
        out.integer(scripting.functions().libraries().functionCount());
    }

    private void help(Call call) {
        HelpReply.reply(call,
                "LOAD [REPLACE] <FUNCTION CODE>",
                "    Create a new library with the given library name and code.",
                "DELETE <LIBRARY NAME>",
                "    Delete the given library.",
                "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
                "    Return general information on all the libraries:",
                "    * Library name",
                "    * The engine used to run the Library",
                "    * Library description",
                "    * Functions list",
                "    * Library code (if WITHCODE is given)",
                "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
                "STATS",
                "    Return information about the current function running:",
                "    * Function name",
                "    * Command used to run the function",
                "    * Duration in MS that the function is running",
                "    If no function is running, return nil",
                "    In addition, returns a list of available engines.",
                "KILL",
                "    Kill the current running function.",
                "FLUSH [ASYNC|SYNC]",
                "    Delete all the libraries.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the libraries.",
                "    * SYNC: Synchronously flush the libraries.",
                "DUMP",
                "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
                "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
                "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
                "    control how to handle existing libraries (default APPEND):",
                "    * FLUSH: delete all existing libraries.",
                "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
                "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
                "      libraries with the new libraries (notice that even on this option there is a chance of failure",
                "      in case of functions name collision with another library).");
    }
}
