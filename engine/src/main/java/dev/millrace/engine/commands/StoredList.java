package dev.millrace.engine.commands;

import dev.millrace.engine.command.Call;
import dev.millrace.engine.keyspace.AccessClock;
import dev.millrace.engine.keyspace.KeyStore;
import dev.millrace.engine.keyspace.ObjectPages;
import dev.millrace.engine.keyspace.Record;
import dev.millrace.engine.keyspace.ValueType;
import dev.millrace.engine.types.ListValue;
import dev.millrace.engine.types.PagedTree;
import dev.millrace.engine.types.Pages;

import java.util.Iterator;

/**
 * A list key's {@link ListValue} with the record it was loaded from: how the list commands read a list
 * from the keyspace and write it back. A small list's record holds the list's inline encoding as its
 * payload; a large list's record is paged, its payload the {@link ObjectPages} header followed by the
 * tree's {@link PagedTree.Root} (docs/storage-format.md).
 *
 * <p>Saving keeps the record's expiry and access clock (a changed list is the same key). Execution
 * thread only.
 */
final class StoredList {
    private static final byte[] NO_PAYLOAD = new byte[0];

    private final Call call;
    private final Record record;
    /** The pages of the large form; null while the list is small. */
    private ObjectPages pages;
    private ListValue value;

    private StoredList(Call call, Record record, ObjectPages pages) {
        this.call = call;
        this.record = record;
        this.pages = pages;
    }

    /** The list held by an encoded record of type LIST. */
    static StoredList load(Call call, byte[] encoded) {
        Record record = Record.decode(encoded);
        if (!record.paged()) {
            StoredList list = new StoredList(call, record, null);
            list.value = ListValue.decodeSmall(record.payload(), 0, fill(call), list::newPages);
            return list;
        }
        ObjectPages pages = ObjectPages.decode(call.keyspace().store(), record.payload(), 0);
        StoredList list = new StoredList(call, record, pages);
        list.value = large(pages, record);
        return list;
    }

    /** The elements of an encoded LIST record, head to tail, for readers outside a command (DEBUG DIGEST). */
    static Iterator<byte[]> elements(KeyStore store, byte[] encoded) {
        Record record = Record.decode(encoded);
        if (!record.paged()) {
            return ListValue.decodeSmall(record.payload(), 0, 0, null).iterator(0);
        }
        return large(ObjectPages.decode(store, record.payload(), 0), record).iterator(0);
    }

    private static ListValue large(ObjectPages pages, Record record) {
        return ListValue.ofTree(new PagedTree(pages, PagedTree.Root.decode(record.payload(), ObjectPages.SIZE)));
    }

    /** A new, empty list for a key that does not exist yet. */
    static StoredList create(Call call) {
        Record record = Record.collection(ValueType.LIST, AccessClock.at(call.now()), Record.NO_EXPIRY, NO_PAYLOAD, false);
        StoredList list = new StoredList(call, record, null);
        list.value = ListValue.empty(fill(call), list::newPages);
        return list;
    }

    /** The length of the list in an encoded LIST record, without loading it. O(1). */
    static long length(byte[] encoded) {
        int offset = Record.payloadOffset(encoded);
        if (Record.isPaged(encoded)) {
            return PagedTree.Root.decode(encoded, offset + ObjectPages.SIZE).size();
        }
        return ListValue.smallSize(encoded, offset);
    }

    ListValue value() {
        return value;
    }

    /**
     * Writes the list back under {@code key}, or deletes the key when the list is empty (Redis never
     * keeps an empty list). {@code changes} is what Redis adds to its dirty counter for the command
     * (one per element pushed or popped, ...): the keyspace counts the same.
     */
    void save(byte[] key, long changes) {
        if (value.size() == 0) {
            call.keyspace().delete(call.db(), key, call.now());
        } else if (value.isSmall()) {
            call.keyspace().put(call.db(), key, record.withCollection(value.encodeSmall(), false));
        } else {
            byte[] header = new byte[ObjectPages.SIZE + PagedTree.Root.SIZE];
            pages.encode(header, 0);
            value.tree().root().encode(header, ObjectPages.SIZE);
            call.keyspace().putOwner(call.db(), key, record.withCollection(header, true), pages);
        }
        call.keyspace().addDirty(changes - 1);
    }

    /** list-max-listpack-size (alias list-max-ziplist-size), read for every list loaded so CONFIG SET applies at once. */
    private static int fill(Call call) {
        return call.engine().config().getInt("list-max-listpack-size");
    }

    private Pages newPages() {
        pages = ObjectPages.create(call.keyspace().store());
        return pages;
    }
}
