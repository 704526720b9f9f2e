package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.command.CommandFamily;

/** TODO(helper): fill in. */
public final class ConnectionCommands implements CommandFamily {
    private final Engine engine;

    public ConnectionCommands(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void register(Bindings bind) {
    }
}
