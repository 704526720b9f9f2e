/**
 * The command table (metadata as data), the dispatcher and its gates, and the per-invocation {@link dev.millrace.engine.command.Call}. Handlers live in {@code engine.commands}.
 */
package dev.millrace.engine.command;
