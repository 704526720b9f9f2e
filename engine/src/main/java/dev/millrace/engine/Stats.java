package dev.millrace.engine;

/** Server-wide counters INFO stats reports. Execution thread only (network byte counts too). */
public final class Stats {
    public long commandsProcessed;
    public long rejectedConnections;
    public long netInputBytes;
    public long netOutputBytes;
    public long errorReplies;
    private long opsSampleAtMillis;
    private long opsSampleCommands;
    private long instantaneousOps;

    /** Called from cron: samples ops/sec over the last interval. */
    void sample(long nowMillis) {
        long elapsed = nowMillis - opsSampleAtMillis;
        if (elapsed >= 1000) {
            instantaneousOps = (commandsProcessed - opsSampleCommands) * 1000 / elapsed;
            opsSampleAtMillis = nowMillis;
            opsSampleCommands = commandsProcessed;
        }
    }

    public long instantaneousOps() {
        return instantaneousOps;
    }

    public void reset() {
        commandsProcessed = 0;
        rejectedConnections = 0;
        netInputBytes = 0;
        netOutputBytes = 0;
        errorReplies = 0;
    }
}
