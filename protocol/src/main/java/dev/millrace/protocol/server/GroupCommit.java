package dev.millrace.protocol.server;

import dev.millrace.engine.Engine;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Flushes replies once per event-loop iteration, after their effects are durable: a connection with
 * new output registers here; the first registration of an iteration queues one task, which Netty runs
 * after the iteration's I/O, so every read of the iteration has been executed by then. The task calls
 * {@link Engine#afterBatch()} once (with {@code appendfsync always}, one fsync for all of them: a group
 * commit) and then flushes every registered connection.
 *
 * <p>Execution thread only.
 */
final class GroupCommit implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    private final Engine engine;
    private final EventLoop loop;
    private List<ClientConnection> pending = new ArrayList<>();
    private List<ClientConnection> flushing = new ArrayList<>();
    private boolean scheduled;

    GroupCommit(Engine engine, EventLoop loop) {
        this.engine = engine;
        this.loop = loop;
    }

    /** Registers a connection with output (or a close) pending; it is flushed by the next commit. */
    void register(ClientConnection connection) {
        pending.add(connection);
        if (!scheduled) {
            scheduled = true;
            loop.execute(this);
        }
    }

    /** Makes the pending effects durable, then flushes every registered connection. */
    @Override
    public void run() {
        scheduled = false;
        // Connections that register while this batch flushes go to the next commit.
        List<ClientConnection> batch = pending;
        pending = flushing;
        flushing = batch;
        boolean durable = true;
        try {
            engine.afterBatch();
        } catch (RuntimeException e) {
            durable = false;
            log.error("Can't make the append only file durable; dropping the replies that depend on it", e);
        }
        for (ClientConnection connection : batch) {
            if (durable) {
                connection.flush();
            } else {
                connection.abort();
            }
        }
        batch.clear();
    }
}
