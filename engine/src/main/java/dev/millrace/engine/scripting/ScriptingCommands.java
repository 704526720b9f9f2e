package dev.millrace.engine.scripting;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.commands.HelpReply;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** EVAL, EVALSHA, their _RO forms and SCRIPT: the scripts cached by SHA1 and run by {@link Scripting}. */
public final class ScriptingCommands implements CommandFamily {
    private final Scripting scripting;

    public ScriptingCommands(Scripting scripting) {
        this.scripting = scripting;
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("eval", call -> eval(call, false));
        bind.bind("eval_ro", call -> eval(call, true));
        bind.bind("evalsha", call -> evalSha(call, false));
        bind.bind("evalsha_ro", call -> evalSha(call, true));
        bind.bind("script|load", this::load);
        bind.bind("script|exists", this::exists);
        bind.bind("script|flush", this::flush);
        bind.bind("script|kill", call -> replyKill(call, scripting.kill(false)));
        bind.bind("script|debug", this::debug);
        bind.bind("script|help", this::help);
    }

    /**
     * The numkeys argument of EVAL and FCALL at index 2, checked as Redis checks it. Replies the error.
     *
     * @return the number of keys, or -1 after an error reply
     */
    static int numKeys(Call call) {
        Long numKeys = Numbers.parseLong(call.arg(2));
        if (numKeys == null) {
            call.reply().error(Errors.NOT_INTEGER);
            return -1;
        }
        if (numKeys > call.argc() - 3) {
            call.reply().error(Errors.SCRIPT_TOO_MANY_KEYS);
            return -1;
        }
        if (numKeys < 0) {
            call.reply().error(Errors.SCRIPT_NEGATIVE_KEYS);
            return -1;
        }
        return numKeys.intValue();
    }

    private void eval(Call call, boolean readOnly) {
        int numKeys = numKeys(call);
        if (numKeys < 0) {
            return;
        }
        ScriptCache.Script script = scripting.compile(call.arg(1), call.reply());
        if (script != null) {
            scripting.run(call, script.ref(), script.sha(), readOnly || script.readOnly(), false, numKeys, 3);
        }
    }

    private void evalSha(Call call, boolean readOnly) {
        int numKeys = numKeys(call);
        if (numKeys < 0) {
            return;
        }
        ScriptCache.Script script = scripting.scripts().get(call.argString(1).toLowerCase(Locale.ROOT));
        if (script == null) {
            call.reply().error(Errors.NOSCRIPT);
            return;
        }
        scripting.run(call, script.ref(), script.sha(), readOnly || script.readOnly(), false, numKeys, 3);
    }

    private void load(Call call) {
        ScriptCache.Script script = scripting.compile(call.arg(2), call.reply());
        if (script != null) {
            call.reply().bulk(script.sha().getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private void exists(Call call) {
        call.reply().array(call.argc() - 2);
        for (int i = 2; i < call.argc(); i++) {
            call.reply().integer(scripting.scripts().get(call.argString(i).toLowerCase(Locale.ROOT)) == null ? 0 : 1);
        }
    }

    private void flush(Call call) {
        if (!flushModeValid(call)) {
            call.reply().error(Errors.SCRIPT_FLUSH_MODE);
            return;
        }
        scripting.flushScripts();
        call.reply().simple("OK");
    }

    /** FLUSH's optional ASYNC|SYNC (both flush at once here: the cache is small). */
    static boolean flushModeValid(Call call) {
        return call.argc() == 2 || (call.argc() == 3 && (call.argIs(2, "async") || call.argIs(2, "sync")));
    }

    /** SCRIPT KILL and FUNCTION KILL on the execution thread: the transport routes kills of a running script. */
    static void replyKill(Call call, String error) {
        if (error == null) {
            call.reply().simple("OK");
        } else {
            call.reply().error(error);
        }
    }

    /** Millrace has no Lua debugger (LDB): only turning it off is accepted. */
    private void debug(Call call) {
        if (call.argIs(2, "no")) {
            call.reply().simple("OK");
        } else if (call.argIs(2, "yes") || call.argIs(2, "sync")) {
            call.reply().error(Errors.SCRIPT_DEBUGGER_UNSUPPORTED);
        } else {
            call.reply().error(Errors.SCRIPT_DEBUG_USAGE);
        }
    }

    private void help(Call call) {
        HelpReply.reply(call,
                "DEBUG (YES|SYNC|NO)",
                "    Set the debug mode for subsequent scripts executed.",
                "EXISTS <sha1> [<sha1> ...]",
                "    Return information about the existence of the scripts in the script cache.",
                "FLUSH [ASYNC|SYNC]",
                "    Flush the Lua scripts cache. Very dangerous on replicas.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the scripts cache.",
                "    * SYNC: Synchronously flush the scripts cache.",
                "KILL",
                "    Kill the currently executing Lua script.",
                "LOAD <script>",
                "    Load a script into the scripts cache without executing it.");
    }
}
