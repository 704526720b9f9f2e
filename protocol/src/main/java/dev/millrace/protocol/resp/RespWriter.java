package dev.millrace.protocol.resp;

import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.util.DoubleFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * Encodes replies into a Netty buffer: RESP3 as the spec has it, and the one place where RESP3 types
 * are downgraded for RESP2 clients (map to a flat array of 2n, set and push to an array, double and big
 * number and verbatim text to a bulk string, boolean to {@code :1}/{@code :0}, null to {@code $-1} or
 * {@code *-1}). The protocol version is asked of the session at each reply, so the reply of
 * {@code HELLO 3} is already RESP3.
 *
 * <p>Text ({@link #simple}, {@link #error}, {@code bulk(String)}) is encoded as ISO-8859-1, the engine's
 * byte-per-char convention; CR and LF in simple strings and errors become spaces so a reply can never
 * break the framing. The hot path allocates nothing: common replies and small headers are
 * pre-encoded, numbers are written digit by digit.
 *
 * <p>Output accumulates in one buffer until {@link #take()}; the first write after a take reports
 * itself through {@code onFirstWrite} so the server can schedule a flush. Not thread-safe: one writer
 * per connection, used on its event loop.
 */
public final class RespWriter implements ReplyWriter {
    private static final int INITIAL_CAPACITY = 256;
    private static final int CACHED = 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    /** CR LF as one big-endian short ({@code ByteBuf.setShort} writes big-endian). */
    private static final int CRLF_SHORT = '\r' << 8 | '\n';
    private static final byte[] OK = ascii("+OK\r\n");
    private static final byte[] NULL_BULK = ascii("$-1\r\n");
    private static final byte[] NULL_ARRAY = ascii("*-1\r\n");
    private static final byte[] NULL = ascii("_\r\n");
    private static final byte[] TRUE = ascii("#t\r\n");
    private static final byte[] FALSE = ascii("#f\r\n");
    private static final byte[][] INTEGERS = headers(':');
    private static final byte[][] ARRAY_HEADERS = headers('*');
    private static final byte[][] BULK_HEADERS = headers('$');
    private static final byte[][] MAP_HEADERS = headers('%');
    private static final byte[][] SET_HEADERS = headers('~');

    private final ByteBufAllocator allocator;
    private final IntSupplier protocol;
    private final Runnable onFirstWrite;
    private ByteBuf out;
    /** Where {@link #writeNumbered} formats a line: type, sign, up to 19 digits, CR LF. */
    private final byte[] numberLine = new byte[1 + 1 + 19 + 2];

    /**
     * @param protocol     the client's current protocol version (2 or 3), asked at each reply
     * @param onFirstWrite run when output appears in an empty writer (schedule a flush)
     */
    public RespWriter(ByteBufAllocator allocator, IntSupplier protocol, Runnable onFirstWrite) {
        this.allocator = allocator;
        this.protocol = protocol;
        this.onFirstWrite = onFirstWrite;
    }

    /** Hands over the output written since the last take (the caller owns it), or null when none. */
    public ByteBuf take() {
        ByteBuf taken = out;
        out = null;
        return taken;
    }

    /** Drops pending output (the connection is gone). */
    public void discard() {
        if (out != null) {
            out.release();
            out = null;
        }
    }

    /** The bytes pending since the last take. */
    @Override
    public long mark() {
        return out == null ? 0 : out.writerIndex();
    }

    @Override
    public void discardFrom(long mark) {
        if (out != null && mark <= out.writerIndex()) {
            out.writerIndex((int) mark);
        }
    }

    private ByteBuf out() {
        ByteBuf buf = out;
        if (buf == null) {
            buf = allocator.ioBuffer(INITIAL_CAPACITY);
            out = buf;
            onFirstWrite.run();
        }
        return buf;
    }

    private boolean resp3() {
        return protocol.getAsInt() >= 3;
    }

    @Override
    public void simple(String text) {
        if (text.equals("OK")) {
            out().writeBytes(OK);
            return;
        }
        ByteBuf buf = out();
        buf.writeByte('+');
        writeLine(buf, text);
    }

    @Override
    public void error(String message) {
        ByteBuf buf = out();
        buf.writeByte('-');
        writeLine(buf, message);
    }

    @Override
    public void integer(long value) {
        writeNumbered(INTEGERS, ':', value);
    }

    @Override
    public void bulk(byte[] value) {
        bulk(value, 0, value.length);
    }

    @Override
    public void bulk(String value) {
        writeNumbered(BULK_HEADERS, '$', value.length());
        ByteBuf buf = out();
        buf.writeCharSequence(value, StandardCharsets.ISO_8859_1);
        buf.writeBytes(CRLF);
    }

    /**
     * Header, bytes and CRLF with one capacity check and one move of the writer index (the elements of
     * an LRANGE reply come here one after another: three checked writes each cost half its time).
     */
    @Override
    public void bulk(byte[] value, int offset, int length) {
        if (length >= CACHED) {
            writeNumbered(BULK_HEADERS, '$', length);
            ByteBuf buf = out();
            buf.writeBytes(value, offset, length);
            buf.writeBytes(CRLF);
            return;
        }
        byte[] header = BULK_HEADERS[length];
        ByteBuf buf = out();
        buf.ensureWritable(header.length + length + 2);
        int at = buf.writerIndex();
        buf.setBytes(at, header);
        at += header.length;
        buf.setBytes(at, value, offset, length);
        at += length;
        buf.setShort(at, CRLF_SHORT);
        buf.writerIndex(at + 2);
    }

    @Override
    public void nullBulk() {
        out().writeBytes(resp3() ? NULL : NULL_BULK);
    }

    @Override
    public void nullArray() {
        out().writeBytes(resp3() ? NULL : NULL_ARRAY);
    }

    @Override
    public void array(int length) {
        writeNumbered(ARRAY_HEADERS, '*', length);
    }

    @Override
    public void map(int entries) {
        if (resp3()) {
            writeNumbered(MAP_HEADERS, '%', entries);
        } else {
            writeNumbered(ARRAY_HEADERS, '*', 2L * entries);
        }
    }

    @Override
    public void set(int length) {
        if (resp3()) {
            writeNumbered(SET_HEADERS, '~', length);
        } else {
            array(length);
        }
    }

    @Override
    public void doubleValue(double value) {
        doubleText(DoubleFormat.format(value));
    }

    @Override
    public void doubleText(String text) {
        if (resp3()) {
            ByteBuf buf = out();
            buf.writeByte(',');
            buf.writeCharSequence(text, StandardCharsets.US_ASCII);
            buf.writeBytes(CRLF);
        } else {
            bulk(text);
        }
    }

    @Override
    public void bool(boolean value) {
        if (resp3()) {
            out().writeBytes(value ? TRUE : FALSE);
        } else {
            integer(value ? 1 : 0);
        }
    }

    @Override
    public void verbatim(String format, String text) {
        if (resp3()) {
            writeNumbered(null, '=', text.length() + 4L);
            ByteBuf buf = out();
            buf.writeCharSequence(format, StandardCharsets.ISO_8859_1);
            buf.writeByte(':');
            buf.writeCharSequence(text, StandardCharsets.ISO_8859_1);
            buf.writeBytes(CRLF);
        } else {
            bulk(text);
        }
    }

    @Override
    public void bigNumber(String digits) {
        if (resp3()) {
            ByteBuf buf = out();
            buf.writeByte('(');
            buf.writeCharSequence(digits, StandardCharsets.ISO_8859_1);
            buf.writeBytes(CRLF);
        } else {
            bulk(digits);
        }
    }

    @Override
    public void attribute(int entries) {
        if (!resp3()) {
            throw new IllegalStateException("RESP2 has no attributes");
        }
        writeNumbered(null, '|', entries);
    }

    @Override
    public void push(int length) {
        if (resp3()) {
            writeNumbered(null, '>', length);
        } else {
            array(length);
        }
    }

    @Override
    public int protocol() {
        return protocol.getAsInt();
    }

    /**
     * Writes {@code <type><value>\r\n}, from {@code cache} (pre-encoded for that type) when the value is
     * small, else formatted into {@link #numberLine} and written at once (one bounds check, where a
     * byte at a time on the buffer cost 5% of an LPUSH's execution-thread time at -P 32).
     */
    private void writeNumbered(byte[][] cache, char type, long value) {
        ByteBuf buf = out();
        if (cache != null && value >= 0 && value < CACHED) {
            buf.writeBytes(cache[(int) value]);
            return;
        }
        byte[] line = numberLine;
        int start = line.length;
        line[--start] = '\n';
        line[--start] = '\r';
        long rest = value < 0 ? value : -value; // digits from the negative side, which holds Long.MIN_VALUE
        do {
            line[--start] = (byte) ('0' - rest % 10);
            rest /= 10;
        } while (rest != 0);
        if (value < 0) {
            line[--start] = '-';
        }
        line[--start] = (byte) type;
        buf.writeBytes(line, start, line.length - start);
    }

    /** Writes a text line, CR and LF replaced by spaces, each char as its ISO-8859-1 byte. */
    private static void writeLine(ByteBuf buf, String text) {
        int length = text.length();
        buf.ensureWritable(length + 2);
        int index = buf.writerIndex();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            buf.setByte(index++, c == '\r' || c == '\n' ? ' ' : c > 0xFF ? '?' : c);
        }
        buf.writerIndex(index);
        buf.writeBytes(CRLF);
    }

    private static byte[][] headers(char type) {
        byte[][] table = new byte[CACHED][];
        for (int i = 0; i < CACHED; i++) {
            table[i] = ascii(type + Integer.toString(i) + "\r\n");
        }
        return table;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
