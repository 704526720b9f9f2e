/**
 * The keyspace: the record format, the storage port (KeyStore) and the single write API every command goes through.
 */
package dev.millrace.engine.keyspace;
