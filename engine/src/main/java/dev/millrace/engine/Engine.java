package dev.millrace.engine;

import dev.millrace.engine.blocking.BlockingKeys;
import dev.millrace.engine.client.ClientRegistry;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.command.CommandFamily;
import dev.millrace.engine.command.CommandTable;
import dev.millrace.engine.command.Dispatcher;
import dev.millrace.engine.commands.ClientCommands;
import dev.millrace.engine.commands.ClientTrackingCommands;
import dev.millrace.engine.commands.ConfigCommands;
import dev.millrace.engine.commands.ConnectionCommands;
import dev.millrace.engine.commands.DebugCommands;
import dev.millrace.engine.commands.GeoCommands;
import dev.millrace.engine.commands.HyperLogLogCommands;
import dev.millrace.engine.commands.InfoCommand;
import dev.millrace.engine.commands.IntrospectionCommands;
import dev.millrace.engine.commands.ExpiryCycle;
import dev.millrace.engine.commands.HashCommands;
import dev.millrace.engine.commands.KeyCommands;
import dev.millrace.engine.commands.ListCommands;
import dev.millrace.engine.commands.PubSubCommands;
import dev.millrace.engine.commands.ServerCommands;
import dev.millrace.engine.commands.SetCommands;
import dev.millrace.engine.commands.SortCommand;
import dev.millrace.engine.commands.StreamCommands;
import dev.millrace.engine.commands.StreamGroupCommands;
import dev.millrace.engine.commands.StreamInfoCommands;
import dev.millrace.engine.commands.StreamExtensionCommands;
import dev.millrace.engine.commands.StreamRetention;
import dev.millrace.engine.commands.StreamPendingCommands;
import dev.millrace.engine.commands.StringCommands;
import dev.millrace.engine.commands.TransactionCommands;
import dev.millrace.engine.commands.BitCommands;
import dev.millrace.engine.commands.ZSetCommands;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.keyspace.KeyChanges;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.Keyspace;
import dev.millrace.engine.persistence.Snapshots;
import dev.millrace.engine.pubsub.PubSub;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.stream.InlineLimit;
import dev.millrace.engine.transaction.Transaction;
import dev.millrace.engine.transaction.WatchedKeys;
import dev.millrace.engine.tracking.ClientTracking;
import dev.millrace.engine.tracking.InvalidationSink;
import dev.millrace.engine.types.NodeCache;
import dev.millrace.engine.scripting.FunctionCommands;
import dev.millrace.engine.scripting.Scripting;
import dev.millrace.engine.scripting.ScriptingCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/**
 * The engine's root: the keyspace, the command table and dispatcher, the clients, and the ports to
 * storage. The protocol adapter creates one per server and calls it from a single execution thread
 * (Redis's model): {@link #execute} for each command, {@link #afterBatch} before flushing a batch of
 * replies, {@link #cron} {@code hz} times a second. Nothing here is thread-safe.
 */
public final class Engine {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    public static final String REDIS_VERSION = "7.0.15";
    public static final String MILLRACE_VERSION = "0.1.0";

    private final ServerConfig config;
    private final Clock clock;
    private final Keyspace keyspace;
    private final EffectLog effectLog;
    private final Snapshots snapshots;
    /** The keyspace's write-back, for a snapshot at a batch boundary (one instance, not one per batch). */
    private final Runnable writeBack;
    private final ClientRegistry clients = new ClientRegistry();
    private final Stats stats = new Stats();
    private final Dispatcher dispatcher;
    private final BlockingKeys blocking;
    private final WatchedKeys watchedKeys;
    private final PubSub pubsub = new PubSub();
    private final ClientTracking tracking;
    private final ExpiryCycle expiryCycle;
    private final StreamRetention streamRetention;
    private final InlineLimit streamInlineLimit;
    private final Scripting scripting;
    private final long startedAtMillis;
    private long lastSyncMillis;
    private long appendedSinceSync;
    private Runnable shutdownHook = () -> { };
    private Runnable exitNowHook = () -> Runtime.getRuntime().halt(0);
    private boolean activeExpireEnabled = true;
    private long lastAutoSaveAttemptMillis;
    private static final long AUTO_SAVE_RETRY_MILLIS = 5000;
    /**
     * The keyspace's change counter when cron last ran: unchanged since then means no write came in
     * that tick (reads, PINGs and health checks may have), so nodes written back now are not changed
     * again at once.
     */
    private long dirtyAtLastCron = -1;
    /**
     * The time a cron tick without writes spends writing back unwritten tree nodes, in slices of
     * {@link #IDLE_WRITE_BACK_SLICE} bytes (heap footprints: a few leaves). Bounded by time, as
     * Redis bounds its active expiry (25 ms a tick at most): a page write to fresh store memory costs
     * tens of microseconds here (page faults). At hz 10 the nodes of a freshly filled
     * 1,000,000-member sorted set were all written back within 10 s (docs/performance.md). What time
     * is left goes to the store's deferred deletions.
     */
    private static final long IDLE_WRITE_BACK_NANOS = 10_000_000;
    private static final long IDLE_WRITE_BACK_SLICE = 16 << 10;

