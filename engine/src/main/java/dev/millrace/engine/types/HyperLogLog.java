package dev.millrace.engine.types;

import java.util.Arrays;

/**
 * A HyperLogLog in Redis's exact string representation, so the bytes a Redis 7.0 server keeps under a
 * key (GET / SET of them) and the bytes kept here are interchangeable and count the same.
 *
 * <p>Ported from Redis 7.0's src/hyperloglog.c (Copyright (c) 2014, Salvatore Sanfilippo, BSD-3-Clause):
 * the layout, the hash, the sparse editing (including its opcode merging, so edits give the same bytes
 * as Redis's) and the cardinality estimator of Otmar Ertl ("New cardinality estimation algorithms for
 * HyperLogLog sketches", arXiv:1702.01284) that Redis uses since 5.0.
 *
 * <pre>
 *   header (16 bytes)  "HYLL", encoding (0 dense, 1 sparse), 3 unused bytes, cached cardinality:
 *                      64-bit little endian, its top bit set when it is stale
 *   dense              16384 registers of 6 bits, packed from the least significant bit of each byte
 *   sparse             run-length opcodes covering the 16384 registers in order:
 *                      ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx yyyyyyyy (1..16384 zero
 *                      registers), VAL 1vvvvvxx (1..4 registers of value 1..32)
 * </pre>
 *
 * A sparse value becomes dense when an edit would make it longer than {@code sparseMaxBytes}
 * (hll-sparse-max-bytes) or a register needs a value above 32. Values whose sparse opcodes do not
 * cover exactly 16384 registers are corrupted: operations that notice it throw
 * {@link CorruptedException}, where Redis replies "INVALIDOBJ Corrupted HLL object detected".
 *
 * <p>Not thread-safe: an instance is a private working copy of one value. Adding an element costs O(1)
 * on a dense value and O(sparse length) (at most sparseMaxBytes) on a sparse one; estimating,
 * merging and converting cost O(16384).
 */
public final class HyperLogLog {
    /** Registers: 2^14, addressed by the low 14 bits of an element's hash. */
    public static final int REGISTERS = 1 << 14;
    public static final int HEADER_SIZE = 16;
    public static final int DENSE_SIZE = HEADER_SIZE + (REGISTERS * 6 + 7) / 8;
    /** The largest value a register can hold (6 bits). */
    public static final int REGISTER_MAX = 63;

    private static final int INDEX_BITS = 14;
    /** Bits of the hash left after the index: patterns are 1..PATTERN_BITS + 1 long. */
    private static final int PATTERN_BITS = 64 - INDEX_BITS;
    private static final int ENCODING_OFFSET = 4;
    private static final int CARDINALITY_OFFSET = 8;
    private static final int DENSE = 0;
    private static final int SPARSE = 1;
    private static final long HASH_SEED = 0xadc83b19L;
    private static final int SPARSE_VAL_MAX_VALUE = 32;
    private static final int SPARSE_VAL_MAX_LEN = 4;
    private static final int SPARSE_ZERO_MAX_LEN = 64;
    /** 0.5 / ln(2): the estimator's bias correction for an infinite number of registers. */
    private static final double ALPHA_INF = 0.721347520444481703680;

    /** Thrown when a sparse value turns out not to describe exactly 16384 registers. */
    public static final class CorruptedException extends RuntimeException {
        CorruptedException() {
            super("corrupted HyperLogLog", null, false, false);
        }
    }

    /** The value; only the first {@code length} bytes count (a sparse edit may leave spare room). */
    private byte[] bytes;
    private int length;

    private HyperLogLog(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
    }

    /** A new, empty HyperLogLog: sparse, one XZERO opcode, cached cardinality 0 (valid). */
    public static HyperLogLog empty() {
        byte[] value = new byte[HEADER_SIZE + 2];
        writeMagic(value);
        value[ENCODING_OFFSET] = SPARSE;
        writeXzero(value, HEADER_SIZE, REGISTERS);
        return new HyperLogLog(value, value.length);
    }

    /** A new dense HyperLogLog with every register 0 (Redis's self-test uses one). */
    public static HyperLogLog emptyDense() {
        byte[] value = new byte[DENSE_SIZE];
        writeMagic(value);
        return new HyperLogLog(value, value.length);
    }

    /**
     * Redis's check that a string can be used as a HyperLogLog: long enough for the header, the magic
     * "HYLL", a known encoding, and for a dense one exactly the dense size. A sparse value's opcodes
     * are checked only as they are read.
     */
    public static boolean isValid(byte[] value, int offset, int length) {
        if (length < HEADER_SIZE) {
            return false;
        }
        if (value[offset] != 'H' || value[offset + 1] != 'Y' || value[offset + 2] != 'L' || value[offset + 3] != 'L') {
            return false;
        }
        int encoding = value[offset + ENCODING_OFFSET] & 0xff;
        return encoding == SPARSE || (encoding == DENSE && length == DENSE_SIZE);
    }

