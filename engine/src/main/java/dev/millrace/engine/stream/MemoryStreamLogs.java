package dev.millrace.engine.stream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stream logs on the heap, for the in-memory key store (engine tests). Behaves as the Chronicle
 * logs do, except that retired logs and released entries go at once. Execution thread only.
 */
public final class MemoryStreamLogs implements StreamLogs {
    private final Map<Long, MemoryLog> logs = new HashMap<>();

    @Override
    public StreamLog open(long logId) {
        return logs.computeIfAbsent(logId, id -> new MemoryLog());
    }

    @Override
    public void retire(long logId) {
        logs.remove(logId);
    }

    /** As the Chronicle logs' limit with the default stream-log-block-size (4 MiB), so engine tests meet it too. */
    @Override
    public long maxEntryBytes() {
        return (1 << 20) - 56;
    }

    @Override
    public void close() {
    }

    private static final class MemoryLog implements StreamLog {
        /** Entries from {@link #first} on. */
        private final List<StreamEntry> entries = new ArrayList<>();
        /** bytesBefore of each entry in {@link #entries}, and of the next one to come. */
        private final List<Long> bytesBefore = new ArrayList<>(List.of(0L));
        private long first = 1;

        @Override
        public long firstNumber() {
            return first;
        }

        @Override
        public long lastNumber() {
            return first + entries.size() - 1;
        }

        @Override
        public void append(long number, StreamId id, byte[][] fieldsAndValues) {
            if (number <= lastNumber()) {
                return;
            }
            if (entries.isEmpty()) {
                first = number;
            } else if (number != lastNumber() + 1) {
                throw new IllegalStateException("stream log gap: appending " + number + " after " + lastNumber());
            }
            entries.add(new StreamEntry(id, fieldsAndValues));
            bytesBefore.add(bytesBefore.get(bytesBefore.size() - 1) + StreamEntry.size(fieldsAndValues));
        }

        @Override
        public long bytesBefore(long number) {
            return bytesBefore.get(Math.toIntExact(number - first));
        }

        @Override
        public StreamId id(long number) {
            return read(number).id();
        }

        @Override
        public StreamEntry read(long number) {
            return entries.get(Math.toIntExact(number - first));
        }

        @Override
        public void truncateAfter(long number) {
            while (!entries.isEmpty() && lastNumber() > number) {
                entries.remove(entries.size() - 1);
                bytesBefore.remove(bytesBefore.size() - 1);
            }
        }

        @Override
        public void releaseBelow(long number) {
            long drop = Math.min(number - first, entries.size());
            if (drop > 0) {
                entries.subList(0, (int) drop).clear();
                bytesBefore.subList(0, (int) drop).clear();
                first += drop;
            }
        }
    }
}
