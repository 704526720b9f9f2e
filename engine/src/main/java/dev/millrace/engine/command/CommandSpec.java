package dev.millrace.engine.command;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One command's metadata, as the command table states it. Immutable.
 *
 * @param name       lower-case name; for a subcommand "container|sub"
 * @param arity      Redis arity (counts the name; negative = at least -arity arguments)
 * @param flags      Redis command flags in Redis's display order ("write", "readonly", "fast", ...)
 * @param firstKey   legacy first key position (0 = none)
 * @param lastKey    legacy last key position (negative counts from the end)
 * @param keyStep    legacy key step
 * @param aclCategories categories with their '@', in Redis's display order
 * @param tips       command tips ("nondeterministic_output", "request_policy:all_shards", ...)
 * @param keySpecs   the key specifications, in order
 * @param subcommands for a container command, its subcommands by lower-case name; empty otherwise
 */
public record CommandSpec(String name, int arity, List<String> flags, int firstKey, int lastKey, int keyStep,
                          List<String> aclCategories, List<String> tips, List<KeySpec> keySpecs,
                          Map<String, CommandSpec> subcommands) {

    public boolean hasFlag(String flag) {
        return flags.contains(flag);
    }

    public boolean isWrite() {
        return hasFlag("write");
    }

    public boolean isContainer() {
        return !subcommands.isEmpty();
    }

    /** The container's name for "client|list", or null for a top-level command. */
    public String containerName() {
        int bar = name.indexOf('|');
        return bar < 0 ? null : name.substring(0, bar);
    }

    /** Arity check as Redis does it: exact for positive arity, minimum for negative. */
    public boolean arityAccepts(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }

    /**
     * A key specification (Redis 7 key specs): where the search for keys begins and how keys are found.
     *
     * @param flags       "RW", "ACCESS", ...
     * @param beginSearch "index" or "keyword"
     * @param index       for "index": the position; for "keyword": where the search starts from
     * @param keyword     for "keyword": the keyword; null otherwise
     * @param findKeys    "range" or "keynum"
     * @param a           range: lastkey; keynum: keynumidx
     * @param b           range: step; keynum: firstkey
     * @param c           range: limit; keynum: step
     */
    public record KeySpec(List<String> flags, String beginSearch, int index, String keyword,
                          String findKeys, int a, int b, int c) {
    }

    static final Set<String> KNOWN_FLAGS = Set.of("write", "readonly", "denyoom", "module", "admin", "pubsub",
            "noscript", "blocking", "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast",
            "no_auth", "may_replicate", "no_mandatory_keys", "no_async_loading", "no_multi", "movablekeys",
            "allow_busy");
}
