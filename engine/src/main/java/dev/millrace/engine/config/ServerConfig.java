package dev.millrace.engine.config;

import dev.millrace.engine.notify.EventClasses;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.util.Glob;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * The server's configuration parameters: names, defaults and validation as Redis has them, set from a
 * redis.conf-style file, {@code --name value} command-line overrides and CONFIG SET.
 *
 * <p>Values are kept in the canonical form CONFIG GET shows (memory sizes in bytes, booleans as
 * yes/no). Mutations happen on the execution thread; reads of a parameter's current value from
 * other threads (the network layer reading {@code proto-max-bulk-len}) see a recent value.
 */
public final class ServerConfig {

    /** How a parameter's text is validated and made canonical. */
    public enum Kind { STRING, INTEGER, MEMORY, BOOLEAN, ENUM, SAVE, CUSTOM }

    /** One parameter. {@code choices} lists an ENUM's accepted words. */
    public static final class Param {
        final String name;
        final Kind kind;
        final boolean mutable;
        final List<String> choices;
        final long min;
        final long max;
        volatile String value;
        /** {@link #value} as {@link #getLong} reads it, and the value it was read from (commands read limits per call). */
        volatile ParsedLong parsed;
        final List<Consumer<String>> listeners = new ArrayList<>();
        /** Applied to a valid INTEGER value before it is stored (hz is clamped, not refused). */
        LongUnaryOperator adjust = LongUnaryOperator.identity();
        /**
         * An unsigned 64-bit parameter in Redis (maxmemory, size_t limits): bounds compare unsigned and
         * the value is shown unsigned; {@link #getLong} reads one above Long.MAX_VALUE as Long.MAX_VALUE.
         */
        boolean unsigned;
        /**
         * A CUSTOM parameter's validation, from the current value and the one given: the value to keep,
         * or IllegalArgumentException with the reason.
         */
        BinaryOperator<String> check = (current, value) -> value;
        /** What CONFIG GET shows for the kept value (a CUSTOM parameter may keep more than it shows). */
        UnaryOperator<String> shown = UnaryOperator.identity();

        Param(String name, Kind kind, String defaultValue, boolean mutable, List<String> choices, long min, long max) {
            this.name = name;
            this.kind = kind;
            this.mutable = mutable;
            this.choices = choices;
            this.min = min;
            this.max = max;
            this.value = defaultValue;
        }
    }

    /** 2^64-1, the largest unsigned 64-bit value, as its bits. */
    private static final long UNSIGNED_MAX = -1L;
    /** memtoull copies the digits into a 128-byte buffer and refuses more. */
    private static final int MEMORY_DIGITS_MAX = 128;

    private final Map<String, Param> params = new LinkedHashMap<>();

