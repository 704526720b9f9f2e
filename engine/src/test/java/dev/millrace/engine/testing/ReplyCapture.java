package dev.millrace.engine.testing;

import dev.millrace.engine.reply.ReplyWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A {@link ReplyWriter} that builds each reply as plain Java values, for engine tests:
 * simple strings and bulk strings as {@link String} (bulk: ISO-8859-1), integers as {@link Long},
 * nulls as null, errors as {@link Err}, arrays and pushes as {@link List}, maps as
 * {@link LinkedHashMap}, sets as {@link LinkedHashSet}, doubles as {@link Double}, booleans as
 * {@link Boolean}, verbatim strings as {@link String}.
 */
public final class ReplyCapture implements ReplyWriter {

    /** An error reply. */
    public record Err(String message) {
        @Override
        public String toString() {
            return "-" + message;
        }
    }

    private final int protocol;
    private final List<Object> replies = new ArrayList<>();
    private final Deque<Frame> open = new ArrayDeque<>();

    private static final class Frame {
        final Object container;
        int remaining;
        Object pendingKey;
        boolean haveKey;

        Frame(Object container, int remaining) {
            this.container = container;
            this.remaining = remaining;
        }
    }

    public ReplyCapture(int protocol) {
        this.protocol = protocol;
    }

    /** The replies completed so far, oldest first. */
    public List<Object> replies() {
        return replies;
    }

    public Object last() {
        return replies.get(replies.size() - 1);
    }

    /** The last attribute map received (it annotates a reply but is not one). */
    public Map<Object, Object> lastAttribute() {
        return lastAttribute;
    }

    private Map<Object, Object> lastAttribute;

    /**
     * Adds a value to the innermost open aggregate, closing every aggregate it completes. A loop, not
     * recursion: a reply nested thousands deep (a Lua table holding itself) closes all its levels at
     * once, and the test that checks it runs on a 1 MB stack, as the server's execution thread does.
     */
    @SuppressWarnings("unchecked")
    private void add(Object value) {
        while (true) {
            if (open.isEmpty()) {
                if (value instanceof Attribute attribute) {
                    lastAttribute = attribute;
                } else {
                    replies.add(value);
                }
                return;
            }
            Frame f = open.peek();
            if (f.container instanceof Map) {
                if (!f.haveKey) {
                    f.pendingKey = value;
                    f.haveKey = true;
                    return;
                }
                ((Map<Object, Object>) f.container).put(f.pendingKey, value);
                f.haveKey = false;
            } else if (f.container instanceof LinkedHashSet) {
                ((LinkedHashSet<Object>) f.container).add(value);
            } else {
                ((List<Object>) f.container).add(value);
            }
            if (--f.remaining > 0) {
                return;
            }
            open.pop();
            value = f.container;
        }
    }

    private void aggregate(Object container, int elements) {
        if (elements == 0) {
            add(container);
        } else {
            open.push(new Frame(container, elements));
        }
    }

    @Override public void simple(String text) { add(text); }
    @Override public void error(String message) { add(new Err(message)); }
    @Override public void integer(long value) { add(value); }
    @Override public void bulk(byte[] value) { add(new String(value, StandardCharsets.ISO_8859_1)); }
    @Override public void bulk(String value) { add(value); }
    @Override public void bulk(byte[] value, int offset, int length) {
        add(new String(value, offset, length, StandardCharsets.ISO_8859_1));
    }
    @Override public void nullBulk() { add(null); }
    @Override public void nullArray() { add(null); }
    @Override public void array(int length) { aggregate(new ArrayList<>(), length); }
    @Override public void map(int entries) { aggregate(new LinkedHashMap<>(), entries); }
    @Override public void set(int length) { aggregate(new LinkedHashSet<>(), length); }
    @Override public void doubleValue(double value) { add(value); }
    @Override public void doubleText(String text) { add(Double.parseDouble(text)); }
    @Override public void bool(boolean value) { add(value); }
    @Override public void verbatim(String format, String text) { add(text); }
    @Override public void bigNumber(String digits) { add(new java.math.BigInteger(digits)); }
    /** An attribute map while it is being filled: kept apart from the replies. */
    private static final class Attribute extends LinkedHashMap<Object, Object> {
    }

    @Override public void attribute(int entries) { aggregate(new Attribute(), entries); }
    @Override public void push(int length) { aggregate(new ArrayList<>(), length); }
    @Override public int protocol() { return protocol; }
}
