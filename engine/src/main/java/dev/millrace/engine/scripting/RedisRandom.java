package dev.millrace.engine.scripting;

/**
 * Redis's rand48 ({@code src/rand.c}): the generator behind scripts' {@code math.random}, so a script
 * draws the very numbers it draws on redis-server. As in Redis 7.0, one sequence per server, starting
 * from drand48's default seed and moved only by {@code math.randomseed}. Execution thread only.
 */
final class RedisRandom {
    static final int MAX = Integer.MAX_VALUE;
    private static final long MULTIPLIER = 0x5DEECE66DL;
    private static final long ADDEND = 0xB;
    private static final long MASK = (1L << 48) - 1;
    private long state = 0x1234ABCD330EL;

    /** redisLrand48: the next 31-bit value. */
    int next() {
        state = (state * MULTIPLIER + ADDEND) & MASK;
        return (int) (state >>> 17);
    }

    /** redisSrand48: the seed's 32 bits above drand48's fixed low 16. */
    void seed(int seed) {
        state = ((seed & 0xFFFFFFFFL) << 16) | 0x330E;
    }

    /** math.random's base: (lrand48() % MAX) / MAX. */
    double nextFraction() {
        return (double) (next() % MAX) / MAX;
    }
}
