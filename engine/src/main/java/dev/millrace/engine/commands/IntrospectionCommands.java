package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.command.CommandSpec;
import dev.millrace.engine.command.CommandTable;
import dev.millrace.engine.command.KeyFinder;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.util.Glob;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * COMMAND and its subcommands: pure functions of the command table, rendered as Redis 7.0 renders
 * them (COMMAND INFO byte for byte; DOCS in the same shape, with our own summaries). Commands come in
 * table order where Redis's order is its hash table's. Execution thread only.
 */
public final class IntrospectionCommands implements CommandFamily {
    /** Flags Redis keeps to itself in COMMAND INFO. */
    private static final Set<String> HIDDEN_FLAGS = Set.of("may_replicate");
    /** Key spec flags Redis shows in upper case; the rest are shown in lower case. */
    private static final Set<String> UPPER_KEY_FLAGS = Set.of("RO", "RW", "OW", "RM");

    private final Engine engine;

    public IntrospectionCommands(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("command", this::all);
        bind.bind("command|count", call -> call.reply().integer(table().topLevel().size()));
        bind.bind("command|info", this::info);
        bind.bind("command|docs", this::docs);
        bind.bind("command|list", this::list);
        bind.bind("command|getkeys", call -> getKeys(call, false));
        bind.bind("command|getkeysandflags", call -> getKeys(call, true));
        bind.bind("command|help", this::help);
    }

    private CommandTable table() {
        return engine.dispatcher().table();
    }

    private void all(Call call) {
        call.reply().array(table().topLevel().size());
        for (CommandSpec spec : table().topLevel()) {
            info(call.reply(), spec);
        }
    }

    private void info(Call call) {
        ReplyWriter out = call.reply();
        if (call.argc() == 2) {
            all(call);
            return;
        }
        out.array(call.argc() - 2);
        for (int i = 2; i < call.argc(); i++) {
            CommandSpec spec = table().lookupFullName(call.argString(i));
            if (spec == null) {
                out.nullBulk();
            } else {
                info(out, spec);
            }
        }
    }

    /** One COMMAND INFO entry: the ten fields of Redis 7.0. */
    static void info(ReplyWriter out, CommandSpec spec) {
        out.array(10);
        out.bulk(spec.name());
        out.integer(spec.arity());
        List<String> flags = spec.flags().stream().filter(f -> !HIDDEN_FLAGS.contains(f)).toList();
        out.set(flags.size());
        flags.forEach(out::simple);
        out.integer(spec.firstKey());
        out.integer(spec.lastKey());
        out.integer(spec.keyStep());
        out.set(spec.aclCategories().size());
        spec.aclCategories().forEach(out::simple);
        out.set(spec.tips().size());
        spec.tips().forEach(out::bulk);
        out.set(spec.keySpecs().size());
        spec.keySpecs().forEach(ks -> keySpec(out, ks));
        if (spec.isContainer()) {
            out.array(spec.subcommands().size());
            spec.subcommands().values().forEach(sub -> info(out, sub));
        } else {
            out.set(0);
        }
    }

    private static void keySpec(ReplyWriter out, CommandSpec.KeySpec ks) {
        out.map(ks.notes() == null ? 3 : 4);
        if (ks.notes() != null) {
            out.bulk("notes");
            out.bulk(ks.notes());
        }
        out.bulk("flags");
        out.set(ks.flags().size());
        for (String flag : ks.flags()) {
            out.simple(UPPER_KEY_FLAGS.contains(flag) ? flag : flag.toLowerCase(Locale.ROOT));
        }
        out.bulk("begin_search");
        out.map(2);
        out.bulk("type");
        out.bulk(ks.beginSearch());
        out.bulk("spec");
        if (ks.beginSearch().equals(CommandSpec.UNKNOWN)) {
            out.map(0);
        } else if (ks.beginSearch().equals("index")) {
            out.map(1);
            out.bulk("index");
            out.integer(ks.index());
        } else {
            out.map(2);
            out.bulk("keyword");
            out.bulk(ks.keyword());
            out.bulk("startfrom");
            out.integer(ks.index());
        }
        out.bulk("find_keys");
        out.map(2);
        out.bulk("type");
        out.bulk(ks.findKeys());
        out.bulk("spec");
        if (ks.findKeys().equals(CommandSpec.UNKNOWN)) {
            out.map(0);
            return;
        }
        out.map(3);
        boolean range = ks.findKeys().equals("range");
        out.bulk(range ? "lastkey" : "keynumidx");
        out.integer(ks.a());
        out.bulk(range ? "keystep" : "firstkey");
        out.integer(ks.b());
        out.bulk(range ? "limit" : "keystep");
        out.integer(ks.c());
    }

