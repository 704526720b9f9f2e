package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.CommandFamily;

/** TODO(helper): fill in. */
public final class StringCommands implements CommandFamily {
    private final Engine engine;

    public StringCommands(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void register(Bindings bind) {
    }
}
