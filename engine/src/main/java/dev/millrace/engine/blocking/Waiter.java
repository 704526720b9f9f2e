package dev.millrace.engine.blocking;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.reply.ReplyWriter;

/**
 * What a blocked client waits for and how to serve it: a blocking command hands one to
 * {@link BlockingKeys#block} when it finds nothing to return. Implementations are small and hold the
 * parsed arguments of the command (where to pop, how many, the destination ...).
 *
 * <p>Called on the execution thread only, by the engine, never re-entrantly.
 */
public interface Waiter {

    /**
     * The type a key must hold to serve this client: a ready key of another type is skipped and the
     * client keeps waiting (a BZPOPMIN client is not woken by a list), as Redis 7.0 does.
     */
    ValueType type();

    /**
     * Whether the client is also offered its key when the key is deleted or comes to hold another type:
     * {@link #serve} then sees the key as it is and ends the wait with an error (XREADGROUP, whose
     * stream is gone, as Redis 7.0.15 does). Others keep waiting.
     */
    default boolean servedWhenKeyLost() {
        return false;
    }

    /**
     * Serves the client from {@code key}, which now holds a live value of {@link #type()}. Runs as a
     * command of the blocked client: {@code call.session()}, {@code call.db()} and {@code call.reply()}
     * are the blocked client's, {@code call.argv()} its blocking command, {@code call.now()} the time of
     * serving. Reply exactly once, and state every write with {@link Call#effect} as the non-blocking
     * command it amounts to (BLPOP as LPOP, BLMOVE as LMOVE, BZPOPMIN as ZPOPMIN ...): the engine refuses
     * a serving that writes without stating its effects, since the blocking argv would not replay.
     *
     * @return true when the client got its reply (data or an error) and is unblocked; false to keep
     *         waiting, without having replied or written (an XREAD whose stream has nothing new yet)
     */
    boolean serve(Call call, byte[] key);

    /**
     * The reply when the timeout passes or CLIENT UNBLOCK ... TIMEOUT: Redis answers every blocking
     * list, sorted-set and stream command with a null array ({@code *-1}, RESP3 {@code _}).
     */
    default void timedOut(ReplyWriter reply) {
        reply.nullArray();
    }
}
