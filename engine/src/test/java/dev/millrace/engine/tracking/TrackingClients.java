package dev.millrace.engine.tracking;

import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.RespEncoder;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Several clients of one engine, each with its own connection output encoded as Redis writes it, and
 * an {@link InvalidationSink} that appends invalidation messages to the target's output after what it
 * already got, as the pub/sub delivery path does. Which clients are "subscribed" (RESP2 pub/sub mode)
 * is set by the test, pub/sub itself being another family.
 */
final class TrackingClients {
    final EngineHarness h = new EngineHarness();
    private final Map<Long, Client> byId = new HashMap<>();
    final Set<Long> subscribed = new HashSet<>();

    TrackingClients() {
        h.engine.tracking().sendThrough(new InvalidationSink() {
            @Override
            public void push(Session target, Consumer<ReplyWriter> message) {
                message.accept(byId.get(target.id()).out);
            }

            @Override
            public boolean subscribed(Session target) {
                return subscribed.contains(target.id());
            }
        });
    }

    /** A new client speaking {@code protocol}. */
    Client connect(int protocol) {
        Client client = new Client();
        client.session.setProtocol(protocol);
        byId.put(client.session.id(), client);
        return client;
    }

    /** One connection: its session and everything written to it. */
    final class Client {
        final Session session = h.engine.connect(new Connection() {
            @Override public void closeAfterReply() { }
            @Override public String remoteAddress() { return "127.0.0.1:" + (50000 + byId.size()); }
            @Override public String localAddress() { return "127.0.0.1:6379"; }
        });
        final RespEncoder out = new RespEncoder(session::protocol);

        long id() {
            return session.id();
        }

        /** Runs a command as one event-loop batch; returns what the connection got since last read. */
        String run(String... args) {
            byte[][] argv = new byte[args.length][];
            for (int i = 0; i < args.length; i++) {
                argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
            }
            h.engine.execute(session, argv, out);
            h.engine.afterBatch();
            return received();
        }

        /** What the connection got since the last read (replies and pushes), as RESP text. */
        String received() {
            return new String(out.take(), StandardCharsets.ISO_8859_1);
        }

        /** The connection closes. */
        void close() {
            h.engine.disconnect(session);
            byId.remove(session.id());
        }
    }
}
