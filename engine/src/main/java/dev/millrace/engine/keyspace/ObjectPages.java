package dev.millrace.engine.keyspace;

import dev.millrace.engine.types.NodeCache;
import dev.millrace.engine.types.Pages;

/**
 * The pages of one large collection in the {@link KeyStore}: an object id from the store and the
 * next page number to hand out. Both are saved in the collection's record, {@link #SIZE} bytes at
 * the start of its payload (see docs/storage-format.md), so any code can find a record's pages
 * without knowing its type (COPY does).
 *
 * <p>Execution thread only.
 */
public final class ObjectPages implements Pages {
    /** Encoded size: object id (8), next page (8), big-endian. */
    public static final int SIZE = 16;

    private final KeyStore store;
    private final long objectId;
    private long nextPage;

    private ObjectPages(KeyStore store, long objectId, long nextPage) {
        this.store = store;
        this.objectId = objectId;
        this.nextPage = nextPage;
    }

    /** A new, empty object. */
    public static ObjectPages create(KeyStore store) {
        return new ObjectPages(store, store.newObjectId(), 0);
    }

    /** A new, empty stream: its id comes from the streams' own range ({@link KeyStore#newStreamObjectId}). */
    public static ObjectPages createStream(KeyStore store) {
        return new ObjectPages(store, store.newStreamObjectId(), 0);
    }

    /** The object whose header is encoded at {@code offset} of {@code bytes}. */
    public static ObjectPages decode(KeyStore store, byte[] bytes, int offset) {
        return new ObjectPages(store, Record.getLong(bytes, offset), Record.getLong(bytes, offset + 8));
    }

    public void encode(byte[] out, int offset) {
        Record.putLong(out, offset, objectId);
        Record.putLong(out, offset + 8, nextPage);
    }

    @Override
    public long objectId() { return objectId; }

    /** Page numbers in use are below this. */
    public long pageLimit() { return nextPage; }

    @Override
    public byte[] read(long page) {
        byte[] bytes = store.getPage(objectId, page);
        if (bytes == null) {
            throw new IllegalStateException("keyspace corrupt: page " + page + " of object " + objectId + " missing");
        }
        return bytes;
    }

    @Override
    public void write(long page, byte[] bytes) {
        store.putPage(objectId, page, bytes);
    }

    @Override
    public void patch(long page, int offset, byte[] bytes) {
        store.patchPage(objectId, page, offset, bytes);
    }

    @Override
    public void free(long page) {
        store.removePage(objectId, page);
    }

    @Override
    public long allocate() {
        return nextPage++;
    }

    @Override
    public NodeCache nodeCache() {
        return store.nodeCache();
    }

    /**
     * A new object holding a copy of every page of this one (COPY), with an id from the same range
     * (a stream's from the streams'). O(pages).
     */
    public ObjectPages copy() {
        store.flushNodes(); // the store must have every page of this object
        ObjectPages copy = objectId >= KeyStore.FIRST_STREAM_OBJECT_ID ? createStream(store) : create(store);
        for (long page = 0; page < nextPage; page++) {
            byte[] bytes = store.getPage(objectId, page);
            if (bytes != null) {
                store.putPage(copy.objectId, page, bytes);
            }
        }
        copy.nextPage = nextPage;
        return copy;
    }
}
