package dev.millrace.engine.rdb;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * FUNCTION DUMP payloads taken from a real Redis 7.0.15 (redis-server --save "" on a fresh start):
 * {@code FUNCTION LOAD <code>}, then {@code FUNCTION DUMP}, its reply's bytes in hex.
 */
public final class RedisDumps {
    /** Long enough to compress: the body is 0xF5 then an LZF string (0xC3, 88 compressed, 93 long). */
    public static final byte[] MYLIB_CODE = ("#!lua name=mylib \n redis.register_function('myfunc', "
            + "function(keys, args) return args[1] end)").getBytes(StandardCharsets.ISO_8859_1);
    public static final byte[] MYLIB = HexFormat.of().parseHex("f5c34058405d1f23216c7561206e616d653d6d796c6962"
            + "200a2072656469732e726567697374650d725f66756e6374696f6e28276d79400b02272c20400660120a6b6579732c20"
            + "61726773292036037475726e600c075b315d20656e64290a0071eef662e924ba4e");
    /** 66 bytes that LZF would not shrink by 4: stored plain with a 14-bit length (0x40 0x42). */
    public static final byte[] PLAIN_CODE = "#!lua name=x\nredis.register_function('f', function() return 1 end)"
            .getBytes(StandardCharsets.ISO_8859_1);
    public static final byte[] PLAIN = HexFormat.of().parseHex("f5404223216c7561206e616d653d780a72656469732e7265"
            + "6769737465725f66756e6374696f6e282766272c2066756e6374696f6e28292072657475726e203120656e64290a0024"
            + "df6f43a8d16ed9");

    private RedisDumps() { }
}
