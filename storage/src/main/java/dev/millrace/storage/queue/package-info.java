/**
 * Chronicle Queue helpers shared by every queue the storage layer keeps (the AOF, the stream logs):
 * naming and deleting cycle files, and zeroing the unfinished excerpt a killed writer left behind.
 */
package dev.millrace.storage.queue;
