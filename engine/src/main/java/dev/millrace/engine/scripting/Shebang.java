package dev.millrace.engine.scripting;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A script's first line when it starts with {@code #!} (Redis 7): {@code #!lua flags=no-writes,...}
 * for EVAL scripts. Errors are Redis's texts.
 *
 * @param present whether the body has a shebang line
 * @param flags   the declared flags
 * @param error   the error reply when the line is invalid, else null
 */
record Shebang(boolean present, Set<String> flags, String error) {
    /** The flags a script or function may declare. */
    static final List<String> FLAGS = List.of("no-writes", "allow-oom", "allow-stale", "no-cluster",
            "allow-cross-slot-keys");

    static Shebang parseForEval(byte[] body) {
        if (body.length < 2 || body[0] != '#' || body[1] != '!') {
            return new Shebang(false, Set.of(), null);
        }
        int end = 0;
        while (end < body.length && body[end] != '\n') {
            end++;
        }
        if (end == body.length) {
            return failed("ERR Invalid script shebang");
        }
        String[] parts = new String(body, 0, end, StandardCharsets.ISO_8859_1).trim().split("[ \t\r]+");
        if (!parts[0].equals("#!lua")) {
            return failed("ERR Unexpected engine in script shebang: " + parts[0]);
        }
        Set<String> flags = new LinkedHashSet<>();
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].startsWith("flags=")) {
                return failed("ERR Unknown lua shebang option: " + parts[i]);
            }
            String error = parseFlags(parts[i].substring(6), flags, "ERR Unexpected flag in script shebang: ");
            if (error != null) {
                return failed(error);
            }
        }
        return new Shebang(true, Set.copyOf(flags), null);
    }

    /** Adds the comma-separated flags to {@code into}; returns the error for an unknown one. */
    static String parseFlags(String list, Set<String> into, String unknownPrefix) {
        if (list.isEmpty()) {
            return null;
        }
        for (String flag : list.split(",", -1)) {
            if (!FLAGS.contains(flag)) {
                return unknownPrefix + flag;
            }
            into.add(flag);
        }
        return null;
    }

    private static Shebang failed(String error) {
        return new Shebang(false, Set.of(), error);
    }
}
