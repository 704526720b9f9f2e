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
 * @param docs       what COMMAND DOCS tells about the command
 */
public record CommandSpec(String name, int arity, List<String> flags, int firstKey, int lastKey, int keyStep,
                          List<String> aclCategories, List<String> tips, List<KeySpec> keySpecs,
                          Map<String, CommandSpec> subcommands, Docs docs) {

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

    /** Whether the command is in an ACL category, given without its '@' and in any case ("string"). */
    public boolean inAclCategory(String category) {
        for (String c : aclCategories) {
            if (c.regionMatches(true, 1, category, 0, category.length()) && c.length() == category.length() + 1) {
                return true;
            }
        }
        return false;
    }

    /**
     * A key specification (Redis 7 key specs): where the search for keys begins and how keys are found.
     *
     * @param flags       "RW", "ACCESS", ... upper case, in Redis's display order
     * @param notes       a remark COMMAND INFO shows with the spec, or null
     * @param beginSearch "index", "keyword" or "unknown" (the keys are found only by the command's own
     *                    procedure, see {@link KeyFinder})
     * @param index       for "index": the position; for "keyword": where the search starts from
     * @param keyword     for "keyword": the keyword; null otherwise
     * @param findKeys    "range", "keynum" or "unknown"
     * @param a           range: lastkey; keynum: keynumidx
     * @param b           range: step; keynum: firstkey
     * @param c           range: limit; keynum: step
     */
    public record KeySpec(List<String> flags, String notes, String beginSearch, int index, String keyword,
                          String findKeys, int a, int b, int c) {

        public boolean hasFlag(String flag) {
            return flags.contains(flag);
        }

        /** Whether the spec cannot locate its keys by itself (begin search or find keys "unknown"). */
        public boolean isUnknown() {
            return beginSearch.equals(UNKNOWN) || findKeys.equals(UNKNOWN);
        }
    }

    /** The begin-search or find-keys type of a key spec whose keys only the command's procedure finds. */
    public static final String UNKNOWN = "unknown";

    /**
     * What COMMAND DOCS shows. Absent values are null (or empty lists); COMMAND DOCS omits them.
     *
     * @param docFlags        "deprecated", "syscmd"
     * @param deprecatedSince version that deprecated the command
     * @param replacedBy      what to use instead of a deprecated command
     * @param history         changes, oldest first
     * @param arguments       the argument tree, in order
     */
    public record Docs(String summary, String since, String group, String complexity, List<String> docFlags,
                       String deprecatedSince, String replacedBy, List<History> history, List<Arg> arguments) {
    }

    /** One change in a command's history. */
    public record History(String version, String description) {
    }

    /**
     * One argument in COMMAND DOCS.
     *
     * @param type         "string", "integer", "double", "key", "pattern", "unix-time", "pure-token",
     *                     "oneof" or "block"
     * @param keySpecIndex the key spec that finds this key argument, or -1
     * @param token        the literal word introducing the argument, or null
     * @param flags        "optional", "multiple", "multiple_token", in that order
     * @param arguments    the members of a "oneof" or "block"; empty otherwise
     */
    public record Arg(String name, String type, int keySpecIndex, String token, String since, String deprecatedSince,
                      List<String> flags, List<Arg> arguments) {
    }

    static final Set<String> KNOWN_FLAGS = Set.of("write", "readonly", "denyoom", "module", "admin", "pubsub",
            "noscript", "blocking", "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast",
            "no_auth", "may_replicate", "no_mandatory_keys", "no_async_loading", "no_multi", "movablekeys",
            "allow_busy");

    /** Key spec flags in Redis's display order. */
    static final List<String> KEY_SPEC_FLAGS = List.of("RO", "RW", "OW", "RM", "ACCESS", "UPDATE", "INSERT",
            "DELETE", "NOT_KEY", "INCOMPLETE", "VARIABLE_FLAGS");

    static final Set<String> ARG_TYPES = Set.of("string", "integer", "double", "key", "pattern", "unix-time",
            "pure-token", "oneof", "block");

    static final List<String> ARG_FLAGS = List.of("optional", "multiple", "multiple_token");
}
