package dev.millrace.engine.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The command table, loaded once from the {@code commands.table} resource (see its header for the
 * format). Immutable after construction; safe to share between threads.
 */
public final class CommandTable {
    private static final String RESOURCE = "commands.table";

    private final Map<String, CommandSpec> commands;

    private CommandTable(Map<String, CommandSpec> commands) {
        this.commands = Collections.unmodifiableMap(commands);
    }

    /** Loads the table shipped with the engine. */
    public static CommandTable load() {
        try (InputStream in = CommandTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CommandTable parse(List<String> lines) {
        Map<String, CommandSpec> top = new LinkedHashMap<>();
        Map<String, Map<String, CommandSpec>> subs = new LinkedHashMap<>();
        List<String[]> rows = new ArrayList<>();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] cols = trimmed.split("\\s+");
            if (cols.length != 7) {
                throw new IllegalStateException("command table: expected 7 columns in: " + line);
            }
            rows.add(cols);
        }
        for (String[] cols : rows) {
            String name = cols[0];
            int bar = name.indexOf('|');
            if (bar >= 0) {
                subs.computeIfAbsent(name.substring(0, bar), k -> new LinkedHashMap<>())
                        .put(name.substring(bar + 1), spec(cols, Map.of()));
            }
        }
        for (String[] cols : rows) {
            String name = cols[0];
            if (name.indexOf('|') < 0) {
                top.put(name, spec(cols, Collections.unmodifiableMap(subs.getOrDefault(name, Map.of()))));
            }
        }
        return new CommandTable(top);
    }

    private static CommandSpec spec(String[] cols, Map<String, CommandSpec> subcommands) {
        String[] keys = cols[3].split(",");
        List<String> flags = list(cols[2]);
        for (String flag : flags) {
            if (!CommandSpec.KNOWN_FLAGS.contains(flag)) {
                throw new IllegalStateException("command table: unknown flag " + flag + " for " + cols[0]);
            }
        }
        return new CommandSpec(cols[0], Integer.parseInt(cols[1]), flags,
                Integer.parseInt(keys[0]), Integer.parseInt(keys[1]), Integer.parseInt(keys[2]),
                list(cols[4]), list(cols[5]), keySpecs(cols[6]), subcommands);
    }

    private static List<String> list(String col) {
        return col.equals("-") ? List.of() : List.of(col.split(","));
    }

    private static List<CommandSpec.KeySpec> keySpecs(String col) {
        if (col.equals("-")) {
            return List.of();
        }
        List<CommandSpec.KeySpec> specs = new ArrayList<>();
        for (String spec : col.split(";")) {
            String[] parts = spec.split("/");
            String[] begin = parts[1].split(":");
            String[] find = parts[2].split(":");
            boolean keyword = begin[0].equals("keyword");
            specs.add(new CommandSpec.KeySpec(Arrays.asList(parts[0].split(",")), begin[0],
                    Integer.parseInt(keyword ? begin[2] : begin[1]), keyword ? begin[1] : null,
                    find[0], Integer.parseInt(find[1]), Integer.parseInt(find[2]), Integer.parseInt(find[3])));
        }
        return List.copyOf(specs);
    }

    /** The top-level command for a name in any case, or null. */
    public CommandSpec lookup(String name) {
        return commands.get(name.toLowerCase(Locale.ROOT));
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
