package dev.millrace.engine.blocking;

import dev.millrace.engine.Engine;
import dev.millrace.engine.client.Session;
import dev.millrace.engine.command.Call;
import dev.millrace.engine.keyspace.KeyChanges;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.Errors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The clients blocked on keys, and when they are served: Redis 7.0's blocked.c. A blocking command
 * that finds nothing to return calls {@link #block}; its client then waits, its further commands held
 * back by the transport, until one of these ends the wait:
 * <ul>
 *   <li><b>a key it waits on becomes ready.</b> Every write that leaves a value under a key waited for
 *       (a push, LMOVE's destination, RENAME, COPY, SORT ... STORE, SWAPDB), or removes one (DEL,
 *       expiry, RENAME's source, FLUSHDB), marks the key ready through the keyspace's {@link KeyChanges}
 *       port; a removed key is offered only to waiters that must learn of it
 *       ({@link Waiter#servedWhenKeyLost}: XREADGROUP). Ready keys are served once the top-level
 *       command that readied them has completed ({@link #serveReadyKeys}, called by the dispatcher): a push inside a
 *       transaction or a script wakes nobody before the whole of it has run, and what it popped again
 *       is not there to serve. For each ready key, in the order keys became ready, its clients are
 *       offered the key in the order they blocked (FIFO per key), those whose {@link Waiter#type()} the
 *       key holds, until one empties it. A serving that readies another key (BLMOVE pushing to a list
 *       someone waits on) is served in the same pass;</li>
 *   <li><b>its deadline passes</b> ({@link #expireTimeouts}, from the engine's cron, comparing unix
 *       milliseconds): {@link Waiter#timedOut} replies;</li>
 *   <li><b>CLIENT UNBLOCK</b> ({@link #unblock}): the timeout reply, or the error UNBLOCKED;</li>
 *   <li><b>the client disconnects or is killed</b> ({@link #forget}): no reply.</li>
 * </ul>
 *
 * <h2>Using it from a blocking command (BZPOPMIN, XREAD BLOCK ...)</h2>
 * <pre>{@code
 *   Long deadline = BlockingTimeout.seconds(call, timeoutIndex);   // or milliseconds(...)
 *   if (deadline == null) return;                                  // the error was replied
 *   ... serve at once when a key has data, as the non-blocking command would (and state the
 *       non-blocking effect with call.effect) ...
 *   if (!call.mayBlock()) {                // inside MULTI or a script: Redis answers as on timeout
 *       call.reply().nullArray();
 *       return;
 *   }
 *   call.engine().blocking().block(call, keys, deadline, new MyWaiter(...));   // no reply now
 * }</pre>
 * The {@link Waiter} later serves from one ready key, exactly once per client, replying to the blocked
 * client and stating its effects (BZPOPMIN as ZPOPMIN ...), which join the same AOF batch as the write
 * that readied the key, so the client's reply leaves only after they are logged (group commit). A key
 * that already holds a value becomes ready on its next write, so a waiter may decline
 * ({@link Waiter#serve} returns false: XREAD when the stream's new entries are not past its ID yet).
 *
 * <p>Costs: {@link #block} and every unblocking O(k log c) for k keys and c clients with a deadline;
 * a write O(1) (nothing while no client is blocked); serving a key O(clients waiting on it).
 * Execution thread only.
 */
public final class BlockingKeys implements KeyChanges {
    private final Engine engine;
    /** The clients waiting on each key, in the order they blocked. */
    private final Map<WaitedKey, LinkedHashSet<BlockedClient>> waiting = new HashMap<>();
    private final Map<Long, BlockedClient> bySession = new HashMap<>();
    private final TreeSet<BlockedClient> byDeadline = new TreeSet<>(
            Comparator.comparingLong(BlockedClient::deadline).thenComparingLong(BlockedClient::sequence));
    /** Keys written while clients wait on them, in the order they became ready, each once. */
    private LinkedHashSet<WaitedKey> ready = new LinkedHashSet<>();
    private long nextSequence;

    public BlockingKeys(Engine engine) {
        this.engine = engine;
    }

    /**
     * Blocks the calling client on {@code keys} until a {@link Waiter} serves it, {@code deadline} (unix
     * ms, or {@link BlockingTimeout#FOREVER}) passes, or CLIENT UNBLOCK. The command replies nothing
     * now. A key named twice is waited on once.
     *
     * @throws IllegalStateException when the command may not block ({@link Call#mayBlock()}): the caller
     *         must answer such commands itself, as on timeout
     */
    public void block(Call call, List<byte[]> keys, long deadline, Waiter waiter) {
        if (!call.mayBlock()) {
            throw new IllegalStateException(call.spec().name() + " may not block here: check Call.mayBlock() first");
        }
        Session session = call.session();
        List<byte[]> distinct = new ArrayList<>();
        for (byte[] key : keys) {
            if (distinct.stream().noneMatch(k -> Arrays.equals(k, key))) {
                distinct.add(key);
            }
        }
        BlockedClient client = new BlockedClient(session, call.reply(), call.argv(), call.spec(), call.db(),
                List.copyOf(distinct), deadline, waiter, nextSequence++, session.replyMode());
        for (byte[] key : client.keys()) {
            waiting.computeIfAbsent(new WaitedKey(client.db(), key), k -> new LinkedHashSet<>()).add(client);
        }
        if (deadline != BlockingTimeout.FOREVER) {
            byDeadline.add(client);
        }
        bySession.put(session.id(), client);
        session.setBlocked(true);
    }

    // ---- KeyChanges: the keyspace reports writes

    @Override
    public void changed(int db, byte[] key) {
        if (waiting.isEmpty()) {
            return;
        }
        WaitedKey waited = new WaitedKey(db, key);
        if (waiting.containsKey(waited)) {
            ready.add(waited);
        }
    }

    /** A group destroyed or moved: its blocked XREADGROUP clients look again (and may fail). */
    @Override
    public void streamMetadataChanged(int db, byte[] key) {
        changed(db, key);
    }

    @Override
    public void swapped(int db1, int db2) {
        for (WaitedKey key : waiting.keySet()) {
            if (key.db() == db1 || key.db() == db2) {
                ready.add(key);
            }
        }
    }

    @Override
    public void flushed(int db) {
        swapped(db, db);
    }

    /**
     * Serves the clients waiting on the keys made ready since the last call; the dispatcher calls it
     * when a top-level command completes. Servings that ready further keys are served too.
     */
    public void serveReadyKeys() {
        while (!ready.isEmpty()) {
            LinkedHashSet<WaitedKey> batch = ready;
            ready = new LinkedHashSet<>();
            for (WaitedKey key : batch) {
                serve(key);
            }
        }
    }

    /**
     * Offers a ready key to its clients in the order they blocked: those waiting for the type it holds,
     * and those that must learn it was lost.
     */
    private void serve(WaitedKey key) {
        LinkedHashSet<BlockedClient> clients = waiting.get(key);
        if (clients == null) {
            return;
        }
        for (BlockedClient client : List.copyOf(clients)) {
            if (bySession.get(client.session().id()) != client) {
                continue; // served from another key meanwhile
            }
            ValueType type = liveType(key);
            boolean offered = type == client.waiter().type() || client.waiter().servedWhenKeyLost();
            // An emptied key (or one of another type) leaves the others waiting.
            if (offered && engine.dispatcher().serveBlocked(client, key.key())) {
                end(client);
            }
        }
    }

    /** The type of the key's live value, or null; looked at without side effects (no expiry, no stats). */
    private ValueType liveType(WaitedKey key) {
        byte[] record = engine.keyspace().store().get(key.db(), key.key());
        if (record == null || Record.isExpiredAt(record, engine.clock().currentTimeMillis())) {
            return null;
        }
        return Record.typeOf(record);
    }

    /** Times out the clients whose deadline is before {@code nowMillis}; from the engine's cron. */
    public void expireTimeouts(long nowMillis) {
        while (!byDeadline.isEmpty() && byDeadline.first().deadline() < nowMillis) {
            BlockedClient client = byDeadline.first();
            client.waiter().timedOut(client.reply());
            end(client);
        }
    }

    /**
     * CLIENT UNBLOCK: ends a client's wait with the timeout reply, or with the error UNBLOCKED.
     *
     * @return false when the client is not blocked
     */
    public boolean unblock(long sessionId, boolean withError) {
        BlockedClient client = bySession.get(sessionId);
        if (client == null) {
            return false;
        }
        if (withError) {
            client.reply().error(Errors.UNBLOCKED);
        } else {
            client.waiter().timedOut(client.reply());
        }
        end(client);
        return true;
    }

    /** A client that disconnected or was killed: forgotten without a reply. */
    public void forget(Session session) {
        BlockedClient client = bySession.get(session.id());
        if (client != null) {
            remove(client);
        }
    }

    /** INFO's blocked_clients. */
    public int blockedClients() {
        return bySession.size();
    }

    /** INFO's clients_in_timeout_table: the blocked clients that have a deadline. */
    public int clientsWithDeadline() {
        return byDeadline.size();
    }

    /** The client got its reply: it stops waiting and its held-back commands run next. */
    private void end(BlockedClient client) {
        remove(client);
        engine.dispatcher().blockedCommandDone(client);
        client.session().connection().unblocked();
    }

    private void remove(BlockedClient client) {
        bySession.remove(client.session().id());
        byDeadline.remove(client);
        for (byte[] key : client.keys()) {
            WaitedKey waited = new WaitedKey(client.db(), key);
            LinkedHashSet<BlockedClient> clients = waiting.get(waited);
            clients.remove(client);
            if (clients.isEmpty()) {
                waiting.remove(waited);
            }
        }
        client.session().setBlocked(false);
    }

    /** A key in a database, compared by content. */
    private record WaitedKey(int db, byte[] key) {
        @Override
        public boolean equals(Object o) {
            return o instanceof WaitedKey other && db == other.db && Arrays.equals(key, other.key);
        }

        @Override
        public int hashCode() {
            return 31 * db + Arrays.hashCode(key);
        }

        @Override
        public String toString() {
            return db + ":" + new String(key, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }
}
