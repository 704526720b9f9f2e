package dev.millrace.protocol.server;

import dev.millrace.engine.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.UnblockType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocking commands over real connections, watched byte by byte: clients served in the order they
 * blocked, timeouts (fractional, and 0 waiting until a push), a client that disconnects while blocked,
 * the commands a blocked client pipelined after its blocking one (they wait for it), CLIENT UNBLOCK,
 * and, with appendfsync always, a served pop that is logged as LPOP and synced before its reply.
 * Waits use Awaitility on INFO's blocked_clients.
 */
class BlockingIT extends ClientsFixture {
    @BeforeEach
    void noClientIsBlocked() {
        await().atMost(10, TimeUnit.SECONDS).until(() -> blocked(control) == 0);
        control.flushAll();
    }

    private static long blocked(Jedis jedis) {
        return ListIT.blockedClients(jedis.info("clients"));
    }

    private static void awaitBlocked(Jedis jedis, long count) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> blocked(jedis) == count);
    }

    /** A command as a RESP array of bulk strings. */
    private static String resp(String... args) {
        StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            out.append('$').append(arg.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(arg).append("\r\n");
        }
        return out.toString();
    }

    @Test
    void clientsAreServedInTheOrderTheyBlocked() throws IOException {
        try (RawClient first = new RawClient(server.port());
             RawClient second = new RawClient(server.port());
             RawClient third = new RawClient(server.port())) {
            first.send(resp("BLPOP", "fifo", "0"));
            awaitBlocked(control, 1);
            second.send(resp("BRPOP", "other", "fifo", "0"));
            awaitBlocked(control, 2);
            third.send(resp("BLMPOP", "0", "1", "fifo", "LEFT", "COUNT", "5"));
            awaitBlocked(control, 3);
            assertEquals(4, control.rpush("fifo", "a", "b", "c", "d"));
            first.expect(resp("fifo", "a"));
            second.expect(resp("fifo", "d"));
            third.expect("*2\r\n$4\r\nfifo\r\n" + resp("b", "c"));
            assertEquals(0, blocked(control));
            assertFalse(control.exists("fifo"));
        }
    }

    @Test
    void fractionalTimeoutsEndInANullOfTheClientsProtocol() throws IOException {
        try (RawClient resp2 = new RawClient(server.port()); RawClient resp3 = new RawClient(server.port())) {
            long start = System.nanoTime();
            resp2.send(resp("BLPOP", "t", "0.3"));
            resp2.expect("*-1\r\n");
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsed >= 300, "timed out after " + elapsed + " ms");
            resp3.send(resp("HELLO", "3") + resp("PING"));
            readUntil(resp3, "+PONG\r\n");
            resp3.send(resp("BLMOVE", "t", "d", "LEFT", "LEFT", "0.15"));
            resp3.expect("_\r\n");
            resp2.send(resp("BRPOPLPUSH", "t", "d", "0.1"));
            resp2.expect("*-1\r\n");
        }
    }

    /** Reads up to and including {@code end}. */
    private static String readUntil(RawClient client, String end) throws IOException {
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().endsWith(end)) {
            seen.append(client.read(1));
        }
        return seen.toString();
    }

    @Test
    void timeoutZeroWaitsUntilAPush() throws IOException {
        try (RawClient waiter = new RawClient(server.port())) {
            waiter.send(resp("BRPOP", "z", "0"));
            awaitBlocked(control, 1);
            await().during(Duration.ofMillis(500)).atMost(5, TimeUnit.SECONDS).until(() -> blocked(control) == 1);
            control.lpush("z", "late");
            waiter.expect(resp("z", "late"));
        }
    }

    @Test
    void aClientThatDisconnectsWhileBlockedIsForgotten() throws IOException {
        RawClient gone = new RawClient(server.port());
        gone.send(resp("BLPOP", "d", "0"));
        awaitBlocked(control, 1);
        gone.close();
        awaitBlocked(control, 0);
        control.rpush("d", "kept");
        assertEquals(List.of("kept"), control.lrange("d", 0, -1));
    }

    @Test
    void commandsPipelinedAfterABlockingOneWaitForIt() throws IOException {
        try (RawClient client = new RawClient(server.port())) {
            client.send(resp("BLPOP", "p", "0") + resp("SET", "after", "1") + resp("GET", "after")
                    + resp("BLPOP", "p", "0") + resp("PING"));
            awaitBlocked(control, 1);
            assertNull(control.get("after"), "the SET behind the blocked BLPOP has not run");
            control.rpush("p", "one");
            client.expect(resp("p", "one") + "+OK\r\n$1\r\n1\r\n");
            awaitBlocked(control, 1); // the second BLPOP
            assertEquals("1", control.get("after"));
            control.rpush("p", "two");
            client.expect(resp("p", "two") + "+PONG\r\n");
            client.send(resp("PING"));
            client.expect("+PONG\r\n");
        }
    }

    @Test
    void clientUnblockAnswersAsATimeoutOrWithAnError() throws IOException {
        try (RawClient client = new RawClient(server.port())) {
            client.send(resp("CLIENT", "ID"));
            String idLine = readUntil(client, "\r\n");
            long id = Long.parseLong(idLine.substring(1, idLine.length() - 2));
            client.send(resp("BLPOP", "u", "0") + resp("PING"));
            awaitBlocked(control, 1);
            assertEquals(1L, control.clientUnblock(id));
            client.expect("*-1\r\n+PONG\r\n");
            client.send(resp("BLMOVE", "u", "v", "LEFT", "LEFT", "0"));
            awaitBlocked(control, 1);
            assertEquals(1L, control.clientUnblock(id, UnblockType.ERROR));
            client.expect("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
            assertEquals(0L, control.clientUnblock(id));
        }
    }

    @Test
    void aServedPopIsLoggedAsLpopAndSyncedBeforeItsReply() throws Exception {
        RecordingLog log = new RecordingLog();
        try (TestServer durable = new TestServer(config -> config.set("appendfsync", "always", true), log, Clock.SYSTEM);
             Jedis pusher = new Jedis("127.0.0.1", durable.port(), 10_000);
             RawClient waiter = new RawClient(durable.port())) {
            waiter.send(resp("BLPOP", "q", "0"));
            awaitBlocked(pusher, 1);
            pusher.rpush("q", "a");
            waiter.expect(resp("q", "a"));
            assertTrue(log.synced("q"), "the served reply came before its effect was synced");
            List<String> effects = log.logged;
            String pushRecord = effects.stream().filter(e -> e.endsWith(" 0:RPUSH q a")).findFirst().orElseThrow();
            String record = pushRecord.substring(0, pushRecord.indexOf(' '));
            assertTrue(effects.contains(record + " 0:LPOP q"), "LPOP q logged with the push: " + effects);
        }
    }
}
