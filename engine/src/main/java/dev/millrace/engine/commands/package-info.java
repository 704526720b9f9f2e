/**
 * Command families: each binds its handlers by command-table name (strings, keys and expiry, server, connection). Handlers parse, act on the keyspace, and reply through the ReplyWriter.
 */
package dev.millrace.engine.commands;
