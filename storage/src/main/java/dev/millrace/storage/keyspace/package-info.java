/**
 * The keyspace on persisted Chronicle Maps: databases as slot prefixes, large records in chunks,
 * the pages of large collections beside the keys (deleted in the background with their owner),
 * growth by generations migrated incrementally, SCAN cursors that survive growth.
 */
package dev.millrace.storage.keyspace;
