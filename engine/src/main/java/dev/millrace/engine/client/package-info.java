/**
 * Client sessions and the registry of connected clients, as the engine sees them; transports are behind Connection.
 */
package dev.millrace.engine.client;
