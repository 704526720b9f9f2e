package dev.millrace.protocol.resp;

import dev.millrace.engine.util.DoubleFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The bytes of every reply type in RESP2 and RESP3, as a real redis-server 7.0.15 sends them. */
class RespWriterTest {
    private final AtomicInteger protocol = new AtomicInteger(2);
    private final AtomicInteger firstWrites = new AtomicInteger();
    private final RespWriter writer = new RespWriter(UnpooledByteBufAllocator.DEFAULT, protocol::get, firstWrites::incrementAndGet);

    private String encode(int version, Consumer<RespWriter> reply) {
        protocol.set(version);
        reply.accept(writer);
        ByteBuf out = writer.take();
        try {
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    private void assertBoth(Consumer<RespWriter> reply, String resp2, String resp3) {
        assertEquals(resp2, encode(2, reply), "RESP2");
        assertEquals(resp3, encode(3, reply), "RESP3");
    }

    @Test
    void simpleStringsAndErrors() {
        assertBoth(w -> w.simple("OK"), "+OK\r\n", "+OK\r\n");
        assertBoth(w -> w.simple("PONG"), "+PONG\r\n", "+PONG\r\n");
        assertBoth(w -> w.error("ERR syntax error"), "-ERR syntax error\r\n", "-ERR syntax error\r\n");
        assertBoth(w -> w.error("ERR bad\r\nline"), "-ERR bad  line\r\n", "-ERR bad  line\r\n");
        assertBoth(w -> w.simple("caf\u00e9"), "+caf\u00e9\r\n", "+caf\u00e9\r\n");
    }

    @Test
    void integers() {
        assertBoth(w -> w.integer(0), ":0\r\n", ":0\r\n");
        assertBoth(w -> w.integer(1), ":1\r\n", ":1\r\n");
        assertBoth(w -> w.integer(1023), ":1023\r\n", ":1023\r\n");
        assertBoth(w -> w.integer(1024), ":1024\r\n", ":1024\r\n");
        assertBoth(w -> w.integer(-2), ":-2\r\n", ":-2\r\n");
        assertBoth(w -> w.integer(Long.MAX_VALUE), ":9223372036854775807\r\n", ":9223372036854775807\r\n");
        assertBoth(w -> w.integer(Long.MIN_VALUE), ":-9223372036854775808\r\n", ":-9223372036854775808\r\n");
        // every digit count, both signs, both sides of each power of ten; and the length headers
        long power = 1;
        for (int exponent = 0; exponent <= 18; exponent++, power *= 10) {
            for (long value : new long[]{power - 1, power, power + 1, -(power - 1), -power, -(power + 1)}) {
                String line = ":" + value + "\r\n";
                assertBoth(w -> w.integer(value), line, line);
            }
        }
        assertBoth(w -> w.array(1_234_567), "*1234567\r\n", "*1234567\r\n");
    }

    @Test
    void bulkStrings() {
        assertBoth(w -> w.bulk("abc"), "$3\r\nabc\r\n", "$3\r\nabc\r\n");
        assertBoth(w -> w.bulk(""), "$0\r\n\r\n", "$0\r\n\r\n");
        assertBoth(w -> w.bulk(new byte[]{(byte) 0xff, 0, '\r'}), "$3\r\n\u00ff\0\r\r\n", "$3\r\n\u00ff\0\r\r\n");
        assertBoth(w -> w.bulk("xabcx".getBytes(StandardCharsets.US_ASCII), 1, 3), "$3\r\nabc\r\n", "$3\r\nabc\r\n");
        String big = "v".repeat(5000);
        assertBoth(w -> w.bulk(big), "$5000\r\n" + big + "\r\n", "$5000\r\n" + big + "\r\n");
        // one after another past the buffer's first capacity, both sides of the pre-encoded headers
        StringBuilder many = new StringBuilder();
        for (int n = 0; n < 1100; n += 37) {
            many.append('$').append(n).append("\r\n").append("y".repeat(n)).append("\r\n");
        }
        assertBoth(w -> {
            for (int n = 0; n < 1100; n += 37) {
                w.bulk(("<" + "y".repeat(n) + ">").getBytes(StandardCharsets.US_ASCII), 1, n);
            }
        }, many.toString(), many.toString());
    }

    @Test
    void nulls() {
        assertBoth(RespWriter::nullBulk, "$-1\r\n", "_\r\n");
        assertBoth(RespWriter::nullArray, "*-1\r\n", "_\r\n");
    }

    @Test
    void aggregates() {
        assertBoth(w -> {
            w.array(2);
            w.bulk("a");
            w.integer(1);
        }, "*2\r\n$1\r\na\r\n:1\r\n", "*2\r\n$1\r\na\r\n:1\r\n");
        assertBoth(w -> w.array(0), "*0\r\n", "*0\r\n");
        assertBoth(w -> w.array(2000), "*2000\r\n", "*2000\r\n");
        assertBoth(w -> {
            w.map(1);
            w.bulk("port");
            w.bulk("7394");
        }, "*2\r\n$4\r\nport\r\n$4\r\n7394\r\n", "%1\r\n$4\r\nport\r\n$4\r\n7394\r\n");
        assertBoth(w -> w.map(600), "*1200\r\n", "%600\r\n");
        assertBoth(w -> w.set(0), "*0\r\n", "~0\r\n");
        assertBoth(w -> w.set(3), "*3\r\n", "~3\r\n");
        assertBoth(w -> w.push(3), "*3\r\n", ">3\r\n");
    }

    @Test
    void attributesExistOnlyInResp3() {
        assertEquals("|1\r\n", encode(3, w -> w.attribute(1)));
        assertThrows(IllegalStateException.class, () -> encode(2, w -> w.attribute(1)));
    }

    @Test
    void booleansBigNumbersAndVerbatim() {
        assertBoth(w -> w.bool(true), ":1\r\n", "#t\r\n");
        assertBoth(w -> w.bool(false), ":0\r\n", "#f\r\n");
        assertBoth(w -> w.bigNumber("3492890328409238509324850943850943825024385"),
                "$43\r\n3492890328409238509324850943850943825024385\r\n", "(3492890328409238509324850943850943825024385\r\n");
        String info = "# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\n";
        assertBoth(w -> w.verbatim("txt", info), "$44\r\n" + info + "\r\n", "=48\r\ntxt:" + info + "\r\n");
    }

    /** Values and texts as redis-server 7.0.15 replied to ZSCORE (RESP2 bulk, RESP3 double). */
    @ParameterizedTest
    @CsvSource({
            "1.1, 1.1000000000000001",
            "3, 3",
            "1e17, 1e+17",
            "123456789012345678, 1.2345678901234568e+17",
            "1e-5, 1.0000000000000001e-05",
            "0.0001, 0.0001",
            "1.5e300, 1.5000000000000001e+300",
            "2.5, 2.5",
            "0.1, 0.10000000000000001",
            "100, 100",
            "1e16, 10000000000000000",
            "1e15, 1000000000000000",
            "123.456, 123.456",
            "0, 0",
            "-0.0, -0",
            "-2.5e-7, -2.4999999999999999e-07",
            "Infinity, inf",
            "-Infinity, -inf",
            "NaN, nan"})
    void doublesAsRedisFormatsThem(double value, String text) {
        assertEquals(text, DoubleFormat.format(value));
        assertBoth(w -> w.doubleValue(value), "$" + text.length() + "\r\n" + text + "\r\n", "," + text + "\r\n");
    }

    @Test
    void theProtocolIsAskedAtEachReply() {
        protocol.set(2);
        writer.nullBulk();
        protocol.set(3);
        writer.map(1);
        writer.bulk("k");
        writer.nullBulk();
        ByteBuf out = writer.take();
        assertEquals("$-1\r\n%1\r\n$1\r\nk\r\n_\r\n", out.toString(StandardCharsets.ISO_8859_1));
        out.release();
    }

    @Test
    void outputAppearingAnnouncesItselfOncePerTake() {
        assertNull(writer.take());
        writer.simple("OK");
        writer.integer(5);
        assertEquals(1, firstWrites.get());
        writer.take().release();
        writer.integer(5);
        assertEquals(2, firstWrites.get());
        writer.discard();
        assertNull(writer.take());
    }
}
