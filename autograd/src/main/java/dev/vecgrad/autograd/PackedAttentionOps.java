package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.Parallel;

/**
 * Causal self-attention straight from the fused projection {@code qkv [B, T, 3C]} (queries, keys
 * and values side by side, as nanoGPT's {@code c_attn} produces them) to the merged heads
 * {@code [B, T, C]}. Each (batch, head) reads its Q, K and V columns in place through the GEMM's
 * leading dimension (3C) and writes its output columns in place (leading dimension C), so the
 * split, the head transposes and the merge, and their backward copies, never happen. Same values
 * as {@link AttentionOps#causal} on the split heads (a test compares both ways).
 */
final class PackedAttentionOps {
    private PackedAttentionOps() {}

    static AttentionOps.Result causal(Tensor qkv, int nHead) {
        if (qkv.dim() != 3 || nHead < 1 || qkv.shape[2] % (3 * nHead) != 0) {
            throw new IllegalArgumentException("attention: qkv must be [B, T, 3C] with C divisible by " + nHead
                    + " heads, got " + Shapes.str(qkv.shape));
        }
        int b = qkv.shape[0], t = qkv.shape[1], c = qkv.shape[2] / 3, hs = c / nHead, ld = 3 * c;
        float scale = (float) (1.0 / Math.sqrt(hs));
        float[] x = qkv.dense();
        float[] p = new float[b * nHead * t * t], out = new float[b * t * c];
        // One task per (batch, head): disjoint outputs, so any thread count gives the same bits.
        Parallel.parallelFor(b * nHead, i -> {
            int bi = i / nHead, h = i % nHead;
            int q = bi * t * ld + h * hs, k = q + c, v = q + 2 * c, s = i * t * t, y = bi * t * c + h * hs;
            MatmulOps.gemm(false, true, t, t, hs, scale, x, q, ld, x, k, ld, 0f, p, s, t);
            Kernels.causalSoftmaxRows(p, s, t);
            MatmulOps.gemm(false, false, t, hs, t, 1f, p, s, t, x, v, ld, 0f, out, y, c);
        });
        Tensor o = Tensor.wrap(out, b, t, c);
        Tensor w = Tensor.wrap(p, b, nHead, t, t);
        Engine.record(o, "attention", g -> {
            float[] go = g.dense();
            float[] dx = new float[x.length];
            Parallel.parallelFor(b * nHead, i -> {
                int bi = i / nHead, h = i % nHead;
                int q = bi * t * ld + h * hs, k = q + c, v = q + 2 * c, s = i * t * t, y = bi * t * c + h * hs;
                float[] dp = new float[t * t], ds = new float[t * t];
                MatmulOps.gemm(true, false, t, hs, t, 1f, p, s, t, go, y, c, 0f, dx, v, ld);      // dV = P^T dY
                MatmulOps.gemm(false, true, t, t, hs, 1f, go, y, c, x, v, ld, 0f, dp, 0, t);      // dP = dY V^T
                Kernels.causalSoftmaxBackward(ds, p, s, dp, t);                                   // dS
                MatmulOps.gemm(false, false, t, hs, t, scale, ds, 0, t, x, k, ld, 0f, dx, q, ld);  // dQ = dS K
                MatmulOps.gemm(true, false, t, hs, t, scale, ds, 0, t, x, q, ld, 0f, dx, k, ld);   // dK = dS^T Q
            });
            return new Tensor[] {Tensor.wrap(dx, qkv.shape.clone())};
        }, qkv);
        return new AttentionOps.Result(o, w);
    }
}
