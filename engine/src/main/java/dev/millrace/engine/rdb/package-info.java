/**
 * Redis 7.0's RDB encoding, the pieces Millrace speaks so far: {@link dev.millrace.engine.rdb.Rdb}
 * (lengths, strings, CRC-64, the DUMP payload trailer) and {@link dev.millrace.engine.rdb.Lzf}
 * (liblzf, byte for byte). FUNCTION DUMP / RESTORE use them; an RDB file import would too.
 */
package dev.millrace.engine.rdb;
