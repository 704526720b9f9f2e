/**
 * Transactions: the commands a client queues between MULTI and EXEC ({@link
 * dev.millrace.engine.transaction.Transaction}) and the keys clients WATCH ({@link
 * dev.millrace.engine.transaction.WatchedKeys}, told of every key change by the keyspace). The commands
 * themselves are {@code commands.TransactionCommands}; the queueing gate is in the dispatcher.
 */
package dev.millrace.engine.transaction;