    /** Works on {@code value} itself (not a copy); it must pass {@link #isValid}. */
    public static HyperLogLog wrap(byte[] value) {
        if (!isValid(value, 0, value.length)) {
            throw new IllegalArgumentException("not a HyperLogLog value");
        }
        return new HyperLogLog(value, value.length);
    }

    /** The value's bytes, exactly as Redis would hold them. */
    public byte[] toByteArray() {
        return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
    }

    public boolean isSparse() {
        return bytes[ENCODING_OFFSET] == SPARSE;
    }

    // ---- cached cardinality -----------------------------------------------------------------------

    /** Whether the cardinality cached in the header is current (its top bit clear). */
    public boolean cacheValid() {
        return (bytes[CARDINALITY_OFFSET + 7] & 0x80) == 0;
    }

    /** The cached cardinality as stored (meaningful when {@link #cacheValid}). */
    public long cachedCardinality() {
        long card = 0;
        for (int i = 7; i >= 0; i--) {
            card = (card << 8) | (bytes[CARDINALITY_OFFSET + i] & 0xff);
        }
        return card;
    }

    public void cacheCardinality(long card) {
        for (int i = 0; i < 8; i++) {
            bytes[CARDINALITY_OFFSET + i] = (byte) (card >>> (8 * i));
        }
    }

    /** Marks the cache stale by setting only its top bit: the other cached bytes stay, as in Redis. */
    public void invalidateCache() {
        bytes[CARDINALITY_OFFSET + 7] |= (byte) 0x80;
    }

    // ---- adding -----------------------------------------------------------------------------------

    /**
     * Adds an element: raises the register its hash addresses to the length of the hash's "000..1"
     * pattern if that is longer. Leaves the cache alone when a dense register changes (the caller
     * invalidates it once, as PFADD does), while a sparse edit invalidates it itself.
     *
     * @return whether a register changed
     * @throws CorruptedException if this sparse value is corrupted (earlier adds stay applied)
     */
    public boolean add(byte[] element, long sparseMaxBytes) {
        long hash = Hashing.murmurHash64A(element, HASH_SEED);
        int index = (int) (hash & (REGISTERS - 1));
        long pattern = (hash >>> INDEX_BITS) | (1L << PATTERN_BITS); // the set bit bounds the count
        int count = Long.numberOfTrailingZeros(pattern) + 1;
        return raiseRegister(index, count, sparseMaxBytes);
    }

    /**
     * Sets register {@code index} to {@code value} if that is larger than its current value (Redis's
     * hllDenseSet / hllSparseSet), possibly turning a sparse value dense.
     *
     * @return whether the register changed
     * @throws CorruptedException if this sparse value is corrupted
     */
    public boolean raiseRegister(int index, int value, long sparseMaxBytes) {
        if (!isSparse()) {
            return raiseDense(index, value);
        }
        return raiseSparse(index, value, sparseMaxBytes);
    }

    /** The value of register {@code index} of a dense value. */
    public int register(int index) {
        requireDense();
        int at = HEADER_SIZE + index * 6 / 8;
        int shift = index * 6 & 7;
        int b0 = bytes[at] & 0xff;
        int b1 = at + 1 < length ? bytes[at + 1] & 0xff : 0;
        return ((b0 >>> shift) | (b1 << (8 - shift))) & REGISTER_MAX;
    }

    /** Sets register {@code index} of a dense value to {@code value} (0..63), whatever it held. */
    public void setRegister(int index, int value) {
        requireDense();
        int at = HEADER_SIZE + index * 6 / 8;
        int shift = index * 6 & 7;
        bytes[at] = (byte) ((bytes[at] & ~(REGISTER_MAX << shift)) | (value << shift));
        if (at + 1 < length) { // the last register fits its byte; Redis writes a 0 to the NUL after it
            int high = 8 - shift;
            bytes[at + 1] = (byte) ((bytes[at + 1] & ~(REGISTER_MAX >>> high)) | (value >>> high));
        }
    }

    private boolean raiseDense(int index, int value) {
        if (value > register(index)) {
            setRegister(index, value);
            return true;
        }
        return false;
    }

    private void requireDense() {
        if (isSparse()) {
            throw new IllegalStateException("sparse HyperLogLog");
        }
    }

