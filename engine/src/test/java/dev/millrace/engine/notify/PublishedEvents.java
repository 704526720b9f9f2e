package dev.millrace.engine.notify;

import dev.millrace.engine.testing.EngineHarness;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Captures what the keyspace notifier publishes in an {@link EngineHarness}, as the pub/sub layer
 * would receive it: (channel, message) pairs in order.
 */
final class PublishedEvents {
    /** One published message. */
    record Message(String channel, String message) {
        @Override
        public String toString() {
            return channel + " " + message;
        }
    }

    private final List<Message> messages = new ArrayList<>();

    PublishedEvents(EngineHarness h) {
        h.engine.keyspace().events().publishTo((channel, message) -> {
            messages.add(new Message(new String(channel, StandardCharsets.ISO_8859_1),
                    new String(message, StandardCharsets.ISO_8859_1)));
            return 0;
        });
    }

    /** The messages published since the last call, then forgets them. */
    List<Message> take() {
        List<Message> out = List.copyOf(messages);
        messages.clear();
        return out;
    }

    /** The messages published since the last call as "channel message" strings. */
    List<String> takeLines() {
        return take().stream().map(Message::toString).toList();
    }

    /**
     * The events published since the last call in the form the recorded scenarios use: "event key",
     * prefixed with "@db " outside database 0, from the __keyevent channel; with K and E both on, each
     * must follow its __keyspace twin, which this checks.
     */
    List<String> takeEvents() {
        List<String> out = new ArrayList<>();
        List<Message> all = take();
        for (int i = 0; i < all.size(); i++) {
            Message m = all.get(i);
            if (m.channel().startsWith("__keyspace@")) {
                Message twin = i + 1 < all.size() ? all.get(i + 1) : null;
                String db = m.channel().substring("__keyspace@".length(), m.channel().indexOf("__:"));
                String key = m.channel().substring(m.channel().indexOf("__:") + 3);
                String expectedTwin = "__keyevent@" + db + "__:" + m.message() + " " + key;
                if (twin == null || !twin.toString().equals(expectedTwin)) {
                    throw new AssertionError("keyspace message " + m + " not followed by " + expectedTwin + ": " + all);
                }
                continue;
            }
            String db = m.channel().substring("__keyevent@".length(), m.channel().indexOf("__:"));
            String event = m.channel().substring(m.channel().indexOf("__:") + 3);
            out.add((db.equals("0") ? "" : "@" + db + " ") + event + " " + m.message());
        }
        return out;
    }
}
