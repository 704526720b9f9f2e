package dev.millrace.protocol.server;

import dev.millrace.engine.Clock;
import dev.millrace.engine.effect.EffectLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server over raw sockets: framing, pipelining, protocol errors, limits, the cron and the
 * lifecycle. Replies here are the dispatcher's own "unknown command" errors, so these tests need no
 * command family: they check the transport, whatever commands exist.
 */
class RespServerIT {

    private static String unknown(String name, String... args) {
        StringBuilder quoted = new StringBuilder();
        for (String arg : args) {
            quoted.append('\'').append(arg).append("' ");
        }
        return "-ERR unknown command '" + name + "', with args beginning with: " + quoted + "\r\n";
    }

    @Test
    void repliesToInlineAndArrayRequests() throws Exception {
        try (TestServer server = TestServer.start(); RawClient client = new RawClient(server.port())) {
            assertTrue(server.port() > 0);
            client.send("NOSUCH a \"b c\"\r\n").expect(unknown("NOSUCH", "a", "b c"));
            client.send("*2\r\n$6\r\nNOSUCH\r\n$1\r\nx\r\n").expect(unknown("NOSUCH", "x"));
        }
    }

    @Test
    void aRequestSentByteByByteIsAnsweredOnce() throws Exception {
        try (TestServer server = TestServer.start(); RawClient client = new RawClient(server.port())) {
            for (byte b : "*2\r\n$3\r\nFOO\r\n$3\r\nbar\r\n".getBytes()) {
                client.send(new byte[]{b});
            }
            client.expect(unknown("FOO", "bar"));
            client.send("FOO\r\n").expect(unknown("FOO"));
        }
    }

