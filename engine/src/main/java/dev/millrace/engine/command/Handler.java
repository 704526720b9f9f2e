package dev.millrace.engine.command;

/** Executes one command: parse {@link Call#argv()}, act on the keyspace, reply through {@link Call#reply()}. */
@FunctionalInterface
public interface Handler {
    void execute(Call call);
}
