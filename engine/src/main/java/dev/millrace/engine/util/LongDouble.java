package dev.millrace.engine.util;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * A value of C's {@code long double} as Redis on x86-64 computes with it: the x87 80-bit extended
 * format (64-bit significand with an explicit integer bit, 15-bit exponent, subnormals). INCRBYFLOAT
 * and HINCRBYFLOAT add in this precision, so {@code 0.1 + 0.2} is {@code 0.3} there and not
 * {@code 0.30000000000000004}; emulating it exactly is what makes their replies byte-identical.
 *
 * <p>A finite value is {@code ±significand × 2^exponent}, always rounded (to nearest, ties to even, as
 * the FPU does) so the significand fits the format. Arithmetic is exact on {@link BigInteger}s then
 * rounded once, which is what IEEE-754 addition is. Immutable and thread-safe. Cost: O(bits of the
 * operands), at most a few thousand words for the extreme exponents.
 */
public final class LongDouble {
    /** Significand bits, including the explicit integer bit. */
    static final int PRECISION = 64;
    /** Exponent of the smallest subnormal: 2^-16445. */
    static final int MIN_EXPONENT = -16445;
    /** Largest exponent of a full 64-bit significand: the maximum value is (2^64-1) × 2^16320. */
    static final int MAX_EXPONENT = 16320;

    private enum Kind { FINITE, INFINITE, NAN }

    public static final LongDouble ZERO = new LongDouble(Kind.FINITE, false, BigInteger.ZERO, MIN_EXPONENT);
    public static final LongDouble NEGATIVE_ZERO = new LongDouble(Kind.FINITE, true, BigInteger.ZERO, MIN_EXPONENT);
    public static final LongDouble POSITIVE_INFINITY = new LongDouble(Kind.INFINITE, false, BigInteger.ZERO, 0);
    public static final LongDouble NEGATIVE_INFINITY = new LongDouble(Kind.INFINITE, true, BigInteger.ZERO, 0);
    public static final LongDouble NAN = new LongDouble(Kind.NAN, false, BigInteger.ZERO, 0);

    private static final BigInteger TWO_TO_PRECISION = BigInteger.ONE.shiftLeft(PRECISION);

    private final Kind kind;
    private final boolean negative;
    private final BigInteger significand;
    private final int exponent;

    private LongDouble(Kind kind, boolean negative, BigInteger significand, int exponent) {
        this.kind = kind;
        this.negative = negative;
        this.significand = significand;
        this.exponent = exponent;
    }

    /** A zero of the given sign. */
    public static LongDouble zero(boolean negative) {
        return negative ? NEGATIVE_ZERO : ZERO;
    }

    /** Exactly {@code value}: every long fits a 64-bit significand. */
    public static LongDouble of(long value) {
        BigInteger magnitude = BigInteger.valueOf(value).abs();
        return round(value < 0, magnitude, BigInteger.ONE, 0);
    }

    /**
     * The value nearest to {@code ±numerator / denominator × 2^binaryScale} (ties to even), or an
     * infinity when it is beyond the largest finite value, or a zero when below half the smallest
     * subnormal. Zero numerators give a zero of the given sign.
     */
    static LongDouble round(boolean negative, BigInteger numerator, BigInteger denominator, int binaryScale) {
        if (numerator.signum() == 0) {
            return zero(negative);
        }
        // floor(log2(numerator / denominator)), from the bit lengths then one comparison
        long log2 = numerator.bitLength() - denominator.bitLength();
        int cmp = log2 >= 0
                ? numerator.compareTo(denominator.shiftLeft((int) log2))
                : numerator.shiftLeft((int) -log2).compareTo(denominator);
        if (cmp < 0) {
            log2--;
        }
        long valueLog2 = log2 + binaryScale;
        if (valueLog2 > MAX_EXPONENT + PRECISION) {
            return negative ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
        }
        if (valueLog2 < MIN_EXPONENT - 2) {
            return zero(negative); // below half the smallest subnormal
        }
        long exp = Math.max(valueLog2 - (PRECISION - 1), MIN_EXPONENT);
        // quotient = numerator / denominator × 2^(binaryScale - exp), split into integer and remainder
        long shift = binaryScale - exp;
        BigInteger num = numerator;
        BigInteger den = denominator;
        if (shift >= 0) {
            num = num.shiftLeft((int) shift);
        } else {
            den = den.shiftLeft((int) -shift);
        }
        BigInteger[] qr = num.divideAndRemainder(den);
        BigInteger q = qr[0];
        int half = qr[1].shiftLeft(1).compareTo(den);
        if (half > 0 || (half == 0 && q.testBit(0))) {
            q = q.add(BigInteger.ONE);
            if (q.equals(TWO_TO_PRECISION)) {
                q = q.shiftRight(1);
                exp++;
            }
        }
        if (exp > MAX_EXPONENT) {
            return negative ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
        }
        if (q.signum() == 0) {
            return zero(negative);
        }
        return new LongDouble(Kind.FINITE, negative, q, (int) exp);
    }

