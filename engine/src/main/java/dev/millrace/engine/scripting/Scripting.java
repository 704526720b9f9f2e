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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

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
 * <p>Thread-safety: everything runs on the execution thread except {@link #kill} and {@link #runningSince},
 * which another thread (the transport's) may call while a script runs.
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

    private final Engine engine;
    private final RedisRandom random = new RedisRandom();
    private LuaVm vm;
    private int errorHandlerRef;
    private int globalsRef;
    private int setHookCountRef;
    private int loadLibraryRef;
    private final FunctionLibraries libraries = new FunctionLibraries();
    private boolean librariesRead;
    /** The functions registered by the library being loaded (FUNCTION LOAD), or null outside a load. */
    private Map<String, FunctionLibraries.Function> registering;
    private String registeringLibrary;
    /** Whether the hook fires at every instruction (after a kill) rather than every 100,000. */
    private boolean hookTightened;
    private final ScriptCache scripts = new ScriptCache();

    /** The run in progress (execution thread); null when idle. */
    private Run current;
    /** IDLE, CLEAN (no write yet), DIRTY (wrote: unkillable) or KILLED (kill requested). */
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private volatile boolean runningFunction;
    private volatile long runStartedMillis = -1;
    /** What the busy-script hook runs once a script has run busy-reply-threshold ms (see {@link #whileBusy}). */
    private Runnable whileBusy = () -> { };

    public Scripting(Engine engine) {
        this.engine = engine;
    }

    /** One script or function invocation. */
    static final class Run {
        final Call caller;
        final Session session;
        final boolean readOnly;
        final String name;
        int protocol = 2;

        Run(Call caller, Session session, boolean readOnly, String name) {
            this.caller = caller;
            this.session = session;
            this.readOnly = readOnly;
            this.name = name;
        }
    }

    /** The interpreter, created with its environment on first use. */
    LuaVm vm() {
        if (vm == null) {
            vm = new LuaVm();
            vm.openLibraries();
            installApi();
            vm.run(resource("environment.lua"), "@millrace_environment", 5);
            loadLibraryRef = vm.ref();
            setHookCountRef = vm.ref();
            vm.setWhereRef(vm.ref());
            globalsRef = vm.ref();
            errorHandlerRef = vm.ref();
        }
        return vm;
    }

    ScriptCache scripts() {
        return scripts;
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
        field("register_function", this::registerFunction);
        vm.pushText(Engine.REDIS_VERSION);
        vm.rawSetField(-2, "version");
        vm.pushNumber(versionNumber(Engine.REDIS_VERSION));
        vm.rawSetField(-2, "version_num");
        LuaLibraries.install(vm);
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
        Run run = new Run(call, session, readOnly, name);
        byte[][] argv = call.argv();
        int keysEnd = firstKey + numKeys;
        current = run;
        runningFunction = function;
        runStartedMillis = engine.clock().currentTimeMillis();
        state.set(CLEAN);
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
            state.set(IDLE);
            runStartedMillis = -1;
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
     * instructions) or its next write. Safe from any thread; the transport calls it while the execution
     * thread is busy in a script.
     *
     * @param functionKill true for FUNCTION KILL, false for SCRIPT KILL
     * @return null when the kill was requested (reply OK), else the error reply
     */
    public String kill(boolean functionKill) {
        while (true) {
            int s = state.get();
            if (s == IDLE || s == KILLED) {
                return Errors.NOTBUSY;
            }
            if (s == DIRTY) {
                return Errors.UNKILLABLE;
            }
            if (runningFunction != functionKill) {
                return functionKill ? Errors.BUSY_EVAL : Errors.BUSY_FUNCTION;
            }
            if (state.compareAndSet(CLEAN, KILLED)) {
                return null;
            }
        }
    }

    /**
     * When the running script started (unix ms), or -1 when none runs. Safe from any thread: the
     * transport compares it with {@code busy-reply-threshold} to answer other clients BUSY.
     */
    public long runningSince() {
        return runStartedMillis;
    }

    /** Whether the script running now is a function (FCALL) rather than EVAL: which BUSY text applies. */
    public boolean runningFunction() {
        return runningFunction;
    }

    private int raiseKilled(LuaVm lua) {
        LuaReplyBuilder.pushErrorTable(lua, Errors.SCRIPT_KILLED);
        return -1;
    }

    /**
     * Sets what the busy-script hook calls, on the execution thread and inside the script, every
     * 100,000 Lua instructions once the script has run {@code busy-reply-threshold} ms (alias
     * {@code lua-time-limit}): the transport processes its pending I/O there, as Redis's
     * processEventsWhileBlocked does, answering other clients BUSY and accepting SCRIPT KILL /
     * FUNCTION KILL through {@link #kill}. It must not execute other commands.
     */
    public void whileBusy(Runnable callback) {
        this.whileBusy = callback;
    }

    private int hookFunction() {
        if (state.get() == IDLE) {
            return 0;
        }
        long threshold = engine.config().getLong("busy-reply-threshold");
        if (engine.clock().currentTimeMillis() - runStartedMillis >= threshold) {
            whileBusy.run();
        }
        if (state.get() != KILLED) {
            return 0;
        }
        if (!hookTightened) {
            setHookCount(1);
        }
        return raiseKilled(vm);
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
        int argc = lua.top();
        if (argc == 0) {
            LuaReplyBuilder.pushErrorTable(lua, Errors.SCRIPT_NO_ARGUMENTS);
            return raise ? -1 : 1;
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
                return raise ? -1 : 1;
            }
        }
        lua.setTop(0);
        String refusal = refusal(run, argv);
        if (refusal != null) {
            LuaReplyBuilder.pushErrorTable(lua, refusal);
            return raise ? -1 : 1;
        }
        LuaReplyBuilder reply = new LuaReplyBuilder(lua, run.protocol);
        engine.dispatcher().execute(run.session, argv, reply);
        return raise && reply.isError() ? -1 : 1;
    }

    /** Why a script may not run this command (Redis's scriptCall checks), or null when it may. */
    private String refusal(Run run, byte[][] argv) {
        CommandSpec spec = engine.dispatcher().table().lookup(argv[0]);
        if (spec == null) {
            return Errors.SCRIPT_UNKNOWN_COMMAND;
        }
        if (spec.isContainer() && argv.length >= 2) {
            spec = spec.subcommands().get(new String(argv[1], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
            if (spec == null) {
                return Errors.SCRIPT_UNKNOWN_COMMAND;
            }
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
        if (spec.isWrite()) {
            if (run.readOnly) {
                return Errors.SCRIPT_WRITE_IN_READ_ONLY;
            }
            // From now on the script is unkillable; a kill requested before wins instead.
            if (!state.compareAndSet(CLEAN, DIRTY) && state.get() == KILLED) {
                return Errors.SCRIPT_KILLED;
            }
        }
        return null;
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

    // ---------------------------------------------------------------- function libraries

    /**
     * The function libraries, read from their reserved page of the key store on first use (after a
     * restart they come back with the store; see {@link FunctionLibraries}).
     */
    FunctionLibraries libraries() {
        if (!librariesRead) {
            librariesRead = true;
            byte[] payload = FunctionLibraries.stored(engine.keyspace().store());
            List<byte[]> codes = payload == null ? null : FunctionLibraries.parse(payload);
            if (payload != null && codes == null) {
                throw new IllegalStateException("the stored function libraries are corrupt");
            }
            for (byte[] code : codes == null ? List.<byte[]>of() : codes) {
                Object created = createLibrary(code);
                if (created instanceof String error) {
                    throw new IllegalStateException("a stored function library does not load: " + error);
                }
                libraries.put((FunctionLibraries.Library) created);
            }
        }
        return libraries;
    }

    /**
     * FUNCTION LOAD: checks the name, compiles and runs the code, then adds the library (replacing
     * one of the same name when {@code replace}) unless a function name is taken by another library.
     *
     * @return the library's name, or the error reply
     */
    LibraryMeta loadLibrary(byte[] code, boolean replace) {
        FunctionLibraries loaded = libraries();
        LibraryMeta meta = libraryMeta(code);
        if (meta.error() != null) {
            return meta;
        }
        if (!replace && loaded.library(meta.name()) != null) {
            return LibraryMeta.failed("ERR Library '" + meta.name() + "' already exists");
        }
        Object created = createLibrary(code);
        if (created instanceof String error) {
            return LibraryMeta.failed(error);
        }
        FunctionLibraries.Library library = (FunctionLibraries.Library) created;
        String taken = loaded.collision(library, library.name());
        if (taken != null) {
            release(library);
            return LibraryMeta.failed("ERR Function " + taken + " already exists");
        }
        release(loaded.put(library));
        saveLibraries();
        return meta;
    }

    /** FUNCTION DELETE; returns whether the library existed. */
    boolean deleteLibrary(String name) {
        FunctionLibraries.Library old = libraries().remove(name);
        if (old == null) {
            return false;
        }
        release(old);
        saveLibraries();
        return true;
    }

    /** FUNCTION FLUSH. */
    void flushLibraries() {
        FunctionLibraries loaded = libraries();
        loaded.all().forEach(this::release);
        loaded.clear();
        saveLibraries();
        if (vm != null) {
            vm.collectGarbage();
        }
    }

    /**
     * FUNCTION RESTORE: all the payload's libraries or none. {@code policy} is FLUSH (drop the loaded
     * ones first), APPEND (a library already loaded is an error) or REPLACE (it is replaced).
     *
     * @return null when restored, else the error reply
     */
    String restoreLibraries(byte[] payload, String policy) {
        FunctionLibraries loaded = libraries();
        List<byte[]> codes = FunctionLibraries.parse(payload);
        if (codes == null) {
            return Errors.FUNCTION_BAD_PAYLOAD;
        }
        List<FunctionLibraries.Library> created = new java.util.ArrayList<>();
        String error = null;
        for (byte[] code : codes) {
            Object library = createLibrary(code);
            if (library instanceof String e) {
                error = e;
                break;
            }
            created.add((FunctionLibraries.Library) library);
        }
        if (error == null) {
            error = restoreConflict(loaded, created, policy);
        }
        if (error != null) {
            created.forEach(this::release);
            return error;
        }
        if (policy.equals("FLUSH")) {
            loaded.all().forEach(this::release);
            loaded.clear();
        }
        for (FunctionLibraries.Library library : created) {
            release(loaded.put(library));
        }
        saveLibraries();
        return null;
    }

    /** What stops a restore: a library or function name already taken, per the policy. */
    private static String restoreConflict(FunctionLibraries loaded, List<FunctionLibraries.Library> created, String policy) {
        Map<String, String> functionOwners = new LinkedHashMap<>();
        java.util.Set<String> replaced = new java.util.HashSet<>();
        for (FunctionLibraries.Library library : created) {
            if (!policy.equals("FLUSH") && loaded.library(library.name()) != null) {
                if (policy.equals("APPEND")) {
                    return "ERR Library " + library.name() + " already exists";
                }
                replaced.add(library.name());
            }
            for (String function : library.functions().keySet()) {
                if (functionOwners.put(function, library.name()) != null) {
                    return "ERR Function " + function + " already exists";
                }
            }
        }
        if (policy.equals("FLUSH")) {
            return null;
        }
        for (Map.Entry<String, String> f : functionOwners.entrySet()) {
            FunctionLibraries.Function existing = loaded.function(f.getKey());
            if (existing != null && !replaced.contains(existing.library())) {
                return "ERR Function " + f.getKey() + " already exists";
            }
        }
        return null;
    }

    /** Writes the library set to the key store after a change. */
    void saveLibraries() {
        libraries.save(engine.keyspace().store());
    }

    /** Releases the Lua functions of libraries no longer loaded. */
    void release(FunctionLibraries.Library library) {
        if (library != null) {
            for (FunctionLibraries.Function f : library.functions().values()) {
                vm.unref(f.ref());
            }
        }
    }

    /**
     * Compiles and runs a library's code (its {@code #!lua name=} line first), collecting the
     * functions it registers. Checks nothing against the loaded libraries.
     *
     * @return the {@link FunctionLibraries.Library}, or the error reply text
     */
    Object createLibrary(byte[] code) {
        LibraryMeta meta = libraryMeta(code);
        if (meta.error() != null) {
            return meta.error();
        }
        String name = meta.name();
        LuaVm lua = vm();
        byte[] source = new byte[code.length + 2];
        source[0] = '-';
        source[1] = '-';
        System.arraycopy(code, 0, source, 2, code.length);
        lua.setTop(0);
        lua.pushRef(loadLibraryRef);
        String compileError = lua.load(source, "@user_function");
        if (compileError != null) {
            lua.setTop(0);
            return "ERR Error compiling function: " + compileError;
        }
        registering = new LinkedHashMap<>();
        registeringLibrary = name;
        Map<String, FunctionLibraries.Function> registered = registering;
        try {
            if (lua.pcall(1, 0, 0) != 0) {
                String message = lua.type(-1) == LuaVm.TTABLE ? LuaValueReply.stringField(lua, "err") : lua.toText(-1);
                registered.values().forEach(f -> lua.unref(f.ref()));
                return "ERR Error registering functions: " + message;
            }
        } finally {
            registering = null;
            registeringLibrary = null;
            lua.setTop(0);
        }
        if (registered.isEmpty()) {
            return "ERR No functions registered";
        }
        return new FunctionLibraries.Library(name, code, registered);
    }

    /** What a library's first line says (or a load's outcome): its name, or the error reply. */
    record LibraryMeta(String name, String error) {
        static LibraryMeta failed(String error) {
            return new LibraryMeta(null, error);
        }
    }

    /** Reads a code's {@code #!lua name=...} line (Redis's functionExtractLibMetaData). */
    private static LibraryMeta libraryMeta(byte[] code) {
        if (code.length < 2 || code[0] != '#' || code[1] != '!') {
            return LibraryMeta.failed("ERR Missing library metadata");
        }
        int end = 0;
        while (end < code.length && code[end] != '\n') {
            end++;
        }
        if (end == code.length) {
            return LibraryMeta.failed("ERR Invalid library metadata");
        }
        String[] parts = new String(code, 2, end - 2, StandardCharsets.ISO_8859_1).trim().split("[ \t\r]+");
        String name = null;
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].startsWith("name=")) {
                name = parts[i].substring(5);
            } else {
                return LibraryMeta.failed("ERR Invalid metadata value given: " + parts[i]);
            }
        }
        if (name == null) {
            return LibraryMeta.failed("ERR Library name was not given");
        }
        if (!parts[0].equalsIgnoreCase("lua")) {
            return LibraryMeta.failed("ERR Engine '" + parts[0] + "' not found");
        }
        if (!validName(name)) {
            return LibraryMeta.failed(Errors.FUNCTION_BAD_NAME);
        }
        return new LibraryMeta(name, null);
    }

    static boolean validName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    /** A string or number's text without converting it in place (lua_next must see the key unchanged). */
    private static String textOf(LuaVm lua, int index) {
        lua.pushValue(index);
        String text = lua.toText(-1);
        lua.pop(1);
        return text;
    }

    private int registrationError(String message) {
        LuaReplyBuilder.pushErrorTable(vm, "ERR " + message);
        return -1;
    }

    /** redis.register_function(name, callback) or redis.register_function{function_name=, callback=, flags=, description=}. */
    private int registerFunction() {
        LuaVm lua = vm;
        if (registering == null) {
            return registrationError("redis.register_function can only be called on FUNCTION LOAD command");
        }
        String name = null;
        String description = null;
        Set<String> flags = new LinkedHashSet<>();
        int callback = 0;
        int argc = lua.top();
        if (argc == 1) {
            if (lua.type(1) != LuaVm.TTABLE) {
                return registrationError("calling redis.register_function with a single argument is only applicable"
                        + " to Lua table (representing named arguments).");
            }
            lua.pushNil();
            while (lua.next(1)) {
                String key = lua.type(-2) == LuaVm.TSTRING ? lua.toText(-2) : "";
                switch (key) {
                    case "function_name" -> {
                        if (lua.type(-1) != LuaVm.TSTRING && lua.type(-1) != LuaVm.TNUMBER) {
                            return registrationError("function_name argument given to redis.register_function must be a string");
                        }
                        name = textOf(lua, -1);
                    }
                    case "description" -> {
                        if (lua.type(-1) != LuaVm.TSTRING && lua.type(-1) != LuaVm.TNUMBER) {
                            return registrationError("description argument given to redis.register_function must be a string");
                        }
                        description = textOf(lua, -1);
                    }
                    case "callback" -> {
                        if (lua.type(-1) != LuaVm.TFUNCTION) {
                            return registrationError("callback argument given to redis.register_function must be a function");
                        }
                        lua.pushValue(-1);
                        lua.insert(2);
                        callback = 2;
                    }
                    case "flags" -> {
                        if (lua.type(-1) != LuaVm.TTABLE) {
                            return registrationError("flags argument to redis.register_function must be a table representing function flags");
                        }
                        int table = lua.top();
                        lua.pushNil();
                        while (lua.next(table)) {
                            String flag = lua.type(-1) == LuaVm.TSTRING ? lua.toText(-1) : null;
                            if (flag == null || !Shebang.FLAGS.contains(flag)) {
                                return registrationError("unknown flag given");
                            }
                            flags.add(flag);
                            lua.pop(1);
                        }
                    }
                    default -> {
                        return registrationError("unknown argument given to redis.register_function");
                    }
                }
                lua.pop(1);
            }
            if (name == null) {
                return registrationError("redis.register_function must get a function name argument");
            }
            if (callback == 0) {
                return registrationError("redis.register_function must get a callback argument");
            }
        } else if (argc == 2) {
            if (lua.type(1) != LuaVm.TSTRING && lua.type(1) != LuaVm.TNUMBER) {
                return registrationError("first argument to redis.register_function must be a string");
            }
            if (lua.type(2) != LuaVm.TFUNCTION) {
                return registrationError("second argument to redis.register_function must be a function");
            }
            name = lua.toText(1);
            callback = 2;
        } else {
            return registrationError("wrong number of arguments to redis.register_function");
        }
        if (!validName(name)) {
            LuaReplyBuilder.pushErrorTable(lua, Errors.FUNCTION_BAD_NAME);
            return -1;
        }
        if (registering.containsKey(name)) {
            return registrationError("Function already exists in the library");
        }
        lua.pushValue(callback);
        List<String> ordered = Shebang.FLAGS.stream().filter(flags::contains).toList();
        registering.put(name, new FunctionLibraries.Function(name, registeringLibrary, lua.ref(), description, ordered));
        return 0;
    }

    // ---------------------------------------------------------------- cache maintenance

    /** SCRIPT FLUSH: forgets every cached script and lets Lua collect them. */
    void flushScripts() {
        if (vm == null) {
            return;
        }
        for (ScriptCache.Script script : scripts.all()) {
            vm.unref(script.ref());
        }
        scripts.clear();
        vm.collectGarbage();
    }

    /** Bytes the Lua heap takes (INFO's used_memory_lua). */
    public long memoryBytes() {
        return vm == null ? 0 : vm.memoryBytes();
    }

    public int cachedScripts() {
        return scripts.size();
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
