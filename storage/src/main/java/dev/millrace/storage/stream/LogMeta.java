package dev.millrace.storage.stream;

import dev.millrace.storage.DurableFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What a stream log's queue alone cannot say, kept in {@value #FILE} in its directory (properties
 * text, written atomically and fsynced, see {@link DurableFiles}):
 * <ul>
 *   <li>{@code voided}: the Chronicle index ranges {@code from-to} (inclusive, hex) whose excerpts
 *       {@link dev.millrace.engine.stream.StreamLog#truncateAfter} dropped. Chronicle cannot shorten a
 *       file, so the excerpts stay and readers skip them.</li>
 *   <li>{@code emptyFirst} and {@code emptyBytesBefore}: the log's first number, and the bytes
 *       before it, while it holds no entry (1 and 0 for a new log): what they were when truncation or
 *       deletion emptied it.</li>
 * </ul>
 * Immutable.
 */
record LogMeta(List<LogMeta.Range> voided, long emptyFirst, long emptyBytesBefore) {
    static final String FILE = "log.meta";
    static final LogMeta NEW = new LogMeta(List.of(), 1, 0);

    /** Chronicle indexes {@code from..to}, inclusive. */
    record Range(long from, long to) {
    }

    static LogMeta read(Path dir) {
        Properties props = DurableFiles.readProperties(dir.resolve(FILE));
        if (props == null) {
            return NEW;
        }
        List<Range> voided = new ArrayList<>();
        String ranges = props.getProperty("voided", "");
        for (String range : ranges.isEmpty() ? new String[0] : ranges.split(",")) {
            int dash = range.indexOf('-');
            voided.add(new Range(Long.parseLong(range.substring(0, dash), 16), Long.parseLong(range.substring(dash + 1), 16)));
        }
        return new LogMeta(List.copyOf(voided), Long.parseLong(props.getProperty("emptyFirst", "1")),
                Long.parseLong(props.getProperty("emptyBytesBefore", "0")));
    }

    void write(Path dir) {
        Properties props = new Properties();
        StringBuilder ranges = new StringBuilder();
        for (Range range : voided) {
            if (ranges.length() > 0) {
                ranges.append(',');
            }
            ranges.append(Long.toHexString(range.from)).append('-').append(Long.toHexString(range.to));
        }
        props.setProperty("voided", ranges.toString());
        props.setProperty("emptyFirst", Long.toString(emptyFirst));
        props.setProperty("emptyBytesBefore", Long.toString(emptyBytesBefore));
        DurableFiles.writeProperties(dir.resolve(FILE), props, "stream log: voided index ranges, first number and bytes before it when empty");
    }

    /** This meta with {@code from..to} voided too (ranges kept sorted and merged). */
    LogMeta withVoided(long from, long to) {
        List<Range> ranges = new ArrayList<>();
        Range added = new Range(from, to);
        for (Range range : voided) {
            if (range.to < added.from - 1 || range.from > added.to + 1) {
                ranges.add(range);
            } else {
                added = new Range(Math.min(range.from, added.from), Math.max(range.to, added.to));
            }
        }
        ranges.add(added);
        ranges.sort((a, b) -> Long.compare(a.from, b.from));
        return new LogMeta(List.copyOf(ranges), emptyFirst, emptyBytesBefore);
    }

    /** This meta saying what an empty log's first number, and the bytes before it, are. */
    LogMeta withEmpty(long first, long bytesBefore) {
        return new LogMeta(voided, first, bytesBefore);
    }

    /**
     * This meta with its ranges cut to the queue's excerpts {@code firstIndex..lastIndex}: indexes
     * outside name nothing, and would be reused by later appends (cycle files deleted from the front;
     * excerpts that were never synced and lost in a power failure at the end).
     */
    LogMeta within(long firstIndex, long lastIndex) {
        List<Range> ranges = new ArrayList<>();
        for (Range range : voided) {
            long from = Math.max(range.from, firstIndex);
            long to = Math.min(range.to, lastIndex);
            if (from <= to) {
                ranges.add(new Range(from, to));
            }
        }
        return new LogMeta(List.copyOf(ranges), emptyFirst, emptyBytesBefore);
    }

    /** Calls {@code consumer} with the segments of {@code lo..hi} (inclusive) outside every voided range, in order. */
    void forEachLiveSegment(long lo, long hi, SegmentConsumer consumer) {
        long from = lo;
        for (Range range : voided) {
            if (range.to < from) {
                continue;
            }
            if (range.from > hi) {
                break;
            }
            if (range.from > from) {
                consumer.accept(from, range.from - 1);
            }
            from = range.to + 1;
            if (from > hi) {
                return;
            }
        }
        consumer.accept(from, hi);
    }

    interface SegmentConsumer {
        void accept(long from, long to);
    }
}
