package dev.millrace.engine.rdb;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RdbTest {
    @Test
    void crc64IsRedisCrc64() {
        // crc64.c's test vector
        byte[] digits = bytes("123456789");
        assertEquals(0xe9c6d914c4b8d9caL, Rdb.crc64(0, digits, 0, digits.length));
        assertEquals(0xe9c6d914c4b8d9caL, Rdb.crc64(Rdb.crc64(0, digits, 0, 4), digits, 4, 5), "continues");
    }

    @Test
    void lengthsTakeTheirEncodingAtTheBoundaries() {
        assertLength(63, "3f");
        assertLength(64, "4040");
        assertLength(16383, "7fff");
        assertLength(16384, "8000004000");
        assertLength(0xffffffffL, "80ffffffff");
        assertLength(1L << 32, "810000000100000000");
    }

    private static void assertLength(long length, String hex) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Rdb.writeLength(out, length);
        assertEquals(hex, HexFormat.of().formatHex(out.toByteArray()));
        assertEquals(length, new Rdb.Reader(out.toByteArray()).length());
    }

    @Test
    void stringsAreWrittenAsRedisWritesThem() {
        assertString("12", "c00c");
        assertString("-128", "c080");
        assertString("-129", "c17fff");
        assertString("32768", "c200800000");
        assertString("2147483648", "0a32313437343833363438", "past 32 bits: plain");
        assertString("012", "03303132", "not canonical: plain");
        assertString("-0", "022d30");
        assertString("a".repeat(20), "14" + "61".repeat(20), "20 bytes are never compressed");
        assertString("a".repeat(21), "c30615016161e00a00", "21 are (as DUMP of a 21-byte string shows)");
        String savesThree = "dbbbacacddaccbddbbcbcaccabadbcbbdbbdaacdcacdddbabaccbdbacbb";
        assertString(savesThree, "3b" + HexFormat.of().formatHex(bytes(savesThree)), "LZF would save 3 bytes, not 4: plain");
        byte[] body = Arrays.copyOfRange(RedisDumps.MYLIB, 1, RedisDumps.MYLIB.length - Rdb.TRAILER);
        assertString(new String(RedisDumps.MYLIB_CODE, StandardCharsets.ISO_8859_1), HexFormat.of().formatHex(body),
                "compressed, as in Redis's dump");
        body = Arrays.copyOfRange(RedisDumps.PLAIN, 1, RedisDumps.PLAIN.length - Rdb.TRAILER);
        assertString(new String(RedisDumps.PLAIN_CODE, StandardCharsets.ISO_8859_1), HexFormat.of().formatHex(body),
                "plain when LZF would not save 4 bytes, as in Redis's dump");
    }

    private static void assertString(String s, String hex, String... why) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Rdb.writeString(out, bytes(s));
        assertEquals(hex, HexFormat.of().formatHex(out.toByteArray()), String.join("", why));
        assertArrayEquals(bytes(s), new Rdb.Reader(out.toByteArray()).string());
    }

    @Test
    void badOrTruncatedEncodingsDoNotRead() {
        assertNull(read("05616263"), "shorter than its length");
        assertNull(read("40"), "a 14-bit length's second byte is missing");
        assertNull(read("80000000"), "a 32-bit length is missing a byte");
        assertNull(read("820000000000"), "no such length encoding");
        assertNull(read("c4"), "no such string encoding");
        assertNull(read("c1ff"), "a 16-bit integer is missing a byte");
        assertNull(read("c3050661616161"), "LZF data shorter than its length");
        assertNull(read("c30305016161"), "LZF data that decompresses to another length");
        assertArrayEquals(bytes("-1"), read("c2ffffffff"));
        assertEquals(-1, new Rdb.Reader(HexFormat.of().parseHex("81ffffffffffffffff")).length(), "Redis's RDB_LENERR");
    }

    private static byte[] read(String hex) {
        return new Rdb.Reader(HexFormat.of().parseHex(hex)).string();
    }

    @Test
    void aDumpPayloadEndsWithTheVersionAndTheChecksum() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(Rdb.OPCODE_FUNCTION2);
        Rdb.writeString(body, RedisDumps.MYLIB_CODE);
        assertArrayEquals(RedisDumps.MYLIB, Rdb.dumpPayload(body));
        assertTrue(Rdb.validDumpPayload(RedisDumps.MYLIB));
        assertTrue(Rdb.validDumpPayload(RedisDumps.PLAIN));
        assertTrue(Rdb.validDumpPayload(Rdb.dumpPayload(new ByteArrayOutputStream())), "no library");

        byte[] corrupt = RedisDumps.MYLIB.clone();
        corrupt[20] ^= 1;
        assertFalse(Rdb.validDumpPayload(corrupt));
        assertFalse(Rdb.validDumpPayload(withVersion(11)), "newer than Redis 7.0 reads");
        assertTrue(Rdb.validDumpPayload(withVersion(9)), "older versions are read");
        assertFalse(Rdb.validDumpPayload(Arrays.copyOf(RedisDumps.MYLIB, 9)));
    }

    private static byte[] withVersion(int version) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(Arrays.copyOf(RedisDumps.MYLIB, RedisDumps.MYLIB.length - Rdb.TRAILER));
        body.write(version);
        body.write(0);
        byte[] b = body.toByteArray();
        long crc = Rdb.crc64(0, b, 0, b.length);
        for (int i = 0; i < 8; i++) {
            body.write((int) (crc >>> (8 * i)));
        }
        return body.toByteArray();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
