package dev.millrace.protocol.server;

import dev.millrace.engine.config.ServerConfig;

/**
 * Points SLF4J's simple logger at the configured {@code logfile} (standard output when empty, as Redis)
 * with the level {@code loglevel} maps to, in a Redis-like line format. Must run before the first
 * logger is created: slf4j-simple reads its settings once.
 */
final class Logging {
    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() { }

    static void configure(ServerConfig config) {
        String file = config.get("logfile");
        System.setProperty(PREFIX + "logFile", file.isEmpty() ? "System.out" : file);
        String level = level(config.get("loglevel"));
        System.setProperty(PREFIX + "defaultLogLevel", level);
        setIfAbsent("showDateTime", "true");
        setIfAbsent("dateTimeFormat", "dd MMM yyyy HH:mm:ss.SSS");
        setIfAbsent("showThreadName", "false");
        setIfAbsent("showShortLogName", "true");
        setIfAbsent("levelInBrackets", "true");
        if (level.equals("debug")) {
            // Netty and Chronicle are chatty at debug: Redis's debug level is about the server, not them.
            setIfAbsent("log.io.netty", "info");
            setIfAbsent("log.net.openhft", "info");
        }
    }

    /** Redis's levels: debug, verbose, notice, warning, nothing. */
    static String level(String redisLevel) {
        return switch (redisLevel) {
            case "debug", "verbose" -> "debug";
            case "warning" -> "warn";
            case "nothing" -> "off";
            default -> "info";
        };
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
