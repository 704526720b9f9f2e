package dev.millrace.engine.tracking;

import dev.millrace.engine.client.Session;
import dev.millrace.engine.reply.ReplyWriter;

import java.util.function.Consumer;

/**
 * How invalidation messages reach a client outside its own command's reply: the pub/sub delivery
 * path, which also knows whether a client is in subscribed mode. Execution thread only.
 */
public interface InvalidationSink {
    /** Writes a message to {@code target}'s connection, after what it was already sent. */
    void push(Session target, Consumer<ReplyWriter> message);

    /** Whether {@code target} is subscribed to any channel or pattern (RESP2 pub/sub mode). */
    boolean subscribed(Session target);

    /** No transport (replay, tests that look at tracking state only): messages are dropped. */
    InvalidationSink NONE = new InvalidationSink() {
        @Override public void push(Session target, Consumer<ReplyWriter> message) { }
        @Override public boolean subscribed(Session target) { return false; }
    };
}
