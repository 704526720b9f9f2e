/**
 * Runnable programs a user copies from: real clients (Jedis) against a running Millrace server.
 */
package dev.millrace.examples;
