package dev.millrace.engine.stream;

import dev.millrace.engine.types.PagedTree;
import dev.millrace.engine.types.Pages;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The consumer groups of one stream: a {@link PagedTree} on the stream's pages keyed by group name
 * (created with the first group), whose root the stream keeps in its record. A group is loaded once
 * per loaded stream, so every change a command makes goes to one instance. Execution thread only.
 */
public final class ConsumerGroups {
    private final Pages pages;
    private PagedTree tree;
    private final Map<ByteBuffer, ConsumerGroup> loaded = new HashMap<>();
    /** Groups whose value (or a consumer's) changed since the last {@link #flush}. */
    private final Map<ByteBuffer, ConsumerGroup> changed = new HashMap<>();

    ConsumerGroups(Pages pages, PagedTree tree) {
        this.pages = pages;
        this.tree = tree;
    }

    /** The root to record (after {@link #flush}), or null when the stream never had a group. */
    PagedTree.Root root() {
        return tree == null ? null : tree.root();
    }

    public long size() {
        return tree == null ? 0 : tree.size();
    }

    /** The group named {@code name}, or null. O(log g) the first time. */
    public ConsumerGroup get(byte[] name) {
        ByteBuffer key = ByteBuffer.wrap(name);
        ConsumerGroup group = loaded.get(key);
        if (group == null && tree != null) {
            byte[] value = tree.get(name);
            if (value != null) {
                group = ConsumerGroup.decode(this, pages, name.clone(), value);
                loaded.put(key, group);
            }
        }
        return group;
    }

    /** XGROUP CREATE: a new group, or null when one of that name exists. */
    public ConsumerGroup create(byte[] name, StreamId lastDelivered, long entriesRead) {
        if (get(name) != null) {
            return null;
        }
        if (tree == null) {
            tree = PagedTree.create(pages);
        }
        ConsumerGroup group = ConsumerGroup.create(this, pages, name.clone(), lastDelivered, entriesRead);
        loaded.put(ByteBuffer.wrap(group.name()), group);
        tree.put(group.name(), group.encode());
        return group;
    }

    /** XGROUP DESTROY: whether the group existed. O(its pages). */
    public boolean destroy(byte[] name) {
        ConsumerGroup group = get(name);
        if (group == null) {
            return false;
        }
        group.free();
        tree.remove(name);
        loaded.remove(ByteBuffer.wrap(name));
        changed.remove(ByteBuffer.wrap(name));
        return true;
    }

    /** The groups in name order. */
    public Iterator<ConsumerGroup> iterator() {
        if (tree == null) {
            return java.util.Collections.emptyIterator();
        }
        Iterator<PagedTree.Entry> it = tree.iterator(0);
        return new Iterator<>() {
            @Override public boolean hasNext() { return it.hasNext(); }
            @Override public ConsumerGroup next() { return get(it.next().key()); }
        };
    }

    void changed(ConsumerGroup group) {
        changed.put(ByteBuffer.wrap(group.name()), group);
    }

    /**
     * Writes the changed groups' values (and their consumers') into their trees; the stream calls it
     * before recording the root. O(changed log g).
     */
    void flush() {
        if (changed.isEmpty()) {
            return; // every XADD saves its stream: no iterator for nothing
        }
        for (ConsumerGroup group : changed.values()) {
            group.flush();
            tree.put(group.name(), group.encode());
        }
        changed.clear();
    }
}