    public ServerConfig() {
        string("bind", "127.0.0.1 -::1", false);
        integer("port", 6379, 0, 65535, false);
        string("dir", "./data", false);
        bool("appendonly", true, true);
        choice("appendfsync", "everysec", true, "everysec", "always", "no");
        string("appendfilename", "appendonly.aof", false);
        string("requirepass", "", true);
        integer("databases", 16, 1, Integer.MAX_VALUE, false);
        params.put("save", new Param("save", Kind.SAVE, "3600 1 300 100 60 10000", true, List.of(), 0, 0));
        choice("loglevel", "notice", true, "debug", "verbose", "notice", "warning");
        string("logfile", "", false);
        integer("maxclients", 10000, 1, 4294967295L, true);
        memory("proto-max-bulk-len", 512L * 1024 * 1024, 1024 * 1024, Long.MAX_VALUE, true);
        memory("client-query-buffer-limit", 1024L * 1024 * 1024, 1024 * 1024, Long.MAX_VALUE, true).unsigned = true;
        // A value names only the classes it changes: merged into the current limits.
        custom("client-output-buffer-limit", OutputBufferLimits.DEFAULT,
                (current, value) -> OutputBufferLimits.parse(current).with(value).toString(), UnaryOperator.identity());
        choice("enable-debug-command", "no", false, "no", "yes", "local");
        // Any non-negative hz is accepted and then held within 1..500, as Redis does.
        integer("hz", 10, 0, Integer.MAX_VALUE, true).adjust = hz -> Math.max(1, Math.min(500, hz));
        integer("timeout", 0, 0, Integer.MAX_VALUE, true);
        integer("tcp-keepalive", 300, 0, Integer.MAX_VALUE, true);
        memory("maxmemory", 0, 0, UNSIGNED_MAX, true).unsigned = true;
        bool("protected-mode", true, true);
        bool("daemonize", false, false);
        string("pidfile", "", false);
        integer("active-expire-effort", 1, 1, 10, true);
        // Collection encodings: the thresholds OBJECT ENCODING reports (Redis 7.0's defaults).
        integer("hash-max-listpack-entries", 512, 0, Long.MAX_VALUE, true);
        alias("hash-max-ziplist-entries", "hash-max-listpack-entries");
        integer("hash-max-listpack-value", 64, 0, Long.MAX_VALUE, true);
        alias("hash-max-ziplist-value", "hash-max-listpack-value");
        integer("list-max-listpack-size", -2, Integer.MIN_VALUE, Integer.MAX_VALUE, true);
        alias("list-max-ziplist-size", "list-max-listpack-size");
        integer("list-compress-depth", 0, 0, Integer.MAX_VALUE, true);
        integer("set-max-intset-entries", 512, 0, Long.MAX_VALUE, true);
        integer("zset-max-listpack-entries", 128, 0, Long.MAX_VALUE, true);
        alias("zset-max-ziplist-entries", "zset-max-listpack-entries");
        integer("zset-max-listpack-value", 64, 0, Long.MAX_VALUE, true);
        alias("zset-max-ziplist-value", "zset-max-listpack-value");
        memory("hll-sparse-max-bytes", 3000, 0, Long.MAX_VALUE, true);
        memory("stream-node-max-bytes", 4096, 0, Long.MAX_VALUE, true);
        integer("stream-node-max-entries", 100, 0, Long.MAX_VALUE, true);
        // Millrace's stream retention defaults (0: no limit), for streams without their own policy.
        integer("stream-retention-max-age-ms", 0, 0, Long.MAX_VALUE, true);
        memory("stream-retention-max-bytes", 0, 0, Long.MAX_VALUE, true);
        choice("stream-retention-undelivered", "keep", true, "keep", "drop");
        // Millrace: a stream keeps its entries in the keyspace, on its own pages, while it holds at most
        // this many entries and bytes of them, then moves them to a log of its own (0 entries: every
        // stream has its log from the start). Fixed at start: a snapshot build replays the server's
        // effects over its logs, read-only, and moves a stream where the server did (onto a log the
        // server made only: after a restart with a lower limit, a stream without one stays put).
        integer("stream-inline-max-entries", 128, 0, Long.MAX_VALUE, false);
        memory("stream-inline-max-bytes", 32L << 10, 0, Long.MAX_VALUE, false);
        // Chronicle Queue's mapping unit for stream logs: an entry may take a quarter of it. Fixed at
        // start: larger blocks allow larger entries and cost more page cache per cycle file.
        memory("stream-log-block-size", 4L << 20, 1L << 20, 1L << 30, false);
        // Millrace's heap budget for decoded pages of large collections (types.NodeCache): a
        // collection that fits is worked on in memory and written back to the keyspace lazily.
        memory("collection-cache-size", 512L << 20, 1L << 20, Long.MAX_VALUE, true);
        // How long a script runs before other clients get BUSY and SCRIPT KILL may stop it.
        integer("busy-reply-threshold", 5000, 0, Long.MAX_VALUE, true);
        alias("lua-time-limit", "busy-reply-threshold");
        custom("notify-keyspace-events", "", (current, value) -> EventClasses.stored(value), EventClasses::shown);
        integer("tracking-table-max-keys", 1_000_000, 0, Long.MAX_VALUE, true);
    }

    private void custom(String name, String def, BinaryOperator<String> check, UnaryOperator<String> shown) {
        Param p = new Param(name, Kind.CUSTOM, def, true, List.of(), 0, 0);
        p.check = check;
        p.shown = shown;
        params.put(name, p);
    }

