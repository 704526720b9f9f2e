/**
 * Snapshots built in the background from the previous snapshot and the log, without fork and
 * without pausing the server; published atomically and used as the base of crash recovery.
 */
package dev.millrace.storage.snapshot;
