package dev.millrace.protocol.resp;

import dev.millrace.protocol.resp.DecoderFeed.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;

import static dev.millrace.protocol.resp.DecoderFeed.bytes;
import static dev.millrace.protocol.resp.DecoderFeed.multibulk;
import static dev.millrace.protocol.resp.RespDecoder.Result.NEED_MORE;
import static dev.millrace.protocol.resp.RespDecoder.Result.PROTOCOL_ERROR;
import static dev.millrace.protocol.resp.RespDecoder.Result.QUERY_BUFFER_FULL;
import static dev.millrace.protocol.resp.RespDecoder.Result.STOPPED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decoder against Redis 7.0.15's observed behaviour (each expected outcome was checked with a real
 * redis-server), every input fed whole, byte by byte and in random fragments with the same outcome.
 */
class RespDecoderTest {

    /** Decodes {@code input} in three fragmentations, asserts they agree, returns the outcome. */
    private static Outcome decode(String input) {
        byte[] bytes = bytes(input);
        Outcome whole = DecoderFeed.whole(bytes);
        assertEquals(whole, DecoderFeed.byteByByte(bytes), "byte by byte");
        for (int seed = 0; seed < 5; seed++) {
            assertEquals(whole, DecoderFeed.randomSplits(bytes, new Random(seed)), "random splits, seed " + seed);
        }
        return whole;
    }

    private static void assertCommands(String input, List<List<String>> expected) {
        Outcome outcome = decode(input);
        assertEquals(expected, outcome.commands());
        assertEquals(NEED_MORE, outcome.result());
        assertNull(outcome.error());
    }

    private static void assertError(String input, List<List<String>> before, String error) {
        Outcome outcome = decode(input);
        assertEquals(before, outcome.commands());
        assertEquals(PROTOCOL_ERROR, outcome.result());
        assertEquals("ERR Protocol error: " + error, outcome.error());
    }

    @Test
    void pipelinedArraysOfBulkStrings() {
        assertCommands(multibulk("SET", "key", "value") + multibulk("GET", "key") + multibulk("ECHO", ""),
                List.of(List.of("SET", "key", "value"), List.of("GET", "key"), List.of("ECHO", "")));
    }

    @Test
    void bulkPayloadIsBinarySafe() {
        assertCommands("*2\r\n$4\r\nECHO\r\n$6\r\na\r\n\0\u00ff\u0080\r\n",
                List.of(List.of("ECHO", "a\r\n\0\u00ff\u0080")));
    }

    @Test
    void emptyAndNegativeMultibulkAreSkipped() {
        assertCommands("*0\r\n*-5\r\n" + multibulk("PING"), List.of(List.of("PING")));
        assertCommands("*-9223372036854775808\r\n" + multibulk("PING"), List.of(List.of("PING")));
    }

    @Test
    void bytesAfterAPayloadAndAfterAHeaderCrAreSkippedUnchecked() {
        assertCommands("*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n", List.of(List.of("PING"), List.of("PING")));
        assertCommands("*1\rX$4\rXPINGXY", List.of(List.of("PING")));
    }

    @Test
    void incompleteRequestsWait() {
        assertCommands("*1\r\n$4\r\n", List.of());
        assertCommands("*1\r\n$4\r\nPING\r", List.of());
        assertCommands("*1\r", List.of());
        assertCommands("PING", List.of());
    }

    @Test
    void inlineCommands() {
        assertCommands("PING\n\r\n\r\n   \r\nSET a b\r\n", List.of(List.of("PING"), List.of("SET", "a", "b")));
        assertCommands("ECHO \"a b\"\r\n", List.of(List.of("ECHO", "a b")));
        assertCommands("ECHO 'a\\'b'\r\n", List.of(List.of("ECHO", "a'b")));
        assertCommands("ECHO \"\\x41\\x4g\\n\\t\\r\\b\\a\\z\"\r\n", List.of(List.of("ECHO", "Ax4g\n\t\r\b\u0007z")));
        assertCommands("ECHO \"\"\r\n", List.of(List.of("ECHO", "")));
        assertCommands("ECHO a\u000bb\r\n", List.of(List.of("ECHO", "a\u000bb")));
        assertCommands("\u000bECHO\u000ba\r\n", List.of(List.of("ECHO\u000ba")));
        assertCommands("ECHO a\rb\r\n", List.of(List.of("ECHO", "a", "b")));
        assertCommands("ECHO ab\"c d\" e\r\n", List.of(List.of("ECHO", "abc d", "e")));
        assertCommands("\u00e9\u00ff x\n", List.of(List.of("\u00e9\u00ff", "x")));
    }

