/**
 * The network server and the composition root: {@link dev.millrace.protocol.server.RespServer} runs
 * Redis's execution model on Netty (one event-loop thread does the I/O and executes every command,
 * flushing replies once per loop iteration after a group commit), and
 * {@link dev.millrace.protocol.server.Main} parses redis-server's arguments and wires engine, storage
 * and server together.
 */
package dev.millrace.protocol.server;
