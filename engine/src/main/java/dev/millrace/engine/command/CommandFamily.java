package dev.millrace.engine.command;

/**
 * A group of command handlers (strings, keys, server, ...). A family binds its handlers by the
 * command-table name and never repeats the table's metadata.
 */
public interface CommandFamily {

    /** Registers each handler with {@code bind.bind("get", this::get)}; subcommands as "client|list". */
    void register(Bindings bind);

    /** Receives a family's handlers. */
    @FunctionalInterface
    interface Bindings {
        void bind(String name, Handler handler);
    }
}
