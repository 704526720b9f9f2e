package dev.millrace.protocol.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Feeds bytes to a {@link RespDecoder} in chosen fragments and records what came out, for decoder
 * tests: the commands as strings (ISO-8859-1), how the last fragment ended, and the error.
 */
final class DecoderFeed {
    /** Limits as a test sets them; defaults are Redis's. */
    static final class TestLimits implements RespDecoder.Limits {
        long maxBulkLength = 512L * 1024 * 1024;
        long queryBufferLimit = 1024L * 1024 * 1024;
        boolean authRequired;

        @Override public long maxBulkLength() { return maxBulkLength; }
        @Override public long queryBufferLimit() { return queryBufferLimit; }
        @Override public boolean authRequired() { return authRequired; }
    }

    /** What one feeding produced. */
    record Outcome(List<List<String>> commands, RespDecoder.Result result, String error) { }

    final TestLimits limits = new TestLimits();
    final RespDecoder decoder;
    final List<List<String>> commands = new ArrayList<>();
    long maxRetained;
    private RespDecoder.Result last = RespDecoder.Result.NEED_MORE;

    DecoderFeed() {
        this(true);
    }

    /** @param wholeRequests whether the decoder may take its whole-request fast path */
    DecoderFeed(boolean wholeRequests) {
        decoder = new RespDecoder(limits, wholeRequests);
    }

    /** Feeds one fragment, unless an earlier one ended the decoding. */
    RespDecoder.Result feed(byte[] bytes, int from, int to) {
        if (last != RespDecoder.Result.NEED_MORE) {
            return last;
        }
        ByteBuf in = Unpooled.wrappedBuffer(bytes, from, to - from);
        try {
            last = decoder.decode(in, argv -> {
                List<String> command = new ArrayList<>();
                for (byte[] arg : argv) {
                    command.add(new String(arg, StandardCharsets.ISO_8859_1));
                }
                commands.add(command);
                return true;
            });
            if (last == RespDecoder.Result.NEED_MORE && in.isReadable()) {
                throw new AssertionError("NEED_MORE left " + in.readableBytes() + " bytes unread");
            }
        } finally {
            in.release();
        }
        maxRetained = Math.max(maxRetained, decoder.retainedBytes());
        return last;
    }

    Outcome outcome() {
        return new Outcome(commands, last, decoder.error());
    }

    static Outcome whole(byte[] bytes) {
        DecoderFeed feed = new DecoderFeed();
        feed.feed(bytes, 0, bytes.length);
        return feed.outcome();
    }

    static Outcome byteByByte(byte[] bytes) {
        DecoderFeed feed = new DecoderFeed();
        for (int i = 0; i < bytes.length; i++) {
            feed.feed(bytes, i, i + 1);
        }
        return feed.outcome();
    }

    static Outcome randomSplits(byte[] bytes, Random random) {
        DecoderFeed feed = new DecoderFeed();
        feed.feedInRandomSplits(bytes, random);
        return feed.outcome();
    }

    void feedInRandomSplits(byte[] bytes, Random random) {
        int at = 0;
        while (at < bytes.length) {
            int next = Math.min(bytes.length, at + 1 + random.nextInt(random.nextBoolean() ? 8 : 4096));
            feed(bytes, at, next);
            at = next;
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A RESP array of bulk strings, as clients send commands. */
    static String multibulk(String... args) {
        StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            out.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        return out.toString();
    }
}
