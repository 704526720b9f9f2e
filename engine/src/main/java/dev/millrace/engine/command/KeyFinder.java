package dev.millrace.engine.command;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the key arguments of a command line from its key specs, as Redis's getKeysUsingKeySpecs
 * does (COMMAND GETKEYS, and later the ACL and cluster gates). Commands whose key flags depend on
 * their arguments (key specs flagged VARIABLE_FLAGS) get their flags from the arguments, as Redis's
 * getkeys procedures give them. Pure function; thread-safe.
 */
public final class KeyFinder {
    private KeyFinder() { }

    /** A key argument: its position in argv and its key spec flags (upper case, display order). */
    public record KeyRef(int position, List<String> flags) {
    }

    /** Whether any key spec of the command names real keys (Redis's doesCommandHaveKeys). */
    public static boolean hasKeys(CommandSpec spec) {
        return spec.keySpecs().stream().anyMatch(k -> !k.hasFlag("NOT_KEY"));
    }

    /**
     * The keys of {@code argv} (argv[0] is the command name; for a subcommand argv[1] is its name).
     *
     * @return the keys in key spec order, or null when a spec does not fit the arguments (a keynum that
     *         is not a count, a range past the end)
     */
    public static List<KeyRef> find(CommandSpec spec, byte[][] argv) {
        if (spec.keySpecs().stream().anyMatch(k -> !k.hasFlag("NOT_KEY") && k.isUnknown())) {
            // Redis's getKeysUsingKeySpecs gives up on an unknown spec and calls the command's getkeys_proc.
            return procedureKeys(spec, argv);
        }
        int argc = argv.length;
        List<KeyRef> keys = new ArrayList<>();
        for (CommandSpec.KeySpec ks : spec.keySpecs()) {
            if (ks.hasFlag("NOT_KEY")) {
                continue;
            }
            int first = 0;
            if (ks.beginSearch().equals("index")) {
                first = ks.index();
            } else {
                first = keywordPosition(ks, argv);
                if (first == 0) {
                    continue;
                }
            }
            int last;
            int step;
            if (ks.findKeys().equals("range")) {
                step = ks.b();
                int lastKey = ks.a();
                int limit = ks.c();
                if (lastKey >= 0) {
                    last = first + lastKey;
                } else if (limit == 0) {
                    last = argc + lastKey;
                } else {
                    last = first + ((argc - first) / limit + lastKey);
                }
            } else {
                step = ks.c();
                int numIndex = first + ks.a();
                if (numIndex >= argc) {
                    return null;
                }
                Long numKeys = dev.millrace.engine.util.Numbers.parseLong(argv[numIndex]);
                if (numKeys == null || numKeys < 0 || numKeys > argc) {
                    return null;
                }
                first += ks.b();
                last = first + (int) (long) numKeys - 1;
            }
            if (last >= argc || last < first || first >= argc) {
                if (ks.findKeys().equals("keynum") && last == first - 1) {
                    continue;
                }
                return null;
            }
            List<String> flags = ks.hasFlag("VARIABLE_FLAGS") ? variableFlags(spec, argv, ks) : ks.flags();
            for (int i = first; i <= last; i += step) {
                keys.add(new KeyRef(i, flags));
            }
        }
        return keys;
    }

    /** The keys of a command with an "unknown" key spec, as its Redis getkeys procedure finds them. */
    private static List<KeyRef> procedureKeys(CommandSpec spec, byte[][] argv) {
        return switch (spec.name()) {
            case "sort" -> sortKeys(argv);
            case "sort_ro" -> List.of(new KeyRef(1, READ_ACCESS));
            default -> throw new IllegalStateException("no key procedure for " + spec.name() + "'s unknown key spec");
        };
    }

    /**
     * Redis's sortGetKeys: the sorted key, and the destination of the last STORE that has an argument,
     * skipping the arguments of LIMIT (two), GET and BY (one) so that a pattern or number is never taken
     * for STORE.
     */
    private static List<KeyRef> sortKeys(byte[][] argv) {
        int store = 0;
        for (int i = 2; i < argv.length; i++) {
            if (equalsIgnoreCase(argv[i], LIMIT)) {
                i += 2;
            } else if (equalsIgnoreCase(argv[i], GET) || equalsIgnoreCase(argv[i], BY)) {
                i += 1;
            } else if (equalsIgnoreCase(argv[i], STORE) && i + 1 < argv.length) {
                store = i + 1;
            }
        }
        KeyRef sorted = new KeyRef(1, READ_ACCESS);
        return store == 0 ? List.of(sorted) : List.of(sorted, new KeyRef(store, List.of("OW", "UPDATE")));
    }

    private static final List<String> READ_ACCESS = List.of("RO", "ACCESS");

    /** Where the keys begin after a keyword: 0 when the keyword is absent. */
    private static int keywordPosition(CommandSpec.KeySpec ks, byte[][] argv) {
        int argc = argv.length;
        int startFrom = ks.index();
        int start = startFrom > 0 ? startFrom : argc + startFrom;
        int end = startFrom > 0 ? argc - 1 : 0;
        byte[] keyword = ks.keyword().getBytes(StandardCharsets.ISO_8859_1);
        for (int i = start; i != end + (start <= end ? 1 : -1); i += start <= end ? 1 : -1) {
            if (i >= argc || i < 1) {
                break;
            }
            if (equalsIgnoreCase(argv[i], keyword)) {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * The flags of a key whose access depends on the arguments: SET with GET reads the old value
     * (RW, ACCESS, UPDATE) and otherwise overwrites (OW, UPDATE); BITFIELD with only GET operations
     * reads (RO, ACCESS) and otherwise reads and writes (RW, ACCESS, UPDATE). Other commands keep
     * their spec's flags without VARIABLE_FLAGS.
     */
    private static List<String> variableFlags(CommandSpec spec, byte[][] argv, CommandSpec.KeySpec ks) {
        switch (spec.name()) {
            case "set" -> {
                for (int i = 3; i < argv.length; i++) {
                    if (equalsIgnoreCase(argv[i], GET)) {
                        return List.of("RW", "ACCESS", "UPDATE");
                    }
                }
                return List.of("OW", "UPDATE");
            }
            case "bitfield" -> {
                for (int i = 2; i < argv.length; i++) {
                    if (equalsIgnoreCase(argv[i], SET) || equalsIgnoreCase(argv[i], INCRBY)) {
                        return List.of("RW", "ACCESS", "UPDATE");
                    }
                }
                return List.of("RO", "ACCESS");
            }
            default -> {
                return ks.flags().stream().filter(f -> !f.equals("VARIABLE_FLAGS")).toList();
            }
        }
    }

    private static final byte[] GET = {'G', 'E', 'T'};
    private static final byte[] SET = {'S', 'E', 'T'};
    private static final byte[] INCRBY = {'I', 'N', 'C', 'R', 'B', 'Y'};
    private static final byte[] LIMIT = {'L', 'I', 'M', 'I', 'T'};
    private static final byte[] BY = {'B', 'Y'};
    private static final byte[] STORE = {'S', 'T', 'O', 'R', 'E'};

    private static boolean equalsIgnoreCase(byte[] a, byte[] upper) {
        if (a.length != upper.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            int c = a[i];
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            if (c != upper[i]) {
                return false;
            }
        }
        return true;
    }
}
