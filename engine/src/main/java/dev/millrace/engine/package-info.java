/**
 * The Millrace engine: commands, data types, keyspace, expiry. Depends on the JDK and SLF4J only: no
 * Netty, no Chronicle. {@link dev.millrace.engine.Engine} is the root the protocol adapter drives.
 */
package dev.millrace.engine;
