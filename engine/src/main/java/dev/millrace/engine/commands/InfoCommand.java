package dev.millrace.engine.commands;

import dev.millrace.engine.Engine;
import dev.millrace.engine.scripting.Scripting;
import dev.millrace.engine.pubsub.PubSub;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.Record;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * INFO [section ...]: the sections server, clients, memory, persistence, stats, replication, cpu,
 * cluster and keyspace, with Redis 7.0's field names; fields that describe machinery Millrace does not
 * have (forks, jemalloc, replication links) are left out rather than invented. Sections always come in
 * Redis's order; unknown section names are ignored. Execution thread only.
 */
public final class InfoCommand implements CommandFamily {
    private static final List<String> SECTIONS = List.of("server", "clients", "memory", "persistence", "stats",
            "replication", "cpu", "cluster", "keyspace");

    private final Engine engine;
    private final String runId = randomHex40();
    private final String replicationId = randomHex40();
    private long peakMemory;

    public InfoCommand(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void register(Bindings bind) {
        bind.bind("info", this::info);
    }

    private static String randomHex40() {
        byte[] bytes = new byte[20];
        new SecureRandom().nextBytes(bytes);
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes) {
            hex.append(String.format("%02x", b & 0xff));
        }
        return hex.toString();
    }

    private void info(Call call) {
        Set<String> wanted = new LinkedHashSet<>();
        if (call.argc() == 1) {
            wanted.addAll(SECTIONS);
        }
        for (int i = 1; i < call.argc(); i++) {
            String name = call.argString(i).toLowerCase(Locale.ROOT);
            if (name.equals("default") || name.equals("all") || name.equals("everything")) {
                wanted.addAll(SECTIONS);
            } else {
                wanted.add(name);
            }
        }
        call.reply().verbatim("txt", render(wanted, call.now()));
    }

    /** The INFO text of the wanted sections, in Redis's section order. */
    String render(Set<String> wanted, long nowMillis) {
        StringBuilder out = new StringBuilder();
        for (String section : SECTIONS) {
            if (!wanted.contains(section)) {
                continue;
            }
            if (out.length() > 0) {
                out.append("\r\n");
            }
            String title = section.equals("cpu") ? "CPU" : Character.toUpperCase(section.charAt(0)) + section.substring(1);
            out.append("# ").append(title).append("\r\n");
            Lines lines = new Lines(out);
            switch (section) {
                case "server" -> server(lines, nowMillis);
                case "clients" -> clients(lines);
                case "memory" -> memory(lines);
                case "persistence" -> persistence(lines);
                case "stats" -> stats(lines);
                case "replication" -> replication(lines);
                case "cpu" -> cpu(lines);
                case "cluster" -> lines.add("cluster_enabled", 0);
                case "keyspace" -> keyspace(lines, nowMillis);
                default -> throw new IllegalStateException(section);
            }
        }
        return out.toString();
    }

    /** Appends "name:value\r\n" lines. */
    private record Lines(StringBuilder out) {
        void add(String name, Object value) {
            out.append(name).append(':').append(value).append("\r\n");
        }
    }

