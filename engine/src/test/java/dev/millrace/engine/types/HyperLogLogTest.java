package dev.millrace.engine.types;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HyperLogLog} against a simple model: 16384 plain registers raised by each element's hash
 * pattern. Random adds and merges at random hll-sparse-max-bytes must keep the value's registers equal
 * to the model's, in both encodings and across the conversion, with sparse values within their size
 * limit; the same registers must estimate the same in both encodings; merging is commutative; and
 * estimates stay within the expected error. The exact bytes against Redis are the golden file's job
 * (hyperloglog.golden).
 */
class HyperLogLogTest {

    /** The model: the register an element raises and to what, computed bit by bit as Redis's hllPatLen. */
    private static void modelAdd(int[] registers, byte[] element) {
        long hash = Hashing.murmurHash64A(element, 0xadc83b19L);
        int index = (int) (hash & 16383);
        int count = 1;
        for (int bit = 14; bit < 64 && (hash & (1L << bit)) == 0; bit++) {
            count++;
        }
        registers[index] = Math.max(registers[index], count);
    }

    private static byte[] registersOf(HyperLogLog hll) {
        byte[] registers = new byte[HyperLogLog.REGISTERS];
        hll.maxInto(registers);
        return registers;
    }

    private static byte[] asBytes(int[] registers) {
        byte[] out = new byte[registers.length];
        for (int i = 0; i < registers.length; i++) {
            out[i] = (byte) registers[i];
        }
        return out;
    }

    private static byte[] element(Random random, int pool) {
        return ("member:" + random.nextInt(pool)).getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomAddsAndMergesKeepTheModelRegisters(long seed) {
        Random random = new Random(seed);
        long sparseMaxBytes = new long[]{0, 40, 300, 3000, 20000}[random.nextInt(5)];
        HyperLogLog hll = HyperLogLog.empty();
        int[] model = new int[HyperLogLog.REGISTERS];
        int pool = 1 + random.nextInt(20000);
        for (int step = 0; step < 400; step++) {
            int op = random.nextInt(10);
            if (op < 7) {
                int n = 1 + random.nextInt(op == 0 ? 500 : 10);
                for (int i = 0; i < n; i++) {
                    byte[] e = element(random, pool);
                    modelAdd(model, e);
                    hll.add(e, sparseMaxBytes);
                }
            } else if (op < 9) { // PFMERGE's way: raise each register of the destination to the source's
                HyperLogLog other = HyperLogLog.empty();
                for (int i = random.nextInt(200); i > 0; i--) {
                    byte[] e = element(random, pool * 2);
                    modelAdd(model, e);
                    other.add(e, 3000);
                }
                byte[] registers = registersOf(other);
                for (int i = 0; i < registers.length; i++) {
                    if (registers[i] != 0) {
                        hll.raiseRegister(i, registers[i], sparseMaxBytes);
                    }
                }
            } else {
                hll.toDense();
            }
            assertArrayEquals(asBytes(model), registersOf(hll), "seed " + seed + " step " + step);
            if (hll.isSparse()) {
                assertTrue(hll.toByteArray().length <= Math.max(sparseMaxBytes, HyperLogLog.HEADER_SIZE + 2),
                        "a sparse value stays within hll-sparse-max-bytes");
            } else {
                assertEquals(HyperLogLog.DENSE_SIZE, hll.toByteArray().length);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15})
    void sparseAndDenseEstimateTheSameForTheSameElements(long seed) {
        Random random = new Random(seed);
        HyperLogLog sparse = HyperLogLog.empty();
        HyperLogLog dense = HyperLogLog.emptyDense();
        int added = 0;
        for (int checkpoint = 1; checkpoint <= 5000; checkpoint *= 3) {
            for (; added < checkpoint; added++) {
                byte[] e = ("e" + random.nextLong()).getBytes(StandardCharsets.ISO_8859_1);
                assertEquals(dense.add(e, 0), sparse.add(e, Long.MAX_VALUE), "the same register changes");
            }
            assertTrue(sparse.isSparse());
            assertEquals(dense.estimate(), sparse.estimate(), "after " + checkpoint);
            HyperLogLog converted = HyperLogLog.wrap(sparse.toByteArray().clone());
            converted.toDense();
            assertArrayEquals(registerBytes(dense), registerBytes(converted), "the conversion gives the dense registers");
        }
    }

    /** A value's bytes after the header (the cache differs: sparse edits invalidate it, dense ones not). */
    private static byte[] registerBytes(HyperLogLog hll) {
        byte[] value = hll.toByteArray();
        return Arrays.copyOfRange(value, HyperLogLog.HEADER_SIZE, value.length);
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23})
    void mergingIsCommutative(long seed) {
        Random random = new Random(seed);
        HyperLogLog a = HyperLogLog.empty();
        HyperLogLog b = HyperLogLog.empty();
        for (int i = 0; i < 3000; i++) {
            a.add(element(random, 4000), 3000);
            b.add(element(random, 4000), random.nextBoolean() ? 3000 : 100);
        }
        HyperLogLog ab = merged(a, b);
        HyperLogLog ba = merged(b, a);
        assertArrayEquals(ab.toByteArray(), ba.toByteArray());
        assertEquals(ab.estimate(), ba.estimate());
        byte[] union = new byte[HyperLogLog.REGISTERS];
        a.maxInto(union);
        b.maxInto(union);
        assertEquals(HyperLogLog.estimateRegisters(union), ab.estimate(), "PFCOUNT a b equals PFCOUNT of the merge");
    }

    /** PFMERGE of the sources into a new destination. */
    private static HyperLogLog merged(HyperLogLog... sources) {
        byte[] registers = new byte[HyperLogLog.REGISTERS];
        boolean dense = false;
        for (HyperLogLog source : sources) {
            source.maxInto(registers);
            dense |= !source.isSparse();
        }
        HyperLogLog target = HyperLogLog.empty();
        if (dense) {
            target.toDense();
        }
        for (int i = 0; i < registers.length; i++) {
            if (registers[i] != 0) {
                target.raiseRegister(i, registers[i], 3000);
            }
        }
        target.invalidateCache();
        return target;
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33, 34, 35})
    void estimatesOf100kElementsAreWithinThreeStandardErrors(long seed) {
        Random random = new Random(seed);
        HyperLogLog hll = HyperLogLog.empty();
        int n = 100_000;
        long base = random.nextLong();
        for (int i = 0; i < n; i++) {
            hll.add(Long.toString(base + i).getBytes(StandardCharsets.ISO_8859_1), 3000);
        }
        double standardError = 1.04 / Math.sqrt(HyperLogLog.REGISTERS); // 0.81%
        double relativeError = Math.abs(hll.estimate() - n) / (double) n;
        assertTrue(relativeError < 3 * standardError, "relative error " + relativeError);
        assertFalse(hll.isSparse());
    }

