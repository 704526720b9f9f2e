/**
 * Client-side caching (Redis's server-assisted invalidation, src/tracking.c): which clients track
 * which keys or key prefixes, told of every key change by the keyspace's {@code KeyChanges} signal,
 * and the invalidation messages sent to them (RESP3 {@code invalidate} pushes, or
 * {@code __redis__:invalidate} messages to a RESP2 client they redirect to) through one port,
 * {@link dev.millrace.engine.tracking.InvalidationSink}.
 */
package dev.millrace.engine.tracking;