    private void server(Lines l, long nowMillis) {
        long uptime = (nowMillis - engine.startedAtMillis()) / 1000;
        l.add("redis_version", Engine.REDIS_VERSION);
        l.add("millrace_version", Engine.MILLRACE_VERSION);
        l.add("redis_git_sha1", "00000000");
        l.add("redis_git_dirty", 0);
        l.add("redis_mode", "standalone");
        String arch = System.getProperty("os.arch");
        l.add("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + (arch.equals("amd64") ? "x86_64" : arch));
        l.add("arch_bits", System.getProperty("sun.arch.data.model", "64"));
        l.add("java_version", System.getProperty("java.version"));
        l.add("process_id", ProcessHandle.current().pid());
        l.add("process_supervised", "no");
        l.add("run_id", runId);
        l.add("tcp_port", engine.config().get("port"));
        l.add("server_time_usec", engine.clock().currentTimeMicros());
        l.add("uptime_in_seconds", uptime);
        l.add("uptime_in_days", uptime / 86400);
        l.add("hz", engine.config().get("hz"));
        l.add("configured_hz", engine.config().get("hz"));
        // Redis's LRU clock: seconds, 24 bits.
        l.add("lru_clock", (nowMillis / 1000) & ((1 << 24) - 1));
        l.add("io_threads_active", 0);
    }

    private void clients(Lines l) {
        l.add("connected_clients", engine.clients().count());
        l.add("cluster_connections", 0);
        l.add("maxclients", engine.config().get("maxclients"));
        l.add("blocked_clients", engine.blocking().blockedClients());
        l.add("tracking_clients", engine.tracking().clientCount());
        l.add("clients_in_timeout_table", engine.blocking().clientsWithDeadline());
    }

    private void memory(Lines l) {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        peakMemory = Math.max(peakMemory, used);
        long max = engine.config().getLong("maxmemory");
        l.add("used_memory", used);
        l.add("used_memory_human", human(used));
        l.add("used_memory_peak", peakMemory);
        l.add("used_memory_peak_human", human(peakMemory));
        l.add("used_memory_peak_perc", String.format(Locale.ROOT, "%.2f%%", 100.0 * used / peakMemory));
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            l.add("total_system_memory", os.getTotalMemorySize());
            l.add("total_system_memory_human", human(os.getTotalMemorySize()));
        }
        scriptingMemory(l);
        l.add("maxmemory", max);
        l.add("maxmemory_human", human(max));
        l.add("maxmemory_policy", "noeviction");
        l.add("lazyfree_pending_objects", 0);
    }

    /** Redis 7.0's scripting lines of INFO memory, in its order (see {@link Scripting#memory}). */
    private void scriptingMemory(Lines l) {
        Scripting.ScriptingMemory m = engine.scripting().memory();
        long scripts = m.cachedScriptBytes() + m.functionBytes();
        l.add("used_memory_lua", m.luaHeapBytes());
        l.add("used_memory_vm_eval", m.luaHeapBytes());
        l.add("used_memory_lua_human", human(m.luaHeapBytes()));
        l.add("used_memory_scripts_eval", m.cachedScriptBytes());
        l.add("number_of_cached_scripts", m.cachedScripts());
        l.add("number_of_functions", m.functions());
        l.add("number_of_libraries", m.libraries());
        l.add("used_memory_vm_functions", 0);
        l.add("used_memory_vm_total", m.luaHeapBytes());
        l.add("used_memory_vm_total_human", human(m.luaHeapBytes()));
        l.add("used_memory_functions", m.functionBytes());
        l.add("used_memory_scripts", scripts);
        l.add("used_memory_scripts_human", human(scripts));
    }

