package dev.millrace.engine.command;

import dev.millrace.engine.Engine;
import dev.millrace.engine.blocking.BlockedClient;
import dev.millrace.engine.blocking.BlockingKeys;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.notify.Announcement;
import dev.millrace.engine.notify.CommandAnnouncements;
import dev.millrace.engine.notify.KeyspaceEvents;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.transaction.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs a command through the gates every command passes (exists, arity, subcommand, auth, no-multi),
 * then queues it (inside MULTI) or runs its handler, then logs its effects. Gates are driven by the
 * command's {@link CommandSpec}; later gates (ACL, OOM, subscribed mode) slot in here and refuse through
 * {@link #reject}, which also aborts the client's transaction, as Redis's rejectCommand does.
 * The subscribed-mode gate: a RESP2 client with subscriptions may only run the commands
 * {@link #ALLOWED_WHILE_SUBSCRIBED} names (RESP3 clients may run anything, their messages being push
 * frames).
 *
 * <p>Blocked clients ({@link BlockingKeys}) are served when a <em>top-level</em> command completes:
 * {@link #execute} may be re-entered by a command that runs others (EXEC, EVAL, ...), and those nested
 * commands neither serve ready keys (the outermost one does, once it is done) nor may block
 * ({@link Call#mayBlock()} is false for them, Redis's CLIENT_DENY_BLOCKING), and they run at the time of
 * the outermost command ({@link Call#now()}), so no key expires in the middle of a transaction.
 *
 * <p>Atomic logging: the effects of every command, nested ones included, join one list that
 * {@link #appendBatch} writes as one log record, and appendBatch runs only between top-level commands
 * (after an event-loop batch, from cron, at shutdown), never inside one. So the effects of an EXEC (or
 * a script) always land in one record, which replay applies all or none: no MULTI/EXEC markers are
 * logged (see docs/architecture.md, "Transactions"). Execution thread only.
 */
public final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private final Engine engine;
    private final CommandTable table;
    private final Map<String, Handler> handlers = new HashMap<>();
    private final List<Effect> pendingEffects = new ArrayList<>();
    /** Effects of the commands executed since the last {@link #appendBatch}, in execution order. */
    private final List<Effect> batchEffects = new ArrayList<>();
    private int expiryEffectsThisCall;
    /** How many {@link #execute} calls are running: 1 for a client's command, more inside EXEC or a script. */
    private int depth;
    /** The time of the running top-level command, which nested commands share. */
    private long topLevelMillis;
    /** While a command is served during a busy script ({@link #executeWhileBusy}): the error refusing it. */
    private String busyError;

    /**
     * A dispatchable command: its spec, its handler and the flags the gates read on every call, found
     * once per spec (by identity) so the hot path neither hashes names nor searches flag lists.
     */
    private record Route(CommandSpec spec, Handler handler, boolean write, boolean noAuth, boolean touch,
                         boolean noMulti, boolean runsInMulti, boolean allowedWhileSubscribed, boolean allowBusy,
                         Announcement announcement) {
    }

    /**
     * The commands that run at once inside MULTI instead of being queued (Redis's processCommand list):
     * the transaction's own commands, and the two that end the connection's state.
     */
    private static final Set<String> RUN_IN_MULTI = Set.of("exec", "discard", "multi", "watch", "quit", "reset");

    /** What a RESP2 client in pub/sub mode may run, as Redis 7.0's processCommand allows. */
    private static final java.util.Set<String> ALLOWED_WHILE_SUBSCRIBED = java.util.Set.of("ping", "subscribe",
            "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset");

    private final Map<CommandSpec, Route> routes = new java.util.IdentityHashMap<>();

    public Dispatcher(Engine engine, CommandTable table, List<CommandFamily> families) {
        this.engine = engine;
        this.table = table;
        for (CommandFamily family : families) {
            family.register((name, handler) -> {
                if (handlers.put(name, handler) != null) {
                    throw new IllegalStateException("two handlers for " + name);
                }
            });
        }
        table.all().forEach(this::addRoute);
    }

    private void addRoute(CommandSpec spec) {
        Handler handler = handlers.get(spec.name());
        if (handler != null) {
            routes.put(spec, new Route(spec, handler, spec.isWrite(), spec.hasFlag("no_auth"), spec.name().equals("touch"),
                    spec.hasFlag("no_multi"), RUN_IN_MULTI.contains(spec.name()), ALLOWED_WHILE_SUBSCRIBED.contains(spec.name()),
                    spec.hasFlag("allow_busy"), CommandAnnouncements.of(spec.name())));
        }
    }

    public CommandTable table() {
        return table;
    }

    /** Whether a command or subcommand of the table has a handler (scripts check before they call). */
    public boolean handles(CommandSpec spec) {
        return routes.containsKey(spec);
    }

    /** Names with a handler, for the table-consistency test. */
    public java.util.Set<String> handledNames() {
        return java.util.Collections.unmodifiableSet(handlers.keySet());
    }

    /** Collects the DEL effect of a key that expired while a command ran (see Keyspace). */
    public void expiryEffect(Effect effect) {
        pendingEffects.add(effect);
        expiryEffectsThisCall++;
    }

    /**
     * Runs one command and logs its effects. Replies are dropped while CLIENT REPLY is OFF or
     * skipping this command; the state is checked at each reply, so a command that turns replies
     * back on (CLIENT REPLY ON) is answered, as in Redis.
     */
    public void execute(Session session, byte[][] argv, ReplyWriter out) {
        if (session.blocked()) {
            throw new IllegalStateException("client " + session.id() + " is blocked: its commands must wait");
        }
        Session.ReplyMode modeBefore = session.replyMode();
        long replyMark = out.mark();
        if (depth == 0) {
            session.setPushWriter(out);
        }
        depth++;
        if (depth == 1) {
            engine.tracking().commandStarted(session);
        }
        ReplyWriter replies = modeBefore == Session.ReplyMode.ON ? out : new SuppressibleReplies(session, out);
        try {
            executeAndLog(session, argv, replies);
        } catch (RuntimeException e) {
            // A replay must fail loudly. A nested command whose writer cannot take its partial reply
            // back (a script's) leaves the failure to its caller; inside EXEC it is one command's error.
            if (engine.keyspace().loading() || (depth > 1 && replyMark < 0)) {
                throw e;
            }
            internalError(session, argv, out, replyMark, replies, e);
        } finally {
            depth--;
        }
        // A blocked command is not done yet: its reply (and a CLIENT REPLY SKIP) comes when it is served.
        if (!session.blocked()) {
            advanceReplyMode(session, modeBefore);
        }
        if (depth == 0 && !engine.keyspace().loading()) {
            engine.blocking().serveReadyKeys();
        }
        if (depth == 0) {
            engine.tracking().commandFinished(session);
        }
    }

    /**
     * A bug, or a store that failed under the command (a corrupt record, a full disk): the client gets
     * an error instead of a half-written reply and keeps its connection, as after any error reply (in
     * EXEC, as that command's element). {@code out} takes the partial reply back; the error goes
     * through {@code replies}, which applies CLIENT REPLY. The effects stated before the failure are
     * still logged with the batch: the keyspace holds them. Redis has no such path (its asserts stop
     * the server).
     */
    private void internalError(Session session, byte[][] argv, ReplyWriter out, long replyMark, ReplyWriter replies,
                               RuntimeException e) {
        String name = new String(argv[0], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        log.error("Internal error in '{}' from client id={}: replied with an error", name, session.id(), e);
        flushEffects();
        if (replyMark >= 0) {
            out.discardFrom(replyMark);
        }
        engine.stats().errorReplies++;
        replies.error(Errors.internalError(name, e)); // dropped under CLIENT REPLY OFF or SKIP, as any reply
    }

    /**
     * Runs a command another client sent while a script keeps the execution thread busy past
     * busy-reply-threshold (Redis's processEventsWhileBlocked, called from the script's hook between
     * two Lua instructions): the gates every client command passes, then the BUSY error unless the
     * command is flagged allow_busy (AUTH, HELLO, MULTI, WATCH, SCRIPT KILL, FUNCTION STATS,
     * SHUTDOWN, ...), none of which touches keys the script is changing. It nests inside the script's
     * EVAL without being one of the script's commands: its effects, if any, are its own.
     */
    public void executeWhileBusy(Session session, byte[][] argv, ReplyWriter out) {
        busyError = engine.scripting().busyError();
        try {
            execute(session, argv, out);
        } finally {
            busyError = null;
        }
    }

    /**
     * Serves a blocked client from a ready key through its {@link dev.millrace.engine.blocking.Waiter},
     * as a command of that client: its session and reply, its blocking argv, the current time. The
     * waiter's effects are logged like a command's, and must be stated explicitly.
     *
     * @return whether the client was served (got its reply)
     */
    public boolean serveBlocked(BlockedClient client, byte[] key) {
        Session session = client.session();
        long dirtyBefore = engine.keyspace().dirty();
        engine.keyspace().setTouchOnAccess(!session.noTouch());
        Call call = new Call(engine, session, client.argv(), client.reply(), client.spec(),
                engine.clock().currentTimeMillis(), pendingEffects, false);
        KeyspaceEvents events = engine.keyspace().events();
        Announcement outer = events.announce(CommandAnnouncements.of(client.spec().name()));
        boolean served = client.waiter().serve(call, key);
        events.announce(outer);
        long changed = engine.keyspace().dirty() - dirtyBefore - expiryEffectsThisCall;
        if (changed > 0 && !call.explicitEffects()) {
            throw new IllegalStateException("the waiter of " + client.spec().name() + " wrote without stating its effects");
        }
        flushEffects();
        return served;
    }

    /** A blocked client's command got its reply: its CLIENT REPLY SKIP, if any, ends now. */
    public void blockedCommandDone(BlockedClient client) {
        advanceReplyMode(client.session(), client.replyMode());
    }

    /** CLIENT REPLY SKIP skips the command after it: a pending skip starts, a finished skip ends. */
    private static void advanceReplyMode(Session session, Session.ReplyMode modeBefore) {
        Session.ReplyMode mode = session.replyMode();
        if (mode == Session.ReplyMode.SKIP_NEXT) {
            session.setReplyMode(Session.ReplyMode.SKIP);
        } else if (mode == Session.ReplyMode.SKIP && modeBefore == Session.ReplyMode.SKIP) {
            session.setReplyMode(Session.ReplyMode.ON);
        }
    }

    private void executeAndLog(Session session, byte[][] argv, ReplyWriter out) {
        Route route = resolve(session, argv, out);
        if (route == null) {
            engine.stats().errorReplies++;
            return;
        }
        Transaction transaction = session.transaction();
        if (transaction != null && transaction.queueing() && !route.runsInMulti()) {
            session.commandStarted(route.spec().name(), engine.clock().currentTimeMillis());
            transaction.queue(argv);
            out.simple("QUEUED");
            return;
        }
        long dirtyBefore = engine.keyspace().dirty();
        int db = session.db();
        Call call = run(session, route, argv, out);
        engine.tracking().commandExecuted(session, route.spec(), argv);
        long changed = engine.keyspace().dirty() - dirtyBefore - expiryEffectsThisCall;
        if (!call.explicitEffects() && route.write() && changed > 0) {
            pendingEffects.add(new Effect(db, argv));
        }
        flushEffects();
    }

    /** Finds the spec and checks the gates; replies with the error and returns null when one fails. */
    private Route resolve(Session session, byte[][] argv, ReplyWriter out) {
        CommandSpec spec = table.lookup(argv[0]);
        if (spec == null) {
            return reject(session, null, Errors.unknownCommand(new String(argv[0], StandardCharsets.ISO_8859_1), argv), out);
        }
        if (spec.isContainer() && argv.length >= 2) {
            String sub = new String(argv[1], StandardCharsets.ISO_8859_1);
            CommandSpec subSpec = spec.subcommands().get(sub.toLowerCase(Locale.ROOT));
            if (subSpec == null) {
                return reject(session, null, Errors.unknownSubcommand(sub, spec.name()), out);
            }
            spec = subSpec;
        }
        // Arity first: a bare container ("CLIENT") is an arity error in Redis, not an unknown command.
        if (!spec.arityAccepts(argv.length)) {
            return reject(session, spec, Errors.wrongArity(spec.name()), out);
        }
        Route route = routes.get(spec);
        if (route == null) {
            return reject(session, null, Errors.unknownCommand(new String(argv[0], StandardCharsets.ISO_8859_1), argv), out);
        }
        if (!session.authenticated() && !route.noAuth()) {
            return reject(session, spec, Errors.NOAUTH, out);
        }
        if (route.noMulti() && session.transaction() != null && session.transaction().queueing()) {
            return reject(session, spec, Errors.NOT_ALLOWED_IN_MULTI, out);
        }
        // Checked when a client sends a command, as Redis's processCommand does: not for the commands
        // an EXEC or a script runs (MULTI, SUBSCRIBE, GET, EXEC runs the GET).
        // A client served while a script is busy sends its command at depth 2, nested in the EVAL.
        boolean clientCommand = depth == 1 || busyError != null;
        if (clientCommand && session.subscribed() && session.protocol() == 2 && !route.allowedWhileSubscribed()) {
            return reject(session, spec, Errors.onlySubscriptionCommands(spec.name()), out);
        }
        if (busyError != null && !route.allowBusy()) {
            return reject(session, spec, busyError, out);
        }
        return route;
    }

    /**
     * Refuses a command with {@code error} (Redis's rejectCommand): inside MULTI the transaction is
     * aborted, so its EXEC fails with EXECABORT; a refused EXEC ends the transaction at once and says why.
     *
     * @param spec the command refused, or null when it is not known
     * @return null, for {@link #resolve} to return
     */
    private Route reject(Session session, CommandSpec spec, String error, ReplyWriter out) {
        Transaction transaction = session.transaction();
        if (transaction != null) {
            transaction.abort();
        }
        if (spec != null && spec.name().equals("exec")) {
            Transaction.end(session, engine.watchedKeys());
            out.error(Errors.execAbort(error));
        } else {
            out.error(error);
        }
        return null;
    }

    private Call run(Session session, Route route, byte[][] argv, ReplyWriter out) {
        CommandSpec spec = route.spec();
        Handler handler = route.handler();
        if (depth == 1) {
            topLevelMillis = engine.clock().currentTimeMillis();
        }
        long now = topLevelMillis;
        session.commandStarted(spec.name(), now);
        engine.keyspace().setTouchOnAccess(!session.noTouch() || route.touch());
        engine.stats().commandsProcessed++;
        boolean mayBlock = depth == 1 && !engine.keyspace().loading();
        Call call = new Call(engine, session, argv, out, spec, now, pendingEffects, mayBlock);
        // A nested command (inside EXEC or a script) announces its own events, then its caller's apply again.
        KeyspaceEvents events = engine.keyspace().events();
        Announcement outer = events.announce(route.announcement());
        handler.execute(call);
        events.announce(outer);
        return call;
    }

    /**
     * Ends the current command's effects (also used by cron's active expiry): they join the batch that
     * {@link #appendBatch} writes. Nothing is kept while loading: replayed effects are already logged.
     */
    public void flushEffects() {
        expiryEffectsThisCall = 0;
        if (!engine.keyspace().loading()) {
            // a loop, not addAll: addAll copies the list into an array first, once per command
            for (int i = 0; i < pendingEffects.size(); i++) {
                batchEffects.add(pendingEffects.get(i));
            }
        }
        pendingEffects.clear();
    }

    /** Whether a command runs inside another (EXEC's, a script's): no batch boundary here. */
    public boolean nested() {
        return depth > 1;
    }

    /**
     * Appends the effects of every command since the last call as ONE log record. Called before the
     * replies of those commands are flushed (so no client hears of a write the log lacks) and from
     * cron: one record per event-loop batch instead of one per command keeps pipelined writes cheap,
     * and a record is applied all or none on replay, which only ever drops unacknowledged writes.
     * Never from inside a nested command (EXEC's, a script's): that would split them over two records.
     */
    public void appendBatch() {
        if (nested()) {
            throw new IllegalStateException("appendBatch inside a nested command would split an EXEC or a script over two log records");
        }
        engine.keyspace().endBatch();
        if (batchEffects.isEmpty()) {
            return;
        }
        engine.effectLog().append(engine.clock().currentTimeMillis(), List.copyOf(batchEffects));
        batchEffects.clear();
    }
}
