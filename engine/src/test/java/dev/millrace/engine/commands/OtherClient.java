package dev.millrace.engine.commands;

import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.ReplyCapture;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** A second connection to a harness's engine, from a given address, collecting every reply it gets. */
final class OtherClient {
    final Session session;
    final ReplyCapture capture;
    private final EngineHarness h;
    boolean closed;

    OtherClient(EngineHarness h, String remoteAddress, int protocol) {
        this.h = h;
        this.capture = new ReplyCapture(protocol);
        this.session = h.engine.connect(new Connection() {
            @Override public void closeAfterReply() { closed = true; }
            @Override public String remoteAddress() { return remoteAddress; }
            @Override public String localAddress() { return "127.0.0.1:6379"; }
        });
        session.setProtocol(protocol);
    }

    /** Runs a command; returns the last reply received (replies may be dropped by CLIENT REPLY). */
    Object run(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        h.engine.execute(session, argv, capture);
        h.engine.afterBatch();
        return capture.replies().isEmpty() ? null : capture.last();
    }

    List<Object> replies() {
        return capture.replies();
    }
}
