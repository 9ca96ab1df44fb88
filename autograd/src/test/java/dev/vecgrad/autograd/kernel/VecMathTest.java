package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Every {@link VecMath} kernel against its scalar twin in {@link VecMathScalar}. */
class VecMathTest {
    @Provide
    Arbitrary<Integer> length() {
        // 1, primes, and lengths around multiples of 8 and 16 lanes
        return Arbitraries.oneOf(Arbitraries.of(1, 2, 3, 5, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129),
                Arbitraries.integers().between(1, 300));
    }

    @Provide
    Arbitrary<Integer> offset() {
        return Arbitraries.of(0, 1, 3, 8);
    }

    private static float[] data(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return x;
    }

    @Property(tries = 150, seed = "7")
    void elementwiseKernelsEqualTheirTwins(@ForAll("length") int n, @ForAll("offset") int off) {
        float[] a = data(n, n + off, 10), b = data(n + 1, n + off, 10), s = new float[n + off], v = new float[n + off];
        for (int i = 0; i < b.length; i++) if (b[i] == 0f) b[i] = 1f;
        // add, sub, mul, div, scalar forms and axpy are single correctly rounded operations (FMA in
        // axpy rounds once instead of twice): equal, or within one ulp for axpy.
        VecMath.add(v, off, a, off, b, off, n);
        VecMathScalar.add(s, off, a, off, b, off, n);
        assertEquals(0, compare(s, v, 0));
        VecMath.sub(v, off, a, off, b, off, n);
        VecMathScalar.sub(s, off, a, off, b, off, n);
        assertEquals(0, compare(s, v, 0));
        VecMath.mul(v, off, a, off, b, off, n);
        VecMathScalar.mul(s, off, a, off, b, off, n);
        assertEquals(0, compare(s, v, 0));
        VecMath.div(v, off, a, off, b, off, n);
        VecMathScalar.div(s, off, a, off, b, off, n);
        assertEquals(0, compare(s, v, 0));
        VecMath.addScalar(v, off, a, off, 0.3f, n);
        VecMathScalar.addScalar(s, off, a, off, 0.3f, n);
        assertEquals(0, compare(s, v, 0));
        VecMath.mulScalar(v, off, a, off, -1.7f, n);
        VecMathScalar.mulScalar(s, off, a, off, -1.7f, n);
        assertEquals(0, compare(s, v, 0));
        float[] s2 = a.clone(), v2 = a.clone();
        VecMath.axpy(v2, off, 0.37f, b, off, n);
        VecMathScalar.axpy(s2, off, 0.37f, b, off, n);
        // FMA rounds once, mul-then-add twice: they differ by at most an ulp of the operands' scale.
        for (int i = off; i < off + n; i++) {
            double scale = Math.abs(a[i]) + Math.abs(0.37f * b[i]);
            assertTrue(Math.abs(s2[i] - v2[i]) <= 2 * Math.ulp((float) scale), "axpy at " + i + ": " + s2[i] + " vs " + v2[i]);
        }
        // exp and tanh: the SIMD versions are approximations; 1e-6 relative is the documented bound.
        float[] x = data(n + 5, n + off, 20);
        VecMath.exp(v, off, x, off, n);
        VecMathScalar.exp(s, off, x, off, n);
        assertEquals(0, compare(s, v, 1e-6));
        VecMath.tanh(v, off, x, off, n);
        VecMathScalar.tanh(s, off, x, off, n);
        assertEquals(0, compare(s, v, 1e-6));
        // gelu and its derivative evaluate the same formula with a vector tanh: a few ulps apart,
        // measured relative to the terms' scale (|x|), since gelu itself crosses zero.
        float[] dy = data(n + 9, n + off, 3), gs = new float[n + off], gv = new float[n + off];
        VecMath.gelu(v, off, x, off, n);
        VecMathScalar.gelu(s, off, x, off, n);
        VecMath.geluBackward(gv, off, x, off, dy, off, n);
        VecMathScalar.geluBackward(gs, off, x, off, dy, off, n);
        for (int i = off; i < off + n; i++) {
            float scale = Math.max(1f, Math.abs(x[i]));
            assertTrue(Math.abs(s[i] - v[i]) <= 1e-6f * scale * 4, "gelu " + x[i] + ": " + s[i] + " vs " + v[i]);
            assertTrue(Math.abs(gs[i] - gv[i]) <= 1e-6f * scale * scale * Math.abs(dy[i]) * 8 + 1e-7f,
                    "gelu' " + x[i] + ": " + gs[i] + " vs " + gv[i]);
        }
    }

    /** Number of elements whose relative difference exceeds {@code rel} (absolute below 1e-30). */
    private static int compare(float[] want, float[] got, double rel) {
        int bad = 0;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs((double) want[i] - got[i]);
            if (d > rel * Math.abs(want[i]) && d > 1e-30 && !(Float.isNaN(want[i]) && Float.isNaN(got[i]))) bad++;
        }
        return bad;
    }

    @Property(tries = 150, seed = "8")
    void reductionsEqualTheirTwins(@ForAll("length") int n, @ForAll("offset") int off) {
        float[] a = data(n * 31L, n + off, 100), b = data(n * 37L, n + off, 100);
        // Sums differ only by summation order: |error| <= n * eps * sum|a| (a loose, safe bound).
        double mag = 0, magDot = 0;
        for (int i = off; i < off + n; i++) {
            mag += Math.abs(a[i]);
            magDot += Math.abs(a[i] * b[i]);
        }
        float eps = Math.ulp(1f);
        assertTrue(Math.abs(VecMath.sum(a, off, n) - VecMathScalar.sum(a, off, n)) <= n * eps * mag + 1e-6);
        assertTrue(Math.abs(VecMath.dot(a, off, b, off, n) - VecMathScalar.dot(a, off, b, off, n)) <= n * eps * magDot + 1e-6);
        assertEquals(VecMathScalar.max(a, off, n), VecMath.max(a, off, n));
    }

    @Test
    void maxPropagatesNaN() {
        float[] a = new float[40];
        a[33] = Float.NaN;
        assertTrue(Float.isNaN(VecMath.max(a, 0, 40)));
        a[33] = 0;
        a[3] = Float.NaN;
        assertTrue(Float.isNaN(VecMath.max(a, 0, 40)));
    }

    @Test
    void vectorExpIsWithinOneMillionthOfMathExp() {
        // Dense grid over the range softmax feeds exp (x - max <= 0) and a little above.
        int n = 200_001;
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) x[i] = -87f + 97f * i / (n - 1);
        VecMath.exp(y, 0, x, 0, n);
        double worst = 0;
        for (int i = 0; i < n; i++) worst = Math.max(worst, Math.abs(y[i] - Math.exp(x[i])) / Math.exp(x[i]));
        assertTrue(worst <= 1e-6, "max relative error " + worst);
    }
}
