/**
 * The data structures behind the collection types, free of RESP and I/O: compact encodings that live
 * inside a key's record, and {@link dev.millrace.engine.types.PagedTree}, the counted B+tree that
 * holds a large collection in pages beside the keys. Command families build on these.
 */
package dev.millrace.engine.types;
