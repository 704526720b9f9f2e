/**
 * Stream logs on Chronicle Queue: one queue per stream holding its entries by number, with an
 * in-memory table of runs that maps an entry number to its Chronicle index without scanning, voided
 * ranges for truncation, and deletion deferred until a snapshot makes it safe.
 */
package dev.millrace.storage.stream;
