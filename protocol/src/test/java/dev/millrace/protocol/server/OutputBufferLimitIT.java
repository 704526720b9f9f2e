package dev.millrace.protocol.server;

import dev.millrace.engine.config.OutputBufferLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * client-output-buffer-limit's pubsub class over real sockets: a subscriber that stops reading while a
 * publisher floods its channel is disconnected once its unsent output passes the hard limit, or stays
 * over the soft limit too long; the server stays up, a subscriber that reads gets every message, and
 * the slow client never received more than a fraction of what was published (its output was dropped,
 * not buffered).
 */
class OutputBufferLimitIT extends ClientsFixture {
    private static final String CHANNEL = "flood";
    private static final byte[] MESSAGE = "x".repeat(16 * 1024).getBytes(StandardCharsets.ISO_8859_1);

    @AfterEach
    void restoreDefault() {
        control.configSet("client-output-buffer-limit", OutputBufferLimits.DEFAULT);
    }

    /** A subscriber that reads its confirmation and then nothing more, with small socket buffers. */
    private static Socket slowSubscriber() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(8 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
        socket.setSoTimeout(10_000);
        String subscribe = "*2\r\n$9\r\nSUBSCRIBE\r\n$" + CHANNEL.length() + "\r\n" + CHANNEL + "\r\n";
        socket.getOutputStream().write(subscribe.getBytes(StandardCharsets.ISO_8859_1));
        String confirmation = "*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n";
        byte[] got = socket.getInputStream().readNBytes(confirmation.length());
        assertEquals(confirmation, new String(got, StandardCharsets.ISO_8859_1));
        return socket;
    }

    /** Reads what the server had sent before it closed the connection; fails if it stays open. */
    private static long drainUntilClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the slow subscriber is still connected after " + total + " bytes", e);
        } catch (IOException reset) {
            // closed with data unread by us: a reset is a close too
        }
        return total;
    }

    private static long subscribers() {
        return control.pubsubNumSub(CHANNEL).get(CHANNEL);
    }

    @Test
    void aSubscriberThatDoesNotReadIsClosedAtTheHardLimitWhileOthersGetEveryMessage() throws Exception {
        control.configSet("client-output-buffer-limit", "pubsub 1mb 256kb 60");
        int messages = 1000; // 16 MB in all
        AtomicInteger received = new AtomicInteger();
        JedisPubSub reader = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                if (received.incrementAndGet() == messages) {
                    unsubscribe();
                }
            }
        };
        Thread readerThread = new Thread(() -> {
            try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 30_000)) {
                jedis.subscribe(reader, CHANNEL);
            }
        });
        readerThread.start();
        try (Socket slow = slowSubscriber(); Jedis publisher = new Jedis("127.0.0.1", server.port(), 30_000)) {
            await().atMost(10, TimeUnit.SECONDS).until(() -> subscribers() == 2);
            // In rounds of 8 messages (128 KB), each published once the reader has had the last: the
            // reader never lags by more than a round, far below the 1 MB limit even on a starved
            // machine, while the slow subscriber's backlog grows until it is closed.
            Pipeline pipeline = publisher.pipelined();
            for (int published = 0; published < messages; ) {
                for (int i = 0; i < 8 && published < messages; i++, published++) {
                    pipeline.publish(CHANNEL.getBytes(StandardCharsets.ISO_8859_1), MESSAGE);
                }
                pipeline.sync();
                int expected = published;
                await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(1))
                        .until(() -> received.get() == expected);
            }
            readerThread.join(10_000);
            assertEquals(0, subscribers(), "the slow subscriber was disconnected, the reader unsubscribed");
            long slowGot = drainUntilClosed(slow);
            assertTrue(slowGot < (long) messages * MESSAGE.length / 2,
                    "the slow subscriber's output was dropped, not buffered: it got " + slowGot + " bytes");
            assertEquals("PONG", control.ping());
        }
    }

    @Test
    void aSubscriberOverTheSoftLimitForLongerThanItsSecondsIsClosed() throws Exception {
        control.configSet("client-output-buffer-limit", "pubsub 0 256kb 1");
        try (Socket slow = slowSubscriber(); Jedis publisher = new Jedis("127.0.0.1", server.port(), 30_000)) {
            long started = System.nanoTime();
            long published = 0;
            // Keep its output over the soft limit until the server gives up on it (bounded by the deadline).
            while (subscribers() == 1 && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(20)) {
                publisher.publish(CHANNEL.getBytes(StandardCharsets.ISO_8859_1), MESSAGE);
                published++;
            }
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(0, subscribers(), "closed after " + published + " messages");
            assertTrue(elapsedMillis >= 1000, "not before the soft seconds passed: " + elapsedMillis + " ms");
            drainUntilClosed(slow);
            assertEquals("PONG", control.ping());
        }
    }

    @Test
    void aNormalClientHasNoLimitByDefault() throws Exception {
        try (Jedis client = new Jedis("127.0.0.1", server.port(), 30_000)) {
            client.set("big".getBytes(StandardCharsets.ISO_8859_1), MESSAGE);
            Pipeline pipeline = client.pipelined();
            for (int i = 0; i < 2000; i++) {
                pipeline.get("big");
            }
            assertEquals(2000, pipeline.syncAndReturnAll().size());
            client.del("big");
        }
    }
}
