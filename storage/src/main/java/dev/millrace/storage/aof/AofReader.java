package dev.millrace.storage.aof;

import dev.millrace.engine.effect.Effect;
import dev.millrace.storage.aof.AofFormat.BodyCursor;
import dev.millrace.storage.aof.AofFormat.CorruptRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads AOF records back, in order, on its own queue instance (the writer's instance is in SYNC mode,
 * which would make this reader's chunk releases synchronous too).
 *
 * <p>A record that is torn (fragments without their last one) or corrupt (bad magic, version, CRC
 * or RESP) is skipped with a warning when it is the last thing in the log, or when a VOID excerpt
 * naming it follows (the writer appends one at open after finding such a tail). Anywhere else it
 * is fatal: the log would no longer be a faithful history.
 *
 * <p>One thread at a time. Reading is sequential, 5-8 M excerpts/s by the notes.
 */
public final class AofReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AofReader.class);

    private final ChronicleQueue queue;

    /** One record of the log. */
    public record LoggedRecord(long index, long unixTimeMillis, List<Effect> effects) {
    }

    AofReader(Path dir, TimeProvider time) {
        this.queue = ChronicleEffectLog.builder(dir, time).build();
    }

    /**
     * Calls {@code consumer} with every record whose index is above {@code afterIndex} (-1: from the
     * start) and at most {@code upToIndex}, in log order.
     *
     * @return the number of records delivered
     * @throws IllegalStateException when a corrupt record is found before the end of the log
     */
    public long replay(long afterIndex, long upToIndex, Consumer<LoggedRecord> consumer) {
        ExcerptTailer tailer = queue.createTailer();
        if (afterIndex < 0 || !tailer.moveToIndex(afterIndex)) {
            // No such index: its cycle was deleted after a snapshot, so everything left is newer.
            tailer.toStart();
        }
        return read(tailer, afterIndex, upToIndex, consumer).delivered;
    }

    /**
     * Checks the last entry of the log.
     *
     * @return the index of the last entry (record or VOID) and whether it is a torn or corrupt
     *         record; index -1 when the log is empty
     */
    Tail tail() {
        ExcerptTailer back = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd();
        long start = -1;
        while (true) {
            try (DocumentContext dc = back.readingDocument()) {
                if (!dc.isPresent()) {
                    break;
                }
                start = dc.index();
                Bytes<?> in = dc.wire().bytes();
                if (in.readRemaining() < AofFormat.PREFIX || in.readByte(in.readPosition()) != AofFormat.MAGIC) {
                    break;
                }
                byte kind = in.readByte(in.readPosition() + 2);
                if (kind != AofFormat.MIDDLE && kind != AofFormat.LAST) {
                    break;
                }
            }
        }
        if (start < 0) {
            return new Tail(-1, false);
        }
        ExcerptTailer forward = queue.createTailer();
        forward.moveToIndex(start);
        Outcome outcome = read(forward, start - 1, Long.MAX_VALUE, r -> { });
        return new Tail(start, outcome.badTail >= 0);
    }

    /** The cycle of the oldest file in the log, or the current cycle when it is empty. */
    public int firstCycle() {
        return queue.rollCycle().toCycle(Math.max(0, queue.firstIndex()));
    }

    record Tail(long lastIndex, boolean bad) {
    }

    private record Outcome(long delivered, long badTail) {
    }

    /** The record being assembled from fragments. */
    private static final class Pending {
        final long index;
        final long time;
        final int effects;
        final long length;
        /** The format version of the record's first excerpt, which says how its body is encoded. */
        final byte version;
        final List<byte[]> parts = new ArrayList<>();
        long received;

        Pending(long index, long time, int effects, long length, byte version) {
            this.index = index;
            this.time = time;
            this.effects = effects;
            this.length = length;
            this.version = version;
        }
    }

    private Outcome read(ExcerptTailer tailer, long afterIndex, long upToIndex, Consumer<LoggedRecord> consumer) {
        long delivered = 0;
        Pending pending = null;
        long suspect = -1;
        String suspectReason = null;
        while (true) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    break;
                }
                long index = dc.index();
                Bytes<?> in = dc.wire().bytes();
                byte kind = -1;
                byte version = -1;
                if (in.readRemaining() >= AofFormat.PREFIX && in.readByte() == AofFormat.MAGIC
                        && AofFormat.readable(version = in.readByte())) {
                    kind = in.readByte();
                }
                boolean continuation = kind == AofFormat.MIDDLE || kind == AofFormat.LAST;
                if (pending != null && !continuation) {
                    suspect = pending.index;
                    suspectReason = "its last fragment is missing";
                    pending = null;
                }
                if (suspect >= 0) {
                    if (kind == AofFormat.VOID && in.readRemaining() >= 8 && in.readLong() == suspect) {
                        if (suspect > afterIndex) {
                            log.warn("AOF record {} skipped: {} (voided when the log was reopened)", hex(suspect), suspectReason);
                        }
                        suspect = -1;
                        continue;
                    }
                    throw new IllegalStateException("AOF corrupt: record " + hex(suspect) + " " + suspectReason
                            + ", and it is not the last record");
                }
                if (kind != AofFormat.VOID && (kind == AofFormat.WHOLE || kind == AofFormat.FIRST) && index > upToIndex) {
                    break;
                }
                try {
                    switch (kind) {
                        case AofFormat.WHOLE, AofFormat.FIRST -> {
                            if (in.readRemaining() < AofFormat.RECORD_HEADER) {
                                throw new CorruptRecord("header too short");
                            }
                            pending = new Pending(index, in.readLong(), in.readInt(), in.readLong(), version);
                            if (pending.effects < 0 || pending.length < 0) {
                                throw new CorruptRecord("negative count or length");
                            }
                            pending = addFragment(pending, in, kind == AofFormat.WHOLE);
                        }
                        case AofFormat.MIDDLE, AofFormat.LAST -> {
                            if (pending == null) {
                                if (delivered > 0) {
                                    throw new CorruptRecord("a fragment without its first part");
                                }
                                // The rest of a record whose start lies before where reading began.
                                continue;
                            }
                            pending = addFragment(pending, in, kind == AofFormat.LAST);
                        }
                        case AofFormat.VOID -> {
                            // Names a record that was skipped already (or lies before afterIndex).
                        }
                        default -> throw new CorruptRecord("not an AOF excerpt (bad magic, version or kind)");
                    }
                    if (pending != null && pending.received == -1) {
                        LoggedRecord record = decode(pending);
                        pending = null;
                        if (record.index() > afterIndex) {
                            consumer.accept(record);
                            delivered++;
                        }
                    }
                } catch (CorruptRecord e) {
                    suspect = pending != null ? pending.index : index;
                    suspectReason = "is corrupt: " + e.getMessage();
                    pending = null;
                }
            }
        }
        if (pending != null) {
            suspect = pending.index;
            suspectReason = "its last fragment is missing";
        }
        if (suspect >= 0 && suspect > afterIndex) {
            log.warn("AOF record {} at the end of the log skipped: {} (a write interrupted by a crash)", hex(suspect), suspectReason);
        }
        return new Outcome(delivered, suspect);
    }

    /**
     * Adds a fragment's body bytes; on the last fragment checks length and CRC and marks the record
     * complete ({@code received = -1}).
     */
    private static Pending addFragment(Pending p, Bytes<?> in, boolean last) throws CorruptRecord {
        long bodyBytes = in.readRemaining() - (last ? AofFormat.TRAILER : 0);
        if (bodyBytes < 0 || p.received + bodyBytes > p.length) {
            throw new CorruptRecord("body longer than its header says");
        }
        byte[] part = new byte[(int) bodyBytes];
        in.read(part);
        p.parts.add(part);
        p.received += bodyBytes;
        if (last) {
            if (p.received != p.length) {
                throw new CorruptRecord("body shorter than its header says");
            }
            int crc = in.readInt();
            if (crc != (int) new BodyCursor(p.parts).crc32c()) {
                throw new CorruptRecord("CRC mismatch");
            }
            p.received = -1;
        }
        return p;
    }

    private static LoggedRecord decode(Pending p) throws CorruptRecord {
        return new LoggedRecord(p.index, p.time, AofFormat.readBody(new BodyCursor(p.parts), p.effects, p.version));
    }

    /** An index as Chronicle shows it, for log messages. */
    public static String hex(long index) {
        return "0x" + Long.toHexString(index);
    }

    @Override
    public void close() {
        queue.close();
    }
}