    /** COMMAND DOCS [name ...]: a map of full name to docs; unknown names are left out. */
    private void docs(Call call) {
        List<CommandSpec> specs = new ArrayList<>();
        if (call.argc() == 2) {
            specs.addAll(table().topLevel());
        } else {
            for (int i = 2; i < call.argc(); i++) {
                CommandSpec spec = table().lookupFullName(call.argString(i));
                if (spec != null) {
                    specs.add(spec);
                }
            }
        }
        call.reply().map(specs.size());
        for (CommandSpec spec : specs) {
            call.reply().bulk(spec.name());
            docs(call.reply(), spec);
        }
    }

    private static void docs(ReplyWriter out, CommandSpec spec) {
        CommandSpec.Docs d = spec.docs();
        int fields = count(d.summary(), d.since(), d.group(), d.complexity(), d.deprecatedSince(), d.replacedBy())
                + (d.docFlags().isEmpty() ? 0 : 1) + (d.history().isEmpty() ? 0 : 1)
                + (d.arguments().isEmpty() ? 0 : 1) + (spec.isContainer() ? 1 : 0);
        out.map(fields);
        field(out, "summary", d.summary());
        field(out, "since", d.since());
        field(out, "group", d.group());
        field(out, "complexity", d.complexity());
        if (!d.docFlags().isEmpty()) {
            out.bulk("doc_flags");
            out.set(d.docFlags().size());
            d.docFlags().forEach(out::simple);
        }
        field(out, "deprecated_since", d.deprecatedSince());
        field(out, "replaced_by", d.replacedBy());
        if (!d.history().isEmpty()) {
            out.bulk("history");
            out.array(d.history().size());
            for (CommandSpec.History h : d.history()) {
                out.array(2);
                out.bulk(h.version());
                out.bulk(h.description());
            }
        }
        if (!d.arguments().isEmpty()) {
            out.bulk("arguments");
            arguments(out, d.arguments());
        }
        if (spec.isContainer()) {
            out.bulk("subcommands");
            out.map(spec.subcommands().size());
            for (CommandSpec sub : spec.subcommands().values()) {
                out.bulk(sub.name());
                docs(out, sub);
            }
        }
    }

    private static void arguments(ReplyWriter out, List<CommandSpec.Arg> args) {
        out.array(args.size());
        for (CommandSpec.Arg a : args) {
            boolean nested = a.type().equals("oneof") || a.type().equals("block");
            out.map(2 + (a.keySpecIndex() >= 0 ? 1 : 0) + count(a.token(), a.since(), a.deprecatedSince())
                    + (a.flags().isEmpty() ? 0 : 1) + (nested ? 1 : 0));
            field(out, "name", a.name());
            field(out, "type", a.type());
            if (a.keySpecIndex() >= 0) {
                out.bulk("key_spec_index");
                out.integer(a.keySpecIndex());
            }
            field(out, "token", a.token());
            field(out, "since", a.since());
            field(out, "deprecated_since", a.deprecatedSince());
            if (!a.flags().isEmpty()) {
                out.bulk("flags");
                out.set(a.flags().size());
                a.flags().forEach(out::simple);
            }
            if (nested) {
                out.bulk("arguments");
                arguments(out, a.arguments());
            }
        }
    }

