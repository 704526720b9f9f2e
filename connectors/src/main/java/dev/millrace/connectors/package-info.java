/**
 * Bridges between the engine's public API and the outside world (live WebSocket/SSE activity feeds,
 * a Kafka bridge). Empty until the connectors issue; the module exists so the build shape is final.
 */
package dev.millrace.connectors;
