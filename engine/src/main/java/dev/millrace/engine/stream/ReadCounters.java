package dev.millrace.engine.stream;

/**
 * A group's entries-read counter and lag, as Redis 7.0 keeps and estimates them (t_stream.c's
 * streamRangeHasTombstones, streamEstimateDistanceFromFirstEverEntry and the lag of XINFO): the
 * counter is exact while no deleted entry lies ahead of the group, and otherwise estimated from the
 * stream's entries-added counter where the group's position allows it. Stateless.
 */
public final class ReadCounters {
    private ReadCounters() {
    }

    /** Whether an entry deleted by XDEL may lie at or after {@code start}. O(log n). */
    public static boolean rangeHasTombstones(Stream stream, StreamId start) {
        StreamId maxDeleted = stream.maxDeletedId();
        if (stream.length() == 0 || maxDeleted.equals(StreamId.MIN)) {
            return false;
        }
        if (stream.firstId().isAfter(maxDeleted)) {
            return false;
        }
        return !start.isAfter(maxDeleted);
    }

    /**
     * The entries-read counter of a group whose last delivered ID is {@code id}, or
     * {@link ConsumerGroup#UNKNOWN_ENTRIES_READ} when it cannot be told. O(log n).
     */
    public static long estimate(Stream stream, StreamId id) {
        long added = stream.entriesAdded();
        if (added == 0) {
            return 0;
        }
        int toLast = id.compareTo(stream.lastId());
        if (stream.length() == 0 && toLast <= 0) {
            return added;
        }
        if (toLast == 0) {
            return added;
        }
        if (toLast > 0) {
            return ConsumerGroup.UNKNOWN_ENTRIES_READ;
        }
        StreamId first = stream.firstId();
        StreamId maxDeleted = stream.maxDeletedId();
        if (maxDeleted.equals(StreamId.MIN) || maxDeleted.isBefore(first)) {
            int toFirst = id.compareTo(first);
            if (toFirst < 0) {
                return added - stream.length();
            }
            if (toFirst == 0) {
                return added - stream.length() + 1;
            }
        }
        return ConsumerGroup.UNKNOWN_ENTRIES_READ;
    }

    /** The group's lag (entries added it has not read), or null when it cannot be told. */
    public static Long lag(Stream stream, ConsumerGroup group) {
        long added = stream.entriesAdded();
        if (added == 0) {
            return 0L;
        }
        if (group.entriesRead() != ConsumerGroup.UNKNOWN_ENTRIES_READ
                && !rangeHasTombstones(stream, group.lastDelivered())) {
            return added - group.entriesRead();
        }
        long read = estimate(stream, group.lastDelivered());
        return read == ConsumerGroup.UNKNOWN_ENTRIES_READ ? null : added - read;
    }

    /** The group's counter after it delivers entry {@code id} past its last delivered ID. */
    public static long afterDelivering(Stream stream, ConsumerGroup group, StreamId id) {
        if (group.entriesRead() != ConsumerGroup.UNKNOWN_ENTRIES_READ && !rangeHasTombstones(stream, id)) {
            return group.entriesRead() + 1;
        }
        if (stream.entriesAdded() != 0) {
            return estimate(stream, id);
        }
        return group.entriesRead();
    }
}
