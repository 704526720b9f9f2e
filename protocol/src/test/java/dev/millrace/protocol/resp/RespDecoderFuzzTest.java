package dev.millrace.protocol.resp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random request streams through the decoder, fed in random fragments: valid frames come out as the
 * commands that went in; valid, mutated, truncated, garbage and huge-declared frames mixed never make
 * it throw, end only in the protocol-error path, and never make it hold more than about twice what it
 * was fed. Seeded runs (the project's convention for property tests): each try draws 10 to 20 frames
 * from its own seed, and a failure names the seed that reproduces its stream.
 */
class RespDecoderFuzzTest {
    private static final int TRIES_PER_RUN = 1000;
    private static final AtomicLong FRAMES = new AtomicLong();
    private static final byte[] SPECIAL = {'*', '$', '\r', '\n', 0, '"', '\'', '\\', ' ', '-', '0', '9', 'x'};

    /** A frame and the command it encodes (empty for a blank inline line; null when not a valid request). */
    record Frame(byte[] bytes, List<String> command) { }

    @ParameterizedTest(name = "run {0}")
    @ValueSource(longs = {1, 2, 3})
    void validStreamsDecodeToTheirCommands(long run) {
        for (int i = 0; i < TRIES_PER_RUN; i++) {
            long seed = run * 1_000_003L + i;
            checkValidStream(seed);
        }
    }

    private static void checkValidStream(long seed) {
        Random random = new Random(seed);
        List<Frame> frames = new ArrayList<>();
        for (int i = 10 + random.nextInt(11); i > 0; i--) {
            frames.add(valid(random));
        }
        FRAMES.addAndGet(frames.size());
        DecoderFeed feed = new DecoderFeed();
        feed.feedInRandomSplits(concat(frames), random);
        List<List<String>> expected = new ArrayList<>();
        for (Frame frame : frames) {
            if (!frame.command().isEmpty()) {
                expected.add(frame.command());
            }
        }
        assertEquals(expected, feed.commands, "seed " + seed);
        assertEquals(RespDecoder.Result.NEED_MORE, feed.outcome().result(), "seed " + seed);
    }

    @ParameterizedTest(name = "run {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void anyStreamEndsInADefinedOutcome(long run) {
        for (int i = 0; i < TRIES_PER_RUN; i++) {
            long seed = run * 7_000_003L + i;
            checkAnyStream(seed);
        }
    }

    private static void checkAnyStream(long seed) {
        Random random = new Random(seed);
        byte[] stream = anyStream(random);
        DecoderFeed feed = new DecoderFeed();
        feed.feedInRandomSplits(stream, random);
        DecoderFeed.Outcome outcome = feed.outcome();
        if (outcome.result() == RespDecoder.Result.PROTOCOL_ERROR) {
            assertTrue(outcome.error().startsWith("ERR Protocol error: "), "seed " + seed + ": " + outcome.error());
        } else {
            assertEquals(RespDecoder.Result.NEED_MORE, outcome.result(), "seed " + seed);
        }
        assertTrue(feed.maxRetained <= 2L * stream.length + 256 * 1024,
                "seed " + seed + ": retained " + feed.maxRetained + " after " + stream.length + " bytes");
    }

    /**
     * The decoder's fast path for requests that lie wholly in one fragment must decide exactly what
     * the state machine decides: the same commands, the same end, the same error, on any stream, fed
     * whole (where the fast path takes most requests) or in random fragments, with the default and a
     * tiny proto-max-bulk-len.
     */
    @ParameterizedTest(name = "run {0}")
    @ValueSource(longs = {1, 2, 3})
    void theWholeRequestFastPathDecidesAsTheStateMachineDoes(long run) {
        for (int i = 0; i < TRIES_PER_RUN; i++) {
            long seed = run * 9_000_011L + i;
            Random random = new Random(seed);
            byte[] stream = anyStream(random);
            long maxBulk = random.nextBoolean() ? 512L * 1024 * 1024 : 64;
            boolean whole = random.nextBoolean();
            DecoderFeed fast = new DecoderFeed(true);
            DecoderFeed slow = new DecoderFeed(false);
            for (DecoderFeed feed : List.of(fast, slow)) {
                feed.limits.maxBulkLength = maxBulk;
                if (whole) {
                    feed.feed(stream, 0, stream.length);
                } else {
                    feed.feedInRandomSplits(stream, new Random(~seed));
                }
            }
            assertEquals(slow.outcome(), fast.outcome(), "seed " + seed);
        }
    }

    /** 10 to 20 frames: valid, mutated, truncated, garbage and huge-declared ones mixed. */
    private static byte[] anyStream(Random random) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 10 + random.nextInt(11); i > 0; i--) {
            int kind = random.nextInt(11);
            frames.add(kind < 4 ? valid(random)
                    : kind < 7 ? mutated(valid(random), random)
                    : kind < 9 ? truncated(valid(random), random)
                    : kind < 10 ? garbage(random)
                    : hugeDeclared(random));
        }
        FRAMES.addAndGet(frames.size());
        return concat(frames);
    }

    @AfterAll
    static void atLeastAHundredThousandFrames() {
        assertTrue(FRAMES.get() >= 100_000, "only " + FRAMES.get() + " frames were tried");
    }

    private static Frame valid(Random random) {
        return random.nextInt(3) == 0 ? inline(random) : multibulk(random);
    }

    private static Frame multibulk(Random random) {
        int argc = 1 + random.nextInt(6);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, "*" + argc + "\r\n");
        List<String> command = new ArrayList<>();
        for (int i = 0; i < argc; i++) {
            byte[] arg = new byte[random.nextInt(40) == 0 ? 1000 + random.nextInt(69_000) : random.nextInt(41)];
            random.nextBytes(arg);
            write(out, "$" + arg.length + "\r\n");
            out.writeBytes(arg);
            write(out, "\r\n");
            command.add(new String(arg, StandardCharsets.ISO_8859_1));
        }
        return new Frame(out.toByteArray(), command);
    }

    /** Words of letters and digits (so never starting with '*', which would make it an array). */
    private static Frame inline(Random random) {
        List<String> words = new ArrayList<>();
        for (int i = random.nextInt(6); i > 0; i--) {
            char[] word = new char[1 + random.nextInt(12)];
            for (int c = 0; c < word.length; c++) {
                word[c] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".charAt(random.nextInt(62));
            }
            words.add(new String(word));
        }
        String line = String.join(" ", words) + (random.nextBoolean() ? "\r\n" : "\n");
        return new Frame(line.getBytes(StandardCharsets.ISO_8859_1), words);
    }

    private static Frame mutated(Frame frame, Random random) {
        byte[] bytes = frame.bytes();
        for (int m = 1 + random.nextInt(3); m > 0 && bytes.length > 0; m--) {
            int at = random.nextInt(bytes.length);
            byte b = random.nextBoolean() ? SPECIAL[random.nextInt(SPECIAL.length)] : (byte) random.nextInt(256);
            switch (random.nextInt(3)) {
                case 0 -> bytes[at] = b;
                case 1 -> {
                    byte[] longer = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, longer, 0, at);
                    longer[at] = b;
                    System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                    bytes = longer;
                }
                default -> {
                    byte[] shorter = new byte[bytes.length - 1];
                    System.arraycopy(bytes, 0, shorter, 0, at);
                    System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
                    bytes = shorter;
                }
            }
        }
        return new Frame(bytes, null);
    }

    private static Frame truncated(Frame frame, Random random) {
        return new Frame(Arrays.copyOf(frame.bytes(), random.nextInt(frame.bytes().length)), null);
    }

    private static Frame garbage(Random random) {
        byte[] bytes = new byte[random.nextInt(200)];
        random.nextBytes(bytes);
        return new Frame(bytes, null);
    }

    /** Announces a bulk string of up to proto-max-bulk-len and sends a few bytes of it. */
    private static Frame hugeDeclared(Random random) {
        String head = "*2\r\n$3\r\nSET\r\n$" + (100_000 + random.nextInt(512 * 1024 * 1024 - 100_000)) + "\r\n";
        return new Frame((head + "v".repeat(random.nextInt(100))).getBytes(StandardCharsets.ISO_8859_1), null);
    }

    private static byte[] concat(List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame frame : frames) {
            out.writeBytes(frame.bytes());
        }
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String ascii) {
        out.writeBytes(ascii.getBytes(StandardCharsets.US_ASCII));
    }
}
