package dev.millrace.protocol.crash;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * A Millrace server in a child JVM, started the way the launcher starts it (same Main, same JVM flags),
 * so tests can kill it with SIGKILL and start it again on the same directory.
 */
final class ServerProcess implements AutoCloseable {
    private static final List<String> JVM_FLAGS = List.of(
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true",
            "-Dchronicle.announcer.disable=true",
            "-Ddisable.perf.info=true",
            "-Dchronicle.disk.monitor.disable=true",
            "-Xmx512m");

    private final Path dir;
    private final int port;
    private final List<String> options;
    private final Path log;
    private Process process;

    ServerProcess(Path dir, String... options) throws IOException {
        this.dir = dir;
        this.port = freePort();
        this.options = List.of(options);
        this.log = dir.resolveSibling(dir.getFileName() + "-server.log");
    }

    int port() {
        return port;
    }

    /** Starts the server and waits until it accepts connections. */
    ServerProcess start() throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.millrace.protocol.server.Main");
        cmd.addAll(List.of("--port", Integer.toString(port), "--dir", dir.toString(), "--loglevel", "notice"));
        cmd.addAll(options);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + log());
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return this;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed beyond what already reached the OS. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM: the server stops cleanly, as after SHUTDOWN; returns its exit status. */
    int terminate() throws InterruptedException {
        process.destroy();
        return process.waitFor();
    }

    /** Waits for the process to exit by itself (after SHUTDOWN). */
    int awaitExit() throws InterruptedException {
        return process.waitFor();
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
