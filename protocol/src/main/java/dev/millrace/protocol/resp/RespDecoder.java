package dev.millrace.protocol.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ByteProcessor;

import java.util.Arrays;

/**
 * Turns a client's bytes into commands ({@code byte[][]} argv, copied out of the Netty buffers once),
 * exactly as Redis 7.0's {@code processInputBuffer}: RESP arrays of bulk strings, and inline commands
 * split with {@code sdssplitargs}'s quoting rules. Input may arrive in any fragmentation (byte by byte
 * works) and many commands may arrive in one fragment (pipelining).
 *
 * <p>Redis's quirks are kept because clients can observe them: a request line is found as
 * {@code strchr} finds it, so a NUL byte before the terminator hides it (the request then waits until
 * it exceeds 64 KiB); the two bytes after a bulk payload and the byte after a header's {@code \r} are
 * skipped without being checked; {@code *0} and negative multibulk lengths are empty requests.
 *
 * <p>Memory: a declared bulk length is never allocated up front; the argument's array grows (doubling,
 * capped at the declared length) as its bytes arrive, so a client that announces 512 MB and sends ten
 * bytes costs about 64 KiB. What a client can make the decoder hold is bounded by
 * {@code client-query-buffer-limit} (the partial line plus the partial argument), checked before each
 * fragment is decoded, as Redis checks its query buffer after each read.
 *
 * <p>Not thread-safe: one decoder per connection, used on that connection's event loop.
 */
public final class RespDecoder {
    /** Redis's PROTO_INLINE_MAX_SIZE: the most a client may send without completing a request line. */
    public static final int MAX_LINE = 64 * 1024;
    /** Unauthenticated clients may not announce more than this many arguments (Redis 7.0.15). */
    private static final int UNAUTHENTICATED_MAX_MULTIBULK = 10;
    /** Unauthenticated clients may not announce a longer bulk string (Redis 7.0.15). */
    private static final int UNAUTHENTICATED_MAX_BULK = 16384;
    /** The largest Java array; a bulk string must fit in one. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** Argument slots and bulk bytes allocated before more has arrived (Redis also starts argv at 1024). */
    private static final int INITIAL_ARGV = 1024;
    private static final int INITIAL_BULK = 64 * 1024;
    private static final byte[] EMPTY = new byte[0];
    private static final ByteProcessor FIND_CR_OR_NUL = b -> b != '\r' && b != 0;
    private static final ByteProcessor FIND_LF_OR_NUL = b -> b != '\n' && b != 0;

    /** The client's limits, read live (CONFIG SET applies to the next request). */
    public interface Limits {
        /** {@code proto-max-bulk-len}. */
        long maxBulkLength();

        /** {@code client-query-buffer-limit}. */
        long queryBufferLimit();

        /** True while the client must still authenticate: Redis then refuses large requests. */
        boolean authRequired();
    }

    /** Receives each decoded command, in order. */
    @FunctionalInterface
    public interface CommandSink {
        /** @return false to stop decoding: the client is closing and the rest of its input is ignored */
        boolean command(byte[][] argv);
    }

    /** Why {@link #decode} returned. */
    public enum Result {
        /** Every byte was consumed; the next request is incomplete. */
        NEED_MORE,
        /** The sink asked to stop; the rest of the input was not decoded. */
        STOPPED,
        /** The input broke the protocol: reply {@link #error()} and close the connection. */
        PROTOCOL_ERROR,
        /** The client's unprocessed input exceeds client-query-buffer-limit: close without a reply. */
        QUERY_BUFFER_FULL
    }

    private enum State { REQUEST_START, INLINE, MULTIBULK_COUNT, BULK_COUNT, BULK_PAYLOAD, BULK_TRAILER }

    /** Bytes of the input looked at at once by {@link #decodeWhole}: a whole pipelined batch of small commands. */
    private static final int WINDOW = 4096;
    /** The shortest possible argument, "$0\r\n\r\n": bounds the argv a declared count may allocate. */
    private static final int MIN_ARGUMENT_BYTES = 6;

    private final Limits limits;
    private final boolean wholeRequests;
    private State state = State.REQUEST_START;
    private String error;

    /** Bytes of a request line whose end has not arrived yet (always read from index 0). */
    private final ByteBuf partial = Unpooled.buffer(0);
    /** Offset in the line of its terminator, found while waiting for the byte after a '\r'; or -1. */
    private int terminatorAt = -1;
    /** A NUL came before any terminator: Redis's strchr never sees past it. */
    private boolean blocked;
    private int lineLength;
    private int lineTotal;

    private byte[][] argv;
    private int argc;
    private long argsRemaining;
    private byte[] bulk;
    private int bulkLength;
    private int bulkFilled;
    private int trailerRemaining;
    private long parsedNumber;