    @Test
    void inlineCommandsAndArraysMix() {
        assertCommands("PING\r\n" + multibulk("GET", "k") + "GET k\r\n",
                List.of(List.of("PING"), List.of("GET", "k"), List.of("GET", "k")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ECHO \"a\"b\r\n",
            "ECHO a\"b c\"d\r\n",
            "ECHO \"abc\r\nPING\r\n",
            "ECHO \"a\\\"\r\n",
            "ECHO 'abc\r\n",
            "ECHO 'a'b\r\n"})
    void unbalancedQuotes(String input) {
        assertError(input, List.of(), "unbalanced quotes in request");
    }

    @Test
    void invalidMultibulkLengths() {
        for (String header : List.of("*2147483648", "*3abc", "*", "*+1", "*01", "* 1", "*99999999999999999999")) {
            assertError(header + "\r\n" + multibulk("PING"), List.of(), "invalid multibulk length");
        }
        assertCommands("*2147483647\r\n$4\r\nPING\r\n", List.of());
    }

    @Test
    void invalidBulkLengths() {
        for (String header : List.of("$-1", "$+4", "$04", "$", "$4a", "$536870913")) {
            assertError("PING\r\n*1\r\n" + header + "\r\nPING\r\n", List.of(List.of("PING")), "invalid bulk length");
        }
    }

    @Test
    void bulkLengthIsCheckedAgainstTheLiveLimit() {
        DecoderFeed feed = new DecoderFeed();
        feed.limits.maxBulkLength = 3;
        byte[] input = bytes(multibulk("GET", "abcd"));
        assertEquals(PROTOCOL_ERROR, feed.feed(input, 0, input.length));
        assertEquals("ERR Protocol error: invalid bulk length", feed.decoder.error());
        assertEquals(List.of(), feed.commands);
    }

    @Test
    void expectedDollar() {
        assertError("*1\r\nX$4\r\nPING\r\n", List.of(), "expected '$', got 'X'");
        assertError("*1\r\n\n$4\r\nPING\r\n", List.of(), "expected '$', got ' '");
        assertError("*1\r\n\r\n", List.of(), "expected '$', got ' '");
        assertError("*2\r\n$3\r\nGET\r\n:1\r\n", List.of(), "expected '$', got ':'");
        assertError("*1\r\n\u00ff\r\n", List.of(), "expected '$', got '\u00ff'");
    }

    @Test
    void tooBigLinesWithoutTheirEnd() {
        String line = "A".repeat(RespDecoder.MAX_LINE);
        assertCommands("PING\r\n" + line, List.of(List.of("PING")));
        assertError("PING\r\n" + line + "A", List.of(List.of("PING")), "too big inline request");
        assertError("*" + "1".repeat(RespDecoder.MAX_LINE), List.of(), "too big mbulk count string");
        assertError("*1\r\n$" + "1".repeat(RespDecoder.MAX_LINE), List.of(), "too big bulk count string");
        assertError("x".repeat(1024 * 1024), List.of(), "too big inline request");
    }

    @Test
    void aNulHidesTheLineEndAsStrchrDoes() {
        assertCommands("ECHO \0a\r\nPING\r\n", List.of());
        assertCommands("*1\r\n$4\0\r\nPING\r\n", List.of());
        assertError("ECHO \0" + "a".repeat(RespDecoder.MAX_LINE), List.of(), "too big inline request");
    }

    @Test
    void unauthenticatedClientsMayNotAnnounceBigRequests() {
        DecoderFeed feed = new DecoderFeed();
        feed.limits.authRequired = true;
        byte[] ok = bytes("*10\r\n" + "$16384\r\n" + "x".repeat(16384) + "\r\n");
        assertEquals(NEED_MORE, feed.feed(ok, 0, ok.length));
        byte[] big = bytes("$16385\r\n");
        assertEquals(PROTOCOL_ERROR, feed.feed(big, 0, big.length));
        assertEquals("ERR Protocol error: unauthenticated bulk length", feed.decoder.error());

        DecoderFeed many = new DecoderFeed();
        many.limits.authRequired = true;
        byte[] header = bytes("*11\r\n");
        assertEquals(PROTOCOL_ERROR, many.feed(header, 0, header.length));
        assertEquals("ERR Protocol error: unauthenticated multibulk length", many.decoder.error());
    }

    @Test
    void authenticationTakesEffectForTheNextCommandOfTheSameRead() {
        DecoderFeed.TestLimits limits = new DecoderFeed.TestLimits();
        limits.authRequired = true;
        RespDecoder decoder = new RespDecoder(limits);
        byte[] input = bytes(multibulk("AUTH", "pw") + "*11\r\n" + "$1\r\nx\r\n".repeat(11));
        List<Integer> sizes = new java.util.ArrayList<>();
        RespDecoder.Result result = decoder.decode(io.netty.buffer.Unpooled.wrappedBuffer(input), argv -> {
            sizes.add(argv.length);
            limits.authRequired = false;
            return true;
        });
        assertEquals(NEED_MORE, result);
        assertEquals(List.of(2, 11), sizes);
    }

    @Test
    void theSinkStopsTheDecoding() {
        RespDecoder decoder = new RespDecoder(new DecoderFeed.TestLimits());
        io.netty.buffer.ByteBuf in = io.netty.buffer.Unpooled.wrappedBuffer(bytes(multibulk("QUIT") + multibulk("PING")));
        List<Integer> seen = new java.util.ArrayList<>();
        assertEquals(STOPPED, decoder.decode(in, argv -> {
            seen.add(argv.length);
            return false;
        }));
        assertEquals(List.of(1), seen);
        assertTrue(in.isReadable(), "the rest is left undecoded");
    }

    @Test
    void queryBufferLimitCountsThePartialArgument() {
        DecoderFeed feed = new DecoderFeed();
        feed.limits.queryBufferLimit = 1024 * 1024;
        byte[] start = bytes("*1\r\n$3000000\r\n");
        assertEquals(NEED_MORE, feed.feed(start, 0, start.length));
        byte[] chunk = new byte[64 * 1024];
        RespDecoder.Result result = NEED_MORE;
        int chunks = 0;
        while (result == NEED_MORE) {
            result = feed.feed(chunk, 0, chunk.length);
            chunks++;
        }
        assertEquals(QUERY_BUFFER_FULL, result);
        assertEquals(17, chunks, "16 chunks fill exactly 1 MiB; the one that would go past it is refused");
        assertNull(feed.decoder.error());
    }

    @Test
    void aDeclaredBulkLengthIsNotAllocatedUpFront() {
        DecoderFeed feed = new DecoderFeed();
        byte[] input = bytes("*2\r\n$3\r\nSET\r\n$536870912\r\n0123456789");
        assertEquals(NEED_MORE, feed.feed(input, 0, input.length));
        assertTrue(feed.maxRetained < 128 * 1024, "retained " + feed.maxRetained);
    }

    @Test
    void aLargeArgumentArrivesIntactInAnyFragmentation() {
        byte[] payload = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(payload);
        String value = new String(payload, java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] input = bytes(multibulk("SET", "k", value) + multibulk("PING"));
        DecoderFeed feed = new DecoderFeed();
        feed.feedInRandomSplits(input, new Random(3));
        assertEquals(List.of(List.of("SET", "k", value), List.of("PING")), feed.commands);
        assertTrue(feed.maxRetained < 2L * payload.length + 256 * 1024, "retained " + feed.maxRetained);
    }

    @Test
    void manyArgumentsGrowTheArgumentArray() {
        String[] args = new String[5000];
        for (int i = 0; i < args.length; i++) {
            args[i] = Integer.toString(i);
        }
        Outcome outcome = decode(multibulk(args));
        assertEquals(List.of(List.of(args)), outcome.commands());
    }

    @Test
    void afterAnErrorTheDecoderStaysFailed() {
        DecoderFeed feed = new DecoderFeed();
        byte[] bad = bytes("*x\r\n");
        assertEquals(PROTOCOL_ERROR, feed.feed(bad, 0, bad.length));
        RespDecoder.Result again = feed.decoder.decode(io.netty.buffer.Unpooled.wrappedBuffer(bytes("PING\r\n")), argv -> true);
        assertEquals(PROTOCOL_ERROR, again);
    }
}
