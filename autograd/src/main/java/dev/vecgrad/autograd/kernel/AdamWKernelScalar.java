package dev.vecgrad.autograd.kernel;

/** The scalar twin of {@link AdamWKernel}: the same operations, element by element. */
public final class AdamWKernelScalar {
    private AdamWKernelScalar() {}

    /** As {@link AdamWKernel#update}, on one thread. */
    public static void update(float[] p, int po, float[] g, int go, float[] m, float[] v, int n, AdamWKernel.Step s) {
        updateRun(p, po, g, go, m, 0, v, 0, n, s, 1f, false);
    }

    /** As {@link AdamWKernel#updateRun}. */
    public static void updateRun(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n,
                                 AdamWKernel.Step s, float gradScale, boolean zeroGrad) {
        KernelArgs.range("adamw", "p", p, po, n);
        KernelArgs.range("adamw", "g", g, go, n);
        KernelArgs.range("adamw", "m", m, mo, n);
        KernelArgs.range("adamw", "v", v, vo, n);
        run(p, po, g, go, m, mo, v, vo, n, s, gradScale, zeroGrad);
    }

    static void run(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n,
                    AdamWKernel.Step s, float gradScale, boolean zeroGrad) {
        float b1 = s.beta1(), b2 = s.beta2(), omb1 = 1f - b1, omb2 = 1f - b2;
        for (int i = 0; i < n; i++) {
            float gi = g[go + i] * gradScale;
            if (zeroGrad) g[go + i] = 0f;
            float mi = b1 * m[mo + i] + omb1 * gi;
            float vi = b2 * v[vo + i] + omb2 * gi * gi;
            m[mo + i] = mi;
            v[vo + i] = vi;
            float denom = (float) Math.sqrt(vi) / s.bc2Sqrt() + s.eps();
            p[po + i] = p[po + i] * s.decay() - s.stepSize() * (mi / denom);
        }
    }
}
