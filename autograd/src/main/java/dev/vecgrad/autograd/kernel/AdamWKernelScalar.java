package dev.vecgrad.autograd.kernel;

/** The scalar twin of {@link AdamWKernel}: the same operations, element by element. */
public final class AdamWKernelScalar {
    private AdamWKernelScalar() {}

    /** As {@link AdamWKernel#update}, on one thread. */
    public static void update(float[] p, int po, float[] g, int go, float[] m, float[] v, int n, AdamWKernel.Step s) {
        KernelArgs.range("adamw", "p", p, po, n);
        KernelArgs.range("adamw", "g", g, go, n);
        KernelArgs.range("adamw", "m", m, 0, n);
        KernelArgs.range("adamw", "v", v, 0, n);
        run(p, po, g, go, m, v, 0, n, s);
    }

    static void run(float[] p, int po, float[] g, int go, float[] m, float[] v, int lo, int hi, AdamWKernel.Step s) {
        float b1 = s.beta1(), b2 = s.beta2(), omb1 = 1f - b1, omb2 = 1f - b2;
        for (int i = lo; i < hi; i++) {
            float gi = g[go + i];
            float mi = b1 * m[i] + omb1 * gi;
            float vi = b2 * v[i] + omb2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi) / s.bc2Sqrt() + s.eps();
            p[po + i] = p[po + i] * s.decay() - s.stepSize() * (mi / denom);
        }
    }
}