    // ---- sparse editing (Redis's hllSparseSet) ----------------------------------------------------

    /**
     * Redis's hllSparseSet, step by step so the bytes come out the same: find the opcode covering the
     * register, update it in place or split it into at most XZERO-VAL-XZERO, then merge equal adjacent
     * VAL opcodes around the edit.
     */
    private boolean raiseSparse(int index, int count, long sparseMaxBytes) {
        if (count > SPARSE_VAL_MAX_VALUE) {
            return promote(index, count);
        }
        ensureRoom(3); // the worst split, XZERO into XZERO-VAL-XZERO, grows the value by 3 bytes

        // Step 1: the opcode covering the register, and the one before it.
        int p = HEADER_SIZE;
        int end = length;
        long first = 0;
        long span = 0;
        int prev = -1;
        while (p < end) {
            int op = bytes[p] & 0xff;
            int opLength = 1;
            if (isZero(op)) {
                span = zeroLength(op);
            } else if (isVal(op)) {
                span = valLength(op);
            } else {
                span = xzeroLength(p);
                opLength = 2;
            }
            if (index <= first + span - 1) {
                break;
            }
            prev = p;
            p += opLength;
            first += span;
        }
        if (span == 0 || p >= end) {
            throw new CorruptedException();
        }
        int op = bytes[p] & 0xff;
        int next = isXzero(op) ? p + 2 : p + 1;
        boolean hasNext = next < end;

        // Step 2: the trivial in-place cases.
        if (isVal(op)) {
            int old = valValue(op);
            if (old >= count) {
                return false;
            }
            if (span == 1) {
                bytes[p] = val(count, 1);
                mergeAdjacentValues(prev);
                return true;
            }
        }
        if (isZero(op) && span == 1) {
            bytes[p] = val(count, 1);
            mergeAdjacentValues(prev);
            return true;
        }

        // General case: split the opcode into up to three.
        byte[] seq = new byte[5];
        int n = 0;
        long last = first + span - 1;
        if (!isVal(op)) {
            if (index != first) {
                n = writeZeros(seq, n, (int) (index - first));
            }
            seq[n++] = val(count, 1);
            if (index != last) {
                n = writeZeros(seq, n, (int) (last - index));
            }
        } else {
            int current = valValue(op);
            if (index != first) {
                seq[n++] = val(current, (int) (index - first));
            }
            seq[n++] = val(count, 1);
            if (index != last) {
                seq[n++] = val(current, (int) (last - index));
            }
        }

        // Step 3: put the new sequence in place of the old opcode.
        int oldLength = isXzero(op) ? 2 : 1;
        int delta = n - oldLength;
        if (delta > 0 && (long) length + delta > sparseMaxBytes) {
            return promote(index, count);
        }
        if (delta != 0 && hasNext) {
            System.arraycopy(bytes, next, bytes, next + delta, end - next);
        }
        // A truncated XZERO at the very end (a corrupted value) has one byte where two are replaced:
        // Redis then keeps only what fits the new length, so do we.
        int newLength = length + delta;
        System.arraycopy(seq, 0, bytes, p, Math.min(n, newLength - p));
        length = newLength;
        mergeAdjacentValues(prev);
        return true;
    }

    /**
     * Step 4 of hllSparseSet: from the opcode before the edit, scan up to five opcodes merging two
     * adjacent VAL opcodes of equal value whose lengths fit one, then mark the cache stale.
     */
    private void mergeAdjacentValues(int prev) {
        int p = prev >= 0 ? prev : HEADER_SIZE;
        int end = length;
        int scan = 5;
        while (p < end && scan-- > 0) {
            int op = bytes[p] & 0xff;
            if (isXzero(op)) {
                p += 2;
                continue;
            } else if (isZero(op)) {
                p++;
                continue;
            }
            if (p + 1 < end && isVal(bytes[p + 1] & 0xff)) {
                int right = bytes[p + 1] & 0xff;
                int value = valValue(op);
                if (value == valValue(right)) {
                    int merged = valLength(op) + valLength(right);
                    if (merged <= SPARSE_VAL_MAX_LEN) {
                        bytes[p + 1] = val(value, merged);
                        System.arraycopy(bytes, p + 1, bytes, p, end - p - 1);
                        length--;
                        end--;
                        continue; // try to merge the merged opcode with the one on its right
                    }
                }
            }
            p++;
        }
        invalidateCache();
    }

    /**
     * Turns the value dense and sets the register there: the path of a register value the sparse
     * encoding cannot hold, or of an edit that would outgrow hll-sparse-max-bytes. The cache is left
     * as it was (the caller invalidates it).
     */
    private boolean promote(int index, int count) {
        toDense();
        return raiseDense(index, count);
    }

