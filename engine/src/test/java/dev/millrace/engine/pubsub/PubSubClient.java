package dev.millrace.engine.pubsub;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.testing.RespEncoder;

import java.nio.charset.StandardCharsets;

/**
 * A client of an in-process engine that keeps every byte the engine writes to it, replies and
 * messages alike, encoded as Redis would send them in the session's protocol.
 */
final class PubSubClient {
    final Engine engine;
    final Session session;
    private final RespEncoder out;

    PubSubClient(Engine engine, int protocol) {
        this.engine = engine;
        this.session = engine.connect(new Connection() {
            @Override public void closeAfterReply() { }
            @Override public String remoteAddress() { return "127.0.0.1:40000"; }
            @Override public String localAddress() { return "127.0.0.1:6379"; }
        });
        session.setProtocol(protocol);
        this.out = new RespEncoder(session::protocol);
    }

    /** Runs a command; returns what this client received since the last call (its reply included). */
    String run(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        engine.execute(session, argv, out);
        engine.afterBatch();
        return received();
    }

    /** What this client received since the last call, escaped as the golden files write RESP. */
    String received() {
        return RespEncoder.escape(new String(out.take(), StandardCharsets.ISO_8859_1));
    }

    /**
     * RESP for a frame of bulk strings, integers (Long/Integer) and nulls: an array in RESP2, a push
     * frame in RESP3, as Redis writes pub/sub frames.
     */
    static String frame(int protocol, Object... items) {
        StringBuilder sb = new StringBuilder().append(protocol == 3 ? '>' : '*').append(items.length).append("\r\n");
        for (Object item : items) {
            if (item == null) {
                sb.append(protocol == 3 ? "_" : "$-1").append("\r\n");
            } else if (item instanceof Number n) {
                sb.append(':').append(n.longValue()).append("\r\n");
            } else {
                String s = (String) item;
                sb.append('$').append(s.length()).append("\r\n").append(s).append("\r\n");
            }
        }
        return RespEncoder.escape(sb.toString());
    }
}
