package dev.millrace.protocol.server;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A script that runs past busy-reply-threshold, over real sockets: its hook reads every other client
 * (Redis's processEventsWhileBlocked), so clients connected before the script and clients connected
 * during it are both answered: BUSY, or what a busy Redis allows (SCRIPT KILL, HELLO, AUTH, ...), byte
 * for byte as redis-server 7.0.15 answered the same sequences. After the script every client carries
 * on as usual.
 */
class BusyScriptIT {
    private static final String LOOP = "*3\r\n$4\r\nEVAL\r\n$17\r\nwhile true do end\r\n$1\r\n0\r\n";
    private static final String BUSY = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";

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

    /** Starts the endless script on {@code runner} and waits until it has run past the threshold. */
    private void runEndlessScript(RawClient runner) throws IOException {
        runner.send(LOOP);
        try (RawClient probe = new RawClient(server.port())) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> probe.send("PING\r\n").line().startsWith("-BUSY"));
        }
    }

    /** Reads the rest of a HELLO reply after its header; returns the proto field's value. */
    private static String helloProto(RawClient client) throws IOException {
        String proto = null;
        for (String line = client.line(); !line.equals("*0"); line = client.line()) { // modules, the last field
            if (line.equals("proto")) {
                proto = client.line().substring(1);
            }
        }
        return proto;
    }

    private static void expectKilled(RawClient runner) throws IOException {
        String error = runner.line();
        assertTrue(error.startsWith("-ERR Script killed by user with SCRIPT KILL..."), error);
    }

    @Test
    void clientsConnectedBeforeTheScriptAreAnsweredAndOneOfThemKillsIt() throws IOException {
        startBusyServer("");
        try (RawClient runner = new RawClient(server.port());
             RawClient before = new RawClient(server.port());
             RawClient blocked = new RawClient(server.port())) {
            before.send("PING\r\n").expect("+PONG\r\n");
            blocked.send("BLPOP list 0\r\n");
            awaitBlockedClients(before, 1); // else the BLPOP may arrive during the script, and get BUSY
            runEndlessScript(runner);
            before.send("GET k\r\n").expect(BUSY);
            before.send("SET k v\r\n").expect(BUSY);
            before.send("SHUTDOWN\r\n").expect(BUSY);
            before.send("SHUTDOWN ABORT\r\n").expect("-ERR No shutdown in progress.\r\n");
            before.send("FUNCTION STATS\r\n").expect(BUSY);
            before.send("HELLO 3\r\n");
            assertEquals("%7", before.line());
            assertEquals("3", helloProto(before));
            before.send("HELLO 2\r\n");
            assertEquals("*14", before.line());
            assertEquals("2", helloProto(before));
            before.send("MULTI\r\nGET k\r\nEXEC\r\n").expect("+OK\r\n" + BUSY
                    + "-EXECABORT Transaction discarded because of: " + BUSY.substring(1));
            // one write: the commands after the kill are still answered while the script runs
            before.send("GET k\r\nSCRIPT KILL\r\nGET k\r\n").expect(BUSY + "+OK\r\n" + BUSY);
            expectKilled(runner);
            before.send("GET k\r\n").expect("$-1\r\n");
            before.send("RPUSH list a\r\n").expect(":1\r\n");
            blocked.expect("*2\r\n$4\r\nlist\r\n$1\r\na\r\n"); // stayed blocked through the script
            runner.send("PING\r\n").expect("+PONG\r\n");
        }
    }

    /** Waits until the server counts {@code n} blocked clients. */
    private static void awaitBlockedClients(RawClient client, int n) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
            client.send("INFO clients\r\n");
            int length = Integer.parseInt(client.line().substring(1));
            return client.read(length + 2).contains("blocked_clients:" + n + "\r\n");
        });
    }

    @Test
    void aConnectionOpenedWhileBusyMustAuthenticateAndThenCarriesOn() throws IOException {
        startBusyServer("secret");
        try (RawClient runner = new RawClient(server.port())) {
            runner.send("AUTH secret\r\n").expect("+OK\r\n");
            runner.send(LOOP);
            try (RawClient busy = new RawClient(server.port())) {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> busy.send("AUTH default secret\r\n").line().equals("+OK"));
                // connected while busy: the server's hook registered and answered it
                busy.send("GET k\r\n").expect(BUSY);
                busy.send("HELLO 3 SETNAME late\r\n");
                assertEquals("%7", busy.line());
                assertEquals("3", helloProto(busy));
                busy.send("SCRIPT ").send("KILL\r\n").expect("+OK\r\n"); // a partial command waits for its end
                expectKilled(runner);
                busy.send("CLIENT GETNAME\r\n").expect("$4\r\nlate\r\n");
                busy.send("SET k 1\r\nGET k\r\n").expect("+OK\r\n$1\r\n1\r\n");
                busy.send("SCRIPT KILL\r\n").expect("-NOTBUSY No scripts in execution right now.\r\n");
            }
            try (RawClient fresh = new RawClient(server.port())) {
                fresh.send("PING\r\n").expect("-NOAUTH Authentication required.\r\n");
            }
        }
    }

    @Test
    void lettuceConnectsWithItsResp3HandshakeWhileBusyAndKillsTheFunction() throws IOException {
        startBusyServer("");
        RedisClient lettuce = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
        lettuce.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
        try (RawClient runner = new RawClient(server.port())) {
            runner.send("FUNCTION LOAD \"#!lua name=lib\\nredis.register_function('spin', function() while true do end end)\"\r\n")
                    .expect("$3\r\nlib\r\n");
            runner.send("FCALL spin 0\r\n");
            try (RawClient probe = new RawClient(server.port())) {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> probe.send("PING\r\n").line().startsWith("-BUSY"));
            }
            // HELLO 3 is the handshake; it is allowed while a script is busy, as in Redis
            try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
                RedisCommands<String, String> redis = connection.sync();
                RedisBusyException busy = assertThrows(RedisBusyException.class, () -> redis.get("k"));
                assertEquals(BUSY.substring(1, BUSY.length() - 2).replace("SCRIPT KILL", "FUNCTION KILL"), busy.getMessage());
                assertEquals("OK", redis.functionKill());
                String error = runner.line();
                assertTrue(error.startsWith("-ERR Script killed by user with SCRIPT KILL... script: spin"), error);
                assertEquals("OK", redis.set("k", "v"));
            }
        } finally {
            lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void clientsThatHangUpOrResetWhileBusyAreLeftToNettyAndTheOthersAreServed() throws IOException {
        startBusyServer("");
        try (RawClient runner = new RawClient(server.port());
             RawClient closing = new RawClient(server.port());
             RawClient resetting = new RawClient(server.port());
             RawClient before = new RawClient(server.port())) {
            for (RawClient client : new RawClient[] {closing, resetting, before}) {
                client.send("PING\r\n").expect("+PONG\r\n");
            }
            runEndlessScript(runner);
            closing.send("GET k\r\n").close(); // its read may see the command, then the end
            resetting.send("GET k\r\n").reset(); // its read may fail with ECONNRESET
            before.send("GET k\r\n").expect(BUSY);
            before.send("SCRIPT KILL\r\n").expect("+OK\r\n");
            expectKilled(runner);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> before.send("INFO clients\r\n").read(Integer.parseInt(before.line().substring(1)) + 2)
                            .contains("connected_clients:2\r\n")); // runner and before: both gone ones forgotten
            runner.send("PING\r\n").expect("+PONG\r\n");
        }
    }

    @Test
    void malformedInputWhileBusyGetsTheProtocolErrorAndTheServerCarriesOn() throws IOException {
        startBusyServer("");
        try (RawClient runner = new RawClient(server.port());
             RawClient before = new RawClient(server.port())) {
            before.send("PING\r\n").expect("+PONG\r\n");
            runEndlessScript(runner);
            before.send("*1\r\n$abc\r\n").expect("-ERR Protocol error: invalid bulk length\r\n");
            before.expectClosed();
            try (RawClient broken = new RawClient(server.port())) {
                broken.send("*1\r\n$abc\r\n").expect("-ERR Protocol error: invalid bulk length\r\n");
                broken.expectClosed();
            }
            try (RawClient killer = new RawClient(server.port())) {
                killer.send("SCRIPT KILL\r\n").expect("+OK\r\n");
                expectKilled(runner);
                killer.send("PING\r\n").expect("+PONG\r\n");
            }
            runner.send("PING\r\n").expect("+PONG\r\n");
        }
    }
}
