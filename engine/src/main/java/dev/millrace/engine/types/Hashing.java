package dev.millrace.engine.types;

/**
 * The 64-bit hash that orders the elements of large hashes and sets in their {@link PagedTree} (and
 * so their SCAN cursors). It is stored implicitly in every large hash and set on disk: never change
 * it without a format version. Not a defence against chosen collisions, and it needs none: equal
 * hashes only tie, and ties are ordered by the element's bytes.
 *
 * <p>Stateless; thread-safe.
 */
public final class Hashing {
    private static final long SEED = 0x6d696c6c72616365L; // "millrace"
    private static final long M = 0xc6a4a7935bd1e995L;

    private Hashing() {
    }

    /** MurmurHash64A of the bytes with Millrace's fixed seed. */
    public static long hash64(byte[] data) {
        return murmurHash64A(data, SEED);
    }

    /**
     * MurmurHash64A (Austin Appleby's MurmurHash2, 64-bit) reading blocks little-endian whatever the
     * platform, as Redis's endian-neutral copy does: with Redis's seed it is the hash of its
     * HyperLogLog (see {@link HyperLogLog}).
     */
    public static long murmurHash64A(byte[] data, long seed) {
        int len = data.length;
        long h = seed ^ (len * M);
        int blocks = len >>> 3;
        for (int i = 0; i < blocks; i++) {
            int at = i << 3;
            long k = (data[at] & 0xffL) | (data[at + 1] & 0xffL) << 8 | (data[at + 2] & 0xffL) << 16
                    | (data[at + 3] & 0xffL) << 24 | (data[at + 4] & 0xffL) << 32 | (data[at + 5] & 0xffL) << 40
                    | (data[at + 6] & 0xffL) << 48 | (data[at + 7] & 0xffL) << 56;
            k *= M;
            k ^= k >>> 47;
            k *= M;
            h ^= k;
            h *= M;
        }
        int tail = blocks << 3;
        int rest = len & 7;
        if (rest > 0) {
            for (int i = rest - 1; i >= 0; i--) {
                h ^= (data[tail + i] & 0xffL) << (8 * i);
            }
            h *= M;
        }
        h ^= h >>> 47;
        h *= M;
        h ^= h >>> 47;
        return h;
    }
}
