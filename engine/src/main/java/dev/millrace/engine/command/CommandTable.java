package dev.millrace.engine.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The command table, loaded once from the {@code *.table} resources beside this class: {@code
 * commands.table} (its header describes the format) and one file per collection family, so each
 * family's metadata has one home. Immutable after construction; safe to share between threads.
 */
public final class CommandTable {
    private static final List<String> RESOURCES = List.of(
            "commands.table", "hash.table", "list.table", "set.table", "zset.table", "hyperloglog.table",
            "geo.table", "sort.table", "stream.table", "streamgroup.table", "transaction.table",
            "pubsub.table", "tracking.table", "scripting.table");

    private final Map<String, CommandSpec> commands;

    /** {@link #lookup(byte[])}'s table: specs and their lower-case names, at the same slots. */
    private CommandSpec[] byBytes;
    private byte[][] byBytesNames;

    private CommandTable(Map<String, CommandSpec> commands) {
        this.commands = Collections.unmodifiableMap(commands);
        indexByBytes();
    }

    /**
     * The table shipped with the engine. Parsed once per JVM, by the first caller (the server's start-up
     * preloads it beside the storage), and shared: a table is immutable.
     */
    public static CommandTable load() {
        return Shipped.TABLE;
    }

    private static final class Shipped {
        static final CommandTable TABLE = parseShipped();
    }

