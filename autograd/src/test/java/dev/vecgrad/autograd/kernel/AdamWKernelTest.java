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

    @Provide
    Arbitrary<Integer> offsets() {
        return Arbitraries.of(0, 1, 5);
    }
}
