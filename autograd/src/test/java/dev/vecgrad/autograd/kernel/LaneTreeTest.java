package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.Simd.LANES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every kernel that sums a vector's lanes writes the lane tree out in place (see {@link Simd}),
 * so each site is its own copy of the same four lines. Each property feeds a kernel one vector's
 * worth of data, where its result is a known function of that vector's lane sum, and checks the
 * bits against the tree in scalar ({@link Simd#sumScalar}): a step left out, repeated or taken in
 * another order would change the last bits of some sums. The build runs this at 128, 256 and
 * 512 bits, so every width's steps are covered.
 */
class LaneTreeTest {
    @Provide
    Arbitrary<float[]> lanes() {
        return Arbitraries.floats().between(-30f, 30f).array(float[].class).ofSize(LANES);
    }

    @Provide
    Arbitrary<float[]> twoVectors() {
        return Arbitraries.floats().between(-30f, 30f).array(float[].class).ofSize(2 * LANES);
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    /** {@code a[i] + 0}: what a kernel's accumulator holds after adding a vector to zero (-0 becomes +0). */
    private static float[] plusZero(float[] a) {
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) b[i] = a[i] + 0f;
        return b;
    }

    private static void assertBits(String what, float expected, float actual) {
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual),
                what + ": expected " + expected + ", got " + actual);
    }

    @Property(tries = 150)
    void sumAndDotOfOneVector(@ForAll("lanes") float[] a) {
        // The kernels add the tree's result to a double 0, which turns -0 into +0 as well.
        float tree = (float) (0.0 + Simd.sumScalar(plusZero(a), 0));
        assertBits("VecReduce.sum", tree, VecReduce.sum(a, 0, LANES));
        // a * 1 + 0 is exact, so the dot with ones is the same tree.
        assertBits("VecReduce.dot", tree, VecReduce.dot(a, 0, ones(LANES), 0, LANES));
    }

    @Property(tries = 150)
    void sumAndDotOfTheChunkedPath(@ForAll("lanes") float[] a) {
        // One full chunk whose first vector is a and the rest zeros: the four accumulators,
        // added as (s0 + s1) + (s2 + s3), hold a (+0 for -0), then the tree.
        float[] x = new float[VecReduce.CHUNK];
        System.arraycopy(a, 0, x, 0, LANES);
        assertBits("VecReduce.sum chunk", (float) (0.0 + Simd.sumScalar(plusZero(a), 0)), VecReduce.sum(x, 0, x.length));
        // The dot product's chunk site: the same data against ones (a * 1 + 0 is exact).
        assertBits("VecReduce.dot chunk", (float) (0.0 + Simd.sumScalar(plusZero(a), 0)),
                VecReduce.dot(x, 0, ones(x.length), 0, x.length));
    }

    @Property(tries = 100)
    void gemvRowsOfTheFourRowBlockAndTheRest(@ForAll("lanes") float[] a) {
        int n = 5;
        float[] w = new float[n * LANES];
        for (int o = 0; o < n; o++) {
            for (int i = 0; i < LANES; i++) w[o * LANES + i] = a[(i + o) % LANES] * (o + 1);
        }
        float[] y = new float[n];
        Gemv.gemvNT(n, LANES, ones(LANES), 0, w, 0, LANES, null, 0, y, 0);
        float[] w0 = plusZero(w);
        for (int o = 0; o < n; o++) assertBits("gemv row " + o, Simd.sumScalar(w0, o * LANES), y[o]);
    }

    @Property(tries = 150)
    void softmaxSums(@ForAll("lanes") float[] a) {
        float[] e = new float[LANES];
        float sum = Softmax.expShiftedSum(e, 0, a, 0, LANES, 2f);
        assertBits("expShiftedSum", Simd.sumScalar(e, 0), sum);

        float max = a[0];
        for (float v : a) max = Math.max(max, v);
        Softmax.expShiftedSum(e, 0, a, 0, LANES, max);
        float[] lse = new float[1];
        Softmax.logSumExpRows(lse, 0, a, 0, 1, LANES);
        assertBits("logSumExpRows", max + (float) Math.log(Simd.sumScalar(e, 0)), lse[0]);
    }

    @Property(tries = 150)
    void softmaxBackwardDot(@ForAll("lanes") float[] dy) {
        // y = 1: s = sum(dy * 1) and dx = 1 * (dy - s) + 0.
        float[] dx = new float[LANES];
        Softmax.softmaxBackwardRows(dx, 0, ones(LANES), 0, dy, 0, 1, LANES);
        float s = Simd.sumScalar(plusZero(dy), 0);
        for (int j = 0; j < LANES; j++) assertBits("softmaxBackward dx[" + j + "]", (dy[j] - s) + 0f, dx[j]);
    }

    @Property(tries = 150)
    void layerNormMeanAndVariance(@ForAll("twoVectors") float[] x) {
        int cols = 2 * LANES;
        float[] out = new float[cols], mean = new float[1], rstd = new float[1];
        LayerNormKernel.forward(out, 0, mean, 0, rstd, 0, x, 0, null, 0, null, 0, 1, cols, 1e-5f);
        // The mean's loop keeps two accumulators, one per vector, added before the tree.
        float[] pair = new float[LANES];
        for (int i = 0; i < LANES; i++) pair[i] = (x[i] + 0f) + (x[LANES + i] + 0f);
        float m = Simd.sumScalar(pair, 0) / cols;
        assertBits("layerNorm mean", m, mean[0]);
        float[] sq = new float[LANES];
        for (int i = 0; i < LANES; i++) {
            float d0 = x[i] - m, d1 = x[LANES + i] - m;
            sq[i] = Math.fma(d1, d1, d0 * d0);
        }
        float var = Simd.sumScalar(sq, 0);
        assertBits("layerNorm rstd", (float) (1.0 / Math.sqrt(var / cols + 1e-5f)), rstd[0]);
    }

    @Property(tries = 150)
    void layerNormBackwardMeans(@ForAll("lanes") float[] dout, @ForAll("lanes") float[] x) {
        float m = 0.25f, s = 1.5f;
        float[] dx = new float[LANES];
        LayerNormKernel.backward(dx, 0, null, 0, null, 0, dout, 0, x, 0, new float[] {m}, 0, new float[] {s}, 0,
                null, 0, 1, LANES);
        float[] n = new float[LANES], gn = new float[LANES];
        for (int j = 0; j < LANES; j++) {
            n[j] = (x[j] - m) * s;
            gn[j] = dout[j] * n[j] + 0f;
        }
        float gMean = Simd.sumScalar(plusZero(dout), 0) / LANES, gnMean = Simd.sumScalar(gn, 0) / LANES;
        for (int j = 0; j < LANES; j++) {
            assertBits("layerNorm backward dx[" + j + "]", ((dout[j] - gMean) - n[j] * gnMean) * s + 0f, dx[j]);
        }
    }
}
