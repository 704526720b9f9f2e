/**
 * The storage layer: Chronicle implementations of the engine's storage ports, and
 * {@link dev.millrace.storage.ChronicleStorage}, the facade the composition root opens, recovers and
 * closes. File layout and guarantees: docs/storage-format.md.
 */
package dev.millrace.storage;
