package dev.millrace.engine.scripting;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandSpec;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;

/**
 * Runs Lua: the one interpreter of the engine (created on first use), its Redis environment
 * ({@code environment.lua} plus the Java functions here), and the run of one script or function at a
 * time on the execution thread.
 *
 * <p>A run executes its {@code redis.call}s through the {@link dev.millrace.engine.command.Dispatcher},
 * nested, as a client of its own (a {@link Session} in the caller's database, so SELECT inside stays
 * inside). Their effects are the run's effects: they join the caller's batch and the AOF records them,
 * never EVAL itself, in one record with the rest of the batch.
 *
 * <p>A run that lasts longer than {@code busy-reply-threshold} (alias {@code lua-time-limit}) is "busy",
 * as in Redis: from then on its count hook (every 100,000 instructions) also runs the transport's
 * {@link #whileBusy} task, which answers other clients between two Lua instructions (Redis's
 * processEventsWhileBlocked), through {@link dev.millrace.engine.command.Dispatcher#executeWhileBusy}.
 *
 * <p>Execution thread only.
 */
public final class Scripting {
    private static final Logger LOG = LoggerFactory.getLogger(Scripting.class);
    private static final String SCRIPT_CHUNK = "@user_script";

    private static final int IDLE = 0;
    private static final int CLEAN = 1;
    private static final int DIRTY = 2;
    private static final int KILLED = 3;
    /** How often the busy-script hook checks for a kill, as Redis's: every 100,000 Lua instructions. */
    private static final int HOOK_INSTRUCTIONS = 100_000;
    /**
     * How often a busy run serves other clients at most. The transport reads every connection to do it
     * (one system call each), so with thousands of idle clients serving at every hook would slow the
     * script down many times over; a BUSY reply a few milliseconds later costs nobody anything.
     */
    private static final long SERVE_INTERVAL_MILLIS = 5;
    /** How long a library's code may run at FUNCTION LOAD, as Redis's LOAD_TIMEOUT_MS. */
    private static final long LOAD_TIMEOUT_MILLIS = 500;
    /** INFO's estimate of what a cached script, library or function costs beside its text. */
    private static final long ENTRY_OVERHEAD = 64;

    private final Engine engine;
    private final RedisRandom random = new RedisRandom();
    private LuaVm vm;
    private int errorHandlerRef;
    private int globalsRef;
    private int setHookCountRef;
    private int loadLibraryRef;
    private final FunctionLoader functions = new FunctionLoader(this);
    /** Whether the hook fires at every instruction (after a kill) rather than every 100,000. */
    private boolean hookTightened;
    private final ScriptCache scripts = new ScriptCache();
    /**
     * cjson's settings, which Redis keeps in each of its two Lua states: EVAL's, which SCRIPT FLUSH
     * recreates, and the functions', which lives as long as the server. Here one interpreter serves
     * both, so the settings in force follow what runs.
     */
    private LuaCjson.Config scriptCjson = new LuaCjson.Config();
    private final LuaCjson.Config functionCjson = new LuaCjson.Config();

    /** The run in progress; null when idle. */
    private Run current;
    /** IDLE, CLEAN (no write yet), DIRTY (wrote: unkillable) or KILLED (kill requested). */
    private int state = IDLE;
    /** What answers other clients while a run is busy (the transport's); nothing until one is set. */
    private Runnable serveClientsWhileBusy = () -> { };
    /** When the library code running now (FUNCTION LOAD) started, or -1. */
    private long loadStartedMillis = -1;
    private long lastServedMillis;

    public Scripting(Engine engine) {
        this.engine = engine;
    }

    /**
     * One script or function invocation: its client and what it may do, and what FUNCTION STATS
     * reports of it (the function's or script's name, the caller's command, when it started).
     */
    static final class Run {
        final Session session;
        final boolean readOnly;
        final boolean function;
        final String name;
        final byte[][] callerArgv;
        final long startedMillis;
        int protocol = 2;

        Run(Session session, boolean readOnly, boolean function, String name, byte[][] callerArgv, long startedMillis) {
            this.session = session;
            this.readOnly = readOnly;
            this.function = function;
            this.name = name;
            this.callerArgv = callerArgv;
            this.startedMillis = startedMillis;
        }
    }

    /** Frees the interpreter (native memory) if one was created; the engine runs no script after this. */
    public void close() {
        if (vm != null) {
            vm.close();
            vm = null;
        }
    }

