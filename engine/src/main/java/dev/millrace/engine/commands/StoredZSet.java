package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.keyspace.AccessClock;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.ObjectPages;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.types.PagedTree;
import dev.millrace.engine.types.Pages;
import dev.millrace.engine.types.ZSet;

import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A sorted-set key's {@link ZSet} with the record it lives in: how the sorted-set commands read a
 * zset from the keyspace and write it back. A listpack record holds the listpack as its payload; a
 * skiplist record is paged, its payload the {@link ObjectPages} header followed by the score tree's
 * and the member tree's {@link PagedTree.Root} (docs/storage-format.md).
 *
 * <p>Saving keeps the record's expiry and access clock (a changed set is the same key); a set built
 * fresh for a key (the *STORE commands) starts with no expiry, as Redis's setKey leaves it.
 * Execution thread only.
 */
final class StoredZSet {
    private static final int PAGED_HEADER = ObjectPages.SIZE + 2 * PagedTree.Root.SIZE;

    private final Call call;
    private final byte[] key;
    private final Record record;
    /** The pages of the skiplist form; null while the set is a listpack. */
    private ObjectPages pages;
    private ZSet value;

    private StoredZSet(Call call, byte[] key, Record record) {
        this.call = call;
        this.key = key;
        this.record = record;
    }

    /** The set held by {@code key}'s live encoded record, which must be of type ZSET. */
    static StoredZSet load(Call call, byte[] key, byte[] encoded) {
        StoredZSet stored = new StoredZSet(call, key, Record.decode(encoded));
        stored.value = open(call, stored.record, stored::newPages, pages -> stored.pages = pages);
        return stored;
    }

    /**
     * The sorted set in an encoded record, for reading only (the algebra commands' inputs): the same
     * decoding as {@link #load} without the means to save it.
     */
    static ZSet read(Call call, byte[] encoded) {
        return open(call, Record.decode(encoded), () -> {
            throw new IllegalStateException("a sorted set opened for reading was changed");
        }, pages -> { });
    }

    /** The cardinality of the set in an encoded record, read in place: ZCARD copies nothing. */
    static long size(byte[] encoded) {
        int payload = Record.payloadOffset(encoded);
        return Record.isPaged(encoded) ? PagedTree.Root.decode(encoded, payload + ObjectPages.SIZE).size()
                : ZSet.listpackSize(encoded, payload);
    }

    /** The elements of a sorted set's record, read-only, for code outside a command (DEBUG DIGEST). */
    static Iterator<ZSet.Element> elements(KeyStore store, Record record) {
        ZSet.Limits any = new ZSet.Limits(0, 0);
        return open(store, any, record, () -> {
            throw new IllegalStateException("a sorted set opened for reading was changed");
        }, pages -> { }).iterator(0, true);
    }

    private static ZSet open(Call call, Record record, Supplier<Pages> newPages, Consumer<ObjectPages> openedPages) {
        return open(call.keyspace().store(), limits(call), record, newPages, openedPages);
    }

    private static ZSet open(KeyStore store, ZSet.Limits limits, Record record, Supplier<Pages> newPages,
                             Consumer<ObjectPages> openedPages) {
        byte[] payload = record.payload();
        if (!record.paged()) {
            return ZSet.ofListpack(payload, limits, newPages);
        }
        ObjectPages pages = ObjectPages.decode(store, payload, 0);
        openedPages.accept(pages);
        return ZSet.ofTrees(pages, PagedTree.Root.decode(payload, ObjectPages.SIZE),
                PagedTree.Root.decode(payload, ObjectPages.SIZE + PagedTree.Root.SIZE), limits);
    }

    /** A new, empty set for a missing key, encoded as ZADD creates it for {@code firstMember}. */
    static StoredZSet create(Call call, byte[] key, byte[] firstMember) {
        StoredZSet stored = new StoredZSet(call, key, newRecord(call));
        stored.value = ZSet.createFor(firstMember, limits(call), stored::newPages);
        return stored;
    }

    /** A new key's set holding a computed result (the *STORE commands). */
    static StoredZSet build(Call call, byte[] key, List<ZSet.Element> elements) {
        StoredZSet stored = new StoredZSet(call, key, newRecord(call));
        stored.value = ZSet.build(elements, limits(call), stored::newPages);
        return stored;
    }

    ZSet value() {
        return value;
    }

    /**
     * Writes the set back under its key, or deletes the key when the set is empty, and counts
     * {@code changes} (elements added, updated or removed) as Redis's dirty counter does.
     */
    void save(long changes) {
        if (value.size() == 0) {
            call.keyspace().delete(call.db(), key, call.now());
        } else if (value.isListpack()) {
            call.keyspace().put(call.db(), key, record.withCollection(value.listpack(), false));
        } else {
            byte[] payload = new byte[PAGED_HEADER];
            pages.encode(payload, 0);
            value.scoreRoot().encode(payload, ObjectPages.SIZE);
            value.memberRoot().encode(payload, ObjectPages.SIZE + PagedTree.Root.SIZE);
            call.keyspace().putOwner(call.db(), key, record.withCollection(payload, true), pages);
        }
        call.keyspace().addDirty(changes - 1);
    }

    private Pages newPages() {
        pages = ObjectPages.create(call.keyspace().store());
        return pages;
    }

    private static Record newRecord(Call call) {
        return Record.collection(ValueType.ZSET, AccessClock.at(call.now()), Record.NO_EXPIRY, new byte[0], false);
    }

    static ZSet.Limits limits(Call call) {
        return new ZSet.Limits(call.engine().config().getLong("zset-max-listpack-entries"),
                call.engine().config().getLong("zset-max-listpack-value"));
    }
}