    public boolean isFinite() {
        return kind == Kind.FINITE;
    }

    public boolean isNaN() {
        return kind == Kind.NAN;
    }

    public boolean isInfinite() {
        return kind == Kind.INFINITE;
    }

    public boolean isZero() {
        return kind == Kind.FINITE && significand.signum() == 0;
    }

    /** The correctly rounded sum, with IEEE-754 rules for infinities, NaN and signed zeros. */
    public LongDouble add(LongDouble other) {
        if (kind == Kind.NAN || other.kind == Kind.NAN) {
            return NAN;
        }
        if (kind == Kind.INFINITE || other.kind == Kind.INFINITE) {
            if (kind == Kind.INFINITE && other.kind == Kind.INFINITE && negative != other.negative) {
                return NAN;
            }
            return kind == Kind.INFINITE ? this : other;
        }
        if (isZero() && other.isZero()) {
            // round-to-nearest: -0 + -0 = -0, any other pair of zeros is +0
            return negative && other.negative ? this : ZERO;
        }
        int base = Math.min(exponent, other.exponent);
        BigInteger a = signed().shiftLeft(exponent - base);
        BigInteger b = other.signed().shiftLeft(other.exponent - base);
        BigInteger sum = a.add(b);
        // an exact zero sum of non-zero operands is +0 in round-to-nearest
        return round(sum.signum() < 0, sum.abs(), BigInteger.ONE, base);
    }

    /**
     * The correctly rounded product with an integer, as C computes {@code value * 1000.0} in long double
     * (blocking timeouts in seconds become milliseconds so).
     */
    public LongDouble multiply(long factor) {
        if (kind == Kind.NAN || (kind == Kind.INFINITE && factor == 0)) {
            return NAN;
        }
        boolean productNegative = negative != (factor < 0);
        if (kind == Kind.INFINITE) {
            return productNegative ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
        }
        BigInteger magnitude = significand.multiply(BigInteger.valueOf(factor).abs());
        return round(productNegative, magnitude, BigInteger.ONE, exponent);
    }

    /**
     * C's {@code (long long) ceill(value)} on x86-64: the smallest integer not below the value; NaN, the
     * infinities and integers outside the range give {@link Long#MIN_VALUE}, the x87 "integer
     * indefinite".
     */
    public long toLongCeiling() {
        if (kind != Kind.FINITE) {
            return Long.MIN_VALUE;
        }
        BigInteger whole = toBigDecimal().setScale(0, RoundingMode.CEILING).toBigIntegerExact();
        return whole.bitLength() <= 63 ? whole.longValue() : Long.MIN_VALUE;
    }

    private BigInteger signed() {
        return negative ? significand.negate() : significand;
    }

    /** The exact value of a finite number (its binary fraction always has a finite decimal expansion). */
    public BigDecimal toBigDecimal() {
        if (kind != Kind.FINITE) {
            throw new ArithmeticException("not finite: " + this);
        }
        BigDecimal magnitude;
        if (exponent >= 0) {
            magnitude = new BigDecimal(significand.shiftLeft(exponent));
        } else {
            // m × 2^-k = m × 5^k / 10^k
            magnitude = new BigDecimal(significand.multiply(BigInteger.valueOf(5).pow(-exponent)), -exponent);
        }
        return negative ? magnitude.negate() : magnitude;
    }

    /**
     * C's {@code printf("%.17Lf", value)} as glibc prints it: the exact value rounded half-even to 17
     * digits after the point; "inf", "-inf" and "nan" as Redis's ld2string spells them.
     */
    public String toFixed17() {
        return switch (kind) {
            case NAN -> "nan";
            case INFINITE -> negative ? "-inf" : "inf";
            case FINITE -> {
                String digits = toBigDecimal().abs().setScale(17, RoundingMode.HALF_EVEN).toPlainString();
                yield negative ? "-" + digits : digits;
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LongDouble other && kind == other.kind && negative == other.negative
                && significand.equals(other.significand) && exponent == other.exponent;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(kind, negative, significand, exponent);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NAN -> "nan";
            case INFINITE -> negative ? "-inf" : "inf";
            case FINITE -> (negative ? "-" : "") + significand + "p" + exponent;
        };
    }
}
