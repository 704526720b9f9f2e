package dev.millrace.engine.commands;

import dev.millrace.engine.reply.ReplyWriter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@link ReplyWriter} that encodes replies as the RESP2 or RESP3 bytes Redis sends, so engine
 * replies can be compared byte for byte with replies recorded from a real redis-server (see
 * {@link GoldenReplies}). Covers what the string and bit commands reply with.
 */
final class RespBytes implements ReplyWriter {
    private final int protocol;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    RespBytes(int protocol) {
        this.protocol = protocol;
    }

    /** The bytes written since the last call, and forgets them. */
    byte[] take() {
        byte[] bytes = out.toByteArray();
        out.reset();
        return bytes;
    }

    private void line(char type, String text) {
        byte[] b = (type + text + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        out.write(b, 0, b.length);
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
        out.write('\r');
        out.write('\n');
    }

    @Override public void nullBulk() { line(protocol == 3 ? '_' : '$', protocol == 3 ? "" : "-1"); }
    @Override public void nullArray() { line(protocol == 3 ? '_' : '*', protocol == 3 ? "" : "-1"); }
    @Override public void array(int length) { line('*', Integer.toString(length)); }
    @Override public void map(int entries) { line(protocol == 3 ? '%' : '*', Integer.toString(protocol == 3 ? entries : 2 * entries)); }
    @Override public void set(int length) { line(protocol == 3 ? '~' : '*', Integer.toString(length)); }
    @Override public void bool(boolean value) {
        if (protocol == 3) {
            line('#', value ? "t" : "f");
        } else {
            integer(value ? 1 : 0);
        }
    }
    @Override public void verbatim(String format, String text) {
        if (protocol == 3) {
            byte[] b = (format + ":" + text).getBytes(StandardCharsets.ISO_8859_1);
            line('=', Integer.toString(b.length));
            out.write(b, 0, b.length);
            out.write('\r');
            out.write('\n');
        } else {
            bulk(text);
        }
    }
    @Override public void bigNumber(String digits) {
        if (protocol == 3) {
            line('(', digits);
        } else {
            bulk(digits);
        }
    }
    @Override public void push(int length) { line(protocol == 3 ? '>' : '*', Integer.toString(length)); }
    @Override public int protocol() { return protocol; }

    @Override
    public void doubleValue(double value) {
        // no string or bit command replies with a RESP3 double; its formatting lives with the protocol
        throw new UnsupportedOperationException("double replies are not part of the string commands");
    }
}
