package dev.millrace.engine.testing;

import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.util.DoubleFormat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * Encodes replies to RESP bytes the way Redis 7.0 writes them, in RESP2 or RESP3, so tests can compare
 * replies byte for byte with a real redis-server's (golden files). Test support only: the server's
 * own encoder lives in the protocol module.
 */
public final class RespEncoder implements ReplyWriter {
    private final IntSupplier protocolNow;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public RespEncoder(int protocol) {
        this(() -> protocol);
    }

    /** An encoder following a session's protocol as it changes (HELLO replies in the new one). */
    public RespEncoder(IntSupplier protocol) {
        this.protocolNow = protocol;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    /** The bytes written since the last call, and forgets them. */
    public byte[] take() {
        byte[] bytes = out.toByteArray();
        out.reset();
        return bytes;
    }

    /** The bytes with CR, LF and backslash escaped, one line, as golden files hold them. */
    public String escaped() {
        return escape(new String(bytes(), StandardCharsets.ISO_8859_1));
    }

    public static String escape(String raw) {
        return raw.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n");
    }

    private void line(char type, String body) {
        out.writeBytes((type + body + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override public void simple(String text) { line('+', text); }
    @Override public void error(String message) { line('-', message); }
    @Override public void integer(long value) { line(':', Long.toString(value)); }
    @Override public void bulk(byte[] value) { bulk(value, 0, value.length); }
    @Override public void bulk(String value) { bulk(value.getBytes(StandardCharsets.ISO_8859_1)); }

    @Override
    public void bulk(byte[] value, int offset, int length) {
        line('$', Integer.toString(length));
        out.write(value, offset, length);
        out.writeBytes(new byte[]{'\r', '\n'});
    }

    @Override public void nullBulk() { out.writeBytes((protocol() == 3 ? "_\r\n" : "$-1\r\n").getBytes(StandardCharsets.ISO_8859_1)); }
    @Override public void nullArray() { out.writeBytes((protocol() == 3 ? "_\r\n" : "*-1\r\n").getBytes(StandardCharsets.ISO_8859_1)); }
    @Override public void array(int length) { line('*', Integer.toString(length)); }
    @Override public void map(int entries) { line(protocol() == 3 ? '%' : '*', Integer.toString(protocol() == 3 ? entries : 2 * entries)); }
    @Override public void set(int length) { line(protocol() == 3 ? '~' : '*', Integer.toString(length)); }

    @Override
    public void doubleValue(double value) {
        doubleText(DoubleFormat.format(value));
    }

    @Override
    public void doubleText(String text) {
        if (protocol() == 3) {
            line(',', text);
        } else {
            bulk(text);
        }
    }

    @Override
    public void bool(boolean value) {
        if (protocol() == 3) {
            line('#', value ? "t" : "f");
        } else {
            integer(value ? 1 : 0);
        }
    }

    @Override
    public void verbatim(String format, String text) {
        if (protocol() == 3) {
            byte[] body = (format + ":" + text).getBytes(StandardCharsets.ISO_8859_1);
            line('=', Integer.toString(body.length));
            out.writeBytes(body);
            out.writeBytes(new byte[]{'\r', '\n'});
        } else {
            bulk(text);
        }
    }

    @Override
    public void bigNumber(String digits) {
        if (protocol() == 3) {
            line('(', digits);
        } else {
            bulk(digits);
        }
    }

    @Override public void attribute(int entries) { line('|', Integer.toString(entries)); }
    @Override public void push(int length) { line(protocol() == 3 ? '>' : '*', Integer.toString(length)); }
    @Override public int protocol() { return protocolNow.getAsInt(); }
}
