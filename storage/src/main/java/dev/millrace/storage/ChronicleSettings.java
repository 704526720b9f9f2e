package dev.millrace.storage;

/**
 * System properties every Chronicle user in this process must see before Chronicle's classes
 * initialise: no usage analytics sent to a remote service, no start-up announcer, no performance
 * banner, no disk-space monitor thread. The parent pom sets the same flags for tests; this class makes
 * a server started without them just as quiet. A property already set on the command line wins.
 *
 * <p>Thread-safe and idempotent; called from the static initialisers of the storage entry points.
 */
public final class ChronicleSettings {
    private ChronicleSettings() {
    }

    public static void apply() {
        setIfAbsent("chronicle.analytics.disable", "true");
        setIfAbsent("chronicle.announcer.disable", "true");
        setIfAbsent("disable.perf.info", "true");
        setIfAbsent("chronicle.disk.monitor.disable", "true");
    }

    private static void setIfAbsent(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}
