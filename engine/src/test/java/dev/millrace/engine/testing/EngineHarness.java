package dev.millrace.engine.testing;

import dev.millrace.engine.Clock;
import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Connection;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.config.ServerConfig;
import dev.millrace.engine.effect.Effect;
import dev.millrace.engine.effect.EffectLog;
import dev.millrace.engine.keyspace.MemoryKeyStore;
import dev.millrace.engine.persistence.Snapshots;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Runs commands in-process against an engine with a {@link MemoryKeyStore}, a settable clock and an
 * effect log that records what would be written to the AOF. {@code run("SET", "k", "v")} returns
 * the reply as plain Java values (see {@link ReplyCapture}).
 */
public final class EngineHarness {
    public final AtomicLong time = new AtomicLong(1_700_000_000_000L);
    public final ServerConfig config;
    private final MemoryKeyStore store;
    public final List<List<Effect>> logged = new ArrayList<>();
    public final Engine engine;
    public final Session session;
    private final ReplyCapture capture;
    private boolean closed;

    public EngineHarness() {
        this(2, new ServerConfig());
    }

    public EngineHarness(int protocol) {
        this(protocol, new ServerConfig());
    }

    public EngineHarness(int protocol, ServerConfig config) {
        this(protocol, config, new MemoryKeyStore(config.getInt("databases")));
    }

    /** A fresh engine over {@code store} as another engine left it: a restart of the server. */
    public static EngineHarness restartedOn(EngineHarness before) {
        EngineHarness after = new EngineHarness(2, before.config, before.store());
        after.time.set(before.time.get());
        return after;
    }

    /**
     * The store as a clean close would leave it: the key record the keyspace holds back is written
     * first ({@link Engine#writeBack}); tree nodes held back stay held, as a close writes them later.
     */
    public MemoryKeyStore store() {
        engine.writeBack();
        return store;
    }

    private EngineHarness(int protocol, ServerConfig config, MemoryKeyStore store) {
        this.config = config;
        this.store = store;
        Clock clock = time::get;
        EffectLog log = new EffectLog() {
            @Override public long append(long unixTimeMillis, List<Effect> effects) {
                logged.add(effects);
                return logged.size() - 1;
            }
            @Override public void sync() { }
            @Override public void syncInBackground(Consumer<RuntimeException> done) { done.accept(null); }
            @Override public long lastIndex() { return logged.size() - 1; }
            @Override public void close() { }
        };
        this.engine = new Engine(config, store, log, Snapshots.none(time.get() / 1000), clock);
        this.session = engine.connect(new Connection() {
            @Override public void closeAfterReply() { closed = true; }
            @Override public String remoteAddress() { return "127.0.0.1:50000"; }
            @Override public String localAddress() { return "127.0.0.1:6379"; }
        });
        session.setProtocol(protocol);
        this.capture = new ReplyCapture(protocol);
    }

    /** Runs one command and returns its reply. */
    public Object run(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return run(argv);
    }

    public Object run(byte[]... argv) {
        int before = capture.replies().size();
        engine.execute(session, argv, capture);
        engine.afterBatch();
        if (capture.replies().size() != before + 1) {
            throw new AssertionError("expected exactly one reply, got " + (capture.replies().size() - before));
        }
        return capture.last();
    }

    /**
     * Runs commands as one pipelined batch (one {@code afterBatch} after the last, as the server does
     * per event-loop pass) and returns their replies.
     */
    public List<Object> runBatch(List<List<String>> commands) {
        int before = capture.replies().size();
        for (List<String> args : commands) {
            byte[][] argv = new byte[args.size()][];
            for (int i = 0; i < argv.length; i++) {
                argv[i] = args.get(i).getBytes(StandardCharsets.ISO_8859_1);
            }
            engine.execute(session, argv, capture);
        }
        engine.afterBatch();
        return new ArrayList<>(capture.replies().subList(before, capture.replies().size()));
    }

    /** The writer the replies went to (attributes, for instance, are kept there). */
    public ReplyCapture capture() {
        return capture;
    }

    /** Moves the clock forward. */
    public void advance(long millis) {
        time.addAndGet(millis);
    }

    /** Whether the last command asked to close the connection. */
    public boolean closed() {
        return closed;
    }

    /** The effects logged, flattened, each rendered as "db:ARG ARG ...". */
    public List<String> effects() {
        List<String> out = new ArrayList<>();
        for (List<Effect> record : logged) {
            for (Effect e : record) {
                StringBuilder sb = new StringBuilder().append(e.db()).append(':');
                for (int i = 0; i < e.argv().length; i++) {
                    sb.append(i == 0 ? "" : " ").append(new String(e.argv()[i], StandardCharsets.ISO_8859_1));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    /** An error reply as tests compare it. */
    public static ReplyCapture.Err err(String message) {
        return new ReplyCapture.Err(message);
    }

    /** A map reply as a map, whether it came as a RESP3 map or a RESP2 flat list of pairs. */
    @SuppressWarnings("unchecked")
    public static java.util.Map<Object, Object> asMap(Object reply) {
        if (reply instanceof java.util.Map<?, ?> m) {
            return (java.util.Map<Object, Object>) m;
        }
        List<?> list = (List<?>) reply;
        java.util.Map<Object, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < list.size(); i += 2) {
            out.put(list.get(i), list.get(i + 1));
        }
        return out;
    }
}
