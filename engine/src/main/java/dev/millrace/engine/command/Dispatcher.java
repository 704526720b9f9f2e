package dev.millrace.engine.command;

import dev.millrace.engine.Engine;
import dev.millrace.engine.blocking.BlockedClient;
import dev.millrace.engine.blocking.BlockingKeys;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a command through the gates every command passes (exists, arity, subcommand, auth), then its
 * handler, then logs its effects. Gates are driven by the command's {@link CommandSpec}; later gates
 * (ACL, OOM, MULTI queueing, subscribed mode) slot in here.
 *
 * <p>Blocked clients ({@link BlockingKeys}) are served when a <em>top-level</em> command completes:
 * {@link #execute} may be re-entered by a command that runs others (EXEC, EVAL, ...), and those nested
 * commands neither serve ready keys (the outermost one does, once it is done) nor may block
 * ({@link Call#mayBlock()} is false for them, Redis's CLIENT_DENY_BLOCKING). Execution thread only.
 */
public final class Dispatcher {
    private final Engine engine;
    private final CommandTable table;
    private final Map<String, Handler> handlers = new HashMap<>();
    private final List<Effect> pendingEffects = new ArrayList<>();
    /** Effects of the commands executed since the last {@link #appendBatch}, in execution order. */
    private final List<Effect> batchEffects = new ArrayList<>();
    private int expiryEffectsThisCall;
    /** How many {@link #execute} calls are running: 1 for a client's command, more inside EXEC or a script. */
    private int depth;

    /**
     * A dispatchable command: its spec, its handler and the flags the gates read on every call, found
     * once per spec (by identity) so the hot path neither hashes names nor searches flag lists.
     */
    private record Route(CommandSpec spec, Handler handler, boolean write, boolean noAuth, boolean touch) {
    }

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
            routes.put(spec, new Route(spec, handler, spec.isWrite(), spec.hasFlag("no_auth"), spec.name().equals("touch")));
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
        depth++;
        try {
            if (modeBefore == Session.ReplyMode.ON) {
                executeAndLog(session, argv, out);
            } else {
                executeAndLog(session, argv, new SuppressibleReplies(session, out));
            }
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
        boolean served = client.waiter().serve(call, key);
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
        long dirtyBefore = engine.keyspace().dirty();
        int db = session.db();
        Call call = run(session, route, argv, out);
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
            out.error(Errors.unknownCommand(new String(argv[0], StandardCharsets.ISO_8859_1), argv));
            return null;
        }
        if (spec.isContainer() && argv.length >= 2) {
            String sub = new String(argv[1], StandardCharsets.ISO_8859_1);
            CommandSpec subSpec = spec.subcommands().get(sub.toLowerCase(Locale.ROOT));
            if (subSpec == null) {
                out.error(Errors.unknownSubcommand(sub, spec.name()));
                return null;
            }
            spec = subSpec;
        }
        // Arity first: a bare container ("CLIENT") is an arity error in Redis, not an unknown command.
        if (!spec.arityAccepts(argv.length)) {
            out.error(Errors.wrongArity(spec.name()));
            return null;
        }
        Route route = routes.get(spec);
        if (route == null) {
            out.error(Errors.unknownCommand(new String(argv[0], StandardCharsets.ISO_8859_1), argv));
            return null;
        }
        if (!session.authenticated() && !route.noAuth()) {
            out.error(Errors.NOAUTH);
            return null;
        }
        return route;
    }

    private Call run(Session session, Route route, byte[][] argv, ReplyWriter out) {
        CommandSpec spec = route.spec();
        Handler handler = route.handler();
        long now = engine.clock().currentTimeMillis();
        session.commandStarted(spec.name(), now);
        engine.keyspace().setTouchOnAccess(!session.noTouch() || route.touch());
        engine.stats().commandsProcessed++;
        boolean mayBlock = depth == 1 && !engine.keyspace().loading();
        Call call = new Call(engine, session, argv, out, spec, now, pendingEffects, mayBlock);
        handler.execute(call);
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

    /**
     * Appends the effects of every command since the last call as ONE log record. Called before the
     * replies of those commands are flushed (so no client hears of a write the log lacks) and from
     * cron: one record per event-loop batch instead of one per command keeps pipelined writes cheap,
     * and a record is applied all or none on replay, which only ever drops unacknowledged writes.
     */
    public void appendBatch() {
        if (batchEffects.isEmpty()) {
            return;
        }
        engine.effectLog().append(engine.clock().currentTimeMillis(), List.copyOf(batchEffects));
        batchEffects.clear();
    }
}
