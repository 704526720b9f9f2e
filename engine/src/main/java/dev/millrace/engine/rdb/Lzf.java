package dev.millrace.engine.rdb;

import java.util.Arrays;

/**
 * liblzf 3.6 ({@code lzf_c.c}, {@code lzf_d.c}) as Redis 7.0 builds it: {@code HLOG} 16,
 * {@code VERY_FAST} on, {@code ULTRA_FAST} off. The compressor is ported step for step, bounds tests
 * and the unrolled match loop included, because RDB strings must come out byte-identical to Redis's:
 * the data format allows many encodings of the same input. The hash table starts empty (zeros,
 * liblzf's {@code INIT_HTAB}); liblzf leaves it uninitialised, which only differs when stack garbage
 * happens to point at an earlier match candidate. Stateless, thread-safe.
 */
public final class Lzf {
    private static final int HLOG = 16;
    private static final int HSIZE = 1 << HLOG;
    private static final int MAX_LIT = 1 << 5;
    private static final int MAX_OFF = 1 << 13;
    private static final int MAX_REF = (1 << 8) + (1 << 3);
    /** The most output one input byte can give: a 3-byte back reference copies up to 264 bytes. */
    private static final int MAX_RATIO = MAX_REF / 3;

    private Lzf() { }

    /**
     * {@code lzf_compress}: the compressed form of {@code in}, or null when it is empty or does not
     * fit in {@code outLimit} bytes (liblzf's 0).
     */
    public static byte[] compress(byte[] in, int outLimit) {
        if (in.length == 0 || outLimit <= 0) {
            return null;
        }
        Output out = new Output(outLimit);
        int[] htab = new int[HSIZE];
        int inEnd = in.length;
        int ip = 0;
        int hval = inEnd > 2 ? first(in, 0) : 0;
        while (ip < inEnd - 2) {
            hval = next(hval, in, ip);
            int slot = idx(hval);
            int ref = htab[slot];
            htab[slot] = ip;
            int off = ip - ref - 1;
            // ref 0 is an empty slot or position 0, which liblzf never matches (ref > in_data)
            if (ref > 0 && off < MAX_OFF && in[ref + 2] == in[ip + 2] && in[ref] == in[ip] && in[ref + 1] == in[ip + 1]) {
                int maxlen = Math.min(inEnd - ip - 2, MAX_REF);
                if (out.op + 3 + 1 >= outLimit && out.op - (out.lit == 0 ? 1 : 0) + 3 + 1 >= outLimit) {
                    return null;
                }
                out.endRun();
                int len = matchLength(in, ref, ip, maxlen) - 2;
                ip++;
                if (len < 7) {
                    out.put((off >> 8) + (len << 5));
                } else {
                    out.put((off >> 8) + (7 << 5));
                    out.put(len - 7);
                }
                out.put(off);
                out.startRun();
                ip += len + 1;
                if (ip >= inEnd - 2) {
                    break;
                }
                // VERY_FAST: hash the match's last two positions only
                ip -= 2;
                hval = first(in, ip);
                hval = next(hval, in, ip);
                htab[idx(hval)] = ip++;
                hval = next(hval, in, ip);
                htab[idx(hval)] = ip++;
            } else {
                if (out.op >= outLimit) {
                    return null;
                }
                out.literal(in[ip++]);
            }
        }
        if (out.op + 3 > outLimit) {
            return null;
        }
        while (ip < inEnd) {
            out.literal(in[ip++]);
        }
        out.endRun();
        return Arrays.copyOf(out.bytes, out.op);
    }

    /** The compressor's output: liblzf's {@code op}, and the literal run whose header byte waits at {@code op - lit - 1}. */
    private static final class Output {
        /** One spare byte, as Redis allocates: the last run's header may land one past the limit, then be dropped. */
        final byte[] bytes;
        int op = 1;
        int lit;

        Output(int limit) {
            bytes = new byte[limit + 1];
        }

        void put(int b) {
            bytes[op++] = (byte) b;
        }

        void literal(byte b) {
            lit++;
            put(b);
            if (lit == MAX_LIT) {
                endRun();
                startRun();
            }
        }

        /** Writes the run's header, or takes back its place when the run is empty. */
        void endRun() {
            bytes[op - lit - 1] = (byte) (lit - 1);
            op -= lit == 0 ? 1 : 0;
        }

        void startRun() {
            lit = 0;
            op++;
        }
    }

    /**
     * How many bytes from {@code ip} equal those from {@code ref}, liblzf's way: with more than 16
     * to go it first compares 16 without the {@code maxlen} bound, so a match may run up to 2 bytes
     * past it (never past the input).
     */
    private static int matchLength(byte[] in, int ref, int ip, int maxlen) {
        int len = 2;
        if (maxlen > 16) {
            for (int i = 0; i < 16; i++) {
                len++;
                if (in[ref + len] != in[ip + len]) {
                    return len;
                }
            }
        }
        do {
            len++;
        } while (len < maxlen && in[ref + len] == in[ip + len]);
        return len;
    }

    private static int first(byte[] in, int p) {
        return (in[p] & 0xff) << 8 | in[p + 1] & 0xff;
    }

    private static int next(int hval, byte[] in, int p) {
        return hval << 8 | in[p + 2] & 0xff;
    }

    private static int idx(int h) {
        return ((h >>> (3 * 8 - HLOG)) - h * 5) & (HSIZE - 1);
    }

    /**
     * {@code lzf_decompress} of {@code in[from, to)} as Redis checks it: the output when it is exactly
     * {@code length} bytes, else null. As in Redis, a corrupt input "decompresses" to an empty string
     * when the expected length is 0 (liblzf reports errors as 0 bytes).
     */
    public static byte[] decompress(byte[] in, int from, int to, long length) {
        if (length > Math.min((long) MAX_RATIO * (to - from), Integer.MAX_VALUE - 8)) {
            return null;
        }
        byte[] out = new byte[(int) length];
        return decompressInto(in, from, to, out) == length ? out : null;
    }

    /** The bytes written, or 0 on corrupt input or a too small output (liblzf's E2BIG, EINVAL). */
    private static int decompressInto(byte[] in, int from, int to, byte[] out) {
        int ip = from;
        int op = 0;
        while (ip < to) {
            int ctrl = in[ip++] & 0xff;
            if (ctrl < MAX_LIT) {
                ctrl++;
                if (op + ctrl > out.length || ip + ctrl > to) {
                    return 0;
                }
                System.arraycopy(in, ip, out, op, ctrl);
                ip += ctrl;
                op += ctrl;
            } else {
                int len = ctrl >> 5;
                int ref = op - ((ctrl & 0x1f) << 8) - 1;
                if (ip >= to) {
                    return 0;
                }
                if (len == 7) {
                    len += in[ip++] & 0xff;
                    if (ip >= to) {
                        return 0;
                    }
                }
                ref -= in[ip++] & 0xff;
                if (op + len + 2 > out.length || ref < 0) {
                    return 0;
                }
                // byte by byte: the reference may overlap the bytes it produces
                for (int i = 0; i < len + 2; i++) {
                    out[op++] = out[ref++];
                }
            }
        }
        return op;
    }
}
