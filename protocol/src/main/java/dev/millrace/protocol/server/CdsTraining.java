package dev.millrace.protocol.server;

import dev.millrace.engine.config.ServerConfig;
import org.slf4j.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run for the launcher's class-data sharing archive: run once under
 * {@code -XX:ArchiveClassesAtExit=<archive>} after each build, it starts a real server in this JVM on an
 * ephemeral port over an empty temporary directory, sends it typical commands over a socket in RESP2
 * and RESP3, stops it cleanly and exits, so the archive holds the classes a start-up, the first
 * commands and a shutdown load. Later launches map them from the archive instead of loading and
 * verifying them from the jars (see docs/performance.md, "Start-up").
 *
 * <p>Exits 0 when the server started and answered every command, 1 otherwise (the launcher then
 * discards the archive and starts without it).
 */
public final class CdsTraining {
    /** Replies come in microseconds; a server silent this long is broken and the training fails. */
    private static final int REPLY_TIMEOUT_MILLIS = 30_000;

    /**
     * One pipeline per protocol version, ending with QUIT so the server closes the connection after its
     * last reply. A command family each, plus an error, a transaction and a script.
     */
    private static final List<List<String>> COMMANDS = List.of(
            List.of("PING"), List.of("CLIENT", "SETNAME", "cds"), List.of("INFO", "server"),
            List.of("CONFIG", "GET", "maxmemory"), List.of("SELECT", "0"), List.of("NOSUCHCOMMAND"),
            List.of("SET", "s", "v"), List.of("GET", "s"), List.of("SET", "t", "v", "EX", "100"), List.of("TTL", "t"),
            List.of("INCR", "n"), List.of("MSET", "a", "1", "b", "2"), List.of("MGET", "a", "b"),
            List.of("EXISTS", "a"), List.of("DEL", "a"), List.of("EXPIRE", "b", "100"),
            List.of("LPUSH", "l", "1", "2", "3"), List.of("RPOP", "l"), List.of("LRANGE", "l", "0", "-1"),
            List.of("SADD", "st", "x", "y"), List.of("SMEMBERS", "st"),
            List.of("HSET", "h", "f", "v"), List.of("HGETALL", "h"),
            List.of("ZADD", "z", "1", "m"), List.of("ZRANGE", "z", "0", "-1", "WITHSCORES"), List.of("ZPOPMIN", "z"),
            List.of("XADD", "x", "*", "f", "v"), List.of("XRANGE", "x", "-", "+"),
            List.of("MULTI"), List.of("INCR", "n"), List.of("EXEC"),
            List.of("EVAL", "return redis.call('GET', KEYS[1])", "1", "s"),
            List.of("SCAN", "0"), List.of("DBSIZE"), List.of("FLUSHALL"));

    private CdsTraining() { }

    public static void main(String[] args) {
        int status;
        try {
            train();
            status = 0;
        } catch (Exception e) {
            System.err.println("class-data sharing training failed: " + e);
            e.printStackTrace();
            status = 1;
        }
        // Explicitly: the archive is written at exit, and a library's leftover thread must not keep us up.
        System.exit(status);
    }

    private static void train() throws Exception {
        Path dir = Files.createTempDirectory("millrace-cds-training");
        try {
            ServerConfig config = ServerArguments.configure(
                    new String[] {"--port", "0", "--dir", dir.toString(), "--loglevel", "warning"}, InputStream.nullInputStream());
            Logger log = Main.configureProcess(config);
            Main main = Main.start(config, log);
            try {
                int port = config.getInt("port");
                for (String hello : List.of("2", "3")) {
                    exercise(port, hello);
                }
            } finally {
                if (main.stop() != 0) {
                    throw new IllegalStateException("the server did not stop cleanly");
                }
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Sends HELLO and the commands as one pipeline and reads until the server closes after QUIT. */
    private static void exercise(int port, String protocolVersion) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        writeCommand(request, List.of("HELLO", protocolVersion));
        COMMANDS.forEach(command -> writeCommand(request, command));
        writeCommand(request, List.of("QUIT"));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            String replies = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!replies.endsWith("+OK\r\n") || !replies.contains("PONG")) {
                throw new IOException("unexpected replies in RESP" + protocolVersion + ":\n" + replies);
            }
        }
    }

    private static void writeCommand(ByteArrayOutputStream out, List<String> args) {
        StringBuilder frame = new StringBuilder("*").append(args.size()).append("\r\n");
        for (String arg : args) {
            frame.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        out.writeBytes(frame.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