    public Engine(ServerConfig config, KeyStore store, EffectLog effectLog, Snapshots snapshots, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.effectLog = new CountingLog(effectLog);
        this.snapshots = snapshots;
        this.startedAtMillis = clock.currentTimeMillis();
        this.lastSyncMillis = startedAtMillis;
        Dispatcher[] self = new Dispatcher[1];
        this.keyspace = new Keyspace(store, config.getInt("databases"), effect -> self[0].expiryEffect(effect));
        this.writeBack = keyspace::flushPages;
        NodeCache nodeCache = keyspace.store().nodeCache();
        if (nodeCache != null) {
            nodeCache.setMaxBytes(config.getLong("collection-cache-size"));
            config.onChange("collection-cache-size", value -> nodeCache.setMaxBytes(config.getLong("collection-cache-size")));
        }
        this.blocking = new BlockingKeys(this);
        this.watchedKeys = new WatchedKeys(keyspace.store(), clock);
        this.tracking = new ClientTracking(clients);
        tracking.setMaxKeys(config.getLong("tracking-table-max-keys"));
        config.onChange("tracking-table-max-keys", value -> tracking.setMaxKeys(Long.parseLong(value)));
        tracking.sendThrough(new InvalidationSink() {
            @Override public void push(Session target, java.util.function.Consumer<ReplyWriter> message) {
                message.accept(target.pushWriter());
            }

            @Override public boolean subscribed(Session target) {
                return target.subscribed();
            }
        });
        keyspace.setKeyChanges(KeyChanges.all(List.of(blocking, watchedKeys, tracking)));
        keyspace.events().publishTo(pubsub::publish);
        keyspace.events().configure(config.get("notify-keyspace-events"));
        config.onChange("notify-keyspace-events", keyspace.events()::configure);
        this.expiryCycle = new ExpiryCycle(this);
        this.streamRetention = new StreamRetention(this);
        // Fixed at start (see ServerConfig): snapshot builds replay with the same limit over read-only logs.
        this.streamInlineLimit = new InlineLimit(config.getLong("stream-inline-max-entries"),
                config.getLong("stream-inline-max-bytes"));
        this.scripting = new Scripting(this);
        List<CommandFamily> families = List.of(
                new ConnectionCommands(this),
                new ServerCommands(this),
                new ClientCommands(this),
                new ClientTrackingCommands(this),
                new ConfigCommands(this),
                new InfoCommand(this),
                new DebugCommands(this),
                new IntrospectionCommands(this),
                new StringCommands(this),
                new BitCommands(this),
                new HyperLogLogCommands(this),
                new KeyCommands(this),
                new ListCommands(this),
                new SetCommands(this),
                new HashCommands(this),
                new ZSetCommands(this),
                new GeoCommands(this),
                new SortCommand(),
                new StreamCommands(),
                new StreamGroupCommands(),
                new StreamPendingCommands(),
                new StreamInfoCommands(),
                new StreamExtensionCommands(),
                new TransactionCommands(this),
                new PubSubCommands(this),
                new ScriptingCommands(scripting),
                new FunctionCommands(scripting));
        this.dispatcher = new Dispatcher(this, CommandTable.load(), families);
        self[0] = dispatcher;
    }

    public ServerConfig config() { return config; }
    public Clock clock() { return clock; }
    public Keyspace keyspace() { return keyspace; }
    public EffectLog effectLog() { return effectLog; }
    public Snapshots snapshots() { return snapshots; }
    public ClientRegistry clients() { return clients; }
    public Stats stats() { return stats; }
    public Dispatcher dispatcher() { return dispatcher; }
    public BlockingKeys blocking() { return blocking; }
    public WatchedKeys watchedKeys() { return watchedKeys; }
    public PubSub pubsub() { return pubsub; }
    /** Client-side caching; its invalidations leave through pub/sub's delivery to one client. */
    public ClientTracking tracking() { return tracking; }
    public StreamRetention streamRetention() { return streamRetention; }

