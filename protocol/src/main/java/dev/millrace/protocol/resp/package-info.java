/**
 * RESP, the Redis wire protocol: {@link dev.millrace.protocol.resp.RespDecoder} turns a client's bytes
 * into commands with Redis's exact limits and errors, and {@link dev.millrace.protocol.resp.RespWriter}
 * encodes the engine's RESP3 replies, downgrading them to RESP2 in that one place. Both are
 * per-connection and single-threaded; neither lets a Netty buffer reach the engine.
 */
package dev.millrace.protocol.resp;
