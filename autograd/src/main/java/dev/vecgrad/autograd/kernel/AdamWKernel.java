package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.Simd.F;
import static dev.vecgrad.autograd.kernel.Simd.LANES;

import jdk.incubator.vector.FloatVector;

/**
 * One AdamW update over a run of parameters, in place; twin of {@link AdamWKernelScalar}, which
 * takes the same IEEE operations in the same order, so the two agree bit for bit:
 * <pre>
 *   g = g * gradScale
 *   m = b1 m + (1 - b1) g
 *   v = b2 v + (1 - b2) g^2
 *   p = p decay - stepSize m / (sqrt(v) / bc2Sqrt + eps)
 * </pre>
 * with {@code decay = 1 - lr wd}, {@code stepSize = lr / (1 - b1^t)}, {@code bc2Sqrt =
 * sqrt(1 - b2^t)} (PyTorch's formulation) and {@code gradScale} a gradient-clipping coefficient
 * (1 when not clipping). Taking the coefficient here gives the same bits as scaling the gradient
 * in place first (one float multiply either way) and saves that pass over the gradients; likewise
 * {@link #updateRun}'s {@code zeroGrad} zero-fills each gradient as it is read, saving the
 * optimizer's separate zeroing pass. Long runs are split into fixed chunks over the compute pool
 * (each element's result does not depend on the split).
 */
public final class AdamWKernel {
    /** Elements per parallel chunk. */
    public static final int CHUNK = 1 << 14;

    private AdamWKernel() {}

    /** The constants of one step. */
    public record Step(float beta1, float beta2, float eps, float stepSize, float bc2Sqrt, float decay) {}

    /** Updates {@code p[po..po+n)}, {@code m[0..n)}, {@code v[0..n)} from {@code g[go..go+n)}. */
    public static void update(float[] p, int po, float[] g, int go, float[] m, float[] v, int n, Step s) {
        KernelArgs.range("adamw", "p", p, po, n);
        KernelArgs.range("adamw", "g", g, go, n);
        KernelArgs.range("adamw", "m", m, 0, n);
        KernelArgs.range("adamw", "v", v, 0, n);
        Parallel.forRange(n, CHUNK, n >= 2 * CHUNK, (lo, hi) -> run(p, po + lo, g, go + lo, m, lo, v, lo, hi - lo, s, 1f, false));
    }

    /**
     * One thread's part of an update: {@code p[po..po+n)}, {@code m[mo..mo+n)}, {@code v[vo..vo+n)}
     * from {@code g[go..go+n)} taken times {@code gradScale}; with {@code zeroGrad} the gradient run
     * is left all zeros (+0). For optimizers that split the work of all parameters themselves.
     * Modifies p, m, v (and g when {@code zeroGrad}).
     */
    public static void updateRun(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n,
                                 Step s, float gradScale, boolean zeroGrad) {
        KernelArgs.range("adamw", "p", p, po, n);
        KernelArgs.range("adamw", "g", g, go, n);
        KernelArgs.range("adamw", "m", m, mo, n);
        KernelArgs.range("adamw", "v", v, vo, n);
        run(p, po, g, go, m, mo, v, vo, n, s, gradScale, zeroGrad);
    }

    private static void run(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n, Step s,
                            float gradScale, boolean zeroGrad) {
        float b1 = s.beta1(), b2 = s.beta2(), omb1 = 1f - b1, omb2 = 1f - b2;
        FloatVector vb1 = FloatVector.broadcast(F, b1), vb2 = FloatVector.broadcast(F, b2);
        FloatVector vomb1 = FloatVector.broadcast(F, omb1), vomb2 = FloatVector.broadcast(F, omb2);
        FloatVector vbc = FloatVector.broadcast(F, s.bc2Sqrt()), veps = FloatVector.broadcast(F, s.eps());
        FloatVector vdecay = FloatVector.broadcast(F, s.decay()), vstep = FloatVector.broadcast(F, s.stepSize());
        FloatVector vscale = FloatVector.broadcast(F, gradScale), zero = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector gi = FloatVector.fromArray(F, g, go + i).mul(vscale);
            if (zeroGrad) zero.intoArray(g, go + i);
            FloatVector mi = vb1.mul(FloatVector.fromArray(F, m, mo + i)).add(vomb1.mul(gi));
            FloatVector vi = vb2.mul(FloatVector.fromArray(F, v, vo + i)).add(vomb2.mul(gi).mul(gi));
            mi.intoArray(m, mo + i);
            vi.intoArray(v, vo + i);
            FloatVector denom = vi.sqrt().div(vbc).add(veps);
            FloatVector.fromArray(F, p, po + i).mul(vdecay).sub(vstep.mul(mi.div(denom))).intoArray(p, po + i);
        }
        AdamWKernelScalar.run(p, po + i, g, go + i, m, mo + i, v, vo + i, n - i, s, gradScale, zeroGrad);
    }
}
