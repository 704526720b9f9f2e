package dev.millrace.engine.rdb;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LzfTest {
    @Test
    void compressesAsRedisDoes() {
        // The compressed bytes of RedisDumps.MYLIB: after 0xF5 0xC3, the lengths 0x40 0x58 (88) and 0x40 0x5d (93).
        byte[] redis = Arrays.copyOfRange(RedisDumps.MYLIB, 6, 6 + 88);
        byte[] compressed = Lzf.compress(RedisDumps.MYLIB_CODE, RedisDumps.MYLIB_CODE.length - 4);
        assertEquals(HexFormat.of().formatHex(redis), HexFormat.of().formatHex(compressed));
        assertArrayEquals(RedisDumps.MYLIB_CODE, Lzf.decompress(redis, 0, redis.length, RedisDumps.MYLIB_CODE.length));
    }

    @Test
    void knownInputsGiveLiblzfsBytes() {
        // liblzf 3.6 (Debian's liblzf1, the one redis-server links) called through ctypes.
        assertEquals("016161e0ff00e01700016161", hex(Lzf.compress(bytes("a".repeat(300)), 300)),
                "two literals, the longest reference (264 bytes), the rest, and the last two bytes as literals");
        assertEquals("0161612000", hex(Lzf.compress(bytes("aaaaa"), 10)));
        assertEquals("026162616001016162", hex(Lzf.compress(bytes("ababababab"), 20)));
        assertEquals("0462626261614003200000622008200d2000", hex(Lzf.compress(bytes("bbbaabbaaaaababbbaaaaa"), 87)),
                "a match ending 3 bytes before the end, then one more");
    }

    @Test
    void aLongInputGivesLiblzfsBytes() {
        // Many short matches, so every hashed position counts. Expected: liblzf's output (through ctypes),
        // its length and Redis's CRC-64 of it.
        byte[] in = new byte[20000];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) ('a' + ((i * i + (i >> 4)) % 7) % 4);
        }
        byte[] compressed = Lzf.compress(in, 30000);
        assertEquals(652, compressed.length);
        assertEquals(0xb3198728ba4c31f6L, Rdb.crc64(0, compressed, 0, compressed.length));
        assertArrayEquals(in, Lzf.decompress(compressed, 0, compressed.length, in.length));
    }

    @Test
    void anOutputThatDoesNotFitIsRefused() {
        byte[] text = bytes("abcdefghijklmnopqrstuvwxyz");
        assertNull(Lzf.compress(text, text.length - 4), "no repeats: literals only, longer than the input");
        assertNull(Lzf.compress(new byte[0], 10));
        assertNull(Lzf.compress(text, 0));
        assertNull(Lzf.compress(bytes("aa"), 3), "liblzf wants room for 3 bytes before the last literals");
        assertEquals("016161", hex(Lzf.compress(bytes("aa"), 4)));
    }

    @Test
    void roundTripsWhatItCompresses() {
        Random random = new Random(42);
        for (int i = 0; i < 500; i++) {
            byte[] in = new byte[random.nextInt(3000) + 1];
            int alphabet = 1 + random.nextInt(i % 2 == 0 ? 4 : 256);
            for (int j = 0; j < in.length; j++) {
                in[j] = (byte) ('a' + random.nextInt(alphabet));
            }
            byte[] compressed = Lzf.compress(in, in.length + in.length / 16 + 64);
            assertArrayEquals(in, Lzf.decompress(compressed, 0, compressed.length, in.length), "input " + i);
        }
    }

    @Test
    void corruptInputOrAWrongLengthDoesNotDecompress() {
        byte[] compressed = Lzf.compress(bytes("a".repeat(100)), 100);
        assertNull(Lzf.decompress(compressed, 0, compressed.length, 99));
        assertNull(Lzf.decompress(compressed, 0, compressed.length, 101));
        assertNull(Lzf.decompress(compressed, 0, compressed.length - 1, 100), "truncated back reference");
        assertNull(Lzf.decompress(new byte[] {0x20, 0x00}, 0, 2, 3), "a reference before the start");
        assertNull(Lzf.decompress(new byte[] {0x05, 'a'}, 0, 2, 6), "a literal run past the input");
        assertNull(Lzf.decompress(new byte[] {0x00, 'a'}, 0, 2, Integer.MAX_VALUE), "more than LZF can expand to");
        assertArrayEquals(new byte[0], Lzf.decompress(new byte[] {0x05}, 0, 1, 0),
                "liblzf's error is 0 bytes, which Redis takes for an empty string");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String hex(byte[] b) {
        return b == null ? null : HexFormat.of().formatHex(b);
    }
}
