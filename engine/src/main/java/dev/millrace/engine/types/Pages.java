package dev.millrace.engine.types;

/**
 * Where a large collection keeps its nodes: numbered pages of bytes, owned by one collection. The
 * keyspace implements it over the store ({@code keyspace.ObjectPages}); tests use a map.
 *
 * <p>Execution thread only. Reads return the caller's own copy.
 */
public interface Pages {
    /** The page's bytes; the page must exist. */
    byte[] read(long page);

    void write(long page, byte[] bytes);

    void free(long page);

    /** A page number never used before by this collection. */
    long allocate();
}
