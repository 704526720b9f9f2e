package dev.millrace.protocol.compat;

import dev.millrace.engine.Clock;
import dev.millrace.engine.Engine;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.persistence.Snapshots;
import dev.millrace.protocol.server.RespServer;
import dev.millrace.storage.ChronicleStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The compatibility sweep: runs every script in src/test/resources/compat against a real redis-server
 * 7.0.15 and an in-process Millrace (Chronicle storage in a temp dir), and fails with the first replies
 * that are not byte-identical. Skipped when no redis-server 7.0 is on the PATH. The script format is
 * {@link CompatScript}'s; each script runs twice, on fresh connections in db 0 after a FLUSHALL: in
 * RESP2, and in RESP3 (HELLO 3 first, again after each reconnection).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RespDiffIT {
    private static final String SCRIPTS = "/compat";
    private static final int DIFFERENCES_SHOWN = 15;
    private static final byte[] PROTOCOL_ERROR = "-ERR Protocol error".getBytes(StandardCharsets.US_ASCII);

    private Process redis;
    private int redisPort;
    private ChronicleStorage storage;
    private RespServer millrace;

    @BeforeAll
    void startBothServers(@TempDir Path tmp) throws Exception {
        Optional<Path> redisServer = onPath("redis-server");
        assumeTrue(redisServer.isPresent(),
                "redis-server is not on the PATH: the byte-for-byte sweep against Redis 7.0.15 is skipped");
        String version = versionOf(redisServer.get());
        assumeTrue(version.startsWith("7.0."),
                "redis-server " + version + " is on the PATH, the sweep compares with 7.0.x: skipped");
        startRedis(redisServer.get(), Files.createDirectories(tmp.resolve("redis")));
        startMillrace(tmp.resolve("millrace"));
    }

    @AfterAll
    void stopBothServers() throws InterruptedException {
        if (millrace != null) {
            millrace.close();
        }
        if (storage != null) {
            storage.close();
        }
        if (redis != null) {
            redis.destroy();
            if (!redis.waitFor(10, TimeUnit.SECONDS)) {
                redis.destroyForcibly();
            }
        }
    }

    Stream<Arguments> scriptsInBothProtocols() throws IOException, URISyntaxException {
        Path dir = Path.of(RespDiffIT.class.getResource(SCRIPTS).toURI());
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList();
            return names.stream().flatMap(name -> Stream.of(Arguments.of(name, 2), Arguments.of(name, 3)));
        }
    }

    @ParameterizedTest(name = "{0} in RESP{1}")
    @MethodSource("scriptsInBothProtocols")
    void repliesAreByteIdenticalToRedis(String scriptName, int protocol) throws IOException {
        CompatScript script;
        try (InputStream in = RespDiffIT.class.getResourceAsStream(SCRIPTS + "/" + scriptName)) {
            script = CompatScript.load(scriptName, in);
        }
        String title = scriptName + " in RESP" + protocol;
        Sweep sweep = new Sweep(protocol);
        try {
            sweep.run(script);
        } finally {
            sweep.close();
        }
        System.out.println(sweep.summary(title));
        assertTrue(sweep.differences.isEmpty(), sweep.report(title));
    }

    /** One script's run over its own connections: what was compared, what differed, what was left out. */
    private final class Sweep implements AutoCloseable {
        private final int protocol;
        private RespConnection toRedis;
        private RespConnection toMillrace;
        private int compared;
        private final List<String> differences = new ArrayList<>();
        private String skipped;

        Sweep(int protocol) {
            this.protocol = protocol;
        }

        void run(CompatScript script) throws IOException {
            connect();
            toRedis.call(args("FLUSHALL"));
            toMillrace.call(args("FLUSHALL"));
            for (CompatScript.Step step : script.steps()) {
                if (step.kind() == CompatScript.Kind.NEEDS && !millraceHas(step.args()[0])) {
                    skipped = "from line " + step.line() + " on: Millrace has no "
                            + new String(step.args()[0], StandardCharsets.UTF_8) + " yet";
                    return;
                }
                try {
                    switch (step.kind()) {
                        case SEND_ONLY -> {
                            toRedis.call(step.args());
                            toMillrace.call(step.args());
                        }
                        case COMPARE -> compare(step, toRedis.call(step.args()), toMillrace.call(step.args()));
                        case RAW -> compareRaw(step);
                        case NEEDS -> { } // Millrace has the command: go on comparing
                    }
                } catch (IOException e) {
                    // A server closed the connection or never answered: a difference; go on with new connections.
                    differences.add("line " + step.line() + ": " + step.text() + "\n    no reply: " + e);
                    connect();
                }
            }
        }

        /** Raw bytes; a protocol error must also close both connections, which are then reopened. */
        private void compareRaw(CompatScript.Step step) throws IOException {
            byte[] fromRedis = toRedis.send(step.args()[0], step.replies());
            byte[] fromMillrace = toMillrace.send(step.args()[0], step.replies());
            if (contains(fromRedis, PROTOCOL_ERROR) || contains(fromMillrace, PROTOCOL_ERROR)) {
                fromRedis = withClosure(fromRedis, toRedis);
                fromMillrace = withClosure(fromMillrace, toMillrace);
                connect();
            }
            compare(step, fromRedis, fromMillrace);
        }

        private void compare(CompatScript.Step step, byte[] fromRedis, byte[] fromMillrace) {
            compared++;
            if (!Arrays.equals(fromRedis, fromMillrace)) {
                differences.add("line " + step.line() + ": " + step.text()
                        + "\n    redis:    " + printable(fromRedis) + "\n    millrace: " + printable(fromMillrace));
            }
        }

        private boolean millraceHas(byte[] command) throws IOException {
            byte[][] request = {bytes("COMMAND"), bytes("INFO"), command};
            String reply = new String(toMillrace.call(request), StandardCharsets.ISO_8859_1);
            return !reply.equals("*1\r\n$-1\r\n") && !reply.equals("*1\r\n_\r\n");
        }

        private void connect() throws IOException {
            close();
            toRedis = new RespConnection(redisPort);
            toMillrace = new RespConnection(millrace.port());
            if (protocol == 3) {
                toRedis.call(args("HELLO", "3"));
                toMillrace.call(args("HELLO", "3"));
            }
        }

        String summary(String scriptName) {
            return scriptName + ": " + compared + " replies compared, " + differences.size() + " differ"
                    + (skipped == null ? "" : "; not compared " + skipped);
        }

        String report(String scriptName) {
            StringBuilder text = new StringBuilder(summary(scriptName)).append(". First differences:");
            differences.stream().limit(DIFFERENCES_SHOWN).forEach(d -> text.append("\n  ").append(d));
            return text.toString();
        }

        @Override
        public void close() throws IOException {
            if (toRedis != null) {
                toRedis.close();
            }
            if (toMillrace != null) {
                toMillrace.close();
            }
        }
    }

    private static byte[] withClosure(byte[] reply, RespConnection connection) throws IOException {
        String state = connection.closedByServer() ? " <then closed>" : " <left open>";
        byte[] marked = Arrays.copyOf(reply, reply.length + state.length());
        System.arraycopy(state.getBytes(StandardCharsets.US_ASCII), 0, marked, reply.length, state.length());
        return marked;
    }

    private void startRedis(Path redisServer, Path dir) throws IOException {
        redisPort = freePort();
        redis = new ProcessBuilder(redisServer.toString(), "--port", String.valueOf(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        await("redis-server on port " + redisPort).atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (RespConnection probe = new RespConnection(redisPort)) {
                return new String(probe.call(args("PING")), StandardCharsets.US_ASCII).equals("+PONG\r\n");
            }
        });
    }

    /** Millrace as Main wires it: Chronicle storage, an engine over it, the RESP server on a free port. */
    private void startMillrace(Path dir) throws IOException {
        ServerConfig config = new ServerConfig();
        config.set("bind", "127.0.0.1", true);
        config.set("port", "0", true);
        config.set("save", "", true);
        storage = ChronicleStorage.open(dir, config, store -> new Engine(config, store, EffectLog.NONE,
                Snapshots.none(System.currentTimeMillis() / 1000), Clock.SYSTEM)::replay);
        Engine engine = new Engine(config, storage.keyStore(), storage.effectLog(), storage.snapshots(), Clock.SYSTEM);
        storage.recover(engine::replay);
        millrace = new RespServer(engine);
        millrace.start();
    }

    private static Optional<Path> onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The version {@code redis-server --version} reports ("Redis server v=7.0.15 sha=..."). */
    private static String versionOf(Path redisServer) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(redisServer.toString(), "--version").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        Matcher version = Pattern.compile("v=(\\S+)").matcher(output);
        if (!version.find()) {
            fail("cannot read the version of " + redisServer + " from: " + output);
        }
        return version.group(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static byte[][] args(String... words) {
        return Stream.of(words).map(RespDiffIT::bytes).toArray(byte[][]::new);
    }

    private static byte[] bytes(String word) {
        return word.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean contains(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return true;
            }
        }
        return false;
    }

    /** Bytes as text: printable ASCII as is, the rest escaped; long replies are cut. */
    private static String printable(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            if (text.length() > 400) {
                return text.append("... (").append(bytes.length).append(" bytes)").toString();
            }
            int c = b & 0xFF;
            switch (c) {
                case '\r' -> text.append("\\r");
                case '\n' -> text.append("\\n");
                case '\\' -> text.append("\\\\");
                default -> text.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c));
            }
        }
        return text.toString();
    }
}
