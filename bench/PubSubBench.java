import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * PUBLISH fan-out, as bench/pubsub.sh runs it against Millrace and redis-server (a single-file program
 * on plain sockets, no dependencies: {@code java bench/PubSubBench.java PORT SUBSCRIBERS MESSAGES
 * PIPELINE SIZE}).
 *
 * <p>SUBSCRIBERS connections subscribe to one channel, each read by a thread of its own that counts
 * the bytes it receives (every message frame has the same size). One publisher sends MESSAGES PUBLISH
 * commands of SIZE-byte messages, PIPELINE at a time (it reads a window's replies before sending the
 * next one). The clock runs from the first PUBLISH until every subscriber holds every message. Prints
 * one line: published messages/s and delivered messages/s (published x subscribers).
 */
public class PubSubBench {
    private static final String CHANNEL = "bench-channel";

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int subscribers = Integer.parseInt(args[1]);
        int messages = Integer.parseInt(args[2]);
        int pipeline = Integer.parseInt(args[3]);
        byte[] message = "m".repeat(Integer.parseInt(args[4])).getBytes(StandardCharsets.US_ASCII);
        long frameBytes = frame("message", CHANNEL, new String(message, StandardCharsets.US_ASCII)).length;
        long expectedBytes = frameBytes * messages;

        CountDownLatch done = new CountDownLatch(subscribers);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(120_000);
            sockets.add(socket);
            socket.getOutputStream().write(command("SUBSCRIBE", CHANNEL));
            byte[] confirmation = frame("subscribe", CHANNEL, null);
            readExactly(socket.getInputStream(), confirmation.length);
            Thread reader = new Thread(() -> {
                try {
                    drain(socket.getInputStream(), expectedBytes);
                    done.countDown();
                } catch (IOException e) {
                    System.err.println("subscriber failed: " + e);
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        try (Socket publisher = new Socket("127.0.0.1", port)) {
            publisher.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(publisher.getOutputStream(), 1 << 16);
            InputStream in = publisher.getInputStream();
            byte[] publish = command("PUBLISH", CHANNEL, new String(message, StandardCharsets.US_ASCII));
            int replyBytes = (":" + subscribers + "\r\n").length();
            long started = System.nanoTime();
            for (int sent = 0; sent < messages; ) {
                int window = Math.min(pipeline, messages - sent);
                for (int i = 0; i < window; i++) {
                    out.write(publish);
                }
                out.flush();
                String replies = new String(readExactly(in, replyBytes * window), StandardCharsets.US_ASCII);
                if (!replies.startsWith(":" + subscribers + "\r\n")) {
                    throw new IllegalStateException("PUBLISH reached fewer subscribers: " + replies.substring(0, replyBytes));
                }
                sent += window;
            }
            long published = System.nanoTime() - started;
            if (!done.await(300, TimeUnit.SECONDS)) {
                throw new IllegalStateException("subscribers did not receive every message");
            }
            long delivered = System.nanoTime() - started;
            System.out.printf("%d subscribers, %d messages of %d bytes, -P %d: published %.0f msg/s, delivered %.0f msg/s%n",
                    subscribers, messages, message.length, pipeline,
                    messages / (published / 1e9), (double) messages * subscribers / (delivered / 1e9));
        }
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private static void drain(InputStream in, long expected) throws IOException {
        byte[] buf = new byte[1 << 16];
        long got = 0;
        while (got < expected) {
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("closed after " + got + " of " + expected + " bytes");
            }
            got += n;
        }
    }

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] buf = in.readNBytes(length);
        if (buf.length != length) {
            throw new IOException("closed");
        }
        return buf;
    }

    private static byte[] command(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            sb.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A RESP2 pub/sub frame: [kind, channel, message] or, with a null message, a confirmation of 1. */
    private static byte[] frame(String kind, String channel, String message) {
        StringBuilder sb = new StringBuilder("*3\r\n");
        sb.append('$').append(kind.length()).append("\r\n").append(kind).append("\r\n");
        sb.append('$').append(channel.length()).append("\r\n").append(channel).append("\r\n");
        if (message == null) {
            sb.append(":1\r\n");
        } else {
            sb.append('$').append(message.length()).append("\r\n").append(message).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
