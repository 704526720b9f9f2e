package dev.millrace.engine.tracking;

import dev.millrace.engine.client.ClientRegistry;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.command.CommandSpec;
import dev.millrace.engine.command.KeyFinder;
import dev.millrace.engine.keyspace.KeyChanges;
import dev.millrace.engine.reply.ReplyWriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Client-side caching, as Redis's src/tracking.c: the keys tracking clients read (one set of reader
 * IDs per key, databases not told apart, as in Redis), the BCAST prefixes and the keys changed under
 * them since the last broadcast, and the invalidation messages.
 *
 * <p>Told of every change by the keyspace ({@link KeyChanges}): a read key's readers get one
 * invalidation and forget it; a client's own write reaches it after its command's reply (NOLOOP:
 * not at all); an expiry reaches it at once; FLUSHDB/FLUSHALL send every tracking client a null
 * ("everything"). BCAST clients get the keys changed under their prefixes once per event-loop batch
 * ({@link #broadcast}, Redis's beforeSleep). Messages leave through {@link InvalidationSink}.
 *
 * <p>Cost while nobody tracks: a key change is two emptiness checks, a command one. Execution thread
 * only.
 */
public final class ClientTracking implements KeyChanges {
    private static final byte[] INVALIDATE = {'i', 'n', 'v', 'a', 'l', 'i', 'd', 'a', 't', 'e'};
    private static final byte[] REDIRECT_BROKEN = "tracking-redir-broken".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] MESSAGE = {'m', 'e', 's', 's', 'a', 'g', 'e'};
    private static final byte[] CHANNEL = "__redis__:invalidate".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** Read-only script runners: only the commands their script runs are remembered, as in Redis. */
    private static final Set<String> SCRIPT_RUNNERS = Set.of("eval_ro", "evalsha_ro", "fcall_ro");
    /** A pending invalidation of every key (a flush), for the client that ran it. */
    private static final List<byte[]> ALL_KEYS = null;

    private final ClientRegistry clients;
    private InvalidationSink sink = InvalidationSink.NONE;
    private final Map<Long, TrackingClient> tracking = new HashMap<>();
    /** Redis's TrackingTable: key -> IDs of the clients that read it since its last invalidation. */
    private final Map<TrackedKey, Set<Long>> readers = new HashMap<>();
    /** Redis's PrefixTable: BCAST prefix -> its clients and the keys changed under it. */
    private final NavigableMap<byte[], Broadcast> broadcasts = new TreeMap<>(Arrays::compareUnsigned);
    /** The client whose command is running, or null (cron, replay). */
    private Session current;
    /** Invalidations for {@link #current}, sent after its reply; null elements mean "all keys". */
    private final List<byte[]> pendingForCurrent = new ArrayList<>();
    /** Whether the running command flushed already: FLUSHALL empties each database but sends one null. */
    private boolean flushedThisCommand;
    /** tracking-table-max-keys: the most keys {@link #readers} may hold (0: no limit). */
    private long maxKeys = 1_000_000;
    /** How many command starts in a row found the table still over its limit (Redis's timeout_counter). */
    private int overLimitRuns;

    public ClientTracking(ClientRegistry clients) {
        this.clients = clients;
    }

    /** Sends invalidations through {@code sink} from now on (the engine's pub/sub delivery). */
    public void sendThrough(InvalidationSink sink) {
        this.sink = sink;
    }

    /** The tracking state of a client, or null when its tracking is off. */
    public TrackingClient of(Session session) {
        return tracking.get(session.id());
    }

    /** Whether any client has tracking on. */
    public boolean anyone() {
        return !tracking.isEmpty();
    }

    /** tracking-table-max-keys: the most read keys remembered; past it, keys are invalidated early. */
    public void setMaxKeys(long maxKeys) {
        this.maxKeys = maxKeys;
    }

    /** INFO's tracking_clients. */
    public int clientCount() {
        return tracking.size();
    }

    /** INFO's tracking_total_keys: keys some client read and was not told of a change of yet. */
    public int keyCount() {
        return readers.size();
    }

    /** INFO's tracking_total_items: (key, reader) pairs. */
    public long itemCount() {
        long items = 0;
        for (Set<Long> ids : readers.values()) {
            items += ids.size();
        }
        return items;
    }

    /** INFO's tracking_total_prefixes: BCAST prefixes, over all clients. */
    public int prefixCount() {
        return broadcasts.size();
    }

    // ---- CLIENT TRACKING -------------------------------------------------------------------------

    /**
     * CLIENT TRACKING ON, options already checked (Redis's enableTracking): replaces the flags and
     * redirection, keeps the CACHING flag and, in BCAST mode, adds the prefixes ("" when none given).
     */
    public void enable(Session session, long redirect, boolean bcast, boolean optIn, boolean optOut, boolean noLoop,
                       List<byte[]> prefixes) {
        TrackingClient client = tracking.computeIfAbsent(session.id(), id -> new TrackingClient());
        client.brokenRedirect = false;
        client.redirect = redirect;
        client.bcast = bcast;
        client.optIn = optIn;
        client.optOut = optOut;
        client.noLoop = noLoop;
        if (bcast) {
            for (byte[] prefix : prefixes.isEmpty() ? List.of(new byte[0]) : prefixes) {
                if (client.prefixes.add(prefix)) {
                    broadcasts.computeIfAbsent(prefix, p -> new Broadcast()).clients.add(session.id());
                }
            }
        }
    }

    /** CLIENT TRACKING OFF, and a client that went away: its BCAST prefixes are dropped at once, its reads lazily. */
    public void disable(Session session) {
        TrackingClient client = tracking.remove(session.id());
        if (client == null) {
            return;
        }
        for (byte[] prefix : client.prefixes) {
            Broadcast broadcast = broadcasts.get(prefix);
            broadcast.clients.remove(session.id());
            if (broadcast.clients.isEmpty()) {
                broadcasts.remove(prefix);
            }
        }
    }

    /**
     * The first prefix already registered for the client that overlaps {@code prefix} (one starts
     * with the other), or null.
     */
    public byte[] overlappingPrefix(Session session, byte[] prefix) {
        TrackingClient client = of(session);
        if (client != null) {
            for (byte[] existing : client.prefixes) {
                if (overlap(existing, prefix)) {
                    return existing;
                }
            }
        }
        return null;
    }

    /** Redis's stringCheckPrefix: whether the shorter of the two is a prefix of the other. */
    public static boolean overlap(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        return Arrays.equals(a, 0, n, b, 0, n);
    }

    // ---- commands (called by the dispatcher) -----------------------------------------------------

    /** A client's top-level command starts: its own writes' invalidations wait for its reply. */
    public void commandStarted(Session session) {
        current = session;
        pendingForCurrent.clear(); // left over only if the previous command failed with an exception
        if (!tracking.isEmpty()) {
            limitTable();
        }
    }

    /**
     * Redis's trackingLimitUsedSlots, before each command while anyone tracks: over
     * tracking-table-max-keys, invalidates keys (not broadcast) until under it again, with an effort
     * of 100 keys that grows each time the limit is still not reached.
     */
    private void limitTable() {
        if (maxKeys == 0 || readers.size() <= maxKeys) {
            overLimitRuns = 0;
            return;
        }
        int effort = 100 * (overLimitRuns + 1);
        while (effort-- > 0 && !readers.isEmpty()) {
            invalidate(readers.keySet().iterator().next().bytes(), null, false, false);
            if (readers.size() <= maxKeys) {
                overLimitRuns = 0;
                return;
            }
        }
        overLimitRuns++;
    }

    /**
     * A command ran (top-level or inside another): a read-only command of a tracking client remembers
     * the keys it read (unless OPTIN/OPTOUT say otherwise); any command but a CLIENT subcommand ends a
     * CLIENT CACHING given before it.
     */
    public void commandExecuted(Session session, CommandSpec spec, byte[][] argv) {
        flushedThisCommand = false;
        if (tracking.isEmpty()) {
            return;
        }
        TrackingClient client = tracking.get(session.id());
        if (client == null) {
            return;
        }
        if (spec.hasFlag("readonly") && !client.bcast && client.remembersReads() && !SCRIPT_RUNNERS.contains(spec.name())) {
            List<KeyFinder.KeyRef> keys = KeyFinder.find(spec, argv);
            if (keys != null) {
                for (KeyFinder.KeyRef key : keys) {
                    readers.computeIfAbsent(new TrackedKey(argv[key.position()]), k -> new LinkedHashSet<>()).add(session.id());
                }
            }
        }
        if (!"client".equals(spec.containerName())) {
            client.caching = false;
        }
    }

    /** CLIENT CACHING YES|NO: the next command's reads follow it. */
    public void cacheNext(Session session) {
        tracking.get(session.id()).caching = true;
    }

    /** The top-level command ended and its reply is written: the client's own invalidations follow it. */
    public void commandFinished(Session session) {
        current = null;
        if (pendingForCurrent.isEmpty()) {
            return;
        }
        List<byte[]> pending = new ArrayList<>(pendingForCurrent);
        pendingForCurrent.clear();
        TrackingClient client = tracking.get(session.id());
        if (client == null) {
            return;
        }
        for (byte[] key : pending) {
            send(session, client, key == null ? ALL_KEYS : List.of(key));
        }
    }

    // ---- key changes -----------------------------------------------------------------------------

    @Override
    public void changed(int db, byte[] key) {
        invalidate(key, current, true, true);
    }

    @Override
    public void expired(int db, byte[] key) {
        // No client made this change (NOLOOP does not hide it), and it is sent at once.
        invalidate(key, null, false, true);
    }

    @Override
    public void swapped(int db1, int db2) {
        // As Redis 7.0: SWAPDB invalidates nothing (tracking does not tell databases apart).
    }

    /** Redis's trackingInvalidateKeysOnFlush: every tracking client hears "all keys", and reads are forgotten. */
    @Override
    public void flushed(int db) {
        if (flushedThisCommand) {
            return;
        }
        flushedThisCommand = true;
        for (Map.Entry<Long, TrackingClient> entry : List.copyOf(tracking.entrySet())) {
            Session target = clients.byId(entry.getKey());
            if (target == null) {
                continue;
            }
            if (target == current) {
                pendingForCurrent.add(null); // "all keys"
            } else {
                send(target, entry.getValue(), ALL_KEYS);
            }
        }
        readers.clear();
    }

    /**
     * Redis's trackingInvalidateKey. {@code modifier} is the client that wrote, null for expiry;
     * {@code broadcast} is false only when the table sheds keys (no key changed).
     */
    private void invalidate(byte[] key, Session modifier, boolean deferForCurrent, boolean broadcast) {
        if (broadcast && !broadcasts.isEmpty()) {
            long modifierId = modifier == null ? 0 : modifier.id();
            for (Map.Entry<byte[], Broadcast> entry : broadcasts.entrySet()) {
                if (startsWith(key, entry.getKey())) {
                    entry.getValue().changed.put(key, modifierId);
                }
            }
        }
        if (readers.isEmpty()) {
            return;
        }
        Set<Long> ids = readers.remove(new TrackedKey(key));
        if (ids == null) {
            return;
        }
        for (long id : ids) {
            Session target = clients.byId(id);
            TrackingClient client = tracking.get(id);
            // A client that turned tracking off, or switched to BCAST since it read the key, is skipped.
            if (target == null || client == null || client.bcast) {
                continue;
            }
            if (client.noLoop && target == modifier) {
                continue;
            }
            if (target == current && deferForCurrent) {
                pendingForCurrent.add(key);
            } else {
                send(target, client, List.of(key));
            }
        }
    }

    /**
     * Redis's trackingBroadcastInvalidationMessages, once per event-loop batch: each BCAST client gets
     * one message per prefix with the keys changed under it (a NOLOOP client: those others changed).
     */
    public void broadcast() {
        if (broadcasts.isEmpty()) {
            return;
        }
        for (Broadcast broadcast : broadcasts.values()) {
            if (broadcast.changed.isEmpty()) {
                continue;
            }
            List<byte[]> all = new ArrayList<>(broadcast.changed.keySet());
            for (long id : List.copyOf(broadcast.clients)) {
                Session target = clients.byId(id);
                TrackingClient client = tracking.get(id);
                if (target == null || client == null) {
                    continue;
                }
                List<byte[]> keys = all;
                if (client.noLoop) {
                    keys = new ArrayList<>();
                    for (Map.Entry<byte[], Long> changed : broadcast.changed.entrySet()) {
                        if (changed.getValue() != id) {
                            keys.add(changed.getKey());
                        }
                    }
                }
                if (!keys.isEmpty()) {
                    send(target, client, keys);
                }
            }
            broadcast.changed.clear();
        }
    }

    /**
     * Redis's sendTrackingMessage: to the client itself in RESP3, or to the client it redirects to
     * (an {@code invalidate} push in RESP3, a {@code __redis__:invalidate} message to a subscribed
     * RESP2 client, else nothing). A redirection to a client that is gone marks it broken and tells a
     * RESP3 client so.
     *
     * @param keys the keys, or null for "all keys" (a flush)
     */
    private void send(Session target, TrackingClient client, List<byte[]> keys) {
        Session to = target;
        boolean redirected = false;
        if (client.redirect != 0) {
            Session redirectTarget = clients.byId(client.redirect);
            if (redirectTarget == null) {
                client.brokenRedirect = true;
                if (target.protocol() > 2) {
                    long redirect = client.redirect;
                    sink.push(target, out -> {
                        out.push(2);
                        out.bulk(REDIRECT_BROKEN);
                        out.integer(redirect);
                    });
                }
                return;
            }
            to = redirectTarget;
            redirected = true;
        }
        if (to.protocol() > 2) {
            sink.push(to, out -> {
                out.push(2);
                out.bulk(INVALIDATE);
                writeKeys(out, keys);
            });
        } else if (redirected && sink.subscribed(to)) {
            sink.push(to, out -> {
                out.push(3);
                out.bulk(MESSAGE);
                out.bulk(CHANNEL);
                writeKeys(out, keys);
            });
        }
    }

    private static void writeKeys(ReplyWriter out, List<byte[]> keys) {
        if (keys == ALL_KEYS) {
            out.nullBulk();
            return;
        }
        out.array(keys.size());
        for (byte[] key : keys) {
            out.bulk(key);
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** A BCAST prefix: its clients, and the keys changed under it since the last broadcast with who changed them. */
    private static final class Broadcast {
        final Set<Long> clients = new LinkedHashSet<>();
        /** Changed key -> the ID of the client that changed it last (0: none, an expiry). */
        final NavigableMap<byte[], Long> changed = new TreeMap<>(Arrays::compareUnsigned);
    }

    /** A key as a hash-map key (by content). */
    private record TrackedKey(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TrackedKey k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
