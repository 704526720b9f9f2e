package dev.millrace.engine.rdb;

import dev.millrace.engine.util.Numbers;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Redis 7.0's RDB encoding (rdb.c, crc64.c): lengths, strings (integer-encoded, LZF-compressed or
 * plain, as {@code rdbSaveRawString} with {@code rdbcompression yes} writes them), the CRC-64 and
 * the trailer of a DUMP payload (RDB version, then the checksum). Writing mirrors Redis byte for
 * byte; reading accepts all Redis writes and fails where Redis fails. Stateless, thread-safe.
 */
public final class Rdb {
    /** The RDB version Redis 7.0 writes, and the newest it reads. */
    public static final int VERSION = 10;
    /** A function library: its code as a string. */
    public static final int OPCODE_FUNCTION2 = 245;
    /** A function library as the 7.0 release candidates wrote it: name, engine, description, code. */
    public static final int OPCODE_FUNCTION_PRE_GA = 246;
    /** A DUMP payload ends with the version (2 bytes) and the CRC-64 (8 bytes), both little-endian. */
    public static final int TRAILER = 10;
    private static final int ENCODED = 3;
    private static final int ENC_INT8 = 0;
    private static final int ENC_INT16 = 1;
    private static final int ENC_INT32 = 2;
    private static final int ENC_LZF = 3;
    /** Redis does not try LZF on shorter strings (it could not even shrink 20 equal bytes). */
    private static final int MIN_COMPRESSED = 21;
    private static final long CRC64_POLY = 0x95AC9329AC4BC9B5L;
    private static final long[] CRC64_TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ CRC64_POLY : crc >>> 1;
            }
            CRC64_TABLE[i] = crc;
        }
    }

    private Rdb() { }

    /** Redis's {@code crc64}: Jones polynomial, reflected, no final xor; continues from {@code crc}. */
    public static long crc64(long crc, byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            crc = CRC64_TABLE[(int) ((crc ^ b[i]) & 0xff)] ^ (crc >>> 8);
        }
        return crc;
    }

    /** {@code rdbSaveLen}: 6 bits, 14 bits, or a marker byte then 32 or 64 bits big-endian. */
    public static void writeLength(ByteArrayOutputStream out, long length) {
        if (length < 1 << 6) {
            out.write((int) length);
        } else if (length < 1 << 14) {
            out.write(0x40 | (int) (length >> 8));
            out.write((int) length);
        } else if (length <= 0xffffffffL) {
            out.write(0x80);
            out.writeBytes(ByteBuffer.allocate(4).putInt((int) length).array());
        } else {
            out.write(0x81);
            out.writeBytes(ByteBuffer.allocate(8).putLong(length).array());
        }
    }

    /**
     * {@code rdbSaveRawString}: a canonical decimal that fits 32 bits as an integer, else LZF when
     * longer than 20 bytes and it saves at least 4, else the length and the bytes.
     */
    public static void writeString(ByteArrayOutputStream out, byte[] s) {
        if (s.length <= 11 && writeInteger(out, s)) {
            return;
        }
        if (s.length >= MIN_COMPRESSED) {
            byte[] compressed = Lzf.compress(s, s.length - 4);
            if (compressed != null) {
                out.write(ENCODED << 6 | ENC_LZF);
                writeLength(out, compressed.length);
                writeLength(out, s.length);
                out.writeBytes(compressed);
                return;
            }
        }
        writeLength(out, s.length);
        out.writeBytes(s);
    }

    /** {@code rdbTryIntegerEncoding}: whether {@code s} was written as an 8, 16 or 32-bit integer. */
    private static boolean writeInteger(ByteArrayOutputStream out, byte[] s) {
        Long value = Numbers.parseLong(s);
        if (value == null || !Arrays.equals(Numbers.format(value), s)) {
            return false;
        }
        long v = value;
        if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            out.write(ENCODED << 6 | ENC_INT8);
            out.write((int) v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            out.write(ENCODED << 6 | ENC_INT16);
            out.writeBytes(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array());
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write(ENCODED << 6 | ENC_INT32);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        } else {
            return false;
        }
        return true;
    }

    /** A DUMP payload: {@code body}, then the {@link #VERSION} and the CRC-64 of all before it. */
    public static byte[] dumpPayload(ByteArrayOutputStream body) {
        body.write(VERSION & 0xff);
        body.write(VERSION >> 8);
        byte[] b = body.toByteArray();
        body.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(crc64(0, b, 0, b.length)).array());
        return body.toByteArray();
    }

    /** {@code verifyDumpPayload}: a trailer, a version Redis 7.0 reads and a matching checksum. */
    public static boolean validDumpPayload(byte[] p) {
        if (p.length < TRAILER) {
            return false;
        }
        ByteBuffer trailer = ByteBuffer.wrap(p, p.length - TRAILER, TRAILER).order(ByteOrder.LITTLE_ENDIAN);
        int version = trailer.getShort() & 0xffff;
        return version <= VERSION && trailer.getLong() == crc64(0, p, 0, p.length - 8);
    }

    /**
     * Reads RDB values from a byte array, as Redis's {@code rioRead} over a buffer: a value may run to
     * the array's end (a DUMP payload's string can swallow its trailer, as in Redis) but not past it.
     * Each read returns null (or -1) when the bytes are missing or not a valid encoding.
     */
    public static final class Reader {
        private final byte[] in;
        private int pos;
        /** Whether the last {@link #length()} was an encoding type (11xxxxxx) rather than a length. */
        private boolean encoded;

        public Reader(byte[] in) {
            this.in = in;
        }

        public int position() {
            return pos;
        }

        /** {@code rdbLoadType}: one byte, or -1 at the end. */
        public int type() {
            return pos < in.length ? in[pos++] & 0xff : -1;
        }

        /**
         * {@code rdbLoadLen}: a length, or an encoding type's 6 bits, or -1 (Redis's {@code RDB_LENERR},
         * which a 64-bit length of all ones also reads as). 64-bit lengths past {@code Long.MAX_VALUE}
         * come out negative.
         */
        public long length() {
            encoded = false;
            if (pos >= in.length) {
                return -1;
            }
            int first = in[pos++] & 0xff;
            return switch (first >> 6) {
                case 0 -> first & 0x3f;
                case 1 -> pos < in.length ? (first & 0x3f) << 8 | in[pos++] & 0xff : -1;
                case ENCODED -> {
                    encoded = true;
                    yield first & 0x3f;
                }
                default -> first == 0x80 ? bigEndian(4) : first == 0x81 ? bigEndian(8) : -1;
            };
        }

        private long bigEndian(int size) {
            if (in.length - pos < size) {
                return -1;
            }
            long value = 0;
            for (int i = 0; i < size; i++) {
                value = value << 8 | in[pos++] & 0xff;
            }
            return value;
        }

        /** {@code rdbGenericLoadStringObject}: an integer's decimal text, an LZF string or plain bytes. */
        public byte[] string() {
            long length = length();
            if (!encoded) {
                return bytes(length);
            }
            return switch ((int) length) {
                case ENC_INT8 -> integer(1);
                case ENC_INT16 -> integer(2);
                case ENC_INT32 -> integer(4);
                case ENC_LZF -> lzf();
                default -> null;
            };
        }

        private byte[] bytes(long length) {
            if (length < 0 || length > in.length - pos) {
                return null;
            }
            byte[] b = Arrays.copyOfRange(in, pos, pos + (int) length);
            pos += (int) length;
            return b;
        }

        private byte[] integer(int size) {
            byte[] b = bytes(size);
            if (b == null) {
                return null;
            }
            long value = 0;
            for (int i = size - 1; i >= 0; i--) {
                value = value << 8 | b[i] & 0xff;
            }
            int unused = 64 - 8 * size;
            return Numbers.format(value << unused >> unused);
        }

        private byte[] lzf() {
            long compressed = length();
            long length = length();
            if (compressed < 0 || length < 0 || compressed > in.length - pos) {
                return null;
            }
            int from = pos;
            pos += (int) compressed;
            return Lzf.decompress(in, from, pos, length);
        }
    }
}
