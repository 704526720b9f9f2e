package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.keyspace.AccessClock;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.ObjectPages;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.types.PagedTree;
import dev.millrace.engine.types.Pages;
import dev.millrace.engine.types.SetResult;
import dev.millrace.engine.types.SetValue;

import java.util.Iterator;

/**
 * A set key's {@link SetValue} with the record it was loaded from: how the set commands read a set
 * from the keyspace and write it back. An intset record holds the {@link dev.millrace.engine.types.IntSet}
 * as its payload; a hashtable record is paged, its payload the {@link ObjectPages} header followed by
 * the tree's {@link PagedTree.Root} (docs/storage-format.md).
 *
 * <p>Saving keeps the record's expiry and access clock (a changed set is the same key); a set built
 * fresh for a key (the *STORE commands) starts with no expiry, as Redis's setKey leaves it.
 * Execution thread only.
 */
final class StoredSet {
    private static final byte[] NO_PAYLOAD = new byte[0];

    private final Record record;
    private final KeyStore store;
    /** The pages of the hashtable form; null while the set is an intset that never converted. */
    private ObjectPages pages;
    private SetValue value;

    private StoredSet(Call call, Record record, ObjectPages pages) {
        this.record = record;
        this.store = call.keyspace().store();
        this.pages = pages;
    }

    /** The set held by an encoded record of type SET. */
    static StoredSet load(Call call, byte[] encoded) {
        Record record = Record.decode(encoded);
        if (!record.paged()) {
            StoredSet set = new StoredSet(call, record, null);
            set.value = SetValue.ofIntSet(record.payload(), intsetLimit(call), set::newPages);
            return set;
        }
        ObjectPages pages = ObjectPages.decode(call.keyspace().store(), record.payload(), 0);
        StoredSet set = new StoredSet(call, record, pages);
        set.value = SetValue.ofTree(tree(pages, record));
        return set;
    }

    /** The members of a set's record, read-only, for code outside a command (DEBUG DIGEST). */
    static Iterator<byte[]> members(KeyStore store, Record record) {
        if (!record.paged()) {
            return SetValue.ofIntSet(record.payload(), Long.MAX_VALUE, null).iterator();
        }
        return SetValue.ofTree(tree(ObjectPages.decode(store, record.payload(), 0), record)).iterator();
    }

    private static PagedTree tree(ObjectPages pages, Record record) {
        return new PagedTree(pages, PagedTree.Root.decode(record.payload(), ObjectPages.SIZE));
    }

    /**
     * A new empty set in the encoding its first member asks for (Redis's setTypeCreate); {@code base}
     * is the record whose expiry and access clock it keeps (SPOP rebuilding a set), or null for a new key.
     */
    static StoredSet create(Call call, Record base, byte[] firstMember) {
        StoredSet set = new StoredSet(call, base != null ? base : newRecord(call), null);
        set.value = SetValue.createFor(firstMember, intsetLimit(call), set::newPages);
        return set;
    }

    /** A new key's set holding a computed result, in the result's encoding. */
    static StoredSet of(Call call, SetResult result) {
        StoredSet set = new StoredSet(call, newRecord(call), null);
        if (result.isIntSet()) {
            set.value = SetValue.ofIntSet(result.toIntSet(), intsetLimit(call), set::newPages);
        } else {
            set.value = SetValue.ofTree(PagedTree.create(set.newPages()));
            result.forEach(set.value::add);
        }
        return set;
    }

    SetValue value() {
        return value;
    }

    /** The record the set was loaded from (its expiry and access clock). */
    Record record() {
        return record;
    }

    /**
     * Writes the set back under {@code key}, or deletes the key when the set is empty (Redis never
     * keeps an empty set). One keyspace change.
     */
    void save(Call call, byte[] key) {
        if (value.size() == 0) {
            call.keyspace().delete(call.db(), key, call.now());
        } else if (value.isIntSet()) {
            call.keyspace().put(call.db(), key, record.withCollection(value.intset(), false));
        } else {
            byte[] header = new byte[ObjectPages.SIZE + PagedTree.Root.SIZE];
            pages.encode(header, 0);
            value.tree().root().encode(header, ObjectPages.SIZE);
            call.keyspace().putOwner(call.db(), key, record.withCollection(header, true), pages);
        }
    }

    /** The set-max-intset-entries limit in force. */
    static long intsetLimit(Call call) {
        return SetValue.intsetLimit(call.engine().config().getLong("set-max-intset-entries"));
    }

    private Pages newPages() {
        pages = ObjectPages.create(store);
        return pages;
    }

    private static Record newRecord(Call call) {
        return Record.collection(ValueType.SET, AccessClock.at(call.now()), Record.NO_EXPIRY, NO_PAYLOAD, false);
    }
}
