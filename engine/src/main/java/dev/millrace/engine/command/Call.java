package dev.millrace.engine.command;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.keyspace.Keyspace;
import dev.millrace.engine.notify.Announcement;
import dev.millrace.engine.reply.Errors;
import dev.millrace.engine.reply.ReplyWriter;
import dev.millrace.engine.util.Numbers;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One invocation of a command: its arguments, the calling session, where the reply goes, the
 * command's time, and the effects it will log. Lives for the duration of one {@link Handler#execute}.
 *
 * <p>Effects: a write command that changed the keyspace is logged as its own argv unless the handler
 * states its effects with {@link #effect} (to make them deterministic: EXPIRE as PEXPIREAT, ...).
 */
public final class Call {
    private final Engine engine;
    private final Session session;
    private final byte[][] argv;
    private final ReplyWriter reply;
    private final CommandSpec spec;
    private final long nowMillis;
    private final List<Effect> effects;
    private final boolean mayBlock;
    private boolean explicitEffects;

    Call(Engine engine, Session session, byte[][] argv, ReplyWriter reply, CommandSpec spec, long nowMillis,
         List<Effect> effects, boolean mayBlock) {
        this.engine = engine;
        this.session = session;
        this.argv = argv;
        this.reply = reply;
        this.spec = spec;
        this.nowMillis = nowMillis;
        this.effects = effects;
        this.mayBlock = mayBlock;
    }

    public Engine engine() { return engine; }
    public Session session() { return session; }
    public byte[][] argv() { return argv; }
    public ReplyWriter reply() { return reply; }
    public CommandSpec spec() { return spec; }
    public Keyspace keyspace() { return engine.keyspace(); }
    public int db() { return session.db(); }

    /**
     * Whether this command may block its client ({@link dev.millrace.engine.blocking.BlockingKeys#block}):
     * only a client's own top-level command may. Inside EXEC or a script, while replaying the AOF, and
     * when serving a blocked client it may not, and a blocking command answers as on timeout instead
     * (Redis's CLIENT_DENY_BLOCKING).
     */
    public boolean mayBlock() { return mayBlock; }

    /** The command's time: fixed for the whole command, as Redis's cached command time. */
    public long now() { return nowMillis; }

    public int argc() { return argv.length; }

    public byte[] arg(int i) { return argv[i]; }

    /** An argument as text (ISO-8859-1, so every byte maps to one char and back). */
    public String argString(int i) {
        return new String(argv[i], StandardCharsets.ISO_8859_1);
    }

    /** Whether argument {@code i} equals {@code word}, ignoring ASCII case. */
    public boolean argIs(int i, String word) {
        byte[] a = argv[i];
        if (a.length != word.length()) {
            return false;
        }
        for (int k = 0; k < a.length; k++) {
            int c = a[k];
            int w = word.charAt(k);
            if (c != w && Character.toLowerCase(c) != Character.toLowerCase(w)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Argument {@code i} as Redis's getIntFromObjectOrReply reads it: a 64-bit integer in canonical form
     * (else "not an integer") that fits an int (else "out of range"). Replies the error itself.
     *
     * @return the value, or null after an error reply
     */
    public Integer intArg(int i) {
        Long value = Numbers.parseLong(argv[i]);
        if (value == null) {
            reply.error(Errors.NOT_INTEGER);
            return null;
        }
        if (value != value.intValue()) {
            reply.error(Errors.INT_OUT_OF_RANGE);
            return null;
        }
        return value.intValue();
    }

    /**
     * Argument {@code i} as a database index (SELECT, MOVE, COPY ... DB): an int, then one of the
     * configured databases. Replies the error itself.
     *
     * @return the index, or null after an error reply
     */
    public Integer dbIndexArg(int i) {
        Integer index = intArg(i);
        if (index != null && (index < 0 || index >= keyspace().databases())) {
            reply.error(Errors.DB_INDEX_OUT_OF_RANGE);
            return null;
        }
        return index;
    }

    /** Replaces the default effect (this argv) with explicit ones; call once per effect, in order. */
    public void effect(byte[]... effectArgv) {
        explicitEffects = true;
        effects.add(new Effect(session.db(), effectArgv));
    }

    /** An explicit effect in another database (MOVE, COPY ... DB, SWAPDB). */
    public void effectInDb(int db, byte[]... effectArgv) {
        explicitEffects = true;
        effects.add(new Effect(db, effectArgv));
    }

    /** Declares that this write command, though it changed the keyspace, logs nothing itself. */
    public void noEffect() {
        explicitEffects = true;
    }

    boolean explicitEffects() { return explicitEffects; }

    /**
     * States the keyspace events of this command's writes from now on, replacing its default from
     * {@code events.table}: for a handler whose events depend on its arguments (SET ... EX, ZADD INCR)
     * or differ per key (LMOVE announces the push before writing the destination, the pop before
     * writing the source). The writes themselves publish; a handler never publishes an event itself.
     */
    public void announce(Announcement announcement) {
        keyspace().events().announce(announcement);
    }

    public void wrongType() {
        reply.error(Errors.WRONGTYPE);
    }

    public void syntaxError() {
        reply.error(Errors.SYNTAX);
    }

    public void wrongArity() {
        reply.error(Errors.wrongArity(spec.name()));
    }
}
