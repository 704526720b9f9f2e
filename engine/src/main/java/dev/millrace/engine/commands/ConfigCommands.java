package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** CONFIG GET, SET, RESETSTAT and HELP over the engine's {@link dev.millrace.engine.config.ServerConfig}. */
public final class ConfigCommands implements CommandFamily {
    private final Engine engine;

    public ConfigCommands(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("config|get", this::get);
        bind.bind("config|set", this::set);
        bind.bind("config|resetstat", this::resetStat);
        bind.bind("config|help", this::help);
    }

    private void get(Call call) {
        List<String> patterns = new ArrayList<>();
        for (int i = 2; i < call.argc(); i++) {
            patterns.add(call.argString(i));
        }
        Map<String, String> found = engine.config().lookup(patterns);
        call.reply().map(found.size());
        found.forEach((name, value) -> {
            call.reply().bulk(name);
            call.reply().bulk(value);
        });
    }

    private void set(Call call) {
        if (call.argc() % 2 != 0) {
            call.syntaxError();
            return;
        }
        List<String> pairs = new ArrayList<>();
        for (int i = 2; i < call.argc(); i++) {
            pairs.add(call.argString(i));
        }
        String error = engine.config().setAll(pairs);
        if (error != null) {
            call.reply().error(error);
        } else {
            call.reply().simple("OK");
        }
    }

    private void resetStat(Call call) {
        engine.stats().reset();
        call.keyspace().resetStats();
        call.reply().simple("OK");
    }

    private void help(Call call) {
        HelpReply.reply(call,
                "GET <pattern>",
                "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>",
                "    Set the configuration <directive> to <value>.",
                "RESETSTAT",
                "    Reset statistics reported by the INFO command.");
    }
}
