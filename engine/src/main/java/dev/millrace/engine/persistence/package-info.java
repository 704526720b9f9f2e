/**
 * The snapshot port (SAVE, BGSAVE) storage implements.
 */
package dev.millrace.engine.persistence;
