package dev.millrace.engine.transaction;

import dev.millrace.engine.client.Session;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The commands one client queued since MULTI, to run one after the other when EXEC comes, and whether
 * a command was refused while queueing (Redis's CLIENT_DIRTY_EXEC: EXEC then fails with EXECABORT and
 * runs nothing). Owned by its {@link dev.millrace.engine.client.Session} from MULTI until EXEC has run
 * its commands (while they run the client is still in MULTI, as CLIENT LIST shows in Redis, but no
 * longer {@link #queueing}). Execution thread only.
 */
public final class Transaction {
    private final List<byte[][]> queued = new ArrayList<>();
    private boolean aborted;
    private boolean running;

    /**
     * Queues a command that passed the dispatcher's gates. Once the transaction is aborted nothing more
     * is kept (it will never run), as Redis does, but the count CLIENT LIST shows stays.
     *
     * @param argv the command, kept as is: the caller hands over its ownership
     */
    public void queue(byte[][] argv) {
        if (!aborted) {
            queued.add(argv);
        }
    }

    /** A command was refused while queueing: EXEC will fail with EXECABORT. */
    public void abort() {
        aborted = true;
    }

    public boolean aborted() {
        return aborted;
    }

    /** Whether the client's commands are queued: from MULTI until EXEC starts running them. */
    public boolean queueing() {
        return !running;
    }

    /** EXEC starts running the queued commands: from now on the client's commands run. */
    public void startRunning() {
        running = true;
    }

    /** The queued commands, in order. */
    public List<byte[][]> commands() {
        return Collections.unmodifiableList(queued);
    }

    /** How many commands are queued (CLIENT LIST's {@code multi=}). */
    public int size() {
        return queued.size();
    }

    /**
     * Ends {@code session}'s transaction, if any, and forgets its watches and their broken mark (Redis's
     * discardTransaction): EXEC, DISCARD, RESET, an EXEC refused by a gate, disconnection.
     */
    public static void end(Session session, WatchedKeys watches) {
        session.setTransaction(null);
        watches.unwatchAll(session);
    }
}
