package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.Simd.F;
import static dev.vecgrad.autograd.kernel.Simd.FOLD1;
import static dev.vecgrad.autograd.kernel.Simd.FOLD2;
import static dev.vecgrad.autograd.kernel.Simd.FOLD4;
import static dev.vecgrad.autograd.kernel.Simd.FOLD8;
import static dev.vecgrad.autograd.kernel.Simd.LANES;

import jdk.incubator.vector.FloatVector;

/**
 * One row times a transposed matrix, {@code y = x · Wᵀ (+ bias)}: a linear layer applied to one
 * token, which is what generating with a KV cache does at every step. Twin of {@link GemvScalar}.
 *
 * <p>Shapes: x {@code [k]}, W {@code [n, k]} row-major with leading dimension {@code ldw}, bias
 * {@code [n]} or null, y {@code [n]}. Why not {@link Gemm}: with one row, GEMM's packing copies the
 * whole weight matrix for one use, so the product runs at a fraction of memory speed; here each
 * weight row is read once, straight from the array, four rows sharing each load of x. Every output
 * is one thread's dot product in a fixed order (output rows split in fixed chunks), so results do
 * not depend on the thread count.
 */
public final class Gemv {
    /** Output rows per parallel chunk: 64 rows of 768 floats is 192 KB of weights, a few µs of work. */
    static final int CHUNK_ROWS = 64;
    /** Below this many multiply-adds the work stays on the calling thread. */
    static final long PARALLEL_MACS = 1L << 18;

    private Gemv() {}

    /**
     * {@code y[o] = bias[o] + Σ_i x[i] · w[o·ldw + i]} for {@code o < n} (bias term left out when
     * {@code bias} is null). Modifies {@code y[yOff .. yOff+n)}; nothing else.
     *
     * @throws IllegalArgumentException if a size or offset is negative, {@code ldw < k}, or an
     *     array is too short
     */
    public static void gemvNT(int n, int k, float[] x, int xOff, float[] w, int wOff, int ldw,
                              float[] bias, int biasOff, float[] y, int yOff) {
        GemvScalar.check(n, k, x, xOff, w, wOff, ldw, bias, biasOff, y, yOff);
        boolean parallel = (long) n * k >= PARALLEL_MACS;
        Parallel.forRange(n, CHUNK_ROWS, parallel, (lo, hi) -> rows(lo, hi, k, x, xOff, w, wOff, ldw, bias, biasOff, y, yOff));
    }

    private static void rows(int lo, int hi, int k, float[] x, int xOff, float[] w, int wOff, int ldw,
                             float[] bias, int biasOff, float[] y, int yOff) {
        int o = lo;
        int kv = k - k % LANES;
        for (; o + 4 <= hi; o += 4) {
            int r0 = wOff + o * ldw, r1 = r0 + ldw, r2 = r1 + ldw, r3 = r2 + ldw;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0; i < kv; i += LANES) {
                FloatVector xv = FloatVector.fromArray(F, x, xOff + i);
                a0 = FloatVector.fromArray(F, w, r0 + i).fma(xv, a0);
                a1 = FloatVector.fromArray(F, w, r1 + i).fma(xv, a1);
                a2 = FloatVector.fromArray(F, w, r2 + i).fma(xv, a2);
                a3 = FloatVector.fromArray(F, w, r3 + i).fma(xv, a3);
            }
            // Each row's lane tree (Simd), the four rows' steps side by side.
            if (LANES == 16) {
                a0 = a0.add(a0.rearrange(FOLD8)); a1 = a1.add(a1.rearrange(FOLD8));
                a2 = a2.add(a2.rearrange(FOLD8)); a3 = a3.add(a3.rearrange(FOLD8));
            }
            if (LANES >= 8) {
                a0 = a0.add(a0.rearrange(FOLD4)); a1 = a1.add(a1.rearrange(FOLD4));
                a2 = a2.add(a2.rearrange(FOLD4)); a3 = a3.add(a3.rearrange(FOLD4));
            }
            a0 = a0.add(a0.rearrange(FOLD2)); a1 = a1.add(a1.rearrange(FOLD2));
            a2 = a2.add(a2.rearrange(FOLD2)); a3 = a3.add(a3.rearrange(FOLD2));
            float s0 = a0.add(a0.rearrange(FOLD1)).lane(0), s1 = a1.add(a1.rearrange(FOLD1)).lane(0);
            float s2 = a2.add(a2.rearrange(FOLD1)).lane(0), s3 = a3.add(a3.rearrange(FOLD1)).lane(0);
            for (int i = kv; i < k; i++) {
                float xi = x[xOff + i];
                s0 = Math.fma(w[r0 + i], xi, s0);
                s1 = Math.fma(w[r1 + i], xi, s1);
                s2 = Math.fma(w[r2 + i], xi, s2);
                s3 = Math.fma(w[r3 + i], xi, s3);
            }
            if (bias != null) {
                s0 += bias[biasOff + o];
                s1 += bias[biasOff + o + 1];
                s2 += bias[biasOff + o + 2];
                s3 += bias[biasOff + o + 3];
            }
            y[yOff + o] = s0;
            y[yOff + o + 1] = s1;
            y[yOff + o + 2] = s2;
            y[yOff + o + 3] = s3;
        }
        for (; o < hi; o++) {
            int r = wOff + o * ldw;
            FloatVector a = FloatVector.zero(F);
            for (int i = 0; i < kv; i += LANES) a = FloatVector.fromArray(F, w, r + i).fma(FloatVector.fromArray(F, x, xOff + i), a);
            if (LANES == 16) a = a.add(a.rearrange(FOLD8));
            if (LANES >= 8) a = a.add(a.rearrange(FOLD4));
            a = a.add(a.rearrange(FOLD2));
            float s = a.add(a.rearrange(FOLD1)).lane(0);
            for (int i = kv; i < k; i++) s = Math.fma(w[r + i], x[xOff + i], s);
            y[yOff + o] = bias != null ? s + bias[biasOff + o] : s;
        }
    }
}
