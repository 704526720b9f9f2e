package dev.millrace.protocol.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** A plain socket speaking raw bytes to the server, to see exactly what goes over the wire. */
final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads exactly as many bytes as {@code expected} has and compares them. */
    RawClient expect(String expected) throws IOException {
        assertEquals(expected, read(expected.length()));
        return this;
    }

    String read(int length) throws IOException {
        byte[] buf = new byte[length];
        int at = 0;
        while (at < length) {
            int n = in.read(buf, at, length - at);
            if (n < 0) {
                fail("connection closed after " + new String(buf, 0, at, StandardCharsets.ISO_8859_1));
            }
            at += n;
        }
        return new String(buf, StandardCharsets.ISO_8859_1);
    }

    /** Reads one line, without its CRLF. */
    String line() throws IOException {
        StringBuilder line = new StringBuilder();
        while (line.length() < 2 || line.charAt(line.length() - 2) != '\r' || line.charAt(line.length() - 1) != '\n') {
            int b = in.read();
            if (b < 0) {
                fail("connection closed after " + line);
            }
            line.append((char) b);
        }
        return line.substring(0, line.length() - 2);
    }

    /** Asserts the server closes the connection without sending anything more. */
    void expectClosed() throws IOException {
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                extra.write(b);
            }
        } catch (SocketTimeoutException e) {
            fail("connection still open; unread: " + extra.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException reset) {
            // A reset also means closed (the server closed with our bytes unread).
        }
        assertEquals("", extra.toString(StandardCharsets.ISO_8859_1), "bytes before the close");
    }

    /** Closes with a TCP reset instead of the orderly end: the server's next read fails. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