    /** How many entries of a stream stay in the keyspace before they move to its log. */
    public InlineLimit streamInlineLimit() { return streamInlineLimit; }
    /** Lua scripts and functions. */
    public Scripting scripting() { return scripting; }
    public long startedAtMillis() { return startedAtMillis; }

    /** Registers a new client connection. */
    public Session connect(Connection connection) {
        boolean authenticated = config.get("requirepass").isEmpty();
        return clients.open(connection, clock.currentTimeMillis(), authenticated);
    }

    /**
     * Forgets a client whose connection closed (a blocked one stops waiting, without a reply; its
     * transaction and watches go, and a subscriber's subscriptions).
     */
    public void disconnect(Session session) {
        blocking.forget(session);
        Transaction.end(session, watchedKeys);
        pubsub.forget(session);
        tracking.disable(session);
        clients.closed(session);
    }

    /** Executes one command from a client, replying through {@code out} (or nowhere, per CLIENT REPLY). */
    public void execute(Session session, byte[][] argv, ReplyWriter out) {
        dispatcher.execute(session, argv, out);
    }

    /**
     * Frees what the engine holds outside the Java heap and the store (the Lua interpreter). For engines
     * that end before the process does, such as a snapshot build's replayer.
     */
    public void close() {
        scripting.close();
    }

    /**
     * Writes the key record the keyspace holds back to the store, so that a clean close of the storage
     * (which writes the tree nodes held back itself) finds it there: the last thing the execution
     * thread does for the engine once no command will follow.
     */
    public void writeBack() {
        keyspace.writeBackHeldRecord();
    }

    /**
     * Replays logged effects (AOF recovery): applied through the normal dispatcher in a loading
     * context, so keys do not expire on access and nothing is logged again.
     */
    public void replay(List<Effect> effects) {
        boolean wasLoading = keyspace.loading();
        keyspace.setLoading(true);
        try {
            // Not a client: not in the registry, so replay changes no client count or id.
            Session replayer = new Session(0, Connection.NONE, clock.currentTimeMillis(), true);
            for (Effect effect : effects) {
                replayer.selectDb(effect.db());
                dispatcher.execute(replayer, effect.argv(), ReplyWriter.DISCARD);
            }
            keyspace.flushPages();
        } finally {
            keyspace.setLoading(wasLoading);
        }
    }

    /**
     * Called after a batch of commands and before their replies are flushed: their effects are
     * appended to the log as one record and, with {@code appendfsync always}, made durable first
     * (group commit). That sync stays on this thread: measured with it on the log's sync thread, the
     * batches got smaller and the syncs more, and SET -P 1 fell from 33k to 28k requests/s
     * (docs/performance.md, "Sixteenth session").
     */
    public void afterBatch() {
        tracking.broadcast();
        dispatcher.appendBatch();
        snapshots.atBatchBoundary(writeBack);
        if (appendedSinceSync > 0 && config.get("appendfsync").equals("always")) {
            syncLog();
        }
    }

    /**
     * Periodic work, {@code hz} times a second: blocked clients' timeouts, active expiry, stream
     * retention, save rules, everysec fsync, stats, and in a tick without writes the node cache's
     * write-back and the store's deferred deletions.
     */
    public void cron() {
        long now = clock.currentTimeMillis();
        stats.sample(now);
        blocking.expireTimeouts(now);
        if (activeExpireEnabled) {
            expiryCycle.run(now);
        }
        streamRetention.run(now);
        tracking.broadcast();
        dispatcher.appendBatch();
        if (keyspace.dirty() == dirtyAtLastCron) {
            long deadline = System.nanoTime() + IDLE_WRITE_BACK_NANOS;
            while (keyspace.writeBackWhileIdle(IDLE_WRITE_BACK_SLICE) && System.nanoTime() < deadline) {
                // slice by slice until the tick's time is spent or nothing is left
            }
            while (keyspace.tidyWhileIdle() && System.nanoTime() < deadline) {
                // then the store's deferred deletions (a FLUSHALL's entries, a DEL'd collection's pages)
            }
        }
        dirtyAtLastCron = keyspace.dirty();
        snapshots.atBatchBoundary(writeBack);
        snapshots.housekeeping();
        saveIfRulesSaySo(now);
        if (appendedSinceSync > 0 && !config.get("appendfsync").equals("no") && now - lastSyncMillis >= 1000) {
            // On the log's sync thread, as Redis's everysec fsync runs on a background thread: an
            // msync of a second's appends took 11-29 ms at 45k SETs a second.
            appendedSinceSync = 0;
            lastSyncMillis = now;
            effectLog.syncInBackground(failure -> {
                if (failure != null) {
                    log.error("Can't sync the append only file", failure);
                }
            });
        }
    }

