package dev.millrace.engine.command;

import dev.millrace.engine.client.Session;
import dev.millrace.engine.reply.ReplyWriter;

/**
 * Forwards replies unless the session's CLIENT REPLY mode is OFF or SKIP at the moment of each
 * reply (Redis decides per reply too, so CLIENT REPLY ON answers OK). Execution thread only.
 */
final class SuppressibleReplies implements ReplyWriter {
    private final Session session;
    private final ReplyWriter out;

    SuppressibleReplies(Session session, ReplyWriter out) {
        this.session = session;
        this.out = out;
    }

    private boolean dropped() {
        Session.ReplyMode mode = session.replyMode();
        return mode == Session.ReplyMode.OFF || mode == Session.ReplyMode.SKIP;
    }

    @Override public void simple(String text) { if (!dropped()) out.simple(text); }
    @Override public void error(String message) { if (!dropped()) out.error(message); }
    @Override public void integer(long value) { if (!dropped()) out.integer(value); }
    @Override public void bulk(byte[] value) { if (!dropped()) out.bulk(value); }
    @Override public void bulk(String value) { if (!dropped()) out.bulk(value); }
    @Override public void bulk(byte[] value, int offset, int length) { if (!dropped()) out.bulk(value, offset, length); }
    @Override public void nullBulk() { if (!dropped()) out.nullBulk(); }
    @Override public void nullArray() { if (!dropped()) out.nullArray(); }
    @Override public void array(int length) { if (!dropped()) out.array(length); }
    @Override public void map(int entries) { if (!dropped()) out.map(entries); }
    @Override public void set(int length) { if (!dropped()) out.set(length); }
    @Override public void doubleValue(double value) { if (!dropped()) out.doubleValue(value); }
    @Override public void doubleText(String text) { if (!dropped()) out.doubleText(text); }
    @Override public void bool(boolean value) { if (!dropped()) out.bool(value); }
    @Override public void verbatim(String format, String text) { if (!dropped()) out.verbatim(format, text); }
    @Override public void bigNumber(String digits) { if (!dropped()) out.bigNumber(digits); }
    @Override public void attribute(int entries) { if (!dropped()) out.attribute(entries); }
    @Override public void push(int length) { if (!dropped()) out.push(length); }
    @Override public int protocol() { return out.protocol(); }
}
