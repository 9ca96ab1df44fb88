package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link AdamWKernel} against {@link AdamWKernelScalar}: the same IEEE operations in the same
 * order, so the comparison is exact; lengths cover vector tails and the parallel split.
 */
class AdamWKernelTest {
    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.oneOf(Arbitraries.integers().between(1, 300),
                Arbitraries.of(2 * AdamWKernel.CHUNK - 1, 2 * AdamWKernel.CHUNK + 17, 5 * AdamWKernel.CHUNK + 3));
    }

    @Property(tries = 120)
    void simdEqualsScalarBitForBit(@ForAll("lengths") int n, @ForAll long seed, @ForAll("offsets") int po) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[po + n], g = new float[po + 3 + n], m = new float[n], v = new float[n];
        for (int i = 0; i < p.length; i++) p[i] = (float) r.nextGaussian();
        for (int i = 0; i < g.length; i++) g[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-4, 3)));
        for (int i = 0; i < n; i++) {
            m[i] = (float) r.nextGaussian() * 0.1f;
            v[i] = (float) Math.abs(r.nextGaussian()) * 0.01f;
        }
        int t = 1 + r.nextInt(1000);
        float lr = 1e-3f, b1 = 0.9f, b2 = 0.99f;
        AdamWKernel.Step s = new AdamWKernel.Step(b1, b2, 1e-8f, (float) (lr / (1 - Math.pow(b1, t))),
                (float) Math.sqrt(1 - Math.pow(b2, t)), 1f - lr * 0.1f);
        float[] p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
        AdamWKernel.update(p, po, g, po + 3, m, v, n, s);
        AdamWKernelScalar.update(p2, po, g, po + 3, m2, v2, n, s);
        assertArrayEquals(p2, p);
        assertArrayEquals(m2, m);
        assertArrayEquals(v2, v);
    }

    /**
     * The clipping coefficient and the zeroing folded into the pass: SIMD equals scalar bit for
     * bit, and both equal scaling the gradient in place, updating, and zero-filling it after.
     */
    @Property(tries = 120)
    void scaledAndZeroingRunEqualsScaleThenUpdateThenZero(@ForAll("lengths") int n, @ForAll long seed,
                                                         @ForAll("offsets") int po) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[po + n], g = new float[po + 3 + n], m = new float[n + 2], v = new float[n + 7];
        for (int i = 0; i < p.length; i++) p[i] = (float) r.nextGaussian();
        for (int i = 0; i < g.length; i++) g[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-4, 3)));
        for (int i = 0; i < m.length; i++) m[i] = (float) r.nextGaussian() * 0.1f;
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.abs(r.nextGaussian()) * 0.01f;
        float scale = r.nextBoolean() ? 1f : (float) r.nextDouble(1e-3, 1);
        int t = 1 + r.nextInt(1000);
        float lr = 3e-3f, b1 = 0.9f, b2 = 0.99f;
        AdamWKernel.Step s = new AdamWKernel.Step(b1, b2, 1e-8f, (float) (lr / (1 - Math.pow(b1, t))),
                (float) Math.sqrt(1 - Math.pow(b2, t)), 1f - lr * 0.1f);
        float[] p2 = p.clone(), g2 = g.clone(), m2 = m.clone(), v2 = v.clone();
        float[] p3 = p.clone(), g3 = g.clone(), m3 = m.clone(), v3 = v.clone();
        AdamWKernel.updateRun(p, po, g, po + 3, m, 2, v, 7, n, s, scale, true);
        AdamWKernelScalar.updateRun(p2, po, g2, po + 3, m2, 2, v2, 7, n, s, scale, true);
        assertArrayEquals(p2, p);
        assertArrayEquals(g2, g);
        assertArrayEquals(m2, m);
        assertArrayEquals(v2, v);
        // The unfused path: scale the gradient in place, update the moments from offset 0, zero.
        for (int i = 0; i < n; i++) g3[po + 3 + i] *= scale;
        float[] mm = java.util.Arrays.copyOfRange(m3, 2, 2 + n), vv = java.util.Arrays.copyOfRange(v3, 7, 7 + n);
        AdamWKernel.update(p3, po, g3, po + 3, mm, vv, n, s);
        java.util.Arrays.fill(g3, po + 3, po + 3 + n, 0f);
        System.arraycopy(mm, 0, m3, 2, n);
        System.arraycopy(vv, 0, v3, 7, n);
        assertArrayEquals(p3, p);
        assertArrayEquals(g3, g);
        assertArrayEquals(m3, m);
        assertArrayEquals(v3, v);
    }

    @Provide
    Arbitrary<Integer> offsets() {
        return Arbitraries.of(0, 1, 5);
    }
}
