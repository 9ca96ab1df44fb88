package dev.vecgrad.train.optim;

import dev.vecgrad.autograd.kernel.VecReduce;
import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import java.util.Collection;

/** Global-norm gradient clipping, like {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales all gradients so their global L2 norm is at most {@code maxNorm} (PyTorch's
     * {@code max_norm / (norm + 1e-6)} factor, applied only when it is below 1).
     *
     * @param params the parameters; those without a gradient are skipped
     * @param maxNorm the largest global norm left unscaled
     * @return the global norm before clipping (NaN/Inf when a gradient is not finite)
     */
    public static float clipGradNorm(Collection<Tensor> params, float maxNorm) {
        double sq = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            float[] d = g.isContiguous() ? g.storage() : g.toArray();
            int off = g.isContiguous() ? g.offset() : 0;
            // One SIMD sum of squares per tensor (fixed order), added up in double across tensors.
            sq += VecReduce.sumSquares(d, off, g.numel());
        }
        float norm = (float) Math.sqrt(sq);
        // PyTorch: clip_coef = max_norm / (total_norm + 1e-6), applied only when < 1.
        float coef = (float) (maxNorm / (norm + 1e-6));
        if (coef < 1f) {
            try (Grad g = Grad.disabled()) {
                for (Tensor p : params) if (p.grad() != null) p.grad().mulInPlace(coef);
            }
        }
        return norm;
    }
}
