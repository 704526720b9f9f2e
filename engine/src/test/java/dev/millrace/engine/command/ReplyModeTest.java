package dev.millrace.engine.command;

import dev.millrace.engine.testing.EngineHarness;
import dev.millrace.engine.testing.ReplyCapture;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.millrace.engine.testing.EngineHarness.err;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** CLIENT REPLY ON|OFF|SKIP as the dispatcher applies it: replies are dropped, commands still run. */
class ReplyModeTest {
    private final EngineHarness h = new EngineHarness();
    private final ReplyCapture capture = new ReplyCapture(2);

    private void send(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        h.engine.execute(h.session, argv, capture);
    }

    @Test
    void offDropsEveryReplyUntilOnWhichIsAnswered() {
        send("CLIENT", "REPLY", "OFF");
        send("PING");
        send("CLIENT", "SETNAME", "quiet");
        send("NOSUCH");
        send("CLIENT", "REPLY", "ON");
        send("CLIENT", "GETNAME");
        assertEquals(List.of("OK", "quiet"), capture.replies());
    }

    /** A command that fails inside the server (on a truncated record) answers as its mode says, like any error. */
    @Test
    void offAndSkipAlsoDropTheErrorOfACommandThatFailsInsideTheServer() {
        h.store().put(0, "corrupt".getBytes(StandardCharsets.UTF_8), new byte[]{1});
        send("CLIENT", "REPLY", "OFF");
        send("GET", "corrupt");
        send("CLIENT", "REPLY", "SKIP");
        send("CLIENT", "REPLY", "ON");
        send("CLIENT", "REPLY", "SKIP");
        send("GET", "corrupt");
        send("ECHO", "seen");
        assertEquals(List.of("OK", "seen"), capture.replies());
    }

    @Test
    void skipDropsTheNextReplyOnly() {
        send("CLIENT", "REPLY", "SKIP");
        send("ECHO", "skipped");
        send("ECHO", "seen");
        assertEquals(List.of("seen"), capture.replies());
    }

    @Test
    void skipAlsoDropsAnErrorAndSkipAfterSkipKeepsSkipping() {
        send("CLIENT", "REPLY", "SKIP");
        send("SELECT", "nope");
        send("CLIENT", "REPLY", "SKIP");
        send("ECHO", "skipped too");
        send("ECHO", "seen");
        assertEquals(List.of("seen"), capture.replies());
    }

    @Test
    void skipIsIgnoredWhileOffAndOnDuringASkipIsAnswered() {
        send("CLIENT", "REPLY", "OFF");
        send("CLIENT", "REPLY", "SKIP");
        send("ECHO", "dropped");
        send("CLIENT", "REPLY", "ON");
        send("CLIENT", "REPLY", "SKIP");
        send("CLIENT", "REPLY", "ON");
        send("ECHO", "after");
        assertEquals(List.of("OK", "OK", "after"), capture.replies());
    }

    @Test
    void resetTurnsRepliesBackOnAndBadModesAreSyntaxErrors() {
        send("CLIENT", "REPLY", "OFF");
        send("RESET");
        send("CLIENT", "REPLY", "LOUD");
        assertEquals(List.of("RESET", err("ERR syntax error")), capture.replies());
    }
}