    /** Redis's bytesToHuman: B, K, M, G, T, P with two decimals. */
    static String human(long n) {
        String[] units = {"K", "M", "G", "T", "P"};
        if (n < 1024) {
            return n + "B";
        }
        double d = n;
        int unit = -1;
        while (d >= 1024 && unit < units.length - 1) {
            d /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f%s", d, units[unit]);
    }

    private void persistence(Lines l) {
        boolean aof = engine.config().getBoolean("appendonly");
        l.add("loading", engine.keyspace().loading() ? 1 : 0);
        l.add("async_loading", 0);
        l.add("rdb_changes_since_last_save", engine.keyspace().dirty());
        l.add("rdb_bgsave_in_progress", engine.snapshots().backgroundSaveInProgress() ? 1 : 0);
        l.add("rdb_last_save_time", engine.snapshots().lastSaveUnixSeconds());
        l.add("rdb_last_bgsave_status", engine.snapshots().lastBackgroundSaveOk() ? "ok" : "err");
        l.add("aof_enabled", aof ? 1 : 0);
        l.add("aof_rewrite_in_progress", 0);
        l.add("aof_rewrite_scheduled", 0);
        l.add("aof_last_write_status", "ok");
    }

    private void stats(Lines l) {
        var stats = engine.stats();
        var keyspace = engine.keyspace();
        l.add("total_connections_received", engine.clients().totalConnections());
        l.add("total_commands_processed", stats.commandsProcessed);
        l.add("instantaneous_ops_per_sec", stats.instantaneousOps());
        l.add("total_net_input_bytes", stats.netInputBytes);
        l.add("total_net_output_bytes", stats.netOutputBytes);
        l.add("rejected_connections", stats.rejectedConnections);
        l.add("expired_keys", keyspace.expiredKeys());
        l.add("evicted_keys", 0);
        l.add("keyspace_hits", keyspace.keyspaceHits());
        l.add("keyspace_misses", keyspace.keyspaceMisses());
        l.add("pubsub_channels", engine.pubsub().activeCount(PubSub.Kind.CHANNEL));
        l.add("pubsub_patterns", engine.pubsub().activeCount(PubSub.Kind.PATTERN));
        l.add("pubsubshard_channels", engine.pubsub().activeCount(PubSub.Kind.SHARD_CHANNEL));
        l.add("tracking_total_keys", engine.tracking().keyCount());
        l.add("tracking_total_items", engine.tracking().itemCount());
        l.add("tracking_total_prefixes", engine.tracking().prefixCount());
        l.add("total_error_replies", stats.errorReplies);
    }

    private void replication(Lines l) {
        l.add("role", "master");
        l.add("connected_slaves", 0);
        l.add("master_failover_state", "no-failover");
        l.add("master_replid", replicationId);
        l.add("master_replid2", "0000000000000000000000000000000000000000");
        l.add("master_repl_offset", 0);
        l.add("second_repl_offset", -1);
        l.add("repl_backlog_active", 0);
        l.add("repl_backlog_size", 1048576);
        l.add("repl_backlog_first_byte_offset", 0);
        l.add("repl_backlog_histlen", 0);
    }

    /** Process times over all JVM threads, and the execution thread's own (the caller's). */
    private void cpu(Lines l) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = 0;
        long user = 0;
        for (long id : threads.getAllThreadIds()) {
            long c = threads.getThreadCpuTime(id);
            long u = threads.getThreadUserTime(id);
            if (c > 0 && u >= 0) {
                cpu += c;
                user += u;
            }
        }
        long mainCpu = Math.max(0, threads.getCurrentThreadCpuTime());
        long mainUser = Math.max(0, threads.getCurrentThreadUserTime());
        l.add("used_cpu_sys", seconds(cpu - user));
        l.add("used_cpu_user", seconds(user));
        l.add("used_cpu_sys_children", "0.000000");
        l.add("used_cpu_user_children", "0.000000");
        l.add("used_cpu_sys_main_thread", seconds(mainCpu - mainUser));
        l.add("used_cpu_user_main_thread", seconds(mainUser));
    }

    private static String seconds(long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        return String.format(Locale.ROOT, "%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    /**
     * One line per non-empty database. The key store keeps no count of keys with an expiry, so this
     * walks each non-empty database: O(N) in the number of keys.
     */
    private void keyspace(Lines l, long nowMillis) {
        KeyStore store = engine.keyspace().store();
        for (int db = 0; db < engine.keyspace().databases(); db++) {
            long keys = store.size(db);
            if (keys == 0) {
                continue;
            }
            long[] expires = new long[1];
            long[] ttlSum = new long[1];
            long[] ttlCount = new long[1];
            // O(keys) when keys may have a TTL (the store keeps no count of them); nothing otherwise.
            if (engine.keyspace().mayHoldExpiringKeys(db)) {
                long cursor = 0;
                do {
                    cursor = store.scan(db, cursor, 1000, (key, record) -> {
                        long at = Record.expireAtOf(record);
                        if (at != Record.NO_EXPIRY) {
                            expires[0]++;
                            if (at > nowMillis) {
                                ttlSum[0] += at - nowMillis;
                                ttlCount[0]++;
                            }
                        }
                    });
                } while (cursor != 0);
            }
            long avgTtl = ttlCount[0] == 0 ? 0 : ttlSum[0] / ttlCount[0];
            l.add("db" + db, "keys=" + keys + ",expires=" + expires[0] + ",avg_ttl=" + avgTtl);
        }
    }
}
