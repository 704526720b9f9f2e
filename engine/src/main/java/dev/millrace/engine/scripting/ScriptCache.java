package dev.millrace.engine.scripting;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scripts EVAL and SCRIPT LOAD compiled, by lower-case SHA1 of their body: the body (SCRIPT
 * EXISTS, and the sha for EVALSHA) and the compiled function's slot in the Lua registry. Execution
 * thread only.
 */
final class ScriptCache {
    /** A cached script: {@code flags} are its shebang's (see {@link Shebang}). */
    record Script(String sha, byte[] body, int ref, Set<String> flags) {
        boolean readOnly() {
            return flags.contains("no-writes");
        }
    }

    private final Map<String, Script> scripts = new HashMap<>();

    Script get(String sha) {
        return scripts.get(sha);
    }

    Script put(String sha, byte[] body, int ref, Set<String> flags) {
        Script script = new Script(sha, body, ref, flags);
        scripts.put(sha, script);
        return script;
    }

    List<Script> all() {
        return new ArrayList<>(scripts.values());
    }

    void clear() {
        scripts.clear();
    }

    int size() {
        return scripts.size();
    }
}