    private static CommandTable parseShipped() {
        List<String> lines = new ArrayList<>();
        for (String resource : RESOURCES) {
            try (InputStream in = CommandTable.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + resource);
                }
                lines.addAll(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return parse(lines);
    }

    /** One entry while parsing: its command line's columns and its detail lines. */
    private static final class Entry {
        final String[] cols;
        final List<String> details = new ArrayList<>();

        Entry(String[] cols) {
            this.cols = cols;
        }
    }

    static CommandTable parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                if (entries.isEmpty()) {
                    throw new IllegalStateException("command table: detail line before any command: " + line);
                }
                entries.get(entries.size() - 1).details.add(line);
                continue;
            }
            String[] cols = trimmed.split("\\s+");
            if (cols.length != 7) {
                throw new IllegalStateException("command table: expected 7 columns in: " + line);
            }
            entries.add(new Entry(cols));
        }
        Map<String, Map<String, CommandSpec>> subs = new LinkedHashMap<>();
        for (Entry e : entries) {
            String name = e.cols[0];
            int bar = name.indexOf('|');
            if (bar >= 0) {
                subs.computeIfAbsent(name.substring(0, bar), k -> new LinkedHashMap<>())
                        .put(name.substring(bar + 1), spec(e, Map.of()));
            }
        }
        Map<String, CommandSpec> top = new LinkedHashMap<>();
        for (Entry e : entries) {
            String name = e.cols[0];
            if (name.indexOf('|') < 0) {
                top.put(name, spec(e, Collections.unmodifiableMap(subs.getOrDefault(name, Map.of()))));
            }
        }
        for (String container : subs.keySet()) {
            if (!top.containsKey(container)) {
                throw new IllegalStateException("command table: subcommands of missing container " + container);
            }
        }
        return new CommandTable(top);
    }

    private static CommandSpec spec(Entry e, Map<String, CommandSpec> subcommands) {
        String[] cols = e.cols;
        String[] keys = cols[3].split(",");
        List<String> flags = list(cols[2]);
        for (String flag : flags) {
            if (!CommandSpec.KNOWN_FLAGS.contains(flag)) {
                throw new IllegalStateException("command table: unknown flag " + flag + " for " + cols[0]);
            }
        }
        Details details = new Details(cols[0], e.details);
        return new CommandSpec(cols[0], Integer.parseInt(cols[1]), flags,
                Integer.parseInt(keys[0]), Integer.parseInt(keys[1]), Integer.parseInt(keys[2]),
                list(cols[4]), list(cols[5]), keySpecs(cols[0], cols[6], details.keyNotes), subcommands, details.docs);
    }

    private static List<String> list(String col) {
        return col.equals("-") ? List.of() : List.of(col.split(","));
    }

    private static List<CommandSpec.KeySpec> keySpecs(String name, String col, Map<Integer, String> notes) {
        if (col.equals("-")) {
            if (!notes.isEmpty()) {
                throw new IllegalStateException("command table: keynote without key specs for " + name);
            }
            return List.of();
        }
        List<CommandSpec.KeySpec> specs = new ArrayList<>();
        for (String spec : col.split(";")) {
            String[] parts = spec.split("/");
            String[] begin = parts[1].split(":");
            String[] find = parts[2].split(":");
            boolean keyword = begin[0].equals("keyword");
            List<String> flags = Arrays.asList(parts[0].split(","));
            for (String flag : flags) {
                if (!CommandSpec.KEY_SPEC_FLAGS.contains(flag)) {
                    throw new IllegalStateException("command table: unknown key spec flag " + flag + " for " + name);
                }
            }
            List<String> ordered = CommandSpec.KEY_SPEC_FLAGS.stream().filter(flags::contains).toList();
            boolean unknownBegin = begin[0].equals(CommandSpec.UNKNOWN);
            boolean unknownFind = find[0].equals(CommandSpec.UNKNOWN);
            specs.add(new CommandSpec.KeySpec(ordered, notes.get(specs.size()), begin[0],
                    unknownBegin ? 0 : Integer.parseInt(keyword ? begin[2] : begin[1]), keyword ? begin[1] : null,
                    find[0], unknownFind ? 0 : Integer.parseInt(find[1]), unknownFind ? 0 : Integer.parseInt(find[2]),
                    unknownFind ? 0 : Integer.parseInt(find[3])));
        }
        return List.copyOf(specs);
    }

    /** The detail lines of one entry, parsed: its docs and its key spec notes. */
    private static final class Details {
        final Map<Integer, String> keyNotes = new LinkedHashMap<>();
        final CommandSpec.Docs docs;

        Details(String name, List<String> lines) {
            String summary = null;
            String since = null;
            String group = null;
            String complexity = null;
            List<String> docFlags = List.of();
            String deprecated = null;
            String replacedBy = null;
            List<CommandSpec.History> history = new ArrayList<>();
            ArgTree args = new ArgTree(name);
            for (String line : lines) {
                int indent = 0;
                while (Character.isWhitespace(line.charAt(indent))) {
                    indent++;
                }
                String body = line.substring(indent);
                int space = body.indexOf(' ');
                String word = space < 0 ? body : body.substring(0, space);
                String value = space < 0 ? "" : body.substring(space + 1).strip();
                switch (word) {
                    case "summary" -> summary = value;
                    case "since" -> since = value;
                    case "group" -> group = value;
                    case "complexity" -> complexity = value;
                    case "docflags" -> docFlags = List.of(value.split(","));
                    case "deprecated" -> deprecated = value;
                    case "replacedby" -> replacedBy = value;
                    case "history" -> history.add(new CommandSpec.History(firstWord(value), rest(value)));
                    case "keynote" -> keyNotes.put(Integer.parseInt(firstWord(value)), rest(value));
                    case "arg" -> args.add(indent, value);
                    default -> throw new IllegalStateException("command table: unknown detail '" + word + "' for " + name);
                }
            }
            docs = new CommandSpec.Docs(summary, since, group, complexity, docFlags, deprecated, replacedBy,
                    List.copyOf(history), args.roots());
        }

        private static String firstWord(String value) {
            int space = value.indexOf(' ');
            return space < 0 ? value : value.substring(0, space);
        }

        private static String rest(String value) {
            int space = value.indexOf(' ');
            return space < 0 ? "" : value.substring(space + 1).strip();
        }
    }

    /** Builds the argument tree from "arg" lines whose indentation gives their nesting. */
    private static final class ArgTree {
        private final String command;
        private final List<Node> roots = new ArrayList<>();
        private final Deque<Node> open = new ArrayDeque<>();

        private static final class Node {
            final int indent;
            final String[] words;
            final List<Node> children = new ArrayList<>();

            Node(int indent, String[] words) {
                this.indent = indent;
                this.words = words;
            }
        }

        ArgTree(String command) {
            this.command = command;
        }

        void add(int indent, String value) {
            Node node = new Node(indent, value.split("\\s+"));
            while (!open.isEmpty() && open.peek().indent >= indent) {
                open.pop();
            }
            if (open.isEmpty()) {
                roots.add(node);
            } else {
                open.peek().children.add(node);
            }
            open.push(node);
        }

        List<CommandSpec.Arg> roots() {
            return roots.stream().map(this::arg).toList();
        }

        private CommandSpec.Arg arg(Node node) {
            String[] w = node.words;
            if (w.length < 2 || !CommandSpec.ARG_TYPES.contains(w[1])) {
                throw new IllegalStateException("command table: bad arg '" + String.join(" ", w) + "' for " + command);
            }
            int keySpec = -1;
            String token = null;
            String since = null;
            String deprecated = null;
            List<String> flags = new ArrayList<>();
            for (int i = 2; i < w.length; i++) {
                String attr = w[i];
                int eq = attr.indexOf('=');
                String key = eq < 0 ? attr : attr.substring(0, eq);
                String val = eq < 0 ? null : attr.substring(eq + 1);
                switch (key) {
                    case "key" -> keySpec = Integer.parseInt(val);
                    case "token" -> token = val;
                    case "since" -> since = val;
                    case "deprecated" -> deprecated = val;
                    default -> {
                        if (!CommandSpec.ARG_FLAGS.contains(key) || val != null) {
                            throw new IllegalStateException("command table: bad arg attribute " + attr + " for " + command);
                        }
                        flags.add(key);
                    }
                }
            }
            List<String> ordered = CommandSpec.ARG_FLAGS.stream().filter(flags::contains).toList();
            return new CommandSpec.Arg(w[0], w[1], keySpec, token, since, deprecated, ordered,
                    node.children.stream().map(this::arg).toList());
        }
    }

    /** The top-level command for a name in any case, or null. */
    public CommandSpec lookup(String name) {
        return commands.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * Redis's lookupCommand over a command line: the command {@code argv[0]} names, or its subcommand
     * when it is a container and {@code argv} has a second word; null when either is unknown.
     */
    public CommandSpec lookupCommand(byte[][] argv) {
        CommandSpec spec = lookup(argv[0]);
        if (spec != null && spec.isContainer() && argv.length >= 2) {
            spec = spec.subcommands().get(new String(argv[1], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
        }
        return spec;
    }

    /**
     * The top-level command for a name as a client sent it (any ASCII case), or null: the dispatcher's
     * per-command lookup, so it allocates nothing (an open-addressing table over the lower-case names).
     */
    public CommandSpec lookup(byte[] name) {
        int mask = byBytes.length - 1;
        for (int i = foldedHash(name) & mask; ; i = (i + 1) & mask) {
            CommandSpec spec = byBytes[i];
            if (spec == null) {
                return null;
            }
            if (equalsIgnoreAsciiCase(byBytesNames[i], name)) {
                return spec;
            }
        }
    }

    private static int foldedHash(byte[] name) {
        int h = 0;
        for (byte b : name) {
            h = 31 * h + lowerAscii(b);
        }
        return h ^ (h >>> 16);
    }

    private static int lowerAscii(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    /** {@code lower} is already lower case. */
    private static boolean equalsIgnoreAsciiCase(byte[] lower, byte[] name) {
        if (lower.length != name.length) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            if (lower[i] != lowerAscii(name[i])) {
                return false;
            }
        }
        return true;
    }

    private void indexByBytes() {
        int size = Integer.highestOneBit(Math.max(commands.size(), 1) * 4);
        byBytes = new CommandSpec[size];
        byBytesNames = new byte[size][];
        for (Map.Entry<String, CommandSpec> e : commands.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
            int i = foldedHash(name) & (size - 1);
            while (byBytes[i] != null) {
                i = (i + 1) & (size - 1);
            }
            byBytes[i] = e.getValue();
            byBytesNames[i] = name;
        }
    }

    /**
     * A command by its full name as COMMAND INFO and DOCS accept it: "get", or "client|list" for a
     * subcommand (any case). Null when there is no such command.
     */
    public CommandSpec lookupFullName(String fullName) {
        String[] parts = fullName.split("\\|", -1);
        if (parts.length > 2) {
            return null;
        }
        CommandSpec spec = lookup(parts[0]);
        if (spec == null || parts.length == 1) {
            return spec;
        }
        return spec.subcommands().get(parts[1].toLowerCase(Locale.ROOT));
    }

    /** Top-level commands in table order. */
    public Collection<CommandSpec> topLevel() {
        return commands.values();
    }

    /** Every command and subcommand, in table order (a container before its subcommands). */
    public List<CommandSpec> all() {
        List<CommandSpec> all = new ArrayList<>();
        for (CommandSpec spec : commands.values()) {
            all.add(spec);
            all.addAll(spec.subcommands().values());
        }
        return all;
    }
}
