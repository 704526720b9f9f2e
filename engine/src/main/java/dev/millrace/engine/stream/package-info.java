/**
 * Streams: IDs, the model of one stream over its log and its record, and the {@link
 * dev.millrace.engine.stream.StreamLog} port storage implements with one Chronicle Queue per stream.
 * Entries live in the log, numbered in the order they were added; everything else about a stream
 * (its last ID, trim point, deletions, consumer groups) lives in the key's record and pages, so it
 * is snapshotted and replayed like any other value.
 */
package dev.millrace.engine.stream;