    /** A second name for a parameter (Redis 7.0 keeps the ziplist names of the listpack thresholds). */
    private void alias(String alias, String name) {
        params.put(alias, params.get(name));
    }

    private void string(String name, String def, boolean mutable) {
        params.put(name, new Param(name, Kind.STRING, def, mutable, List.of(), 0, 0));
    }

    private Param integer(String name, long def, long min, long max, boolean mutable) {
        Param p = new Param(name, Kind.INTEGER, Long.toString(def), mutable, List.of(), min, max);
        params.put(name, p);
        return p;
    }

    private Param memory(String name, long def, long min, long max, boolean mutable) {
        Param p = new Param(name, Kind.MEMORY, Long.toString(def), mutable, List.of(), min, max);
        params.put(name, p);
        return p;
    }

    private void bool(String name, boolean def, boolean mutable) {
        params.put(name, new Param(name, Kind.BOOLEAN, def ? "yes" : "no", mutable, List.of("yes", "no"), 0, 0));
    }

    private void choice(String name, String def, boolean mutable, String... choices) {
        params.put(name, new Param(name, Kind.ENUM, def, mutable, List.of(choices), 0, 0));
    }

    public String get(String name) {
        Param p = params.get(name.toLowerCase(Locale.ROOT));
        if (p == null) {
            throw new IllegalArgumentException("unknown config parameter " + name);
        }
        return p.value;
    }

    /** A numeric parameter; an unsigned one above Long.MAX_VALUE reads as Long.MAX_VALUE (no limit differs). */
    public long getLong(String name) {
        // Commands read limits on every call (ZADD: zset-max-listpack-entries): try the name as given
        // (the code's names are lower case) before folding it.
        Param p = params.get(name);
        if (p == null) {
            p = params.get(name.toLowerCase(Locale.ROOT));
        }
        if (p == null) {
            return Long.parseLong(get(name));
        }
        String text = p.value;
        ParsedLong cached = p.parsed;
        if (cached != null && cached.text == text) {
            return cached.value;
        }
        long value = p.unsigned ? Long.parseUnsignedLong(text) : Long.parseLong(text);
        if (p.unsigned && value < 0) {
            value = Long.MAX_VALUE;
        }
        p.parsed = new ParsedLong(text, value);
        return value;
    }

    /** A parameter's value parsed once, until the value (compared by identity) changes. */
    private record ParsedLong(String text, long value) {
    }

    public int getInt(String name) {
        return Math.toIntExact(getLong(name));
    }

    public boolean getBoolean(String name) {
        return get(name).equals("yes");
    }

    public boolean has(String name) {
        return params.containsKey(name.toLowerCase(Locale.ROOT));
    }

    public boolean isMutable(String name) {
        return params.get(name.toLowerCase(Locale.ROOT)).mutable;
    }

