package dev.millrace.protocol.compat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A plain socket to a RESP server that returns each reply as the raw bytes the server sent, so two
 * servers' replies can be compared byte for byte. Not thread-safe.
 */
final class RespConnection implements AutoCloseable {
    /** Replies come in microseconds; a server that is silent this long will not answer. */
    private static final int REPLY_TIMEOUT_MILLIS = 3_000;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RespConnection(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends a command as a RESP array of bulk strings and returns its reply. */
    byte[] call(byte[][] args) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] arg : args) {
            request.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(arg);
            request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return send(request.toByteArray(), 1);
    }

    /** Sends bytes as they are and returns the {@code replies} replies they produce, one after the other. */
    byte[] send(byte[] bytes, int replies) throws IOException {
        out.write(bytes);
        out.flush();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        for (int i = 0; i < replies; i++) {
            readReply(reply);
        }
        return reply.toByteArray();
    }

    /** Whether the server closes the connection within a second, with nothing more to read. */
    boolean closedByServer() throws IOException {
        socket.setSoTimeout(1_000);
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        } finally {
            socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
        }
    }

    /** Reads one whole reply (aggregates with their elements; an attribute with the reply it annotates). */
    private void readReply(ByteArrayOutputStream reply) throws IOException {
        byte[] line = readLine();
        reply.writeBytes(line);
        char type = (char) line[0];
        String body = new String(line, 1, line.length - 3, StandardCharsets.US_ASCII);
        switch (type) {
            case '$', '=', '!' -> {
                int length = Integer.parseInt(body);
                if (length >= 0) {
                    reply.writeBytes(in.readNBytes(length + 2));
                }
            }
            case '*', '~', '>', '%', '|' -> {
                long count = Long.parseLong(body);
                long elements = type == '%' || type == '|' ? count * 2 : count;
                for (long i = 0; i < elements; i++) {
                    readReply(reply);
                }
                if (type == '|') {
                    readReply(reply);
                }
            }
            default -> { } // + - : _ , # ( are one line
        }
    }

    private byte[] readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed after " + line.toString(StandardCharsets.ISO_8859_1));
            }
            line.write(b);
            if (previous == '\r' && b == '\n') {
                return line.toByteArray();
            }
            previous = b;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
