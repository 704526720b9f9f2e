package dev.millrace.engine.types;

/**
 * Where a large collection keeps its nodes: numbered pages of bytes, owned by one collection. The
 * keyspace implements it over the store ({@code keyspace.ObjectPages}); tests use a map.
 *
 * <p>Execution thread only. Reads return the caller's own copy, and a write keeps a copy of what it
 * is given, never the array itself: trees change their nodes' arrays in place after writing them.
 */
public interface Pages {
    /** The page's bytes; the page must exist. */
    byte[] read(long page);

    void write(long page, byte[] bytes);

    /** Overwrites part of an existing page: where the store can, in place. */
    default void patch(long page, int offset, byte[] bytes) {
        byte[] current = read(page);
        System.arraycopy(bytes, 0, current, offset, bytes.length);
        write(page, current);
    }

    void free(long page);

    /** A page number never used before by this collection. */
    long allocate();

    /**
     * Where trees on these pages may keep decoded inner nodes, or null for none. Shared by every
     * collection of one store; {@link #objectId} tells their pages apart.
     */
    default NodeCache nodeCache() {
        return null;
    }

    /** Names this collection's pages in the {@link #nodeCache}. */
    default long objectId() {
        return 0;
    }
}