    /**
     * The {@code save <seconds> <changes>} rules: a background snapshot once enough changes are that
     * old. After a failed one, wait 5 s before trying again, as Redis does.
     */
    private void saveIfRulesSaySo(long now) {
        if (snapshots.backgroundSaveInProgress() || keyspace.dirty() == 0) {
            return;
        }
        if (!snapshots.lastBackgroundSaveOk() && now - lastAutoSaveAttemptMillis < AUTO_SAVE_RETRY_MILLIS) {
            return;
        }
        long sinceSave = now / 1000 - snapshots.lastSaveUnixSeconds();
        for (long[] rule : config.saveRules()) {
            if (sinceSave >= rule[0] && keyspace.dirty() >= rule[1]) {
                lastAutoSaveAttemptMillis = now;
                if (snapshots.startBackgroundSave()) {
                    keyspace.resetDirty();
                }
                return;
            }
        }
    }

    private void syncLog() {
        effectLog.sync();
        appendedSinceSync = 0;
        lastSyncMillis = clock.currentTimeMillis();
    }

    /** DEBUG SET-ACTIVE-EXPIRE: tests turn active expiry off to observe lazy expiry alone. */
    public void setActiveExpireEnabled(boolean enabled) {
        this.activeExpireEnabled = enabled;
    }

    public boolean activeExpireEnabled() {
        return activeExpireEnabled;
    }

    /** What SHUTDOWN asks the server around the engine to do (stop accepting, close storage, exit). */
    public void onShutdown(Runnable hook) {
        this.shutdownHook = hook;
    }

    /** Logs and syncs what the current batch wrote, then runs the server's shutdown hook. */
    public void shutdown() {
        dispatcher.appendBatch();
        syncLog();
        shutdownHook.run();
    }

    /**
     * A snapshot now, of everything executed so far (SAVE, SHUTDOWN's save, DEBUG RELOAD): the batch's
     * effects go to the log first and the keyspace's held-back writes to the store. Inside a
     * transaction the batch cannot be split: the snapshot then covers the log before it, and its
     * effects follow in the log.
     */
    public void save() throws Exception {
        if (!dispatcher.nested()) {
            dispatcher.appendBatch();
        }
        keyspace.flushPages();
        snapshots.save();
    }

    /** Replaces what {@link #exitNow} does (halting the JVM): for servers embedded in tests. */
    public void onExitNow(Runnable hook) {
        this.exitNowHook = hook;
    }

    /**
     * SHUTDOWN NOSAVE while a script is busy: ends the process at once, logging nothing more. The
     * current batch holds the script's writes so far, which must never reach the log, and the replies
     * of the batch's other commands were not sent, so dropping it loses nothing acknowledged; earlier
     * batches are in the log already (what replay recovers at the next start).
     */
    public void exitNow() {
        exitNowHook.run();
    }

    /**
     * Runs a command that a client sent while a script is busy, between two of the script's Lua
     * instructions: see {@link Dispatcher#executeWhileBusy}.
     */
    public void executeWhileBusy(Session session, byte[][] argv, ReplyWriter out) {
        dispatcher.executeWhileBusy(session, argv, out);
    }

    /** Counts appends so afterBatch/cron sync only when something is pending. */
    private final class CountingLog implements EffectLog {
        private final EffectLog delegate;

        CountingLog(EffectLog delegate) {
            this.delegate = delegate;
        }

        @Override
        public long append(long unixTimeMillis, List<Effect> effects) {
            appendedSinceSync++;
            return delegate.append(unixTimeMillis, effects);
        }

        @Override public void sync() { delegate.sync(); }
        @Override public void syncInBackground(Consumer<RuntimeException> done) { delegate.syncInBackground(done); }
        @Override public long lastIndex() { return delegate.lastIndex(); }
        @Override public void close() { delegate.close(); }
    }
}