    /** Parameters whose name matches a glob pattern, in definition order (CONFIG GET). */
    public Map<String, String> matching(String pattern) {
        byte[] p = pattern.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Param> e : params.entrySet()) {
            if (Glob.matches(p, e.getKey().getBytes(StandardCharsets.UTF_8), false)) {
                out.put(e.getKey(), e.getValue().shown.apply(e.getValue().value));
            }
        }
        return out;
    }

    /** Runs {@code listener} with the new canonical value whenever the parameter changes. */
    public void onChange(String name, Consumer<String> listener) {
        params.get(name).listeners.add(listener);
    }

    /**
     * Validates and sets a parameter, at startup (any parameter) or through CONFIG SET.
     *
     * @return null on success, or the reason it was refused (Redis's wording after the argument name)
     */
    public String set(String name, String value, boolean atStartup) {
        Param p = params.get(name.toLowerCase(Locale.ROOT));
        if (p == null) {
            return "Unknown option or number of arguments for CONFIG SET - '" + name + "'";
        }
        if (!atStartup && !p.mutable) {
            return "can't set immutable config";
        }
        String canonical;
        try {
            canonical = canonical(p, value);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        p.value = canonical;
        for (Consumer<String> l : p.listeners) {
            l.accept(canonical);
        }
        return null;
    }

    private static String canonical(Param p, String value) {
        switch (p.kind) {
            case STRING:
                return value;
            case BOOLEAN: {
                String v = value.toLowerCase(Locale.ROOT);
                if (!v.equals("yes") && !v.equals("no")) {
                    throw new IllegalArgumentException("argument must be 'yes' or 'no'");
                }
                return v;
            }
            case ENUM: {
                String v = value.toLowerCase(Locale.ROOT);
                if (!p.choices.contains(v)) {
                    throw new IllegalArgumentException("argument(s) must be one of the following: " + String.join(", ", p.choices));
                }
                return v;
            }
            case INTEGER:
            case MEMORY: {
                long n = p.kind == Kind.MEMORY ? parseMemory(value) : parseInteger(value);
                if (p.unsigned) {
                    if (Long.compareUnsigned(n, p.min) < 0 || Long.compareUnsigned(n, p.max) > 0) {
                        throw new IllegalArgumentException("argument must be between " + Long.toUnsignedString(p.min)
                                + " and " + Long.toUnsignedString(p.max) + " inclusive");
                    }
                    return Long.toUnsignedString(n);
                }
                if (n < p.min || n > p.max) {
                    throw new IllegalArgumentException("argument must be between " + p.min + " and " + p.max + " inclusive");
                }
                return Long.toString(p.adjust.applyAsLong(n));
            }
            case SAVE:
                return canonicalSave(value);
            case CUSTOM:
                return p.check.apply(p.value, value);
            default:
                throw new IllegalStateException();
        }
    }

    /** Redis's string2ll: no '+', no spaces, no leading zeros. */
    private static long parseInteger(String value) {
        Long n = Numbers.parseLong(value.getBytes(StandardCharsets.ISO_8859_1));
        if (n == null) {
            throw new IllegalArgumentException("argument couldn't be parsed into an integer");
        }
        return n;
    }

    /**
     * Redis's memtoull: ASCII digits, then nothing or a unit among b, k, kb, m, mb, g, gb (k = 1000,
     * kb = 1024; case-insensitive). As in C, no digits read as 0, too many digits saturate at 2^64-1
     * (strtoull) and the unit's product wraps modulo 2^64.
     *
     * @return the unsigned 64-bit value's bits (a signed parameter sees a value above 2^63-1 as negative)
     */
    public static long parseMemory(String value) {
        int digits = 0;
        while (digits < value.length() && value.charAt(digits) >= '0' && value.charAt(digits) <= '9') {
            digits++;
        }
        long multiplier = switch (value.substring(digits).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1;
            case "k" -> 1000;
            case "kb" -> 1024;
            case "m" -> 1000 * 1000;
            case "mb" -> 1024 * 1024;
            case "g" -> 1000L * 1000 * 1000;
            case "gb" -> 1024L * 1024 * 1024;
            default -> throw new IllegalArgumentException("argument must be a memory value");
        };
        if (digits >= MEMORY_DIGITS_MAX) {
            throw new IllegalArgumentException("argument must be a memory value");
        }
        long number;
        try {
            number = digits == 0 ? 0 : Long.parseUnsignedLong(value.substring(0, digits));
        } catch (NumberFormatException tooLarge) {
            number = UNSIGNED_MAX;
        }
        return number * multiplier;
    }

    private static String canonicalSave(String value) {
        String[] parts = value.trim().isEmpty() ? new String[0] : value.trim().split("\\s+");
        if (parts.length % 2 != 0) {
            throw new IllegalArgumentException("Invalid save parameters");
        }
        for (String part : parts) {
            try {
                if (Long.parseLong(part) < 0) {
                    throw new IllegalArgumentException("Invalid save parameters");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid save parameters");
            }
        }
        return String.join(" ", parts);
    }

    /**
     * CONFIG GET: the parameters named by the arguments. A name without glob characters is looked up
     * as given and reported under the name as typed; a pattern matches names case-insensitively.
     * Each parameter is reported once.
     */
    public Map<String, String> lookup(List<String> namesOrPatterns) {
        Map<String, String> out = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String arg : namesOrPatterns) {
            if (arg.chars().noneMatch(c -> c == '*' || c == '?' || c == '[')) {
                Param p = params.get(arg.toLowerCase(Locale.ROOT));
                if (p != null && seen.add(arg.toLowerCase(Locale.ROOT))) {
                    out.put(arg, p.shown.apply(p.value));
                }
                continue;
            }
            byte[] pattern = arg.getBytes(StandardCharsets.UTF_8);
            for (Map.Entry<String, Param> e : params.entrySet()) {
                if (!seen.contains(e.getKey()) && Glob.matches(pattern, e.getKey().getBytes(StandardCharsets.UTF_8), true)) {
                    seen.add(e.getKey());
                    out.put(e.getKey(), e.getValue().shown.apply(e.getValue().value));
                }
            }
        }
        return out;
    }

    /**
     * CONFIG SET name value [name value ...], all or nothing: every name is checked (unknown,
     * immutable, duplicate) before any value, and no value changes unless all are valid.
     *
     * @param pairs names and values, alternating
     * @return null on success, or the error reply (Redis's wording)
     */
    public String setAll(List<String> pairs) {
        List<Param> targets = new ArrayList<>();
        String nameError = null;
        for (int i = 0; i < pairs.size(); i += 2) {
            String name = pairs.get(i);
            Param p = params.get(name.toLowerCase(Locale.ROOT));
            if (p == null) {
                if (nameError == null) {
                    return Errors.configSetUnknown(name);
                }
                continue;
            }
            if (nameError != null) {
                continue;
            }
            if (!p.mutable) {
                nameError = Errors.configSetFailed(name, "can't set immutable config");
            } else if (targets.contains(p)) {
                nameError = Errors.configSetFailed(name, "duplicate parameter");
            }
            targets.add(p);
        }
        if (nameError != null) {
            return nameError;
        }
        List<String> canonical = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Param p = targets.get(i);
            try {
                canonical.add(canonical(p, pairs.get(2 * i + 1)));
            } catch (IllegalArgumentException e) {
                return Errors.configSetFailed(p.name, e.getMessage());
            }
        }
        for (int i = 0; i < targets.size(); i++) {
            Param p = targets.get(i);
            p.value = canonical.get(i);
            for (Consumer<String> l : p.listeners) {
                l.accept(p.value);
            }
        }
        return null;
    }

    /** {@code client-output-buffer-limit}, parsed. */
    public OutputBufferLimits outputBufferLimits() {
        return OutputBufferLimits.parse(get("client-output-buffer-limit"));
    }

    /** The {@code save} rules as (seconds, changes) pairs. */
    public List<long[]> saveRules() {
        String v = get("save");
        List<long[]> rules = new ArrayList<>();
        if (v.isEmpty()) {
            return rules;
        }
        String[] parts = v.split(" ");
        for (int i = 0; i + 1 < parts.length; i += 2) {
            rules.add(new long[]{Long.parseLong(parts[i]), Long.parseLong(parts[i + 1])});
        }
        return rules;
    }

    /**
     * Applies a redis.conf-style text: one "name value..." per line, '#' comments, quoted values.
     *
     * @return the errors, as "line N: reason"; empty when all applied
     */
    public List<String> applyConfigFile(List<String> lines) {
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> words = ConfigWords.split(line);
            if (words == null || words.isEmpty()) {
                errors.add("line " + (i + 1) + ": Unbalanced quotes in configuration line");
                continue;
            }
            String name = words.get(0).toLowerCase(Locale.ROOT);
            String value = String.join(" ", words.subList(1, words.size()));
            String error = set(name, value, true);
            if (error != null) {
                errors.add("line " + (i + 1) + ": '" + line + "': " + error);
            }
        }
        return errors;
    }

    /** The names of all parameters, for CONFIG GET * and docs. */
    public List<String> names() {
        return new ArrayList<>(params.keySet());
    }
}