    /** The interpreter, created with its environment on first use. */
    LuaVm vm() {
        if (vm == null) {
            vm = new LuaVm();
            vm.openLibraries();
            installApi();
            vm.run(resource("environment.lua"), "@millrace_environment", 6);
            vm.setContentsRef(vm.ref());
            loadLibraryRef = vm.ref();
            setHookCountRef = vm.ref();
            vm.setWhereRef(vm.ref());
            globalsRef = vm.ref();
            errorHandlerRef = vm.ref();
            setHookCount(HOOK_INSTRUCTIONS);
        }
        return vm;
    }

    ScriptCache scripts() {
        return scripts;
    }

    /** The function libraries (FUNCTION, FCALL). */
    FunctionLoader functions() {
        return functions;
    }

    Engine engine() {
        return engine;
    }

    /** environment.lua's load_library(chunk): runs a library's code in the library API's environment. */
    int loadLibraryRef() {
        vm();
        return loadLibraryRef;
    }

    private static String resource(String name) {
        try (InputStream in = Scripting.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void installApi() {
        vm.newTable(0, 16);
        field("call", () -> redisCall(true));
        field("pcall", () -> redisCall(false));
        field("sha1hex", this::sha1hexFunction);
        field("log", this::logFunction);
        field("setresp", this::setRespFunction);
        field("set_repl", this::setReplFunction);
        field("random", this::randomFunction);
        field("randomseed", this::randomSeedFunction);
        field("hook", this::hookFunction);
        field("acl_check_cmd", this::aclCheckCmdFunction);
        field("register_function", functions::registerFunction);
        vm.pushText(Engine.REDIS_VERSION);
        vm.rawSetField(-2, "version");
        vm.pushNumber(versionNumber(Engine.REDIS_VERSION));
        vm.rawSetField(-2, "version_num");
        LuaLibraries.install(vm, () -> current != null && current.function ? functionCjson : scriptCjson);
        vm.setGlobal("__millrace_api");
    }

    private void field(String name, LuaVm.Body body) {
        vm.pushFunction(body);
        vm.rawSetField(-2, name);
    }

    private static int versionNumber(String version) {
        String[] parts = version.split("\\.");
        return (Integer.parseInt(parts[0]) << 16) | (Integer.parseInt(parts[1]) << 8) | Integer.parseInt(parts[2]);
    }

    // ---------------------------------------------------------------- running

    /**
     * Compiles a script body (its shebang line kept as a comment so line numbers match Redis's) and
     * caches it under its SHA1. Replies the error itself.
     *
     * @return the cached script, or null after an error reply
     */
    ScriptCache.Script compile(byte[] body, ReplyWriter out) {
        String sha = sha1hex(body);
        ScriptCache.Script cached = scripts.get(sha);
        if (cached != null) {
            return cached;
        }
        Shebang shebang = Shebang.parseForEval(body);
        if (shebang.error() != null) {
            out.error(shebang.error());
            return null;
        }
        byte[] source = body;
        if (shebang.present()) {
            source = new byte[body.length + 2];
            source[0] = '-';
            source[1] = '-';
            System.arraycopy(body, 0, source, 2, body.length);
        }
        LuaVm lua = vm();
        String error = lua.load(source, SCRIPT_CHUNK);
        if (error != null) {
            out.error("ERR Error compiling script (new function): " + error);
            return null;
        }
        return scripts.put(sha, body, lua.ref(), shebang.flags());
    }

    /**
     * Runs the function in registry slot {@code functionRef} with KEYS and ARGV (EVAL) or with keys
     * and args as its two parameters (FCALL), replying its result or error to the caller.
     */
    void run(Call call, int functionRef, String name, boolean readOnly, boolean function, int numKeys, int firstKey) {
        LuaVm lua = vm();
        Session session = new Session(call.session().id(), Connection.NONE, call.now(), true);
        session.selectDb(call.db());
        byte[][] argv = call.argv();
        Run run = new Run(session, readOnly, function, name, argv, engine.clock().currentTimeMillis());
        int keysEnd = firstKey + numKeys;
        current = run;
        state = CLEAN;
        try {
            lua.setTop(0);
            lua.checkStack(8);
            lua.pushRef(errorHandlerRef);
            lua.pushRef(functionRef);
            int nargs = 0;
            if (function) {
                lua.pushStringArray(argv, firstKey, keysEnd);
                lua.pushStringArray(argv, keysEnd, argv.length);
                nargs = 2;
            } else {
                // Replaced, never removed: Redis keeps the last ones too, and the global table's layout
                // (pairs(_G)'s order) stays Redis's only if no name is removed and added again.
                lua.pushRef(globalsRef);
                lua.pushStringArray(argv, firstKey, keysEnd);
                lua.rawSetField(-2, "KEYS");
                lua.pushStringArray(argv, keysEnd, argv.length);
                lua.rawSetField(-2, "ARGV");
                lua.pop(1);
            }
            if (lua.pcall(nargs, 1, 1) == 0) {
                LuaValueReply.write(lua, call.reply(), run.protocol);
            } else {
                replyRunError(lua, call.reply(), name);
            }
        } finally {
            current = null;
            state = IDLE;
            lua.setTop(0);
            if (hookTightened) {
                setHookCount(HOOK_INSTRUCTIONS);
            }
        }
    }

    /** The error of a failed run, as Redis words it: the message, then where the script failed. */
    private static void replyRunError(LuaVm lua, ReplyWriter out, String name) {
        if (lua.type(-1) != LuaVm.TTABLE) {
            String msg = lua.type(-1) == LuaVm.TSTRING ? lua.toText(-1) : "execution failure";
            if (msg.length() > 100) {
                msg = msg.substring(0, 100);
            }
            out.error(LuaValueReply.noNewlines("ERR Error running script " + name + ", " + msg));
            return;
        }
        String err = LuaValueReply.stringField(lua, "err");
        String source = LuaValueReply.stringField(lua, "source");
        lua.rawGetField(-1, "line");
        String line = lua.type(-1) == LuaVm.TNUMBER || lua.type(-1) == LuaVm.TSTRING ? lua.toText(-1) : null;
        lua.pop(1);
        StringBuilder message = new StringBuilder(err == null ? "ERR unknown error" : err);
        if (line != null && source != null) {
            message.append(" script: ").append(name).append(", on ").append(source).append(':').append(line).append('.');
        }
        out.error(LuaValueReply.noNewlines(message.toString()));
    }

    // ---------------------------------------------------------------- kill and busy state

    /**
     * Asks the running script (SCRIPT KILL) or function (FUNCTION KILL) to stop: it stops with
     * "Script killed by user with SCRIPT KILL..." at its next hook check (every 100,000 Lua
     * instructions) or its next write. Only a busy run's clients can ask (see {@link #whileBusy}).
     *
     * @param functionKill true for FUNCTION KILL, false for SCRIPT KILL
     * @return null when the kill was requested (reply OK), else the error reply
     */
    public String kill(boolean functionKill) {
        if (state == IDLE || state == KILLED) {
            return Errors.NOTBUSY;
        }
        if (state == DIRTY) {
            return Errors.UNKILLABLE;
        }
        if (current.function != functionKill) {
            return functionKill ? Errors.BUSY_EVAL : Errors.BUSY_FUNCTION;
        }
        state = KILLED;
        return null;
    }

    /**
     * Sets what a busy run's hook calls to answer other clients (Redis's processEventsWhileBlocked),
     * at most every few milliseconds. It runs between two Lua instructions of the script, on the
     * execution thread: it may only run commands through
     * {@link dev.millrace.engine.command.Dispatcher#executeWhileBusy}.
     */
    public void whileBusy(Runnable serveClients) {
        this.serveClientsWhileBusy = serveClients;
    }

    /** Whether a script or function is running: only clients served while it is busy can see one. */
    public boolean running() {
        return current != null;
    }

    /** The error that refuses other clients' commands while the run is busy, worded for EVAL or FCALL. */
    public String busyError() {
        return current != null && current.function ? Errors.BUSY_FUNCTION : Errors.BUSY_EVAL;
    }

    /**
     * FUNCTION STATS's running_script: the running function's name, its caller's command and how long
     * it has run; null when none runs.
     */
    public RunningFunction runningFunction() {
        Run run = current;
        if (run == null || !run.function) {
            return null;
        }
        return new RunningFunction(run.name, run.callerArgv, engine.clock().currentTimeMillis() - run.startedMillis);
    }

    /** A function running now, as FUNCTION STATS describes it. */
    public record RunningFunction(String name, byte[][] command, long durationMillis) {
    }

    /**
     * The count hook, every 100,000 instructions: ends a library load that has run too long, serves the
     * other clients once a run is busy, and stops a killed run.
     */
    private int hookFunction() {
        if (loadStartedMillis >= 0) {
            boolean timedOut = engine.clock().currentTimeMillis() - loadStartedMillis > LOAD_TIMEOUT_MILLIS;
            return timedOut ? raiseAtEveryInstruction(Errors.FUNCTION_LOAD_TIMEOUT) : 0;
        }
        Run run = current;
        if (run != null && state != KILLED) {
            long now = engine.clock().currentTimeMillis();
            if (now - run.startedMillis >= engine.config().getLong("busy-reply-threshold")
                    && now - lastServedMillis >= SERVE_INTERVAL_MILLIS) {
                serveClientsWhileBusy.run();
                lastServedMillis = engine.clock().currentTimeMillis();
            }
        }
        return state == KILLED ? raiseAtEveryInstruction(Errors.SCRIPT_KILLED) : 0;
    }

    /** Raises {@code error} now and at every later instruction, so a pcall that catches it fails again. */
    private int raiseAtEveryInstruction(String error) {
        if (!hookTightened) {
            setHookCount(1);
        }
        LuaReplyBuilder.pushErrorTable(vm, error);
        return -1;
    }

    /**
     * Runs a library's code (FUNCTION LOAD) under Redis's load time limit: past it, the code fails
     * with "FUNCTION LOAD timeout".
     */
    int loadLibrary(LuaVm lua, int nargs) {
        loadStartedMillis = engine.clock().currentTimeMillis();
        try {
            return lua.pcall(nargs, 0, 0);
        } finally {
            loadStartedMillis = -1;
            if (hookTightened) {
                setHookCount(HOOK_INSTRUCTIONS);
            }
        }
    }

    private void setHookCount(int instructions) {
        vm.pushRef(setHookCountRef);
        vm.pushNumber(instructions);
        vm.pcall(1, 0, 0);
        hookTightened = instructions == 1;
    }

    // ---------------------------------------------------------------- the redis.* functions

    private int redisCall(boolean raise) {
        LuaVm lua = vm;
        Run run = current;
        if (run == null) {
            LuaReplyBuilder.pushErrorTable(lua, "ERR redis.call/pcall can only be called inside a script invocation");
            return -1;
        }
        byte[][] argv = commandArguments(lua);
        if (argv == null) {
            return raise ? -1 : 1;
        }
        String refusal = refusal(run, argv);
        if (refusal != null) {
            LuaReplyBuilder.pushErrorTable(lua, refusal);
            return raise ? -1 : 1;
        }
        LuaReplyBuilder reply = new LuaReplyBuilder(lua, run.protocol);
        engine.dispatcher().execute(run.session, argv, reply);
        return raise && reply.isError() ? -1 : 1;
    }

    /**
     * luaArgsToRedisArgv: the arguments on the stack as a command (numbers as %.17g), which it then
     * empties; or null, with the error table pushed, when there are none or one is not a string or number.
     */
    private static byte[][] commandArguments(LuaVm lua) {
        int argc = lua.top();
        if (argc == 0) {
            LuaReplyBuilder.pushErrorTable(lua, Errors.SCRIPT_NO_ARGUMENTS);
            return null;
        }
        byte[][] argv = new byte[argc][];
        for (int i = 0; i < argc; i++) {
            int type = lua.type(i + 1);
            if (type == LuaVm.TNUMBER) {
                argv[i] = CFormat.g(lua.toNumber(i + 1), 17).getBytes(StandardCharsets.ISO_8859_1);
            } else if (type == LuaVm.TSTRING) {
                argv[i] = lua.toBytes(i + 1);
            } else {
                lua.setTop(0);
                LuaReplyBuilder.pushErrorTable(lua, Errors.SCRIPT_BAD_ARGUMENTS);
                return null;
            }
        }
        lua.setTop(0);
        return argv;
    }

    /**
     * redis.acl_check_cmd: whether the caller's user may run the command. Millrace has no ACL users
     * yet (everyone is Redis's default user, who may run everything), so any command Redis's
     * lookupCommand finds is allowed; an unknown command or subcommand raises Redis's error.
     */
    private int aclCheckCmdFunction() {
        LuaVm lua = vm;
        if (current == null) {
            LuaReplyBuilder.pushErrorTable(lua, "ERR redis.acl_check_cmd can only be called inside a script invocation");
            return -1;
        }
        byte[][] argv = commandArguments(lua);
        if (argv == null) {
            return -1;
        }
        if (engine.dispatcher().table().lookupCommand(argv) == null) {
            LuaReplyBuilder.pushErrorTable(lua, "ERR Invalid command passed to redis.acl_check_cmd()");
            return -1;
        }
        lua.pushBoolean(true);
        return 1;
    }

    /** Why a script may not run this command (Redis's scriptCall checks), or null when it may. */
    private String refusal(Run run, byte[][] argv) {
        CommandSpec spec = engine.dispatcher().table().lookupCommand(argv);
        if (spec == null) {
            return Errors.SCRIPT_UNKNOWN_COMMAND;
        }
        if (!spec.arityAccepts(argv.length)) {
            return Errors.SCRIPT_WRONG_ARITY;
        }
        if (!engine.dispatcher().handles(spec)) {
            return Errors.SCRIPT_UNKNOWN_COMMAND;
        }
        if (spec.hasFlag("noscript")) {
            return Errors.SCRIPT_NOSCRIPT_COMMAND;
        }
        if ((spec.name().equals("xread") || spec.name().equals("xreadgroup")) && hasBlockOption(argv)) {
            // Redis's XREAD/XREADGROUP refuse BLOCK from scripts while parsing (elsewhere it is ignored).
            return "ERR " + new String(argv[0], StandardCharsets.ISO_8859_1) + " command is not allowed with BLOCK option from scripts";
        }
        if (spec.isWrite()) {
            if (run.readOnly) {
                return Errors.SCRIPT_WRITE_IN_READ_ONLY;
            }
            // From now on the script is unkillable; a kill requested before wins instead.
            if (state == KILLED) {
                return Errors.SCRIPT_KILLED;
            }
            state = DIRTY;
        }
        return null;
    }

    /** Whether XREAD/XREADGROUP's options, read as Redis's parser reads them up to STREAMS, include BLOCK. */
    private static boolean hasBlockOption(byte[][] argv) {
        for (int i = 1; i < argv.length; i++) {
            String option = new String(argv[i], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
            int more = argv.length - i - 1;
            switch (option) {
                case "BLOCK" -> {
                    return more > 0;
                }
                case "COUNT" -> i++;
                case "GROUP" -> i += 2;
                case "NOACK" -> { }
                default -> {
                    return false;
                }
            }
        }
        return false;
    }

    private int sha1hexFunction() {
        LuaVm lua = vm;
        if (lua.top() != 1) {
            LuaReplyBuilder.pushErrorTable(lua, "ERR wrong number of arguments");
            return -1;
        }
        byte[] bytes = lua.toBytes(1);
        lua.pushText(sha1hex(bytes == null ? new byte[0] : bytes));
        return 1;
    }

    private int logFunction() {
        LuaVm lua = vm;
        int argc = lua.top();
        if (argc < 2) {
            LuaReplyBuilder.pushErrorTable(lua, "ERR redis.log() requires two arguments or more.");
            return -1;
        }
        if (!lua.isNumber(1)) {
            LuaReplyBuilder.pushErrorTable(lua, "ERR First argument must be a number (log level).");
            return -1;
        }
        int level = (int) lua.toNumber(1);
        if (level < 0 || level > 3) {
            LuaReplyBuilder.pushErrorTable(lua, "ERR Invalid debug level.");
            return -1;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 2; i <= argc; i++) {
            if (lua.type(i) == LuaVm.TSTRING || lua.type(i) == LuaVm.TNUMBER) {
                text.append(i > 2 ? " " : "").append(lua.toText(i));
            }
        }
        switch (level) {
            case 0, 1 -> LOG.debug("{}", text);
            case 2 -> LOG.info("{}", text);
            default -> LOG.warn("{}", text);
        }
        return 0;
    }

    private int setRespFunction() {
        LuaVm lua = vm;
        Run run = current;
        if (lua.top() != 1) {
            LuaReplyBuilder.pushErrorTable(lua, "ERR redis.setresp() requires one argument.");
            return -1;
        }
        int resp = (int) lua.toNumber(1);
        if (resp != 2 && resp != 3) {
            LuaReplyBuilder.pushErrorTable(lua, "ERR RESP version must be 2 or 3.");
            return -1;
        }
        if (run != null) {
            run.protocol = resp;
            run.session.setProtocol(resp);
        }
        return 0;
    }

    /** Effects are always logged, whatever the flags (Redis 7 replicates effects only): checked, then ignored. */
    private int setReplFunction() {
        LuaVm lua = vm;
        if (lua.top() != 1) {
            LuaReplyBuilder.pushErrorTable(lua, "ERR redis.set_repl() requires one argument.");
            return -1;
        }
        int flags = (int) lua.toNumber(1);
        if ((flags & ~3) != 0) {
            LuaReplyBuilder.pushErrorTable(lua,
                    "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
            return -1;
        }
        return 0;
    }

    /** Lua 5.1's math.random with rand() replaced by Redis's rand48 (redis_math_random). */
    private int randomFunction() {
        LuaVm lua = vm;
        double r = random.nextFraction();
        switch (lua.top()) {
            case 0 -> lua.pushNumber(r);
            case 1 -> {
                Integer u = checkInt(lua, 1, "random");
                if (u == null) {
                    return -1;
                }
                if (u < 1) {
                    return lua.argError(1, "random", "interval is empty");
                }
                lua.pushNumber(Math.floor(r * u) + 1);
            }
            case 2 -> {
                Integer low = checkInt(lua, 1, "random");
                Integer up = low == null ? null : checkInt(lua, 2, "random");
                if (up == null) {
                    return -1;
                }
                if (low > up) {
                    return lua.argError(2, "random", "interval is empty");
                }
                lua.pushNumber(Math.floor(r * ((double) up - low + 1)) + low);
            }
            default -> {
                return lua.raise("wrong number of arguments");
            }
        }
        return 1;
    }

    private int randomSeedFunction() {
        Integer seed = checkInt(vm, 1, "randomseed");
        if (seed == null) {
            return -1;
        }
        random.seed(seed);
        return 0;
    }

    /** luaL_checkint: a number (or numeric string), truncated; else raises Lua's message and returns null. */
    private static Integer checkInt(LuaVm lua, int arg, String function) {
        if (lua.isNumber(arg)) {
            return (int) (long) lua.toNumber(arg);
        }
        lua.typeError(arg, function, "number");
        return null;
    }

    static String typeName(int type) {
        return switch (type) {
            case LuaVm.TNIL -> "nil";
            case LuaVm.TBOOLEAN -> "boolean";
            case LuaVm.TNUMBER -> "number";
            case LuaVm.TSTRING -> "string";
            case LuaVm.TTABLE -> "table";
            case LuaVm.TFUNCTION -> "function";
            default -> "userdata";
        };
    }

    // ---------------------------------------------------------------- cache maintenance

    /** SCRIPT FLUSH: forgets every cached script and lets Lua collect them; cjson's settings start anew. */
    void flushScripts() {
        scriptCjson = new LuaCjson.Config();
        if (vm == null) {
            return;
        }
        for (ScriptCache.Script script : scripts.all()) {
            vm.unref(script.ref());
        }
        scripts.clear();
        vm.collectGarbage();
    }

    /**
     * INFO memory's scripting fields. The Lua heap is measured; the rest are estimates in the spirit of
     * Redis's (bodies and names plus a fixed overhead per entry). One interpreter serves EVAL and
     * functions here, so its whole heap counts as EVAL's and the functions' VM as 0.
     */
    public ScriptingMemory memory() {
        long scriptBytes = 0;
        for (ScriptCache.Script script : scripts.all()) {
            scriptBytes += ENTRY_OVERHEAD + script.sha().length() + script.body().length;
        }
        long functionBytes = 0;
        int functionCount = 0;
        List<FunctionLibraries.Library> libraries = functions.libraries().all();
        for (FunctionLibraries.Library library : libraries) {
            functionBytes += ENTRY_OVERHEAD + library.name().length() + library.code().length;
            for (String name : library.functions().keySet()) {
                functionBytes += ENTRY_OVERHEAD + name.length();
                functionCount++;
            }
        }
        return new ScriptingMemory(vm == null ? 0 : vm.memoryBytes(), scripts.size(), scriptBytes,
                libraries.size(), functionCount, functionBytes);
    }

    /** What {@link #memory} reports, in INFO's terms. */
    public record ScriptingMemory(long luaHeapBytes, int cachedScripts, long cachedScriptBytes,
                                  int libraries, int functions, long functionBytes) {
    }

    static String sha1hex(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(bytes);
            StringBuilder hex = new StringBuilder(40);
            for (byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
