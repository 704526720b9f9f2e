package dev.millrace.engine.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Generated cases for property tests run as seeded JUnit {@code @ParameterizedTest}s: a property's
 * {@code @MethodSource} returns {@link #cases} of its edge values first, then values drawn from a
 * {@link #random(String) fixed-seed Random}, so every run tries the same cases and a failing case
 * can be reproduced from its display name.
 *
 * <p>The value generators mix, as property-testing libraries do, the range's edge values, values of
 * small magnitude (where most code has its branches) and values spread over the whole range.
 * Not thread-safe: each source uses its own {@link Random}. A test class that uses these cases
 * declares {@code @ExtendWith(RandomCases.NameFailingCase.class)} so a failure names its case.
 */
public final class RandomCases {
    /** Cases per property, edges included. */
    public static final int CASES = 1000;

    private static final long SEED = 0x4D696C6C72616365L;

    private RandomCases() {
    }

    /** The fixed-seed Random for one property; different properties draw different values. */
    public static Random random(String property) {
        return new Random(SEED ^ property.hashCode());
    }

    /** {@link #CASES} cases: all of {@code edges}, then values from {@code random}. */
    public static <T> Stream<T> cases(List<T> edges, Supplier<T> random) {
        return cases(edges, random, value -> true);
    }

    /**
     * {@link #CASES} cases that satisfy a property's precondition: the edges that satisfy it, then
     * values from {@code random} that satisfy it (so no case passes by being skipped).
     */
    public static <T> Stream<T> cases(List<T> edges, Supplier<T> random, Predicate<T> precondition) {
        if (edges.size() > CASES) {
            throw new IllegalArgumentException(edges.size() + " edge cases, more than " + CASES);
        }
        return Stream.concat(edges.stream(), Stream.generate(random)).filter(precondition).limit(CASES);
    }

    /** Every combination of one value from each axis, the first axis varying slowest. */
    public static List<Object[]> combinations(List<?>... axes) {
        List<Object[]> out = new ArrayList<>();
        out.add(new Object[0]);
        for (List<?> axis : axes) {
            List<Object[]> next = new ArrayList<>();
            for (Object[] prefix : out) {
                for (Object value : axis) {
                    Object[] extended = Arrays.copyOf(prefix, prefix.length + 1);
                    extended[prefix.length] = value;
                    next.add(extended);
                }
            }
            out = next;
        }
        return out;
    }

    // ---- integers -------------------------------------------------------------------------------

    /**
     * The edge values of [min, max]: both bounds and their neighbours, -2..2, and +-2^k, 2^k - 1,
     * +-10^k, 10^k - 1 (where digit counts and bit lengths change), those inside the range.
     */
    public static List<Long> longEdges(long min, long max) {
        Set<Long> edges = new LinkedHashSet<>(List.of(min, min + 1, -2L, -1L, 0L, 1L, 2L, max - 1, max));
        for (int k = 1; k < 63; k++) {
            long power = 1L << k;
            edges.addAll(List.of(power, power - 1, -power));
        }
        for (long power = 10; power <= 1_000_000_000_000_000_000L; power *= 10) {
            edges.addAll(List.of(power, power - 1, -power, 1 - power));
        }
        edges.removeIf(v -> v < min || v > max);
        return List.copyOf(edges);
    }

    /** A long in [min, max]: an edge value (1 in 8), a small-magnitude value (7 in 16), or uniform. */
    public static long longIn(Random random, long min, long max) {
        int pick = random.nextInt(16);
        if (pick < 2) {
            List<Long> edges = longEdges(min, max);
            return edges.get(random.nextInt(edges.size()));
        }
        if (pick < 9) {
            int bits = random.nextInt(64); // a uniform bit length makes small magnitudes common
            long magnitude = bits == 0 ? 0 : random.nextLong() >>> (64 - bits);
            long value = random.nextBoolean() ? -magnitude : magnitude;
            if (value >= min && value <= max) {
                return value;
            }
        }
        return uniformLong(random, min, max);
    }

    /** An int in [min, max], drawn as {@link #longIn}. */
    public static int intIn(Random random, int min, int max) {
        return (int) longIn(random, min, max);
    }

    private static long uniformLong(Random random, long min, long max) {
        if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
            return random.nextLong();
        }
        return max < Long.MAX_VALUE ? random.nextLong(min, max + 1) : random.nextLong(min - 1, max) + 1;
    }

    /**
     * A BigInteger in [min, max] (0 <= min <= max) with a uniformly drawn bit length, so short and
     * long numbers are equally common.
     */
    public static BigInteger bigIntegerIn(Random random, BigInteger min, BigInteger max) {
        int shortest = min.bitLength();
        int longest = max.bitLength();
        while (true) {
            int bits = shortest + random.nextInt(longest - shortest + 1);
            BigInteger value = bits == 0 ? BigInteger.ZERO : new BigInteger(bits - 1, random).setBit(bits - 1);
            if (value.compareTo(min) >= 0 && value.compareTo(max) <= 0) {
                return value;
            }
        }
    }

    // ---- doubles --------------------------------------------------------------------------------

    /**
     * Finite edge doubles, each with both signs: zero, the smallest and largest subnormals, the
     * smallest normal, the largest value, 1 and its neighbours, short decimals, 2^63 and 2^64, and
     * powers of two across the exponent range.
     */
    public static List<Double> doubleEdges() {
        List<Double> magnitudes = new ArrayList<>(List.of(0.0, Double.MIN_VALUE, 2 * Double.MIN_VALUE,
                Double.MIN_NORMAL - Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
                1.0, Math.nextDown(1.0), Math.nextUp(1.0), 0.5, 0.1, 0.01, 1e-17, 5e-18, 0x1p63, 0x1p64, 1e30));
        for (int exponent = -1074; exponent <= 1023; exponent += 37) {
            magnitudes.add(Math.scalb(1.0, exponent));
        }
        Set<Double> edges = new LinkedHashSet<>(); // Double.equals keeps 0.0 and -0.0 apart
        for (double magnitude : magnitudes) {
            edges.add(magnitude);
            edges.add(-magnitude);
        }
        return List.copyOf(edges);
    }

    /**
     * A finite double: an edge (1 in 8), a subnormal (1 in 16), a uniformly random bit pattern, so
     * every exponent is as likely (7 in 16), or a short decimal such as 12.375 or -4.1e-7 (3 in 8).
     */
    public static double finiteDouble(Random random) {
        int pick = random.nextInt(16);
        if (pick < 2) {
            List<Double> edges = doubleEdges();
            return edges.get(random.nextInt(edges.size()));
        }
        if (pick < 3) {
            long sign = random.nextBoolean() ? Long.MIN_VALUE : 0;
            return Double.longBitsToDouble(sign | (random.nextLong() & 0x000F_FFFF_FFFF_FFFFL));
        }
        if (pick < 10) {
            double value;
            do {
                value = Double.longBitsToDouble(random.nextLong());
            } while (!Double.isFinite(value));
            return value;
        }
        long unscaled = longIn(random, -99_999_999L, 99_999_999L);
        return new BigDecimal(BigInteger.valueOf(unscaled), random.nextInt(-20, 21)).doubleValue();
    }

    // ---- byte strings ---------------------------------------------------------------------------

    /**
     * Bytes of a uniformly drawn length in [0, maxLength]: random bytes (half the time), or all
     * zero bits or all one bits with at most one random byte among them, where searches for a
     * bit run to the end of the string or find a single match.
     */
    public static byte[] bytes(Random random, int maxLength) {
        byte[] value = new byte[random.nextInt(maxLength + 1)];
        if (random.nextBoolean()) {
            random.nextBytes(value);
            return value;
        }
        Arrays.fill(value, random.nextBoolean() ? (byte) 0xFF : 0);
        if (value.length > 0 && random.nextBoolean()) {
            value[random.nextInt(value.length)] = (byte) random.nextInt(256);
        }
        return value;
    }

    // ---- reporting ------------------------------------------------------------------------------

    /**
     * Puts the failing invocation's display name (its index and arguments, such as
     * {@code [613] value=[0, 0], start=3, end=-1}) in front of the failure's message: Maven's
     * report names a parameterized invocation by its index only.
     */
    public static final class NameFailingCase implements TestExecutionExceptionHandler {
        @Override
        public void handleTestExecutionException(ExtensionContext context, Throwable failure) {
            String what = failure instanceof AssertionError ? failure.getMessage() : failure.toString();
            throw new AssertionFailedError(context.getDisplayName() + " ==> " + what, failure);
        }
    }
}
