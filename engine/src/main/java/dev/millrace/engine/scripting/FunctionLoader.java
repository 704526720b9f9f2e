package dev.millrace.engine.scripting;

import dev.millrace.engine.reply.Errors;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads function libraries (FUNCTION LOAD, RESTORE) into {@link Scripting}'s interpreter and keeps
 * the loaded set ({@link FunctionLibraries}) in step with the key store: a library's {@code #!lua
 * name=} line is read, its code compiled and run in the library API's environment, where
 * {@code redis.register_function} (implemented here) collects its functions. Execution thread only.
 */
final class FunctionLoader {
    private final Scripting scripting;
    private final FunctionLibraries libraries = new FunctionLibraries();
    private boolean librariesRead;
    /** The functions registered by the library being loaded, or null outside a load. */
    private Map<String, FunctionLibraries.Function> registering;
    private String registeringLibrary;

    FunctionLoader(Scripting scripting) {
        this.scripting = scripting;
    }

    /**
     * The function libraries, read from their reserved page of the key store on first use (after a
     * restart they come back with the store; see {@link FunctionLibraries}).
     */
    FunctionLibraries libraries() {
        if (!librariesRead) {
            librariesRead = true;
            byte[] page = FunctionLibraries.stored(scripting.engine().keyspace().store());
            List<byte[]> codes = page == null ? List.of() : FunctionLibraries.storedCodes(page);
            if (codes == null) {
                throw new IllegalStateException("the stored function libraries are corrupt");
            }
            for (byte[] code : codes) {
                String error = addLibrary(libraries, code, false).error();
                if (error != null) {
                    throw new IllegalStateException("a stored function library does not load: " + error);
                }
            }
        }
        return libraries;
    }

    /** FUNCTION LOAD: {@link #addLibrary} to the loaded set, which is then stored. */
    LibraryMeta loadLibrary(byte[] code, boolean replace) {
        LibraryMeta meta = addLibrary(libraries(), code, replace);
        if (meta.error() == null) {
            saveLibraries();
        }
        return meta;
    }

    /**
     * Redis's functionsCreateWithLibraryCtx: checks the name, compiles and runs the code, then adds
     * the library to {@code into} (replacing one of the same name when {@code replace}) unless a
     * function name is taken by another library there.
     *
     * @return the library's name, or the error reply
     */
    private LibraryMeta addLibrary(FunctionLibraries into, byte[] code, boolean replace) {
        LibraryMeta meta = libraryMeta(code);
        if (meta.error() != null) {
            return meta;
        }
        if (!replace && into.library(meta.name()) != null) {
            return LibraryMeta.failed("ERR Library '" + meta.name() + "' already exists");
        }
        Object created = createLibrary(code);
        if (created instanceof String error) {
            return LibraryMeta.failed(error);
        }
        FunctionLibraries.Library library = (FunctionLibraries.Library) created;
        String taken = into.collision(library, library.name());
        if (taken != null) {
            release(library);
            return LibraryMeta.failed("ERR Function " + taken + " already exists");
        }
        release(into.put(library));
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
        scripting.vm().collectGarbage();
    }

    /**
     * FUNCTION RESTORE: all the payload's libraries or none. As in Redis they are first created apart
     * (in payload order, a name or function taken within the payload is an error), then joined per
     * {@code policy}: FLUSH (drop the loaded ones first), APPEND (a library already loaded is an
     * error) or REPLACE (it is replaced).
     *
     * @return null when restored, else the error reply
     */
    String restoreLibraries(byte[] payload, String policy) {
        FunctionLibraries loaded = libraries();
        FunctionLibraries.Parsed parsed = FunctionLibraries.parse(payload);
        FunctionLibraries restored = new FunctionLibraries();
        String error = null;
        for (byte[] code : parsed.codes()) {
            error = addLibrary(restored, code, false).error();
            if (error != null) {
                break;
            }
        }
        if (error == null) {
            error = parsed.error();
        }
        List<FunctionLibraries.Library> created = restored.all();
        if (error == null && !policy.equals("FLUSH")) {
            error = joinConflict(loaded, created, policy.equals("REPLACE"));
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

    /**
     * What stops restored libraries joining the loaded ones (Redis's libraryJoin): a library already
     * loaded, unless {@code replace}; then a function name a loaded library keeps.
     */
    private static String joinConflict(FunctionLibraries loaded, List<FunctionLibraries.Library> created, boolean replace) {
        Set<String> replaced = new HashSet<>();
        for (FunctionLibraries.Library library : created) {
            if (loaded.library(library.name()) != null) {
                if (!replace) {
                    return "ERR Library " + library.name() + " already exists";
                }
                replaced.add(library.name());
            }
        }
        for (FunctionLibraries.Library library : created) {
            for (String function : library.functions().keySet()) {
                FunctionLibraries.Function existing = loaded.function(function);
                if (existing != null && !replaced.contains(existing.library())) {
                    return "ERR Function " + function + " already exists";
                }
            }
        }
        return null;
    }

    /** Writes the library set to the key store after a change. */
    void saveLibraries() {
        libraries.save(scripting.engine().keyspace().store());
    }

    /** Releases the Lua functions of libraries no longer loaded. */
    void release(FunctionLibraries.Library library) {
        if (library != null) {
            for (FunctionLibraries.Function f : library.functions().values()) {
                scripting.vm().unref(f.ref());
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
        LuaVm lua = scripting.vm();
        byte[] source = new byte[code.length + 2];
        source[0] = '-';
        source[1] = '-';
        System.arraycopy(code, 0, source, 2, code.length);
        lua.setTop(0);
        lua.pushRef(scripting.loadLibraryRef());
        String compileError = lua.load(source, "@user_function");
        if (compileError != null) {
            lua.setTop(0);
            return "ERR Error compiling function: " + compileError;
        }
        registering = new LinkedHashMap<>();
        registeringLibrary = name;
        Map<String, FunctionLibraries.Function> registered = registering;
        try {
            if (scripting.loadLibrary(lua, 1) != 0) {
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
        LuaReplyBuilder.pushErrorTable(scripting.vm(), "ERR " + message);
        return -1;
    }

    /** redis.register_function(name, callback) or redis.register_function{function_name=, callback=, flags=, description=}. */
    int registerFunction() {
        LuaVm lua = scripting.vm();
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
}
