package dev.millrace.engine.stream;

import dev.millrace.engine.types.Bytes;
import dev.millrace.engine.types.PagedTree;
import dev.millrace.engine.types.Pages;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One consumer group of a stream (Redis's {@code streamCG}): the last ID it delivered, its
 * entries-read counter, its pending entries (PEL) and its consumers, each a {@link PagedTree} on the
 * stream's pages. Stored as the value of the stream's groups tree, keyed by name:
 *
 * <pre>
 *   16   last delivered ID
 *   long entries read        -1 when unknown (Redis's SCG_INVALID_ENTRIES_READ)
 *   20   PEL root            ID (16 bytes, big-endian) -> {@link PendingEntry}
 *   20   consumers root      name -> {@link Consumer}
 * </pre>
 *
 * Changes to the trees are made at once; the group's own value and its consumers' values are written
 * back to their trees when the stream is encoded ({@link ConsumerGroups#flush}), so a command that
 * delivers many entries rewrites them once. Costs: a pending entry found, added, moved or removed in O(log n) page reads and
 * writes (n the group's pending entries), a consumer in O(log c). Execution thread only; one instance
 * per group per loaded stream.
 */
public final class ConsumerGroup {
    /** Redis's SCG_INVALID_ENTRIES_READ: the group's entries-read counter is not known. */
    public static final long UNKNOWN_ENTRIES_READ = -1;
    static final int VALUE_BYTES = StreamId.BYTES + 8 + 2 * PagedTree.Root.SIZE;

    private final ConsumerGroups owner;
    private final Pages pages;
    private final byte[] name;
    private StreamId lastDelivered;
    private long entriesRead;
    private final PagedTree pel;
    private final PagedTree consumers;
    /** Where entries delivered too often go instead of being claimed again, or null. */
    private DeadLetter deadLetter;
    private final Map<ByteBuffer, Consumer> loaded = new HashMap<>();
    /** Consumers whose value changed since the last {@link #flush}. */
    private final Map<ByteBuffer, Consumer> changed = new HashMap<>();

    private ConsumerGroup(ConsumerGroups owner, Pages pages, byte[] name, StreamId lastDelivered, long entriesRead,
                          PagedTree pel, PagedTree consumers) {
        this.owner = owner;
        this.pages = pages;
        this.name = name;
        this.lastDelivered = lastDelivered;
        this.entriesRead = entriesRead;
        this.pel = pel;
        this.consumers = consumers;
    }

    static ConsumerGroup create(ConsumerGroups owner, Pages pages, byte[] name, StreamId lastDelivered, long entriesRead) {
        return new ConsumerGroup(owner, pages, name, lastDelivered, entriesRead, PagedTree.create(pages), PagedTree.create(pages));
    }

    static ConsumerGroup decode(ConsumerGroups owner, Pages pages, byte[] name, byte[] value) {
        int at = StreamId.BYTES + 8;
        ConsumerGroup group = new ConsumerGroup(owner, pages, name, StreamId.decode(value, 0),
                Bytes.getLong(value, StreamId.BYTES), new PagedTree(pages, PagedTree.Root.decode(value, at)),
                new PagedTree(pages, PagedTree.Root.decode(value, at + PagedTree.Root.SIZE)));
        if (value.length > VALUE_BYTES) {
            group.deadLetter = new DeadLetter(Bytes.getLong(value, VALUE_BYTES),
                    java.util.Arrays.copyOfRange(value, VALUE_BYTES + 8, value.length));
        }
        return group;
    }

    byte[] encode() {
        byte[] out = new byte[VALUE_BYTES + (deadLetter == null ? 0 : 8 + deadLetter.stream().length)];
        if (deadLetter != null) {
            Bytes.putLong(out, VALUE_BYTES, deadLetter.maxDeliveries());
            System.arraycopy(deadLetter.stream(), 0, out, VALUE_BYTES + 8, deadLetter.stream().length);
        }
        lastDelivered.encode(out, 0);
        Bytes.putLong(out, StreamId.BYTES, entriesRead);
        pel.root().encode(out, StreamId.BYTES + 8);
        consumers.root().encode(out, StreamId.BYTES + 8 + PagedTree.Root.SIZE);
        return out;
    }

    private void save() {
        owner.changed(this);
    }

    private void save(Consumer consumer) {
        changed.put(ByteBuffer.wrap(consumer.name()), consumer);
        save();
    }

    /** Writes the changed consumers' values into the consumers tree. */
    void flush() {
        for (Consumer consumer : changed.values()) {
            consumers.put(consumer.name(), consumer.encode());
        }
        changed.clear();
    }

    public byte[] name() {
        return name;
    }

    public StreamId lastDelivered() {
        return lastDelivered;
    }

    /** The entries-read counter, or {@link #UNKNOWN_ENTRIES_READ}. */
    public long entriesRead() {
        return entriesRead;
    }

    /** XGROUP SETID, and a delivery moving the group on. */
    public void setPosition(StreamId lastDelivered, long entriesRead) {
        this.lastDelivered = lastDelivered;
        this.entriesRead = entriesRead;
        save();
    }

    /** XCLAIM's LASTID: raises the last delivered ID, leaving the counter. */
    public void raiseLastDelivered(StreamId id) {
        if (id.isAfter(lastDelivered)) {
            lastDelivered = id;
            save();
        }
    }

    /** The group's dead-letter policy, or null. */
    public DeadLetter deadLetter() {
        return deadLetter;
    }

    public void setDeadLetter(DeadLetter deadLetter) {
        this.deadLetter = deadLetter;
        save();
    }

    // ---- consumers

    public long consumerCount() {
        return consumers.size();
    }

    /** The consumer named {@code consumerName}, or null. O(log c) the first time in a command. */
    public Consumer consumer(byte[] consumerName) {
        ByteBuffer key = ByteBuffer.wrap(consumerName);
        Consumer consumer = loaded.get(key);
        if (consumer == null) {
            byte[] value = consumers.get(consumerName);
            if (value == null) {
                return null;
            }
            consumer = Consumer.decode(pages, consumerName, value);
            loaded.put(key, consumer);
        }
        return consumer;
    }

    /** Creates a consumer seen at {@code now}; null when it exists. */
    public Consumer createConsumer(byte[] consumerName, long now) {
        if (consumer(consumerName) != null) {
            return null;
        }
        Consumer consumer = Consumer.create(pages, consumerName.clone(), now);
        loaded.put(ByteBuffer.wrap(consumer.name()), consumer);
        consumers.put(consumer.name(), consumer.encode());
        save();
        return consumer;
    }

    /** Marks a consumer seen at {@code now} (Redis's seen-time). */
    public void seen(Consumer consumer, long now) {
        consumer.seen(now);
        save(consumer);
    }

    /**
     * XGROUP DELCONSUMER: removes a consumer and the entries it had pending from the group's PEL.
     * O(p log n) for its p pending entries.
     *
     * @return the number of entries it had pending, or -1 when there is no such consumer
     */
    public long deleteConsumer(byte[] consumerName) {
        Consumer consumer = consumer(consumerName);
        if (consumer == null) {
            return -1;
        }
        long pending = consumer.pendingCount();
        Iterator<StreamId> owned = consumer.pendingFrom(StreamId.MIN);
        while (owned.hasNext()) {
            pel.remove(PendingEntry.key(owned.next()));
        }
        consumer.free();
        consumers.remove(consumerName);
        loaded.remove(ByteBuffer.wrap(consumerName));
        changed.remove(ByteBuffer.wrap(consumerName));
        save();
        return pending;
    }

    /** The consumers in name order. */
    public Iterator<Consumer> consumers() {
        Iterator<PagedTree.Entry> it = consumers.iterator(0);
        return new Iterator<>() {
            @Override public boolean hasNext() { return it.hasNext(); }
            @Override public Consumer next() { return consumer(it.next().key()); }
        };
    }

    // ---- pending entries

    public long pendingCount() {
        return pel.size();
    }

    /** The pending entry for {@code id}, or null. O(log n). */
    public PendingEntry pending(StreamId id) {
        byte[] key = PendingEntry.key(id);
        byte[] value = pel.get(key);
        return value == null ? null : PendingEntry.decode(key, value);
    }

    /** The pending entry at position {@code index} of the PEL (0 is the smallest ID). O(log n). */
    public PendingEntry pendingAt(long index) {
        PagedTree.Entry entry = pel.get(index);
        return PendingEntry.decode(entry.key(), entry.value());
    }

    /** Pending entries from {@code from} upwards, in ID order. O(log n) to start. */
    public Iterator<PendingEntry> pendingFrom(StreamId from) {
        Iterator<PagedTree.Entry> it = pel.iterator(pel.rank(PendingEntry.key(from)));
        return new Iterator<>() {
            @Override public boolean hasNext() { return it.hasNext(); }
            @Override public PendingEntry next() {
                PagedTree.Entry e = it.next();
                return PendingEntry.decode(e.key(), e.value());
            }
        };
    }

    /**
     * Sets a pending entry: creates it, or updates its delivery time and count and moves it to
     * {@code entry.consumer()} (which must exist). O(log n).
     */
    public void putPending(PendingEntry entry) {
        byte[] key = PendingEntry.key(entry.id());
        byte[] previous = pel.put(key, entry.encodeValue());
        Consumer to = consumer(entry.consumer());
        if (previous != null) {
            PendingEntry before = PendingEntry.decode(key, previous);
            if (before.ownedBy(entry.consumer())) {
                save();
                return;
            }
            Consumer from = consumer(before.consumer());
            if (from != null) {
                from.release(entry.id());
                save(from);
            }
        }
        to.own(entry.id());
        save(to);
    }

    /**
     * Removes a pending entry (XACK; an entry no longer in the stream). O(log n).
     *
     * @return whether it was pending
     */
    public boolean removePending(StreamId id) {
        byte[] key = PendingEntry.key(id);
        byte[] previous = pel.remove(key);
        if (previous == null) {
            return false;
        }
        Consumer owner = consumer(PendingEntry.decode(key, previous).consumer());
        if (owner != null) {
            owner.release(id);
            save(owner);
        } else {
            save();
        }
        return true;
    }

    /** Frees every page of the group (XGROUP DESTROY). O(pages). */
    void free() {
        flush();
        Iterator<PagedTree.Entry> it = consumers.iterator(0);
        while (it.hasNext()) {
            PagedTree.Entry e = it.next();
            Consumer.decode(pages, e.key(), e.value()).free();
        }
        consumers.free();
        pel.free();
        loaded.clear();
        changed.clear();
    }
}