    /** A copy of part of the input for {@link #decodeWhole}, and where it starts (an index into the input). */
    private final byte[] window = new byte[WINDOW];
    private int windowStart;
    private int windowEnd;
    /** Where the header line that {@link #headerNumber} parsed ends, after the byte following its '\r'. */
    private int headerEnd;

    public RespDecoder(Limits limits) {
        this(limits, true);
    }

    /** @param wholeRequests false turns off the {@link #decodeWhole} fast path (tests compare both ways) */
    RespDecoder(Limits limits, boolean wholeRequests) {
        this.limits = limits;
        this.wholeRequests = wholeRequests;
    }

    /**
     * Decodes as many commands as {@code in} completes, handing each to {@code sink} before decoding
     * the next (so a command's effects, such as AUTH, apply to the requests after it). Consumes what it
     * decodes; the caller still owns and releases {@code in}.
     */
    public Result decode(ByteBuf in, CommandSink sink) {
        if (error != null) {
            return Result.PROTOCOL_ERROR;
        }
        if (bufferedBytes() + in.readableBytes() > limits.queryBufferLimit()) {
            return Result.QUERY_BUFFER_FULL;
        }
        while (true) {
            switch (state) {
                case REQUEST_START -> {
                    if (!in.isReadable()) {
                        return Result.NEED_MORE;
                    }
                    if (in.getByte(in.readerIndex()) != '*') {
                        state = State.INLINE;
                        continue;
                    }
                    byte[][] whole = wholeRequests ? decodeWhole(in) : null;
                    if (whole == null) {
                        state = State.MULTIBULK_COUNT;
                    } else if (!sink.command(whole)) {
                        return Result.STOPPED;
                    }
                }
                case INLINE -> {
                    ByteBuf line = completeLine(in, FIND_LF_OR_NUL, 0);
                    if (line == null) {
                        return lineIncomplete("too big inline request");
                    }
                    int start = line.readerIndex();
                    int length = lineLength;
                    if (length > 0 && line.getByte(start + length - 1) == '\r') {
                        length--;
                    }
                    byte[][] inline = InlineSplitter.split(line, start, start + length);
                    consumeLine(line);
                    if (inline == null) {
                        return fail("unbalanced quotes in request");
                    }
                    state = State.REQUEST_START;
                    if (inline.length > 0 && !sink.command(inline)) {
                        return Result.STOPPED;
                    }
                }
                case MULTIBULK_COUNT -> {
                    ByteBuf line = completeLine(in, FIND_CR_OR_NUL, 1);
                    if (line == null) {
                        return lineIncomplete("too big mbulk count string");
                    }
                    boolean ok = parseNumber(line, line.readerIndex() + 1, lineLength - 1);
                    consumeLine(line);
                    if (!ok || parsedNumber > Integer.MAX_VALUE) {
                        return fail("invalid multibulk length");
                    }
                    if (parsedNumber > UNAUTHENTICATED_MAX_MULTIBULK && limits.authRequired()) {
                        return fail("unauthenticated multibulk length");
                    }
                    if (parsedNumber <= 0) {
                        state = State.REQUEST_START;
                    } else {
                        argsRemaining = parsedNumber;
                        argv = new byte[(int) Math.min(parsedNumber, INITIAL_ARGV)][];
                        argc = 0;
                        state = State.BULK_COUNT;
                    }
                }
                case BULK_COUNT -> {
                    ByteBuf line = completeLine(in, FIND_CR_OR_NUL, 1);
                    if (line == null) {
                        return lineIncomplete("too big bulk count string");
                    }
                    byte type = line.getByte(line.readerIndex());
                    if (type != '$') {
                        consumeLine(line);
                        return fail("expected '$', got '" + printable(type) + "'");
                    }
                    boolean ok = parseNumber(line, line.readerIndex() + 1, lineLength - 1);
                    consumeLine(line);
                    if (!ok || parsedNumber < 0 || parsedNumber > limits.maxBulkLength() || parsedNumber > MAX_ARRAY) {
                        return fail("invalid bulk length");
                    }
                    if (parsedNumber > UNAUTHENTICATED_MAX_BULK && limits.authRequired()) {
                        return fail("unauthenticated bulk length");
                    }
                    bulkLength = (int) parsedNumber;
                    bulkFilled = 0;
                    bulk = bulkLength == 0 ? EMPTY : new byte[Math.min(bulkLength, Math.max(INITIAL_BULK, in.readableBytes()))];
                    state = State.BULK_PAYLOAD;
                }
                case BULK_PAYLOAD -> {
                    int n = Math.min(in.readableBytes(), bulkLength - bulkFilled);
                    if (n > 0) {
                        growBulk(bulkFilled + n);
                        in.readBytes(bulk, bulkFilled, n);
                        bulkFilled += n;
                    }
                    if (bulkFilled < bulkLength) {
                        return Result.NEED_MORE;
                    }
                    trailerRemaining = 2;
                    state = State.BULK_TRAILER;
                }
                case BULK_TRAILER -> {
                    int n = Math.min(in.readableBytes(), trailerRemaining);
                    in.skipBytes(n);
                    trailerRemaining -= n;
                    if (trailerRemaining > 0) {
                        return Result.NEED_MORE;
                    }
                    addArgument(bulk);
                    bulk = null;
                    if (--argsRemaining > 0) {
                        state = State.BULK_COUNT;
                    } else {
                        byte[][] command = argc == argv.length ? argv : Arrays.copyOf(argv, argc);
                        argv = null;
                        state = State.REQUEST_START;
                        if (!sink.command(command)) {
                            return Result.STOPPED;
                        }
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    /**
     * The fast path for the common case, a multibulk request that lies wholly in {@code in}: its
     * headers are parsed from a copy of the input ({@link #window}, one bulk copy instead of a buffer
     * access per byte) and its arguments copied out once. Anything else (an incomplete request, an
     * error, a NUL in a header, a client that must authenticate first, an empty or negative count)
     * returns null having consumed nothing, and the state machine decodes the request as before:
     * so the fast path decides nothing a client could observe.
     *
     * @return the request's arguments, consumed; or null
     */
    private byte[][] decodeWhole(ByteBuf in) {
        if (limits.authRequired()) {
            return null;
        }
        int base = in.readerIndex();
        int readable = in.readableBytes();
        windowStart = 0;
        windowEnd = 0;
        if (!headerNumber(in, base, readable, 0) || parsedNumber <= 0
                || parsedNumber > (readable - headerEnd) / MIN_ARGUMENT_BYTES) {
            return null;
        }
        byte[][] args = new byte[(int) parsedNumber][];
        int p = headerEnd;
        long maxBulk = Math.min(limits.maxBulkLength(), MAX_ARRAY);
        for (int i = 0; i < args.length; i++) {
            if (!headerNumber(in, base, readable, p) || window[p - windowStart] != '$'
                    || parsedNumber < 0 || parsedNumber > maxBulk || parsedNumber > readable - headerEnd - 2) {
                return null;
            }
            int length = (int) parsedNumber;
            p = headerEnd;
            byte[] arg = length == 0 ? EMPTY : new byte[length];
            if (p + length <= windowEnd) {
                System.arraycopy(window, p - windowStart, arg, 0, length);
            } else {
                in.getBytes(base + p, arg);
            }
            args[i] = arg;
            p += length + 2;
        }
        in.readerIndex(base + p);
        return args;
    }

    /**
     * Parses the number of the header line at {@code from} (relative to {@code base}; its first byte is
     * the type, '*' or '$') into {@link #parsedNumber} and sets {@link #headerEnd}.
     *
     * @return false when the line is not wholly in the input, holds a NUL before its '\r', or its
     *         number is not one Redis accepts: the state machine then takes over
     */
    private boolean headerNumber(ByteBuf in, int base, int readable, int from) {
        // A valid header is at most 1 + 20 + 2 bytes: the window must hold that much from the line's start.
        int need = Math.min(from + 23, readable);
        if (from < windowStart || need > windowEnd) {
            windowStart = from;
            windowEnd = from + Math.min(WINDOW, readable - from);
            in.getBytes(base + from, window, 0, windowEnd - windowStart);
        }
        int w = from - windowStart;
        int limit = need - windowStart;
        int cr = w + 1;
        while (cr < limit && window[cr] != '\r' && window[cr] != 0) {
            cr++;
        }
        // The '\r' and the byte after it (skipped unchecked) must both be in the input.
        if (cr + 1 >= limit || window[cr] != '\r') {
            return false;
        }
        headerEnd = windowStart + cr + 2;
        return parseNumber(window, w + 1, cr - w - 1);
    }

    /** The protocol error's full text ("ERR Protocol error: ..."), once {@link #decode} reported one. */
    public String error() {
        return error;
    }

    /**
     * What Redis would count as this client's query buffer: the incomplete request line and the bytes
     * of the argument being received.
     */
    public long bufferedBytes() {
        return partial.readableBytes() + (bulk == null ? 0 : bulkFilled);
    }

    /** Bytes this decoder currently holds on to, arguments decoded so far included (for tests). */
    public long retainedBytes() {
        long held = partial.capacity() + (bulk == null ? 0 : bulk.length);
        if (argv != null) {
            held += 8L * argv.length;
            for (int i = 0; i < argc; i++) {
                held += argv[i].length;
            }
        }
        return held;
    }

    /** Frees the buffer of a partial line; call when the connection is gone. */
    public void release() {
        partial.release();
        bulk = null;
        argv = null;
    }

    /**
     * Finds the end of the current request line as Redis's {@code strchr(terminator)} does from the
     * line's start: the search stops at a NUL. Lines ending in '\r' also need the byte after it.
     *
     * @return the buffer holding the whole line at its reader index ({@code in} itself when the line
     *         lies wholly in it, else {@link #partial}), with {@link #lineLength} (before the terminator)
     *         and {@link #lineTotal} set; or null after moving all of {@code in} into {@link #partial}
     */
    private ByteBuf completeLine(ByteBuf in, ByteProcessor terminatorOrNul, int tail) {
        if (terminatorAt < 0 && !blocked) {
            int at = in.forEachByte(terminatorOrNul);
            if (at >= 0) {
                if (in.getByte(at) == 0) {
                    blocked = true;
                } else {
                    terminatorAt = partial.readableBytes() + at - in.readerIndex();
                }
            }
        }
        if (terminatorAt >= 0) {
            int lineEnd = terminatorAt + 1 + tail;
            int fromIn = lineEnd - partial.readableBytes();
            if (in.readableBytes() >= fromIn) {
                lineLength = terminatorAt;
                lineTotal = lineEnd;
                terminatorAt = -1;
                if (!partial.isReadable()) {
                    return in;
                }
                partial.writeBytes(in, fromIn);
                return partial;
            }
        }
        partial.writeBytes(in);
        return null;
    }

    private void consumeLine(ByteBuf line) {
        line.skipBytes(lineTotal);
        if (line == partial) {
            partial.clear();
            if (partial.capacity() > 4 * MAX_LINE) {
                partial.capacity(0);
            }
        }
    }

    /** The line is still incomplete: Redis gives up on it once more than 64 KiB wait without an end. */
    private Result lineIncomplete(String tooBig) {
        if (terminatorAt < 0 && partial.readableBytes() > MAX_LINE) {
            return fail(tooBig);
        }
        return Result.NEED_MORE;
    }

    private Result fail(String reason) {
        error = "ERR Protocol error: " + reason;
        return Result.PROTOCOL_ERROR;
    }

    /** Redis formats the byte with %c and then turns CR and LF into spaces. */
    private static char printable(byte b) {
        return b == '\r' || b == '\n' ? ' ' : (char) (b & 0xFF);
    }

    private void growBulk(int needed) {
        if (needed > bulk.length) {
            int grown = (int) Math.min(bulkLength, Math.max(needed, 2L * bulk.length));
            bulk = Arrays.copyOf(bulk, grown);
        }
    }

    private void addArgument(byte[] arg) {
        if (argc == argv.length) {
            long grown = Math.min(Math.min(2L * argv.length, argc + argsRemaining), MAX_ARRAY);
            argv = Arrays.copyOf(argv, (int) grown);
        }
        argv[argc++] = arg;
    }

    /**
     * Redis's {@code string2ll} over {@code length} bytes at {@code from}: an optional '-', then
     * digits without leading zeros ("0" alone excepted), no '+', at most 20 characters, in range.
     * Sets {@link #parsedNumber}.
     */
    private boolean parseNumber(ByteBuf buf, int from, int length) {
        if (length <= 0 || length >= 21) {
            return false;
        }
        // The window is free here: decodeWhole fills it afresh at each request it tries.
        buf.getBytes(from, window, 0, length);
        return parseNumber(window, 0, length);
    }

    /** {@link #parseNumber(ByteBuf, int, int)} over an array. */
    private boolean parseNumber(byte[] buf, int from, int length) {
        if (length <= 0 || length >= 21) {
            return false;
        }
        if (length == 1 && buf[from] == '0') {
            parsedNumber = 0;
            return true;
        }
        int p = from;
        int end = from + length;
        boolean negative = buf[p] == '-';
        if (negative && ++p == end) {
            return false;
        }
        byte first = buf[p];
        if (first < '1' || first > '9') {
            return false;
        }
        long value = 0; // accumulated negated, so Long.MIN_VALUE fits
        for (; p < end; p++) {
            int digit = buf[p] - '0';
            if (digit < 0 || digit > 9 || value < Long.MIN_VALUE / 10) {
                return false;
            }
            value *= 10;
            if (value < Long.MIN_VALUE + digit) {
                return false;
            }
            value -= digit;
        }
        if (!negative && value == Long.MIN_VALUE) {
            return false;
        }
        parsedNumber = negative ? value : -value;
        return true;
    }
}
