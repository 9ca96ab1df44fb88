package dev.vecgrad.train.optim;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.VecReduce;
import dev.vecgrad.nn.Module;
import dev.vecgrad.nn.Parameter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Global-norm gradient clipping, like {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradClip {
    private GradClip() {}

    /** Below this many gradient elements in all, the norm is summed on the calling thread. */
    static final long PARALLEL_ELEMENTS = 1L << 15;

    /**
     * Scales all gradients so their global L2 norm is at most {@code maxNorm} (PyTorch's
     * {@code max_norm / (norm + 1e-6)} factor, applied only when it is below 1).
     *
     * @param params the parameters; those without a gradient are skipped
     * @param maxNorm the largest global norm left unscaled; positive (infinity clips nothing)
     * @return the global norm before clipping (NaN/Inf when a gradient is not finite)
     * @throws IllegalArgumentException if {@code maxNorm} is zero, negative or NaN
     */
    public static float clipGradNorm(Collection<Tensor> params, float maxNorm) {
        checkMaxNorm("clipGradNorm", maxNorm);
        float norm = globalNorm(params);
        float coef = coefficient(norm, maxNorm);
        if (coef < 1f) {
            try (Grad g = Grad.disabled()) {
                for (Tensor p : params) if (p.grad() != null) p.grad().mulInPlace(coef);
            }
        }
        return norm;
    }

    /**
     * {@link #clipGradNorm(Collection, float)} over a module's distinct parameters (tied ones
     * once), as {@code clip_grad_norm_(model.parameters(), max_norm)} is called in PyTorch.
     *
     * @param module the module whose gradients to clip
     * @param maxNorm the largest global norm left unscaled; positive (infinity clips nothing)
     * @return the global norm before clipping (NaN/Inf when a gradient is not finite)
     * @throws IllegalArgumentException if {@code maxNorm} is zero, negative or NaN
     */
    public static float clipGradNorm(Module module, float maxNorm) {
        return clipGradNorm(tensorsOf(module), maxNorm);
    }

    /**
     * {@link #globalNorm(Collection)} over a module's distinct parameters (tied ones once).
     *
     * @param module the module whose gradients to measure (they are read, not changed)
     * @return the norm; NaN or infinity when a gradient is not finite
     */
    public static float globalNorm(Module module) {
        return globalNorm(tensorsOf(module));
    }

    private static List<Tensor> tensorsOf(Module module) {
        List<Tensor> out = new ArrayList<>();
        for (Parameter p : module.parameters()) out.add(p.tensor());
        return out;
    }

    /**
     * The global L2 norm of the parameters' gradients (those without one count as zero): one SIMD
     * sum of squares per tensor, in a fixed order, and those added up in double in the
     * collection's order. The tensors' sums run in parallel on the compute pool, one task per
     * tensor, so the result is the same at any thread count (and the same as it was when they ran
     * one after another).
     *
     * @param params the parameters (their gradients are read, not changed)
     * @return the norm; NaN or infinity when a gradient is not finite
     */
    public static float globalNorm(Collection<Tensor> params) {
        List<Tensor> grads = new ArrayList<>(params.size());
        long elements = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            grads.add(g);
            elements += g.numel();
        }
        double[] sums = new double[grads.size()];
        Parallel.forRange(grads.size(), 1, elements >= PARALLEL_ELEMENTS, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                Tensor g = grads.get(i);
                float[] d = g.isContiguous() ? g.storage() : g.toArray();
                sums[i] = VecReduce.sumSquares(d, g.isContiguous() ? g.offset() : 0, g.numel());
            }
        });
        double sq = 0;
        for (double s : sums) sq += s;
        return (float) Math.sqrt(sq);
    }

    /**
     * The factor {@link #clipGradNorm} scales the gradients by: {@code maxNorm / (norm + 1e-6)}
     * when that is below 1 (PyTorch's {@code clip_coef}), otherwise (also for a NaN norm) 1.
     * Pass it to {@link Optimizer#step(float, boolean)} to clip inside the optimizer's pass.
     *
     * @param norm    the gradients' global norm ({@link #globalNorm})
     * @param maxNorm the largest norm to allow; positive (infinity clips nothing)
     * @return the factor, in (0, 1]
     * @throws IllegalArgumentException if {@code maxNorm} is zero, negative or NaN
     */
    public static float coefficient(float norm, float maxNorm) {
        checkMaxNorm("coefficient", maxNorm);
        float coef = (float) (maxNorm / (norm + 1e-6));
        return coef < 1f ? coef : 1f;
    }

    /** A negative bound would flip every gradient's sign (ascent instead of descent) without a word. */
    private static void checkMaxNorm(String method, float maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("GradClip." + method + ": maxNorm must be positive, got " + maxNorm
                    + " (to clip nothing, do not clip, or pass Float.POSITIVE_INFINITY)");
        }
    }
}