    private static int count(String... values) {
        return (int) Arrays.stream(values).filter(v -> v != null).count();
    }

    private static void field(ReplyWriter out, String name, String value) {
        if (value != null) {
            out.bulk(name);
            out.bulk(value);
        }
    }

    /** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: subcommands included. */
    private void list(Call call) {
        String filter = null;
        String argument = null;
        for (int i = 2; i < call.argc(); i++) {
            if (call.argIs(i, "FILTERBY") && call.argc() - 1 - i == 2) {
                if (call.argIs(i + 1, "MODULE") || call.argIs(i + 1, "ACLCAT") || call.argIs(i + 1, "PATTERN")) {
                    filter = call.argString(i + 1).toLowerCase(Locale.ROOT);
                    argument = call.argString(i + 2);
                    i += 2;
                } else {
                    call.syntaxError();
                    return;
                }
            } else {
                call.syntaxError();
                return;
            }
        }
        List<String> names = new ArrayList<>();
        for (CommandSpec spec : table().all()) {
            if (filter == null || matches(spec, filter, argument)) {
                names.add(spec.name());
            }
        }
        call.reply().array(names.size());
        names.forEach(call.reply()::bulk);
    }

    /** There are no modules, so a MODULE filter matches nothing. */
    private static boolean matches(CommandSpec spec, String filter, String argument) {
        return switch (filter) {
            case "aclcat" -> spec.inAclCategory(argument);
            case "pattern" -> Glob.matches(argument.getBytes(StandardCharsets.ISO_8859_1),
                    spec.name().getBytes(StandardCharsets.ISO_8859_1), true);
            default -> false;
        };
    }

    /** COMMAND GETKEYS / GETKEYSANDFLAGS command [arg ...]. */
    private void getKeys(Call call, boolean withFlags) {
        byte[][] line = Arrays.copyOfRange(call.argv(), 2, call.argc());
        CommandSpec spec = table().lookupCommand(line);
        ReplyWriter out = call.reply();
        if (spec == null) {
            out.error(Errors.INVALID_COMMAND);
            return;
        }
        if (!KeyFinder.hasKeys(spec)) {
            out.error(Errors.COMMAND_HAS_NO_KEYS);
            return;
        }
        if (!spec.arityAccepts(line.length)) {
            out.error(Errors.COMMAND_ARGUMENT_COUNT);
            return;
        }
        List<KeyFinder.KeyRef> keys = KeyFinder.find(spec, line);
        if (keys == null || keys.isEmpty()) {
            if (spec.hasFlag("no_mandatory_keys")) {
                out.array(0);
            } else {
                out.error(Errors.COMMAND_INVALID_ARGUMENTS);
            }
            return;
        }
        out.array(keys.size());
        for (KeyFinder.KeyRef key : keys) {
            if (withFlags) {
                out.array(2);
                out.bulk(line[key.position()]);
                out.set(key.flags().size());
                for (String flag : key.flags()) {
                    out.simple(UPPER_KEY_FLAGS.contains(flag) ? flag : flag.toLowerCase(Locale.ROOT));
                }
            } else {
                out.bulk(line[key.position()]);
            }
        }
    }

    private void help(Call call) {
        HelpReply.reply(call,
                "(no subcommand)",
                "    Return details about all Redis commands.",
                "COUNT",
                "    Return the total number of commands in this Redis server.",
                "LIST",
                "    Return a list of all commands in this Redis server.",
                "INFO [<command-name> ...]",
                "    Return details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "DOCS [<command-name> ...]",
                "    Return documentation details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "GETKEYS <full-command>",
                "    Return the keys from a full Redis command.",
                "GETKEYSANDFLAGS <full-command>",
                "    Return the keys and the access flags from a full Redis command.");
    }
}
