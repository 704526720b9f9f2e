/**
 * Blocking commands: clients that wait on keys until a write readies one (BLPOP, BLMOVE, BZPOPMIN,
 * XREAD BLOCK ...), time out, or are unblocked. {@link dev.millrace.engine.blocking.BlockingKeys} is
 * the registry and its class comment the guide for a family adding a blocking command;
 * {@link dev.millrace.engine.blocking.Waiter} is what such a command implements.
 */
package dev.millrace.engine.blocking;