    private int writeZeros(byte[] seq, int n, int runLength) {
        if (runLength > SPARSE_ZERO_MAX_LEN) {
            writeXzero(seq, n, runLength);
            return n + 2;
        }
        seq[n] = (byte) (runLength - 1);
        return n + 1;
    }

    private void ensureRoom(int extra) {
        if (length + extra > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + extra, Math.min(length * 2, DENSE_SIZE)));
        }
    }

    // ---- reading a sparse value -------------------------------------------------------------------

    /** Receives the runs of a sparse value in order: {@code value} 0 for ZERO and XZERO runs. */
    @FunctionalInterface
    private interface RunVisitor {
        /** @return false to stop reading */
        boolean run(int runLength, int value);
    }

    private void forEachRun(RunVisitor visitor) {
        int p = HEADER_SIZE;
        while (p < length) {
            int op = bytes[p] & 0xff;
            boolean more;
            if (isZero(op)) {
                more = visitor.run(zeroLength(op), 0);
                p++;
            } else if (isXzero(op)) {
                more = visitor.run(xzeroLength(p), 0);
                p += 2;
            } else {
                more = visitor.run(valLength(op), valValue(op));
                p++;
            }
            if (!more) {
                return;
            }
        }
    }

    /** PFDEBUG DECODE's text of a sparse value: "Z:16384", "z:3 v:2,1", ... */
    public String describeOpcodes() {
        if (!isSparse()) {
            throw new IllegalStateException("dense HyperLogLog");
        }
        StringBuilder out = new StringBuilder();
        int p = HEADER_SIZE;
        while (p < length) {
            int op = bytes[p] & 0xff;
            if (out.length() > 0) {
                out.append(' ');
            }
            if (isZero(op)) {
                out.append("z:").append(zeroLength(op));
                p++;
            } else if (isXzero(op)) {
                out.append("Z:").append(xzeroLength(p));
                p += 2;
            } else {
                out.append("v:").append(valValue(op)).append(',').append(valLength(op));
                p++;
            }
        }
        return out.toString();
    }

    // ---- conversion and merging -------------------------------------------------------------------

    /**
     * Redis's hllMerge: raises each of {@code max}'s 16384 one-byte registers to this value's register.
     *
     * @throws CorruptedException if this sparse value is corrupted ({@code max} may be partly raised)
     */
    public void maxInto(byte[] max) {
        if (!isSparse()) {
            int r = HEADER_SIZE;
            for (int i = 0; i < REGISTERS; i += 4, r += 3) {
                int b0 = bytes[r] & 0xff;
                int b1 = bytes[r + 1] & 0xff;
                int b2 = bytes[r + 2] & 0xff;
                raise(max, i, b0 & 63);
                raise(max, i + 1, ((b0 >>> 6) | (b1 << 2)) & 63);
                raise(max, i + 2, ((b1 >>> 4) | (b2 << 4)) & 63);
                raise(max, i + 3, (b2 >>> 2) & 63);
            }
            return;
        }
        int[] next = {0};
        forEachRun((runLength, value) -> {
            int i = next[0];
            if (runLength + i > REGISTERS) {
                next[0] = -1; // a run past the last register: corrupted (Redis 7.0.15 refuses it too)
                return false;
            }
            for (int k = 0; k < runLength && value != 0; k++) {
                raise(max, i + k, value);
            }
            next[0] = i + runLength;
            return true;
        });
        if (next[0] != REGISTERS) {
            throw new CorruptedException();
        }
    }

    private static void raise(byte[] max, int i, int value) {
        if (value > max[i]) {
            max[i] = (byte) value;
        }
    }

    /**
     * Converts a sparse value to dense (Redis's hllSparseToDense), keeping the whole header (magic,
     * unused bytes and cached cardinality).
     *
     * @return false if it was dense already
     * @throws CorruptedException if the sparse value is corrupted (it is then left as it was)
     */
    public boolean toDense() {
        if (!isSparse()) {
            return false;
        }
        byte[] registers = new byte[REGISTERS];
        maxInto(registers);
        byte[] dense = new byte[DENSE_SIZE];
        System.arraycopy(bytes, 0, dense, 0, HEADER_SIZE);
        dense[ENCODING_OFFSET] = DENSE;
        bytes = dense;
        length = DENSE_SIZE;
        for (int i = 0; i < REGISTERS; i++) {
            if (registers[i] != 0) {
                setRegister(i, registers[i]);
            }
        }
        return true;
    }

    // ---- estimating -------------------------------------------------------------------------------

    /**
     * The estimated cardinality of this value's registers (Redis's hllCount), ignoring the cache.
     *
     * @throws CorruptedException if this sparse value is corrupted
     */
    public long estimate() {
        int[] histogram = new int[64];
        if (!isSparse()) {
            int r = HEADER_SIZE;
            for (int i = 0; i < REGISTERS; i += 4, r += 3) {
                int b0 = bytes[r] & 0xff;
                int b1 = bytes[r + 1] & 0xff;
                int b2 = bytes[r + 2] & 0xff;
                histogram[b0 & 63]++;
                histogram[((b0 >>> 6) | (b1 << 2)) & 63]++;
                histogram[((b1 >>> 4) | (b2 << 4)) & 63]++;
                histogram[(b2 >>> 2) & 63]++;
            }
        } else {
            int[] covered = {0};
            forEachRun((runLength, value) -> {
                covered[0] += runLength;
                histogram[value] += runLength;
                return true;
            });
            if (covered[0] != REGISTERS) {
                throw new CorruptedException();
            }
        }
        return estimate(histogram);
    }

    /** The estimated cardinality of 16384 one-byte registers (PFCOUNT of several keys). */
    public static long estimateRegisters(byte[] registers) {
        int[] histogram = new int[64];
        for (int i = 0; i < REGISTERS; i++) {
            histogram[registers[i]]++;
        }
        return estimate(histogram);
    }

    /**
     * Ertl's improved raw estimator from the register histogram, in Redis's order of operations so the
     * doubles round the same. Registers above PATTERN_BITS + 1 (only a hand-made dense value has them)
     * count nowhere, as in Redis.
     */
    private static long estimate(int[] histogram) {
        double m = REGISTERS;
        double z = m * tau((m - histogram[PATTERN_BITS + 1]) / m);
        for (int j = PATTERN_BITS; j >= 1; --j) {
            z += histogram[j];
            z *= 0.5;
        }
        z += m * sigma(histogram[0] / m);
        return roundLikeRedis(ALPHA_INF * m * m / z);
    }

    /**
     * Redis's {@code (uint64_t) llroundl(x)} on x86-64 for an x that is never negative: round half away
     * from zero, and beyond the range of a long (only hand-made registers get there, e.g. an infinite
     * estimate when every register is 63) the processor's "integer indefinite" 0x8000000000000000.
     */
    private static long roundLikeRedis(double x) {
        if (Double.isNaN(x) || x >= 0x1p63) {
            return Long.MIN_VALUE;
        }
        return Math.round(x);
    }

    private static double sigma(double x) {
        if (x == 1.0) {
            return Double.POSITIVE_INFINITY;
        }
        double zPrime;
        double y = 1;
        double z = x;
        do {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        } while (zPrime != z);
        return z;
    }

    private static double tau(double x) {
        if (x == 0.0 || x == 1.0) {
            return 0.0;
        }
        double zPrime;
        double y = 1.0;
        double z = 1 - x;
        do {
            x = Math.sqrt(x);
            zPrime = z;
            y *= 0.5;
            double complement = 1 - x;
            z -= complement * complement * y; // pow(1 - x, 2) is exactly this product
        } while (zPrime != z);
        return z / 3;
    }

    // ---- opcodes ----------------------------------------------------------------------------------

    private static boolean isZero(int op) {
        return (op & 0xc0) == 0;
    }

    private static boolean isXzero(int op) {
        return (op & 0xc0) == 0x40;
    }

    private static boolean isVal(int op) {
        return (op & 0x80) != 0;
    }

    private static int zeroLength(int op) {
        return (op & 0x3f) + 1;
    }

    /** An XZERO's run length; a truncated one at the end reads the NUL Redis keeps after every string. */
    private int xzeroLength(int p) {
        int low = p + 1 < length ? bytes[p + 1] & 0xff : 0;
        return (((bytes[p] & 0x3f) << 8) | low) + 1;
    }

    private static int valValue(int op) {
        return ((op >>> 2) & 0x1f) + 1;
    }

    private static int valLength(int op) {
        return (op & 0x3) + 1;
    }

    private static byte val(int value, int runLength) {
        return (byte) (((value - 1) << 2 | (runLength - 1)) | 0x80);
    }

    private static void writeXzero(byte[] out, int at, int runLength) {
        int l = runLength - 1;
        out[at] = (byte) ((l >>> 8) | 0x40);
        out[at + 1] = (byte) l;
    }

    private static void writeMagic(byte[] value) {
        value[0] = 'H';
        value[1] = 'Y';
        value[2] = 'L';
        value[3] = 'L';
    }
}
