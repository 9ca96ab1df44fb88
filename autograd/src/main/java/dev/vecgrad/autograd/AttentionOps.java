package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.Parallel;

/**
 * Fused causal scaled-dot-product attention, per (batch, head):
 * {@code P = softmax(mask(Q K^T / sqrt(hs)))}, {@code O = P V}. The masked upper triangle is never
 * computed, no transpose is materialised, and P is kept for the backward pass:
 * {@code dV = P^T dO}, {@code dP = dO V^T}, {@code dS = P * (dP - rowsum(dP * P))},
 * {@code dQ = dS K / sqrt(hs)}, {@code dK = dS^T Q / sqrt(hs)}.
 */
final class AttentionOps {
    private AttentionOps() {}

    /** The output and the attention weights {@code [B, H, T, T]} (zero above the diagonal). */
    record Result(Tensor output, Tensor weights) {}

    // q, k, v (B, H, T, hs) -> out (B, H, T, hs), weights (B, H, T, T)
    static Result causal(Tensor q, Tensor k, Tensor v) {
        if (q.dim() != 4 || !java.util.Arrays.equals(q.shape, k.shape) || !java.util.Arrays.equals(q.shape, v.shape)) {
            throw new IllegalArgumentException("attention: q, k and v must all be [B, H, T, head_size], got "
                    + Shapes.str(q.shape) + ", " + Shapes.str(k.shape) + " and " + Shapes.str(v.shape));
        }
        // Said here: the products below would refuse it in GEMM's terms (a leading dimension of 0).
        if (q.shape[3] == 0) throw new IllegalArgumentException("attention: head_size must be at least 1, got q " + Shapes.str(q.shape));
        int bh = q.shape[0] * q.shape[1], t = q.shape[2], hs = q.shape[3];
        float scale = (float) (1.0 / Math.sqrt(hs));
        float[] qs = q.dense(), ks = k.dense(), vs = v.dense();
        float[] p = Workspace.zeroed(bh * t * t), out = Workspace.zeroed(bh * t * hs);
        // One task per (batch, head): independent outputs, so any thread count gives the same bits.
        Parallel.parallelFor(bh, i -> {
            int x = i * t * hs, s = i * t * t;
            // S = scale * Q K^T over the whole block (one GEMM beats T row-sized ones even though
            // the upper triangle is wasted), then a softmax that reads only the lower triangle.
            MatmulOps.gemm(false, true, t, t, hs, scale, qs, x, hs, ks, x, hs, 0f, p, s, t);
            Kernels.causalSoftmaxRows(p, s, t);
            MatmulOps.gemm(false, false, t, hs, t, 1f, p, s, t, vs, x, hs, 0f, out, x, hs);
        });
        Tensor o = Tensor.wrap(out, q.shape.clone());
        Tensor w = Tensor.wrap(p, q.shape[0], q.shape[1], t, t);
        Engine.record(o, "attention", g -> {
            float[] go = g.dense();
            float[] dq = Workspace.zeroed(qs.length), dk = Workspace.zeroed(ks.length), dv = Workspace.zeroed(vs.length);
            Parallel.parallelFor(bh, i -> {
                float[] dp = Workspace.zeroed(t * t);
                int x = i * t * hs, s = i * t * t;
                MatmulOps.gemm(true, false, t, hs, t, 1f, p, s, t, go, x, hs, 0f, dv, x, hs);      // dV = P^T dO
                MatmulOps.gemm(false, true, t, t, hs, 1f, go, x, hs, vs, x, hs, 0f, dp, 0, t);     // dP = dO V^T
                for (int r = 0; r < t; r++) {
                    float dot = 0f;
                    for (int c = 0; c <= r; c++) dot += dp[r * t + c] * p[s + r * t + c];
                    for (int c = 0; c <= r; c++) dp[r * t + c] = p[s + r * t + c] * (dp[r * t + c] - dot);
                    for (int c = r + 1; c < t; c++) dp[r * t + c] = 0f;
                }
                MatmulOps.gemm(false, false, t, hs, t, scale, dp, 0, t, ks, x, hs, 0f, dq, x, hs);  // dQ = dS K
                MatmulOps.gemm(true, false, t, hs, t, scale, dp, 0, t, qs, x, hs, 0f, dk, x, hs);   // dK = dS^T Q
            });
            return new Tensor[] {Tensor.wrap(dq, q.shape.clone()), Tensor.wrap(dk, q.shape.clone()), Tensor.wrap(dv, q.shape.clone())};
        }, q, k, v);
        return new Result(o, w);
    }
}
