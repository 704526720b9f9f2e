package dev.millrace.storage.stream;

import dev.millrace.engine.stream.StreamLog;
import dev.millrace.engine.stream.StreamLogs;
import dev.millrace.storage.ChronicleSettings;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The logs of a keyspace's streams: one Chronicle Queue per stream under {@code dir}, in a directory
 * named by the stream's object id (16 hex digits). Format and rules in {@link ChronicleStreamLog}.
 *
 * <p>At most {@code maxOpen} queues are open at once (each costs two file descriptors and two
 * mappings); the least recently used is closed and reopened on its next use, which costs a few
 * milliseconds. A <em>read-only</em> instance (a snapshot build's, over the live directory) never
 * writes: it only reads what the live instance appended.
 *
 * <p>Deleting files is not done yet: retired logs and entries released below a trim point stay on
 * disk (see docs/storage-format.md, "Stream logs").
 *
 * <p>Execution thread only (a read-only instance: its snapshot thread only).
 */
public final class ChronicleStreamLogs implements StreamLogs {
    static {
        ChronicleSettings.apply();
    }

    public static final RollCycle DEFAULT_ROLL_CYCLE = RollCycles.FAST_HOURLY;
    public static final int DEFAULT_MAX_OPEN = 1024;

    private final Path dir;
    private final RollCycle rollCycle;
    private final TimeProvider time;
    private final boolean readOnly;
    /** Every log used so far: a handle stays valid after its queue is closed, and reopens it. */
    private final Map<Long, ChronicleStreamLog> logs = new HashMap<>();
    /** The logs whose queue is open, least recently used first. */
    private final LinkedHashMap<Long, ChronicleStreamLog> open;

    public ChronicleStreamLogs(Path dir, RollCycle rollCycle, TimeProvider time, int maxOpen, boolean readOnly) {
        this.dir = dir;
        this.rollCycle = rollCycle;
        this.time = time;
        this.readOnly = readOnly;
        this.open = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, ChronicleStreamLog> eldest) {
                if (size() > maxOpen) {
                    eldest.getValue().release();
                    return true;
                }
                return false;
            }
        };
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** The live logs of a data directory's {@code streams/}, with the default roll cycle. */
    public static ChronicleStreamLogs open(Path dir, boolean readOnly) {
        return new ChronicleStreamLogs(dir, DEFAULT_ROLL_CYCLE, System::currentTimeMillis, DEFAULT_MAX_OPEN, readOnly);
    }

    @Override
    public StreamLog open(long logId) {
        return logs.computeIfAbsent(logId, id -> new ChronicleStreamLog(
                dir.resolve(String.format("%016x", id)), id, rollCycle, time, readOnly, this::opened));
    }

    /** A log is used: it becomes the most recently used open one, closing the least recently used past the limit. */
    private void opened(ChronicleStreamLog log) {
        open.put(log.id(), log);
    }

    @Override
    public void retire(long logId) {
        // Kept on disk for now: a snapshot older than the deletion may still name this log.
    }

    @Override
    public long maxEntryBytes() {
        return ChronicleStreamLog.MAX_ENTRY_BYTES;
    }

    /** The number of queues open now. */
    public int openCount() {
        return open.size();
    }

    @Override
    public void close() {
        for (ChronicleStreamLog log : logs.values()) {
            log.release();
        }
        open.clear();
    }
}
