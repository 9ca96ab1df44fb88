package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link Gemm} against its scalar twin {@link GemmScalar}, over sizes around the tile edges. */
class GemmTest {

    @Provide
    Arbitrary<Integer> size() {
        // 1, primes, and sizes just below/at/above the micro-tile (6 rows, 16 columns) and block edges
        return Arbitraries.oneOf(Arbitraries.of(1, 2, 5, 6, 7, 11, 12, 13, 15, 16, 17, 23, 31, 32, 33, 47, 48, 49, 97, 127, 128, 129),
                Arbitraries.integers().between(1, 300));
    }

    @Property(tries = 120, seed = "20261122")
    void simdEqualsScalar(@ForAll("size") int m, @ForAll("size") int n, @ForAll("size") int k,
                          @ForAll boolean ta, @ForAll boolean tb, @ForAll("pad") int pad, @ForAll("scalars") float beta) {
        SplittableRandom r = new SplittableRandom(m * 1_000_003L + n * 1009L + k);
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        int aOff = pad, bOff = 2 * pad, cOff = 3 * pad;
        float[] a = random(r, aOff + (ta ? k : m) * lda), b = random(r, bOff + (tb ? n : k) * ldb);
        float[] c1 = random(r, cOff + m * ldc), c2 = c1.clone();
        float alpha = 0.75f;
        Gemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c1, cOff, ldc);
        GemmScalar.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c2, cOff, ldc);
        // Both sum k products of values in [-1, 1) in float; only the order (and FMA rounding)
        // differs, so each result differs by at most a few k * eps * sum|a||b| <= k * eps * k.
        float tol = 4 * k * Math.ulp(1f) * Math.max(1, (float) Math.sqrt(k)) + 1e-6f;
        for (int i = 0; i < c1.length; i++) {
            assertTrue(Math.abs(c1[i] - c2[i]) <= tol * Math.max(1f, Math.abs(c2[i])),
                    "m=" + m + " n=" + n + " k=" + k + " element " + i + ": " + c1[i] + " vs " + c2[i]);
        }
    }

    @Provide
    Arbitrary<Integer> pad() {
        return Arbitraries.of(0, 0, 1, 3);
    }

    @Provide
    Arbitrary<Float> scalars() {
        return Arbitraries.of(0f, 1f, -0.5f);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        SplittableRandom r = new SplittableRandom(5);
        int m = 400, n = 300, k = 700;
        float[] a = random(r, m * k), b = random(r, k * n), c1 = new float[m * n], c2 = new float[m * n];
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Gemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c1, 0, n);
            Parallel.setThreads(2);
            Gemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c2, 0, n);
        } finally {
            Parallel.setThreads(before);
        }
        assertArrayEquals(c1, c2);
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        float[] c = {Float.NaN, Float.NaN};
        Gemm.sgemm(false, false, 1, 2, 1, 1f, new float[] {2}, 0, 1, new float[] {3, 4}, 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[] {6, 8}, c);
    }

    @Test
    void batchedEqualsALoop() {
        SplittableRandom r = new SplittableRandom(9);
        int count = 5, m = 7, n = 9, k = 13;
        float[] a = random(r, count * m * k), b = random(r, count * k * n), c1 = new float[count * m * n], c2 = new float[count * m * n];
        Gemm.sgemmBatched(count, false, false, m, n, k, 1f, a, 0, m * k, k, b, 0, k * n, n, 0f, c1, 0, m * n, n);
        for (int i = 0; i < count; i++) Gemm.sgemm(false, false, m, n, k, 1f, a, i * m * k, k, b, i * k * n, n, 0f, c2, i * m * n, n);
        assertArrayEquals(c2, c1);
    }

    @Test
    void badArgumentsNameTheKernelAndSizes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 2, 1f, new float[3], 0, 2, new float[4], 0, 2, 0f, new float[4], 0, 2));
        assertTrue(e.getMessage().contains("sgemm") && e.getMessage().contains("A"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, -1, 2, 2, 1f, new float[4], 0, 2, new float[4], 0, 2, 0f, new float[4], 0, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 2, 1f, new float[4], 0, 1, new float[4], 0, 2, 0f, new float[4], 0, 2));
    }
}