    @Test
    void tenThousandPipelinedCommandsAreAnsweredInOrder() throws Exception {
        try (TestServer server = TestServer.start(); RawClient client = new RawClient(server.port())) {
            StringBuilder requests = new StringBuilder();
            StringBuilder replies = new StringBuilder();
            for (int i = 0; i < 10_000; i++) {
                requests.append("*2\r\n$4\r\nNOPE\r\n$").append(Integer.toString(i).length()).append("\r\n").append(i).append("\r\n");
                replies.append(unknown("NOPE", Integer.toString(i)));
            }
            client.send(requests.toString()).expect(replies.toString());
        }
    }

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                Arguments.of("bad type byte", "*1\r\nX\r\n", "expected '$', got 'X'"),
                Arguments.of("negative bulk length", "*1\r\n$-1\r\n", "invalid bulk length"),
                Arguments.of("bulk longer than proto-max-bulk-len", "*1\r\n$536870913\r\n", "invalid bulk length"),
                Arguments.of("huge multibulk length", "*2147483648\r\n", "invalid multibulk length"),
                Arguments.of("non-numeric multibulk length", "*x\r\n", "invalid multibulk length"),
                Arguments.of("headers without CR", "*1\n$4\nPING\n" + "x".repeat(70_000), "too big mbulk count string"),
                Arguments.of("bulk header without CR", "*1\r\n$4" + "4".repeat(70_000), "too big bulk count string"),
                Arguments.of("1 MB inline line", "A".repeat(1024 * 1024), "too big inline request"),
                Arguments.of("unbalanced quotes", "SET k \"v\r\n", "unbalanced quotes in request"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void aMalformedRequestGetsRedissErrorAndTheConnectionClosesWhileOthersAreServed(
            String what, String request, String error) throws Exception {
        try (TestServer server = TestServer.start();
             RawClient bystander = new RawClient(server.port());
             RawClient offender = new RawClient(server.port())) {
            bystander.send("BEFORE\r\n").expect(unknown("BEFORE"));
            try {
                offender.send("FIRST\r\n" + request);
            } catch (IOException reset) {
                // A big request may still be on its way when the server closes; the reply came first.
            }
            offender.expect(unknown("FIRST") + "-ERR Protocol error: " + error + "\r\n");
            offender.expectClosed();
            bystander.send("AFTER\r\n").expect(unknown("AFTER"));
        }
    }

    @Test
    void inputAfterAProtocolErrorIsIgnored() throws Exception {
        try (TestServer server = TestServer.start(); RawClient client = new RawClient(server.port())) {
            client.send("ONE\r\n*1\r\n$x\r\nTWO\r\n")
                    .expect(unknown("ONE") + "-ERR Protocol error: invalid bulk length\r\n");
            client.expectClosed();
        }
    }

    @Test
    void aQueryBufferOverTheLimitClosesWithoutAReply() throws Exception {
        try (TestServer server = TestServer.start(config -> config.set("client-query-buffer-limit", "1mb", true));
             RawClient client = new RawClient(server.port())) {
            client.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n");
            try {
                client.send(new byte[1100 * 1024]);
            } catch (IOException reset) {
                // The server may close while we still write.
            }
            client.expectClosed();
            try (RawClient other = new RawClient(server.port())) {
                other.send("STILL\r\n").expect(unknown("STILL"));
            }
        }
    }

    @Test
    void maxclientsRefusesTheClientOverTheLimit() throws Exception {
        try (TestServer server = TestServer.start(config -> config.set("maxclients", "2", true));
             RawClient first = new RawClient(server.port());
             RawClient second = new RawClient(server.port())) {
            first.send("A\r\n").expect(unknown("A"));
            second.send("B\r\n").expect(unknown("B"));
            try (RawClient third = new RawClient(server.port())) {
                third.expect("-ERR max number of clients reached\r\n");
                third.expectClosed();
            }
            first.close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (RawClient again = new RawClient(server.port())) {
                    again.send("C\r\n").expect(unknown("C"));
                }
            });
        }
    }

    @Test
    void countsNetworkBytes() throws Exception {
        try (TestServer server = TestServer.start(); RawClient client = new RawClient(server.port())) {
            client.send("NOSUCH\r\n").expect(unknown("NOSUCH"));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.engine.stats().netOutputBytes == unknown("NOSUCH").length());
            assertEquals("NOSUCH\r\n".length(), server.engine.stats().netInputBytes);
        }
    }

    @Test
    void cronRunsHzTimesASecond() throws Exception {
        AtomicLong clockReads = new AtomicLong();
        Clock counting = () -> {
            clockReads.incrementAndGet();
            return System.currentTimeMillis();
        };
        try (TestServer server = new TestServer(config -> config.set("hz", "100", true), EffectLog.NONE, counting)) {
            long before = clockReads.get();
            await().atMost(Duration.ofSeconds(5)).until(() -> clockReads.get() - before >= 20);
        }
    }

    @Test
    void bindsEveryAddressSkippingUnavailableOptionalOnes() throws Exception {
        try (TestServer server = TestServer.start(config -> config.set("bind", "-192.0.2.1 127.0.0.1 -::1", true))) {
            List<String> hosts = new ArrayList<>();
            for (InetSocketAddress address : server.server.boundAddresses()) {
                hosts.add(address.getAddress().getHostAddress());
                assertEquals(server.port(), address.getPort(), "one ephemeral port for every address");
            }
            assertTrue(hosts.contains("127.0.0.1"), hosts.toString());
            assertFalse(hosts.contains("192.0.2.1"), hosts.toString());
        }
    }

    @Test
    void aRequiredAddressThatCannotBeBoundFailsTheStart() {
        IOException e = assertThrows(IOException.class,
                () -> TestServer.start(config -> config.set("bind", "192.0.2.1", true)));
        assertTrue(e.getMessage().startsWith("Could not create server TCP listening socket 192.0.2.1:0"), e.getMessage());
    }

    @Test
    void closeDisconnectsClientsAndStopsListening() throws Exception {
        TestServer server = TestServer.start();
        int port = server.port();
        try (RawClient client = new RawClient(port)) {
            client.send("X\r\n").expect(unknown("X"));
            server.close();
            client.expectClosed();
            assertEquals(0, server.engine.clients().count());
        }
        assertThrows(ConnectException.class, () -> new Socket().connect(new InetSocketAddress("127.0.0.1", port), 1000));
    }

    @Test
    void aHundredConcurrentConnectionsAreServed() throws Exception {
        try (TestServer server = TestServer.start()) {
            List<RawClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    clients.add(new RawClient(server.port()));
                }
                for (int round = 0; round < 10; round++) {
                    for (int i = 0; i < clients.size(); i++) {
                        clients.get(i).send("C" + i + " " + round + "\r\n");
                    }
                    for (int i = 0; i < clients.size(); i++) {
                        clients.get(i).expect(unknown("C" + i, Integer.toString(round)));
                    }
                }
                assertEquals(100, server.engine.clients().count());
            } finally {
                for (RawClient client : clients) {
                    client.close();
                }
            }
        }
    }
}
