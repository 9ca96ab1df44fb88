package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.KernelCase.EPS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link VecReduce} against {@link VecReduceScalar} (which sums in double). */
class VecReduceTest {
    @Provide
    Arbitrary<KernelCase> cases() {
        // Also lengths past VecReduce.CHUNK (512 or 1024 elements) to exercise the chunked path.
        Arbitrary<Integer> longer = Arbitraries.of(511, 512, 513, 1023, 1024, 1025, 2049, 3001);
        return KernelCase.cases(Arbitraries.oneOf(KernelCase.lengths(), KernelCase.lengths(), longer), true);
    }

    /**
     * Sums: the SIMD sum has partial sums of at most 16 terms per lane, a lane reduction of
     * log2(4*LANES) <= 6 levels, and a double accumulation, so its error is under
     * {@code (16 + 6 + 2) * eps * sum|x|}; the double reference is far tighter. Max is exact.
     */
    @Property(tries = 200, seed = "4301")
    void reductionsMatchScalar(@ForAll("cases") KernelCase c) {
        float[] a = c.data(0, c.off1());
        float[] b = c.data(1, c.off2());
        int n = c.n();
        double absSum = 0;
        double absDot = 0;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            absSum += Math.abs(a[c.off1() + i]);
            absDot += Math.abs((double) a[c.off1() + i] * b[c.off2() + i]);
            sq += (double) a[c.off1() + i] * a[c.off1() + i];
        }
        float sum = VecReduceScalar.sum(a, c.off1(), n);
        KernelCase.assertClose("sum", sum, VecReduce.sum(a, c.off1(), n), 24 * EPS * absSum + EPS * Math.abs(sum));
        float dot = VecReduceScalar.dot(a, c.off1(), b, c.off2(), n);
        KernelCase.assertClose("dot", dot, VecReduce.dot(a, c.off1(), b, c.off2(), n),
                absDot > Float.MAX_VALUE ? Double.POSITIVE_INFINITY : 24 * EPS * absDot + EPS * Math.abs(dot));
        float ss = VecReduceScalar.sumSquares(a, c.off1(), n);
        if (sq <= Float.MAX_VALUE) {
            KernelCase.assertClose("sumSquares", ss, VecReduce.sumSquares(a, c.off1(), n), 25 * EPS * sq);
        }
        assertEquals(VecReduceScalar.max(a, c.off1(), n), VecReduce.max(a, c.off1(), n));
    }

    @Test
    void maxPropagatesNaNAndEmptyIsNegativeInfinity() {
        float[] a = new float[37];
        a[3] = Float.NaN;
        a[20] = 5f;
        assertEquals(Float.NaN, VecReduce.max(a, 0, a.length));
        assertEquals(Float.NaN, VecReduce.max(a, 1, 20));
        assertEquals(5f, VecReduce.max(a, 4, 30));
        assertEquals(Float.NEGATIVE_INFINITY, VecReduce.max(a, 0, 0));
        a[36] = Float.NaN;
        assertEquals(Float.NaN, VecReduce.max(a, 4, 33));
    }

    @Test
    void longSumIsAccurate() {
        // 1e6 copies of 0.1f: a naive float loop drifts by about 1%; the chunked sum must not.
        float[] a = new float[1_000_000];
        java.util.Arrays.fill(a, 0.1f);
        double exact = 1_000_000 * (double) 0.1f;
        assertEquals(exact, VecReduce.sum(a, 0, a.length), exact * 1e-6);
    }
}
