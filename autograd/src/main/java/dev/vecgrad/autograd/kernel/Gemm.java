package dev.vecgrad.autograd.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM on the Vector API: {@code C = alpha * op(A) * op(B) + beta * C}, row-major,
 * with transpose flags so callers never materialise a transpose.
 *
 * <p>The classic Goto/BLIS structure: K is cut into blocks of {@link #KC}; for each, B is packed
 * into panels {@link #NR} columns wide and A into panels {@link #MR} rows tall, then a register-tiled
 * micro-kernel keeps an MR x NR tile of C in 12 vector accumulators (6 rows x 2 vectors: with the
 * two B vectors and a broadcast that is 15 of AVX2's 16 registers). C is scaled by beta first, so
 * the micro-kernel only ever accumulates and has no branches; edge tiles are computed whole on
 * zero-padded panels into a small buffer and added from there.
 *
 * <p>Threads split the rows of C into fixed blocks of {@link #MC}: every element of C is computed by
 * one task with the same summation order, so results are bitwise identical at any thread count.
 */
public final class Gemm {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.LANES;
    /** Rows of the micro-tile. */
    static final int MR = 6;
    /** Columns of the micro-tile: two vectors. */
    static final int NR = 2 * L;
    /** Depth of a K block (the packed panels stay in L1/L2). */
    static final int KC = 128;
    /** Rows per task (a multiple of MR). */
    static final int MC = 16 * MR;
    /** Below this many multiply-adds a second thread costs more than it saves. */
    private static final long PARALLEL_MIN_MACS = 1L << 21;

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[2][0]);

    private Gemm() {}

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C} where op(A) is m x k and op(B) is k x n.
     *
     * @param transA A is stored k x m (read transposed)
     * @param transB B is stored n x k (read transposed)
     * @param a      A, not modified; element (i, p) of op(A) at {@code aOff + i*lda + p} (or {@code p*lda + i})
     * @param b      B, not modified
     * @param c      C, modified in rows 0..m-1, columns 0..n-1 from {@code cOff} with row stride {@code ldc};
     *               with {@code beta == 0} its old contents (even NaN) are ignored
     * @throws IllegalArgumentException when a size is negative, a leading dimension too small or an array too short
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        GemmChecks.check("sgemm", transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            GemmChecks.scale(m, n, beta, c, cOff, ldc);
            return;
        }
        if (beta != 1f) GemmChecks.scale(m, n, beta, c, cOff, ldc);
        boolean parallel = (long) m * n * k >= PARALLEL_MIN_MACS && Parallel.threads() > 1 && m > MC;
        int nPanels = (n + NR - 1) / NR;
        float[] bp = new float[nPanels * NR * Math.min(KC, k)];
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            packB(bp, transB, b, bOff, ldb, p0, kc, n);
            int blocks = (m + MC - 1) / MC;
            final int fp0 = p0;
            if (parallel) {
                Parallel.parallelFor(blocks, blk -> rowBlock(blk, m, n, kc, fp0, alpha, a, aOff, lda, transA, bp, c, cOff, ldc));
            } else {
                for (int blk = 0; blk < blocks; blk++) rowBlock(blk, m, n, kc, fp0, alpha, a, aOff, lda, transA, bp, c, cOff, ldc);
            }
        }
    }

    /**
     * {@code count} independent products {@code C_i = alpha * op(A_i) * op(B_i) + beta * C_i}, matrix i
     * at offsets {@code aOff + i*strideA} etc. (a stride of 0 reuses one matrix). The batch is spread
     * over the pool, one product per task, so many small products (attention heads) keep all cores busy.
     */
    public static void sgemmBatched(int count, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                    float[] a, int aOff, int strideA, int lda, float[] b, int bOff, int strideB, int ldb,
                                    float beta, float[] c, int cOff, int strideC, int ldc) {
        if (count < 0) throw new IllegalArgumentException("sgemmBatched: negative batch count " + count);
        if (count == 0) return;
        GemmChecks.check("sgemmBatched", transA, transB, m, n, k, a, aOff + (count - 1) * strideA, lda,
                b, bOff + (count - 1) * strideB, ldb, c, cOff + (count - 1) * strideC, ldc);
        Parallel.parallelFor(count, i -> sgemm(transA, transB, m, n, k, alpha, a, aOff + i * strideA, lda,
                b, bOff + i * strideB, ldb, beta, c, cOff + i * strideC, ldc));
    }

    private static void rowBlock(int blk, int m, int n, int kc, int p0, float alpha, float[] a, int aOff, int lda,
                                 boolean transA, float[] bp, float[] c, int cOff, int ldc) {
        int i0 = blk * MC, mc = Math.min(MC, m - i0);
        int mPanels = (mc + MR - 1) / MR;
        float[][] bufs = BUFFERS.get();
        if (bufs[0].length < MC * KC) bufs[0] = new float[MC * KC];
        if (bufs[1].length < MR * NR) bufs[1] = new float[MR * NR];
        float[] ap = bufs[0], tile = bufs[1];
        packA(ap, transA, a, aOff, lda, i0, mc, p0, kc);
        // A panel outer: it stays in L1 while the B panels stream by.
        for (int ip = 0; ip < mPanels; ip++) {
            int mr = Math.min(MR, mc - ip * MR);
            for (int jp = 0, j0 = 0; j0 < n; jp++, j0 += NR) {
                int nr = Math.min(NR, n - j0);
                int cAt = cOff + (i0 + ip * MR) * ldc + j0;
                if (mr == MR && nr == NR) {
                    micro(kc, ap, ip * MR * kc, bp, jp * NR * kc, alpha, c, cAt, ldc);
                } else {
                    // Edge tile: compute it whole into a zeroed buffer, then add the valid part.
                    java.util.Arrays.fill(tile, 0f);
                    micro(kc, ap, ip * MR * kc, bp, jp * NR * kc, alpha, tile, 0, NR);
                    for (int rr = 0; rr < mr; rr++) {
                        for (int j = 0; j < nr; j++) c[cAt + rr * ldc + j] += tile[rr * NR + j];
                    }
                }
            }
        }
    }

    // ap (mPanels, kc, MR): rows i0.. of op(A), columns p0..p0+kc; rows past mc are zero
    private static void packA(float[] ap, boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc) {
        for (int ip = 0; ip * MR < mc; ip++) {
            int base = ip * MR * kc, rows = Math.min(MR, mc - ip * MR);
            for (int r = 0; r < MR; r++) {
                int i = i0 + ip * MR + r;
                if (r >= rows) {
                    for (int p = 0; p < kc; p++) ap[base + p * MR + r] = 0f;
                } else if (transA) {
                    for (int p = 0; p < kc; p++) ap[base + p * MR + r] = a[aOff + (p0 + p) * lda + i];
                } else {
                    int row = aOff + i * lda + p0;
                    for (int p = 0; p < kc; p++) ap[base + p * MR + r] = a[row + p];
                }
            }
        }
    }

    // bp (nPanels, kc, NR): rows p0..p0+kc of op(B); columns past n are zero
    private static void packB(float[] bp, boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int n) {
        for (int jp = 0; jp * NR < n; jp++) {
            int base = jp * NR * kc, j0 = jp * NR, cols = Math.min(NR, n - j0);
            for (int p = 0; p < kc; p++) {
                int o = base + p * NR;
                if (!transB) {
                    System.arraycopy(b, bOff + (p0 + p) * ldb + j0, bp, o, cols);
                } else {
                    for (int j = 0; j < cols; j++) bp[o + j] = b[bOff + (j0 + j) * ldb + p0 + p];
                }
                for (int j = cols; j < NR; j++) bp[o + j] = 0f;
            }
        }
    }

    // C tile (MR x NR at cAt, row stride ldc) += alpha * Ap (kc x MR) . Bp (kc x NR)
    private static void micro(int kc, float[] ap, int aAt, float[] bp, int bAt, float alpha, float[] c, int cAt, int ldc) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++) {
            int bi = bAt + p * NR, ai = aAt + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, bp, bi), b1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector x = FloatVector.broadcast(F, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, ap[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, ap[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, ap[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, ap[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, ap[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        // No branches here: C was scaled by beta beforehand, so every tile only accumulates.
        FloatVector va = FloatVector.broadcast(F, alpha);
        int r = cAt;
        c00.fma(va, FloatVector.fromArray(F, c, r)).intoArray(c, r);
        c01.fma(va, FloatVector.fromArray(F, c, r + L)).intoArray(c, r + L);
        r += ldc;
        c10.fma(va, FloatVector.fromArray(F, c, r)).intoArray(c, r);
        c11.fma(va, FloatVector.fromArray(F, c, r + L)).intoArray(c, r + L);
        r += ldc;
        c20.fma(va, FloatVector.fromArray(F, c, r)).intoArray(c, r);
        c21.fma(va, FloatVector.fromArray(F, c, r + L)).intoArray(c, r + L);
        r += ldc;
        c30.fma(va, FloatVector.fromArray(F, c, r)).intoArray(c, r);
        c31.fma(va, FloatVector.fromArray(F, c, r + L)).intoArray(c, r + L);
        r += ldc;
        c40.fma(va, FloatVector.fromArray(F, c, r)).intoArray(c, r);
        c41.fma(va, FloatVector.fromArray(F, c, r + L)).intoArray(c, r + L);
        r += ldc;
        c50.fma(va, FloatVector.fromArray(F, c, r)).intoArray(c, r);
        c51.fma(va, FloatVector.fromArray(F, c, r + L)).intoArray(c, r + L);
    }
}
