/**
 * The AOF (effect log) on Chronicle Queue: versioned records of RESP-encoded effects with a CRC,
 * torn-tail repair at open (storage.queue), sequential replay, and deletion of cycles a snapshot covers.
 */
package dev.millrace.storage.aof;
