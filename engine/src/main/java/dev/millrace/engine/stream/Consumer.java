package dev.millrace.engine.stream;

import dev.millrace.engine.types.Bytes;
import dev.millrace.engine.types.PagedTree;
import dev.millrace.engine.types.Pages;

import java.util.Iterator;

/**
 * One consumer of a group: its name, when it was last seen (unix ms) and the IDs of the pending
 * entries it owns, in a tree of its own keyed by the 16-byte ID (empty values: the details live in the
 * group's pending-entries tree). Stored as the value of the group's consumers tree, keyed by name:
 * {@code long seen time, 20-byte root of its pending IDs}. Changed only through its
 * {@link ConsumerGroup}, which saves it. Execution thread only.
 */
public final class Consumer {
    private static final byte[] EMPTY = new byte[0];
    private final byte[] name;
    private long seenTime;
    private final PagedTree pending;

    private Consumer(byte[] name, long seenTime, PagedTree pending) {
        this.name = name;
        this.seenTime = seenTime;
        this.pending = pending;
    }

    static Consumer create(Pages pages, byte[] name, long now) {
        return new Consumer(name, now, PagedTree.create(pages));
    }

    static Consumer decode(Pages pages, byte[] name, byte[] value) {
        return new Consumer(name, Bytes.getLong(value, 0), new PagedTree(pages, PagedTree.Root.decode(value, 8)));
    }

    byte[] encode() {
        byte[] out = new byte[8 + PagedTree.Root.SIZE];
        Bytes.putLong(out, 0, seenTime);
        pending.root().encode(out, 8);
        return out;
    }

    public byte[] name() {
        return name;
    }

    public long seenTime() {
        return seenTime;
    }

    /** The number of entries it owns. O(1). */
    public long pendingCount() {
        return pending.size();
    }

    /** The IDs it owns from {@code from} upwards. O(log n) to start. */
    public Iterator<StreamId> pendingFrom(StreamId from) {
        Iterator<PagedTree.Entry> it = pending.iterator(pending.rank(PendingEntry.key(from)));
        return new Iterator<>() {
            @Override public boolean hasNext() { return it.hasNext(); }
            @Override public StreamId next() { return StreamId.decode(it.next().key(), 0); }
        };
    }

    void seen(long now) {
        seenTime = now;
    }

    void own(StreamId id) {
        pending.put(PendingEntry.key(id), EMPTY);
    }

    void release(StreamId id) {
        pending.remove(PendingEntry.key(id));
    }

    void free() {
        pending.free();
    }
}
