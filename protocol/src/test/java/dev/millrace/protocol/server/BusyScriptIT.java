package dev.millrace.protocol.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A script that runs past busy-reply-threshold, over real sockets: a connection opened meanwhile is
 * answered BUSY, can SCRIPT KILL it, and then carries on as an ordinary client; a client connected
 * before waits for its reply, as in Redis.
 */
class BusyScriptIT {
    private static final String LOOP = "*3\r\n$4\r\nEVAL\r\n$17\r\nwhile true do end\r\n$1\r\n0\r\n";
    private static final String BUSY = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void startBusyServer(String requirepass) throws IOException {
        server = TestServer.start(config -> {
            config.set("busy-reply-threshold", "100", true);
            config.set("requirepass", requirepass, true);
        });
    }

    /** Starts the endless script on {@code runner} and waits until the server counts as busy. */
    private void runEndlessScript(RawClient runner) throws IOException {
        runner.send(LOOP);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            long since = server.engine.scripting().runningSince();
            return since >= 0 && System.currentTimeMillis() - since > 150;
        });
    }

    @Test
    void aNewConnectionIsAnsweredBusyAndKillsTheScriptThenCarriesOn() throws IOException {
        startBusyServer("");
        try (RawClient runner = new RawClient(server.port());
             RawClient waiting = new RawClient(server.port());
             RawClient idle = new RawClient(server.port())) {
            waiting.send("PING\r\n").expect("+PONG\r\n");
            runEndlessScript(runner);
            waiting.send("SET k v\r\n");
            try (RawClient late = new RawClient(server.port())) {
                late.send("GET k\r\n");
                assertEquals(BUSY, late.line());
            }
            // connected while busy: answered on the busy loop, moved to the execution loop afterwards
            RawClient busy = new RawClient(server.port());
            busy.send("*2\r\n$6\r\nSCRIPT\r\n$4\r\nKILL\r\n").expect("+OK\r\n");
            String error = runner.line();
            assertTrue(error.startsWith("-ERR Script killed by user with SCRIPT KILL..."), error);
            waiting.expect("+OK\r\n");
            busy.send("GET k\r\n").expect("$1\r\nv\r\n");
            busy.send("SCRIPT KILL\r\n").expect("-NOTBUSY No scripts in execution right now.\r\n");
            busy.close();
            idle.send("PING\r\n").expect("+PONG\r\n");
        }
    }

    @Test
    void aBusyTimeConnectionMustAuthenticateAndKeepsItsAuthentication() throws IOException {
        startBusyServer("secret");
        try (RawClient runner = new RawClient(server.port())) {
            runner.send("AUTH secret\r\n").expect("+OK\r\n");
            runEndlessScript(runner);
            try (RawClient busy = new RawClient(server.port())) {
                busy.send("SCRIPT KILL\r\n").expect("-NOAUTH Authentication required.\r\n");
                busy.send("AUTH wrong\r\n").expect("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
                busy.send("AUTH default secret\r\n").expect("+OK\r\n");
                busy.send("GET k\r\n");
                assertEquals(BUSY, busy.line());
                // a partial command waits for its end, then the kill and what follows it in one write
                busy.send("SCRIPT ").send("KILL\r\n").expect("+OK\r\n");
                assertTrue(runner.line().startsWith("-ERR Script killed by user"));
                busy.send("SET k 1\r\nGET k\r\n").expect("+OK\r\n$1\r\n1\r\n");
            }
        }
    }

    @Test
    void malformedInputOnABusyTimeConnectionGetsTheProtocolErrorAndTheServerCarriesOn() throws IOException {
        startBusyServer("");
        try (RawClient runner = new RawClient(server.port())) {
            runEndlessScript(runner);
            try (RawClient broken = new RawClient(server.port())) {
                broken.send("*1\r\n$abc\r\n");
                assertEquals("-ERR Protocol error: invalid bulk length", broken.line());
                broken.expectClosed();
            }
            try (RawClient killer = new RawClient(server.port())) {
                killer.send("SCRIPT KILL\r\n").expect("+OK\r\n");
                assertTrue(runner.line().startsWith("-ERR Script killed by user"));
                killer.send("PING\r\n").expect("+PONG\r\n");
            }
            runner.send("PING\r\n").expect("+PONG\r\n");
        }
    }
}
