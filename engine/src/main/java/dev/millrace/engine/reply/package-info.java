/**
 * The reply vocabulary (RESP3 types, downgraded to RESP2 by the protocol adapter) and the canonical error texts.
 */
package dev.millrace.engine.reply;
