package dev.millrace.engine.stream;

/**
 * One stream entry: its ID and its fields and values, alternating ({@code field, value, field,
 * value ...}).
 */
public record StreamEntry(StreamId id, byte[][] fieldsAndValues) {
}
