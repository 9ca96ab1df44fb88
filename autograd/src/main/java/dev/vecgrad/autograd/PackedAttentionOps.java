package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.VecMath;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Causal self-attention straight from the fused projection {@code qkv [B, T, 3C]} (queries, keys
 * and values side by side, as nanoGPT's {@code c_attn} produces them) to the merged heads
 * {@code [B, T, C]}. Each (batch, head) reads its Q, K and V columns in place through the GEMM's
 * leading dimension (3C) and writes its output columns in place (leading dimension C), so the
 * split, the head transposes and the merge, and their backward copies, never happen. Same values
 * as {@link AttentionOps#causal} on the split heads (a test compares both ways).
 *
 * <p>Attention dropout is fused too: the keep/drop decisions over the {@code [B, H, T, T]}
 * weights come from {@link DropoutBits}, as a separate dropout op over them would draw them (so
 * both give the same bits from the same generator), and are kept as one bit each; the
 * dropped weights only live per (batch, head) in a scratch tile. The unfused chain kept five
 * {@code [B, H, T, T]} tensors per layer alive for backward, which for {@code baby-gpt}
 * (B 64, H 6, T 256: 100 MB each) ran the default heap out.
 */
final class PackedAttentionOps {
    private PackedAttentionOps() {}

    /** Query rows per block of the causal products. */
    private static final int ROW_BLOCK = 64;

    static AttentionOps.Result causal(Tensor qkv, int nHead) {
        return causal(qkv, nHead, 0f, null);
    }

    /** With dropout of probability {@code p} on the weights, decisions drawn from {@code rng}. */
    static AttentionOps.Result causal(Tensor qkv, int nHead, float p, RandomGenerator rng) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("attention: dropout probability must be in [0, 1], got " + p);
        }
        if (p > 0f && rng == null) throw new IllegalArgumentException("attention: dropout needs a random generator");
        if (qkv.dim() != 3 || nHead < 1 || qkv.shape[2] == 0 || qkv.shape[2] % (3 * nHead) != 0) {
            throw new IllegalArgumentException("attention: qkv must be [B, T, 3C] with C >= 1 divisible by " + nHead
                    + " heads, got " + Shapes.str(qkv.shape));
        }
        int b = qkv.shape[0], t = qkv.shape[1], c = qkv.shape[2] / 3, hs = c / nHead, ld = 3 * c;
        float scale = (float) (1.0 / Math.sqrt(hs));
        float[] x = qkv.dense();
        int n = Math.multiplyExact(Math.multiplyExact(b, nHead), Math.multiplyExact(t, t));
        long[] kept = p > 0f ? DropoutBits.draw(n, p, rng) : null;
        float keep = p >= 1f ? 0f : 1f / (1f - p);
        // No zero fill: the causal softmax writes every element of w (zeros above the diagonal,
        // which the row-block products never touch), and the value products write every column of out.
        float[] w = Workspace.scratch(n), out = Workspace.scratch(b * t * c);
        // One task per (batch, head): disjoint outputs and scratch fully rewritten per task, so any
        // thread count and chunking give the same bits.
        int tasks = b * nHead, per = chunk(tasks), chunks = (tasks + per - 1) / per, tt = t * t;
        // Each chunk's scratch tile is a slice of one array taken here, on the calling thread, so it
        // comes from the current Workspace (pool threads would allocate fresh ones every step).
        long beforeScratch = Workspace.mark();
        float[] scratch = kept == null ? null : Workspace.scratch(Math.multiplyExact(chunks, tt));
        Parallel.forRange(tasks, per, (lo, hi) -> {
            int so = (lo / per) * tt;
            for (int i = lo; i < hi; i++) {
                int bi = i / nHead, h = i % nHead;
                int q = bi * t * ld + h * hs, k = q + c, v = q + 2 * c, s = i * t * t, y = bi * t * c + h * hs;
                // Row block [r0, r1) only sees keys [0, r1): the blocks above the diagonal are
                // neither multiplied nor stored (62% of the square's work at T = 256).
                for (int r0 = 0; r0 < t; r0 += ROW_BLOCK) {
                    int r1 = Math.min(t, r0 + ROW_BLOCK);
                    MatmulOps.gemm(false, true, r1 - r0, r1, hs, scale, x, q + r0 * ld, ld, x, k, ld, 0f, w, s + r0 * t, t);
                }
                Kernels.causalSoftmaxRows(w, s, t);
                float[] pw = w;
                int po = s;
                if (kept != null) {
                    dropTile(scratch, so, w, s, kept, s, keep, t);
                    pw = scratch;
                    po = so;
                }
                for (int r0 = 0; r0 < t; r0 += ROW_BLOCK) {
                    int r1 = Math.min(t, r0 + ROW_BLOCK);
                    MatmulOps.gemm(false, false, r1 - r0, hs, r1, 1f, pw, po + r0 * t, t, x, v, ld, 0f, out, y + r0 * c, c);
                }
            }
        });
        Workspace.release(scratch, beforeScratch);   // dead now: later ops of the scope may reuse it
        Tensor o = Tensor.wrap(out, b, t, c);
        Tensor weights = Tensor.wrap(w, b, nHead, t, t);
        Engine.record(o, "attention", g -> {
            float[] go = g.dense();
            float[] dx = Workspace.zeroed(x.length);
            long beforeTiles = Workspace.mark();
            float[] tiles = Workspace.scratch(Math.multiplyExact(chunks, 2 * tt));   // dP, dS per chunk
            Parallel.forRange(tasks, per, (lo, hi) -> {
                int dp = (lo / per) * 2 * tt, ds = dp + tt;
                for (int i = lo; i < hi; i++) {
                    int bi = i / nHead, h = i % nHead;
                    int q = bi * t * ld + h * hs, k = q + c, v = q + 2 * c, s = i * t * t, y = bi * t * c + h * hs;
                    // Same row blocks as forward; dV and dK sum over row blocks (beta 1 into dx,
                    // which starts at zero and whose (batch, head) columns only this task writes).
                    float[] pw = w;
                    int po = s;
                    if (kept != null) {
                        dropTile(tiles, ds, w, s, kept, s, keep, t);                           // P' = dropout(P), in dS's tile for now
                        pw = tiles;
                        po = ds;
                    }
                    for (int r0 = 0; r0 < t; r0 += ROW_BLOCK) {
                        int r1 = Math.min(t, r0 + ROW_BLOCK), m = r1 - r0;
                        MatmulOps.gemm(true, false, r1, hs, m, 1f, pw, po + r0 * t, t, go, y + r0 * c, c, 1f, dx, v, ld);   // dV += P'^T dY
                        MatmulOps.gemm(false, true, m, r1, hs, 1f, go, y + r0 * c, c, x, v, ld, 0f, tiles, dp + r0 * t, t);  // dP' = dY V^T
                    }
                    if (kept != null) dropTile(tiles, dp, tiles, dp, kept, s, keep, t);         // dP = dP' * mask
                    Arrays.fill(tiles, ds, ds + tt, 0f);                                        // the softmax backward adds
                    Kernels.causalSoftmaxBackward(tiles, ds, w, s, tiles, dp, t);               // dS
                    for (int r0 = 0; r0 < t; r0 += ROW_BLOCK) {
                        int r1 = Math.min(t, r0 + ROW_BLOCK), m = r1 - r0;
                        MatmulOps.gemm(false, false, m, hs, r1, scale, tiles, ds + r0 * t, t, x, k, ld, 0f, dx, q + r0 * ld, ld);  // dQ = dS K
                        MatmulOps.gemm(true, false, r1, hs, m, scale, tiles, ds + r0 * t, t, x, q + r0 * ld, ld, 1f, dx, k, ld);   // dK += dS^T Q
                    }
                }
            });
            Workspace.release(tiles, beforeTiles);
            return new Tensor[] {Tensor.wrap(dx, qkv.shape.clone())};
        }, qkv);
        return new AttentionOps.Result(o, weights);
    }

    /**
     * Dropout on one (batch, head) tile: {@code dst[dstOff + r*t + j] = keep * src[from + r*t + j]}
     * where the bit {@code bitStart + r*t + j} is set, for {@code j <= r}; zero above the diagonal,
     * where the weights and their gradients are zero anyway (so only the lower triangle is read).
     */
    private static void dropTile(float[] dst, int dstOff, float[] src, int from, long[] kept, int bitStart, float keep,
                                 int t) {
        for (int r = 0; r < t; r++) {
            int o = r * t;
            VecMath.maskedScale(dst, dstOff + o, src, from + o, kept, bitStart + o, keep, r + 1);
            Arrays.fill(dst, dstOff + o + r + 1, dstOff + o + t, 0f);
        }
    }

    /** Tasks per chunk: about four chunks per thread; each chunk has its own scratch tiles. */
    private static int chunk(int tasks) {
        return Math.max(1, tasks / (4 * Parallel.threads()));
    }
}