    @Test
    void theHashAndPatternAreRedis() {
        // Redis 7.0.15: PFADD k lICi5iaa, then PFDEBUG GETREG k shows register 7297 at 33 (and it is dense)
        HyperLogLog hll = HyperLogLog.empty();
        assertTrue(hll.add("lICi5iaa".getBytes(StandardCharsets.ISO_8859_1), 3000));
        assertFalse(hll.isSparse(), "33 does not fit a sparse VAL opcode");
        assertEquals(33, hll.register(7297));
        // Redis 7.0.15: PFADD h a b c; GET h; PFDEBUG DECODE h
        HyperLogLog abc = HyperLogLog.empty();
        for (String e : new String[]{"a", "b", "c"}) {
            abc.add(e.getBytes(StandardCharsets.ISO_8859_1), 3000);
        }
        abc.invalidateCache();
        assertArrayEquals(new byte[]{'H', 'Y', 'L', 'L', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80,
                0x60, (byte) 0xf3, (byte) 0x80, 0x50, (byte) 0xb1, (byte) 0x84, 0x4b, (byte) 0xfb, (byte) 0x80, 0x42,
                0x5a}, abc.toByteArray());
        assertEquals(3, abc.estimate());
        assertEquals("Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603", abc.describeOpcodes());
    }

    @Test
    void theCacheKeepsItsBytesWhenInvalidated() {
        HyperLogLog hll = HyperLogLog.empty();
        hll.cacheCardinality(0x0102030405060708L);
        assertTrue(hll.cacheValid());
        hll.invalidateCache();
        assertFalse(hll.cacheValid());
        assertEquals(0x8102030405060708L, hll.cachedCardinality());
    }

    @Test
    void corruptedSparseValuesAreRefused() {
        byte[] header = {'H', 'Y', 'L', 'L', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80};
        byte[] short16000 = Arrays.copyOf(header, 18);
        short16000[16] = (byte) (0x40 | (15999 >> 8));
        short16000[17] = (byte) 15999;
        HyperLogLog hll = HyperLogLog.wrap(short16000);
        assertThrows(HyperLogLog.CorruptedException.class, hll::estimate);
        assertThrows(HyperLogLog.CorruptedException.class, () -> hll.maxInto(new byte[HyperLogLog.REGISTERS]));
        assertThrows(HyperLogLog.CorruptedException.class, hll::toDense);
        assertTrue(hll.isSparse(), "a failed conversion leaves the value as it was");
        assertFalse(HyperLogLog.isValid(header, 0, 15));
        byte[] badEncoding = header.clone();
        badEncoding[4] = 2;
        assertFalse(HyperLogLog.isValid(badEncoding, 0, badEncoding.length));
        byte[] shortDense = header.clone();
        shortDense[4] = 0;
        assertFalse(HyperLogLog.isValid(shortDense, 0, shortDense.length));
    }
}
