package dev.millrace.protocol.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.IOException;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's class-data sharing block, run as users run it: {@code millrace-server} in a copy of the
 * project layout (the launcher, the jar this build packaged, its lib directory) so the archive it
 * writes stays in a temporary directory. The first launch trains and writes the archive, later ones
 * map their classes from it, and a broken archive only costs the sharing, never the start.
 */
class ClassDataSharingIT {
    private static final Pattern PORT = Pattern.compile("Running mode=standalone, port=(\\d+)\\.");
    private static final String TRAINING_NOTICE = "creating the class-data sharing archive";
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process process : processes) {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void firstLaunchWritesTheArchiveAndLaterLaunchesLoadTheirClassesFromIt(@TempDir Path root) throws Exception {
        Path archive = projectCopy(root).resolve("protocol/target/millrace-cds.jsa");

        String first = launchPingAndShutdown(root, "");
        assertTrue(first.contains(TRAINING_NOTICE), first);
        assertTrue(Files.size(archive) > 0, "no archive written:\n" + first);

        // -Xshare:on turns "use the archive if it fits" into "fail unless it fits".
        Path classLog = root.resolve("classes.log");
        String second = launchPingAndShutdown(root, "-Xshare:on -Xlog:class+load=info:file=" + classLog);
        assertFalse(second.contains(TRAINING_NOTICE), "the archive was rebuilt without a new build:\n" + second);
        List<String> loaded = Files.readAllLines(classLog, StandardCharsets.UTF_8);
        assertTrue(loaded.stream().anyMatch(line -> line.contains(" dev.millrace.protocol.server.Main source: shared objects file")),
                "Main was not loaded from the archive");
        assertTrue(loaded.stream().anyMatch(line -> line.contains(" net.openhft.chronicle.map.ChronicleMapBuilder source: shared objects file")),
                "Chronicle Map was not loaded from the archive");
    }

    @Test
    void aBrokenArchiveOnlyCostsTheSharing(@TempDir Path root) throws Exception {
        Path archive = projectCopy(root).resolve("protocol/target/millrace-cds.jsa");
        Files.writeString(archive, "not an archive"); // newer than the jar, so the launcher takes it as current
        String output = launchPingAndShutdown(root, "");
        assertFalse(output.contains(TRAINING_NOTICE), output);
    }

    /**
     * The launcher, this build's jar and (linked) its lib directory under {@code root}, as in the project:
     * the launcher finds everything relative to itself and has no sources there to rebuild from.
     */
    private static Path projectCopy(Path root) throws IOException {
        Path target = Files.createDirectories(root.resolve("protocol/target"));
        Files.copy(Path.of("../millrace-server"), root.resolve("millrace-server"));
        Files.copy(Path.of("target/millrace-protocol.jar"), target.resolve("millrace-protocol.jar"));
        Files.createSymbolicLink(target.resolve("lib"), Path.of("target/lib").toAbsolutePath());
        return root;
    }

    /** Runs the launcher until the server answers PING, stops it with SHUTDOWN and returns its output. */
    private String launchPingAndShutdown(Path root, String javaOpts) throws Exception {
        Path log = Files.createTempFile(root, "launch", ".log");
        ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("millrace-server").toString(),
                "--port", "0", "--dir", root.resolve("data").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("MILLRACE_JAVA_OPTS", javaOpts);
        Process process = builder.start();
        processes.add(process);
        // The first launch trains a whole server before starting the real one.
        await().atMost(Duration.ofSeconds(180)).until(() -> !process.isAlive() || PORT.matcher(read(log)).find());
        assertTrue(process.isAlive(), "the server died:\n" + read(log));
        Matcher port = PORT.matcher(read(log));
        assertTrue(port.find());
        try (Jedis jedis = new Jedis("127.0.0.1", Integer.parseInt(port.group(1)), 10_000)) {
            assertEquals("PONG", jedis.ping());
        }
        try (RawClient client = new RawClient(Integer.parseInt(port.group(1)))) {
            client.send("SHUTDOWN\r\n");
            client.expectClosed();
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String output = read(log);
        assertEquals(0, process.exitValue(), output);
        // e.g. SLF4J's warning about calls replayed when a logger is created while it initializes
        assertFalse(output.contains("SLF4J(W)"), output);
        return output;
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}
