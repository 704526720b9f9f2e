package dev.millrace.protocol.server;

import dev.millrace.engine.Clock;
import dev.millrace.engine.Engine;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.persistence.Replayer;
import dev.millrace.engine.persistence.Snapshots;
import dev.millrace.storage.ChronicleStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The composition root: {@code millrace-server [config-file] [--name value...]}, arguments as
 * redis-server's. Configures logging, opens the storage under {@code dir}, builds the engine over it,
 * recovers, and serves RESP until SHUTDOWN, SIGTERM or SIGINT, which stop accepting, close the clients,
 * close the storage cleanly (so the next start needs no replay) and exit 0.
 */
public final class Main {
    private final Engine engine;
    private final ChronicleStorage storage;
    private final RespServer server;
    private final Logger log;
    private final AtomicBoolean stopping = new AtomicBoolean();

    private Main(Engine engine, ChronicleStorage storage, RespServer server, Logger log) {
        this.engine = engine;
        this.storage = storage;
        this.server = server;
        this.log = log;
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("-v") || args[0].equals("--version"))) {
            System.out.println("Millrace server v=" + Engine.MILLRACE_VERSION + " redis_version=" + Engine.REDIS_VERSION);
            System.exit(0);
        }
        if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help"))) {
            System.err.println("Usage: ./millrace-server [/path/to/redis.conf] [options] [-]\n"
                    + "       ./millrace-server - (read config from stdin)\n"
                    + "       ./millrace-server -v or --version\n"
                    + "       ./millrace-server -h or --help\n\n"
                    + "Examples:\n"
                    + "       ./millrace-server (run the server with default conf)\n"
                    + "       ./millrace-server /etc/redis/6379.conf\n"
                    + "       ./millrace-server --port 7777\n"
                    + "       ./millrace-server /etc/myredis.conf --loglevel verbose -\n"
                    + "       ./millrace-server --port 7777 --dir /var/lib/millrace --appendfsync always");
            System.exit(1);
        }
        ServerConfig config;
        try {
            config = ServerArguments.configure(args, System.in);
        } catch (ServerArguments.StartupException e) {
            System.err.print(e.getMessage());
            System.exit(1);
            return;
        }
        Logger log = configureProcess(config);
        log.warn("oO0OoO0OoO0Oo Millrace is starting oO0OoO0OoO0Oo");
        log.warn("Millrace version={} (Redis {} compatible), pid={}, just started",
                Engine.MILLRACE_VERSION, Engine.REDIS_VERSION, ProcessHandle.current().pid());
        log.warn(args.length == 0 ? "Warning: no config file specified, using the default config." : "Configuration loaded");
        try {
            start(config, log);
        } catch (Exception e) {
            log.error("Could not start: {}", e.getMessage(), e);
            System.exit(1);
        }
    }

    /**
     * Logging as configured, and no remote services: before the first logger and any Chronicle class.
     * Then the {@link Preload} begins (once SLF4J is initialized: a logger created meanwhile in another
     * thread would make SLF4J warn about replayed calls), so it overlaps everything that follows.
     */
    static Logger configureProcess(ServerConfig config) {
        Logging.configure(config);
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        System.setProperty("disable.perf.info", "true");
        System.setProperty("chronicle.disk.monitor.disable", "true");
        Logger log = LoggerFactory.getLogger(Main.class);
        Preload.begin();
        return log;
    }

    /** Opens the storage, recovers and starts serving; {@link #stop} undoes it. */
    static Main start(ServerConfig config, Logger log) throws Exception {
        Path dir = Path.of(config.get("dir")).toAbsolutePath();
        Files.createDirectories(dir);
        // Opening the storage and the replay: all a start costs that depends on the data.
        long startedNanos = System.nanoTime();
        ChronicleStorage storage = openStorage(dir, config);
        Engine engine;
        RespServer server;
        try {
            engine = new Engine(config, storage.keyStore(), storage.effectLog(), storage.snapshots(), Clock.SYSTEM);
            log.warn("Server initialized");
            long replayed = storage.recover(engine::replay);
            String seconds = String.format("%.3f", (System.nanoTime() - startedNanos) / 1e9);
            String origin = storage.keyspaceOrigin().name().toLowerCase(Locale.ROOT).replace('_', ' ');
            if (replayed == 0) {
                log.info("DB loaded from disk: {} seconds (keyspace: {}; no replay needed)", seconds, origin);
            } else {
                log.info("DB loaded from append only file: {} seconds (keyspace: {}; {} records replayed)",
                        seconds, origin, replayed);
            }
            server = new RespServer(engine);
            server.start();
        } catch (Exception e) {
            storage.close();
            throw e;
        }
        Main main = new Main(engine, storage, server, log);
        main.installShutdown();
        log.info("Running mode=standalone, port={}.", server.port());
        log.info("Ready to accept connections tcp");
        return main;
    }

    /**
     * The storage wiring, the one place that knows the storage implementation: Chronicle under
     * {@code dir}; background snapshots replay the AOF through engines of their own.
     */
    private static ChronicleStorage openStorage(Path dir, ServerConfig config) {
        return ChronicleStorage.open(dir, config, store -> replayerOver(store, config));
    }

    /** An engine over {@code store} that only replays effects (no log, no snapshots of its own). */
    private static Replayer replayerOver(KeyStore store, ServerConfig config) {
        Engine replayer = new Engine(config, store, EffectLog.NONE,
                Snapshots.none(System.currentTimeMillis() / 1000), Clock.SYSTEM);
        return new Replayer() {
            @Override public void replay(List<Effect> record) {
                replayer.replay(record);
            }

            @Override public void close() {
                replayer.close();
            }
        };
    }

    /**
     * SHUTDOWN halts command execution at once (on the execution thread); SHUTDOWN, SIGTERM and SIGINT
     * then stop everything from a thread of their own and exit. The stop runs before System.exit, not in
     * a JVM shutdown hook: Chronicle closes its maps in a hook of its own, which would race ours.
     */
    private void installShutdown() {
        engine.onShutdown(() -> {
            log.warn("User requested shutdown...");
            server.halt();
            stopAndExitInBackground();
        });
        for (String signal : List.of("TERM", "INT")) {
            Signal.handle(new Signal(signal), s -> {
                log.warn("Received SIG{} scheduling shutdown...", s.getName());
                stopAndExitInBackground();
            });
        }
    }

    private void stopAndExitInBackground() {
        if (!stopping.compareAndSet(false, true)) {
            return; // a second request while stopping changes nothing
        }
        new Thread(() -> System.exit(stop()), "millrace-shutdown").start();
    }

    /**
     * Stops accepting, closes the clients, closes the storage cleanly.
     *
     * @return the exit status: 0, or 1 when the storage could not be closed cleanly
     */
    int stop() {
        try {
            server.close();
            storage.close();
            log.warn("Millrace is now ready to exit, bye bye...");
            return 0;
        } catch (RuntimeException e) {
            log.error("Errors trying to shut down: {}", e.getMessage(), e);
            return 1;
        }
    }
}
