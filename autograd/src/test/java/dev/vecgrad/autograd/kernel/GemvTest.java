package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.KernelCase.EPS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link Gemv} against {@link GemvScalar} (double sums) and against {@link Gemm} with one row. */
class GemvTest {
    record Case(int n, int k, int pad, int off, boolean bias, long seed) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> sizes = KernelCase.lengths();
        return Combinators.combine(sizes, sizes, Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 7),
                Arbitraries.of(true, false), Arbitraries.longs()).as(Case::new);
    }

    static float[] gaussian(Random r, int len) {
        float[] a = new float[len];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    /**
     * Each output is a sum of k products: LANES partial sums of k/LANES fused terms, a fixed lane
     * tree, then a scalar tail, so its error is under {@code (k/LANES + log2(LANES) + tail + 2) * eps * Σ|w x|}.
     */
    @Property(tries = 300, seed = "1717")
    void matchesItsScalarTwin(@ForAll("cases") Case c) {
        Random r = new Random(c.seed());
        int ldw = c.k() + c.pad();
        float[] x = gaussian(r, c.off() + c.k()), w = gaussian(r, c.off() + c.n() * ldw), b = c.bias() ? gaussian(r, c.off() + c.n()) : null;
        float[] y = new float[c.off() + c.n() + 2], ref = y.clone();
        y[c.off() + c.n()] = 42f;   // the element after the output must survive
        Gemv.gemvNT(c.n(), c.k(), x, c.off(), w, c.off(), ldw, b, c.off(), y, c.off());
        GemvScalar.gemvNT(c.n(), c.k(), x, c.off(), w, c.off(), ldw, b, c.off(), ref, c.off());
        for (int o = 0; o < c.n(); o++) {
            double abs = c.bias() ? Math.abs(b[c.off() + o]) : 0;
            for (int i = 0; i < c.k(); i++) abs += Math.abs((double) w[c.off() + o * ldw + i] * x[c.off() + i]);
            double tol = (c.k() / Simd.LANES + Simd.LANES + 8) * EPS * abs;
            KernelCase.assertClose("y[" + o + "]", ref[c.off() + o], y[c.off() + o], tol);
        }
        assertEquals(42f, y[c.off() + c.n()]);
        for (int i = 0; i < c.off(); i++) assertEquals(0f, y[i]);
    }

    @Test
    void sameResultOnOneThreadAndOnTwoAndCloseToGemm() {
        Random r = new Random(3);
        int n = 2304, k = 768;
        float[] x = gaussian(r, k), w = gaussian(r, n * k), b = gaussian(r, n);
        float[] one = new float[n], two = new float[n], gemm = new float[n];
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Gemv.gemvNT(n, k, x, 0, w, 0, k, b, 0, one, 0);
            Parallel.setThreads(2);
            Gemv.gemvNT(n, k, x, 0, w, 0, k, b, 0, two, 0);
        } finally {
            Parallel.setThreads(saved);
        }
        assertArrayEquals(one, two);
        Gemm.sgemmBias(false, true, 1, n, k, x, 0, k, w, 0, k, b, 0, gemm, 0, n);
        assertArrayEquals(gemm, one, 1e-3f);
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemv.gemvNT(4, 8, new float[8], 0, new float[31], 0, 8, null, 0, new float[4], 0));
        assertEquals("gemvNT: w needs 32 elements from offset 0 but has length 31", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Gemv.gemvNT(4, 8, new float[8], 0, new float[32], 0, 7, null, 0, new float[4], 0));
    }
}
