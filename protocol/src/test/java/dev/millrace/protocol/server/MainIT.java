package dev.millrace.protocol.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server as a process, started as the launcher starts it ({@code java ... Main "$@"}): bad
 * arguments exit 1 with Redis's report; a started server serves, keeps its data across a SIGTERM
 * and a restart, and exits 0 on SIGTERM and on SHUTDOWN. All but the first need the storage branch
 * (ChronicleStorage) and the command families (PING, SET, GET, SHUTDOWN).
 */
class MainIT {
    private static final Pattern PORT = Pattern.compile("Running mode=standalone, port=(\\d+)\\.");
    private final List<Process> processes = new ArrayList<>();

    /** A running server process and where its output goes. */
    record Server(Process process, Path log, int port) {
        List<String> output() {
            return lines(log);
        }
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process process : processes) {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> lines(Path log) {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Starts {@code Main} in a JVM of its own, its output (and errors) going to {@code log}. */
    private Process launch(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The JVM flags this test runs with (Chronicle's --add-exports and the like), as the launcher passes them.
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("--add-") || flag.startsWith("-D") || flag.startsWith("-Xmx")) {
                command.add(flag);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        return process;
    }

    private Server start(Path dir, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--dir", dir.resolve("data").toString()));
        args.addAll(List.of(extra));
        Path log = Files.createTempFile(dir, "server", ".log");
        Process process = launch(log, args.toArray(new String[0]));
        await().atMost(Duration.ofSeconds(60)).until(() -> !process.isAlive()
                || lines(log).stream().anyMatch(line -> line.contains("Ready to accept connections tcp")));
        assertTrue(process.isAlive(), "the server died: " + String.join("\n", lines(log)));
        int port = lines(log).stream().map(PORT::matcher).filter(Matcher::find).mapToInt(m -> Integer.parseInt(m.group(1)))
                .findFirst().orElseThrow(() -> new AssertionError("no port in " + lines(log)));
        return new Server(process, log, port);
    }

    @Test
    void invalidArgumentsExitOneWithRedissReport(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Process process = launch(log, "--port", "abc");
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue());
        assertEquals(List.of("",
                "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***",
                "Reading the configuration file, at line 2",
                ">>> 'port \"abc\"'",
                "argument couldn't be parsed into an integer"), lines(log));
    }

    @Test
    void servesAndKeepsItsDataAcrossSigtermAndRestart(@TempDir Path dir) throws Exception {
        Server first = start(dir, "--appendfsync", "always");
        try (Jedis jedis = new Jedis("127.0.0.1", first.port(), 10_000)) {
            assertEquals("PONG", jedis.ping());
            assertEquals("OK", jedis.set("survivor", "yes"));
        }
        first.process().destroy(); // SIGTERM
        assertTrue(first.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, first.process().exitValue(), String.join("\n", first.output()));
        String output = String.join("\n", first.output());
        assertTrue(output.contains("Received SIGTERM scheduling shutdown..."), output);
        assertTrue(output.contains("ready to exit, bye bye"), output);

        Server second = start(dir);
        try (Jedis jedis = new Jedis("127.0.0.1", second.port(), 10_000)) {
            assertEquals("yes", jedis.get("survivor"));
        }
        second.process().destroy();
        assertTrue(second.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, second.process().exitValue());
    }

    @Test
    void shutdownCommandExitsZero(@TempDir Path dir) throws Exception {
        Server server = start(dir);
        try (RawClient client = new RawClient(server.port())) {
            client.send("SHUTDOWN\r\n");
            client.expectClosed();
        }
        assertTrue(server.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, server.process().exitValue(), String.join("\n", server.output()));
    }
}
