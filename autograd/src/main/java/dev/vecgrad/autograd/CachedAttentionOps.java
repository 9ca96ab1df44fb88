package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.Softmax;

/**
 * Causal attention for decoding with a key/value cache: {@code T} new tokens at positions
 * {@code start..start+T-1} attend to every cached position and to themselves. The new tokens' keys
 * and values are first appended to the cache; then, per (batch, head), one GEMM gives the scores
 * {@code S = Q K^T / sqrt(hs)} over the {@code n = start + T} cached keys, a causal softmax with
 * query offset {@code start} turns each row into weights (zero after the query's own position),
 * and a second GEMM mixes the values. The same steps as the fused training op
 * ({@link PackedAttentionOps}), on the cache's layout instead of the packed projection, so decoding
 * agrees with a full forward to float rounding. Inference only: nothing is recorded for backward.
 *
 * <p>Cache layout per layer: {@code [B, nHead, capacity, hs]} flattened, position {@code j} of
 * (batch {@code b}, head {@code h}) at {@code ((b * nHead + h) * capacity + j) * hs}.
 */
final class CachedAttentionOps {
    private CachedAttentionOps() {}

    // qkv (B, T, 3C); keys, values (B, nh, capacity, hs), rows start..start+T-1 written
    // -> out (B, T, C), weights (B, nh, T, start+T)
    static AttentionOps.Result causal(Tensor qkv, int nHead, float[] keys, float[] values, int capacity, int start) {
        if (Grad.isEnabled() && qkv.requiresGrad()) {
            throw new IllegalStateException("attention (cached): inference only; call it with gradients disabled (Grad.disabled())");
        }
        if (qkv.dim() != 3 || nHead < 1 || qkv.shape[2] % (3 * nHead) != 0) {
            throw new IllegalArgumentException("attention (cached): qkv must be [B, T, 3C] with C divisible by " + nHead
                    + " heads, got " + Shapes.str(qkv.shape));
        }
        int b = qkv.shape[0], t = qkv.shape[1], c = qkv.shape[2] / 3, hs = c / nHead, ld = 3 * c, n = start + t;
        long need = (long) b * nHead * capacity * hs;
        if (start < 0 || n > capacity || keys.length < need || values.length < need) {
            throw new IllegalArgumentException("attention (cached): " + t + " new tokens after " + start + " cached do not fit a cache of "
                    + capacity + " positions x " + b + " sequences x " + nHead + " heads x " + hs + " (key/value arrays of "
                    + keys.length + " and " + values.length + " floats, need " + need + ")");
        }
        float[] x = qkv.dense();
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                int row = (bi * t + ti) * ld;
                for (int h = 0; h < nHead; h++) {
                    int at = ((bi * nHead + h) * capacity + start + ti) * hs;
                    System.arraycopy(x, row + c + h * hs, keys, at, hs);
                    System.arraycopy(x, row + 2 * c + h * hs, values, at, hs);
                }
            }
        }
        float scale = (float) (1.0 / Math.sqrt(hs));
        int tn = t * n;
        float[] w = new float[b * nHead * tn], out = new float[b * t * c];
        // One task per (batch, head): disjoint outputs, so any thread count gives the same bits.
        Parallel.parallelFor(b * nHead, i -> {
            int bi = i / nHead, h = i % nHead;
            int q = bi * t * ld + h * hs, kv = i * capacity * hs, s = i * tn, y = bi * t * c + h * hs;
            MatmulOps.gemm(false, true, t, n, hs, scale, x, q, ld, keys, kv, hs, 0f, w, s, n);
            Softmax.causalSoftmaxRows(w, s, w, s, t, n, start);
            MatmulOps.gemm(false, false, t, hs, n, 1f, w, s, n, values, kv, hs, 0f, out, y, c);
        });
        return new AttentionOps.Result(Tensor.wrap(out, b, t, c), Tensor.wrap(w, b, nHead, t, n));
    }
}
