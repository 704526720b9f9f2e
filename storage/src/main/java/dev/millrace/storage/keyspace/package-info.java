/**
 * The keyspace on persisted Chronicle Maps: databases as slot prefixes, large records in chunks,
 * growth by generations migrated incrementally, SCAN cursors that survive growth.
 */
package dev.millrace.storage.keyspace;
