package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * One random test case for a kernel twin property: a length, offsets for up to three arrays, a
 * magnitude and a seed from which the data is generated deterministically.
 */
record KernelCase(int n, int off0, int off1, int off2, float scale, long seed, boolean specials) {
    /** float epsilon (2^-23), the unit every tolerance below is written in. */
    static final double EPS = Math.ulp(1f);

    /** Lengths 1..300, biased to 1, primes and sizes around multiples of 8 and 16 lanes. */
    static Arbitrary<Integer> lengths() {
        return dev.vecgrad.testing.TensorArbitraries.vectorTailLengths();
    }

    static Arbitrary<KernelCase> cases(Arbitrary<Integer> lengths, boolean specials) {
        Arbitrary<Integer> off = Arbitraries.integers().between(0, 9);
        Arbitrary<Float> scale = Arbitraries.of(1f, 1e-3f, 30f, 1e4f, 1e20f);
        return Combinators.combine(lengths, off, off, off, scale, Arbitraries.longs())
                .as((n, a, b, c, s, seed) -> new KernelCase(n, a, b, c, s, seed, specials));
    }

    /**
     * An array of {@code off + n + 3} values (the padding catches writes past the end),
     * Gaussian times the scale; with {@code specials}, about one value in 50 is NaN or ±inf.
     */
    float[] data(int which, int off) {
        Random rnd = new Random(seed * 31 + which);
        float[] a = new float[off + n + 3];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
            if (specials && rnd.nextInt(50) == 0) {
                a[i] = switch (rnd.nextInt(3)) {
                    case 0 -> Float.NaN;
                    case 1 -> Float.POSITIVE_INFINITY;
                    default -> Float.NEGATIVE_INFINITY;
                };
            }
        }
        return a;
    }

    /** Same as {@link #data} but strictly positive (for log, sqrt, div denominators). */
    float[] positive(int which, int off) {
        float[] a = data(which, off);
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.abs(a[i]) + Float.MIN_NORMAL;
        }
        return a;
    }

    /** Bitwise equality (all NaNs equal) of two whole arrays, padding included. */
    static void assertSame(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.compare(expected[i], actual[i]) != 0) {
                fail(what + ": index " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    /**
     * {@code |expected - actual| <= tol} element by element; non-finite expected values must
     * match exactly, entries with {@code tol == 0} must be bitwise equal, and entries with an
     * infinite tolerance are not compared (cases where the twins legitimately differ).
     */
    static void assertClose(String what, float[] expected, float[] actual, double[] tol) {
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (Float.compare(e, a) == 0 || tol[i] == Double.POSITIVE_INFINITY) {
                continue;
            }
            if (!Float.isFinite(e) || !Float.isFinite(a) || Math.abs((double) e - a) > tol[i]) {
                fail(what + ": index " + i + " expected " + e + " but was " + a + " (tolerance " + tol[i] + ")");
            }
        }
    }

    static void assertClose(String what, double expected, double actual, double tol) {
        if (Double.compare(expected, actual) == 0 || tol == Double.POSITIVE_INFINITY) {
            return;
        }
        if (!Double.isFinite(expected) || !Double.isFinite(actual) || Math.abs(expected - actual) > tol) {
            fail(what + ": expected " + expected + " but was " + actual + " (tolerance " + tol + ")");
        }
    }

    /** Per-element tolerance {@code rtol*|expected| + atol}. */
    static double[] relative(float[] expected, double rtol, double atol) {
        double[] t = new double[expected.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = rtol * Math.abs(expected[i]) + atol;
        }
        return t;
    }
}
