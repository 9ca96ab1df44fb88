package dev.vecgrad.autograd.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packing routines and register-tiled micro-kernels behind {@link Gemm}. Package-private.
 *
 * <p>Packed layouts (all zero-padded to whole panels):
 * <ul>
 *   <li>A micro-panel: {@code MR} rows of op(A) by {@code kc}, stored column by column:
 *       element (r, p) at {@code p*MR + r}, so the kernel reads {@code MR} consecutive scalars per p.
 *   <li>B micro-panel: {@code kc} by {@code NR} columns of op(B), stored row by row:
 *       element (p, j) at {@code p*NR + j}, so the kernel reads two whole vectors per p.
 * </ul>
 * A tile of C is finished by {@link #store}: on the first k-block C becomes
 * {@code alpha*acc + beta*C} (or {@code alpha*acc} when beta is 0, so NaN in C is overwritten);
 * on later k-blocks {@code alpha*acc + C}. The order is fixed, which keeps results deterministic.
 */
final class GemmKernels {
    static final VectorSpecies<Float> F = Simd.F;
    static final int L = F.length();
    /** Rows of the register tile. 6 x 2 vectors = 12 accumulators + 2 B vectors + 1 broadcast: 15 of 16 ymm. */
    static final int MR = 6;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * L;

    private GemmKernels() {}

    /**
     * Packs op(A) rows {@code [i0, i0+mc)}, columns {@code [p0, p0+kc)} into {@code ap} as
     * consecutive MR-row micro-panels ({@code ceil(mc/MR)*MR*kc} floats). Modifies {@code ap}.
     */
    static void packA(float[] ap, boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int base = ir * kc;
            if (!transA) {
                // A (m, k) row-major: read each row contiguously, write with stride MR.
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (i0 + ir + r) * lda + p0;
                    for (int p = 0, d = base + r; p < kc; p++, d += MR) {
                        ap[d] = a[src + p];
                    }
                }
            } else {
                // A stored (k, m): op(A)(i, p) = a[p*lda + i]; MR consecutive reads per p.
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (p0 + p) * lda + i0 + ir;
                    int d = base + p * MR;
                    for (int r = 0; r < rows; r++) {
                        ap[d + r] = a[src + r];
                    }
                }
            }
            if (rows < MR) {
                for (int p = 0; p < kc; p++) {
                    for (int r = rows; r < MR; r++) {
                        ap[base + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs op(B) rows {@code [p0, p0+kc)}, columns {@code [j0 + jp, j0 + jp + width)} as one NR-column
     * micro-panel at {@code bp[base ...]} ({@code kc*NR} floats, zero-padded). Modifies {@code bp}.
     */
    static void packBPanel(float[] bp, int base, boolean transB, float[] b, int bOff, int ldb,
                           int p0, int kc, int j, int width) {
        if (!transB) {
            // B (k, n) row-major: each packed row is a contiguous slice of a B row.
            for (int p = 0; p < kc; p++) {
                int src = bOff + (p0 + p) * ldb + j;
                int d = base + p * NR;
                if (width == NR) {
                    FloatVector.fromArray(F, b, src).intoArray(bp, d);
                    FloatVector.fromArray(F, b, src + L).intoArray(bp, d + L);
                } else {
                    System.arraycopy(b, src, bp, d, width);
                    for (int jj = width; jj < NR; jj++) {
                        bp[d + jj] = 0f;
                    }
                }
            }
        } else {
            // B stored (n, k): op(B)(p, j) = b[j*ldb + p]; read rows of storage, write strided.
            for (int jj = 0; jj < width; jj++) {
                int src = bOff + (j + jj) * ldb + p0;
                for (int p = 0, d = base + jj; p < kc; p++, d += NR) {
                    bp[d] = b[src + p];
                }
            }
            for (int jj = width; jj < NR; jj++) {
                for (int p = 0, d = base + jj; p < kc; p++, d += NR) {
                    bp[d] = 0f;
                }
            }
        }
    }

    /**
     * The MR x NR micro-kernel: C tile at {@code c[ci]} (rows {@code rows <= MR}, columns
     * {@code cols <= NR}, leading dimension ldc) gets {@code alpha * Ap * Bp} merged per {@link #store}.
     * Partial tiles go through {@code tile} (MR*NR floats of scratch). Modifies {@code c}, {@code tile}.
     */
    static void kernel(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc,
                       int rows, int cols, float alpha, float beta, boolean first, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int bj = bi + p * NR;
            int aj = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, bp, bj);
            FloatVector b1 = FloatVector.fromArray(F, bp, bj + L);
            FloatVector x = FloatVector.broadcast(F, ap[aj]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, ap[aj + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, ap[aj + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, ap[aj + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, ap[aj + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, ap[aj + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        if (rows == MR && cols == NR) {
            store(c, ci, c00, c01, alpha, beta, first);
            store(c, ci + ldc, c10, c11, alpha, beta, first);
            store(c, ci + 2 * ldc, c20, c21, alpha, beta, first);
            store(c, ci + 3 * ldc, c30, c31, alpha, beta, first);
            store(c, ci + 4 * ldc, c40, c41, alpha, beta, first);
            store(c, ci + 5 * ldc, c50, c51, alpha, beta, first);
        } else {
            c00.intoArray(tile, 0);
            c01.intoArray(tile, L);
            c10.intoArray(tile, NR);
            c11.intoArray(tile, NR + L);
            c20.intoArray(tile, 2 * NR);
            c21.intoArray(tile, 2 * NR + L);
            c30.intoArray(tile, 3 * NR);
            c31.intoArray(tile, 3 * NR + L);
            c40.intoArray(tile, 4 * NR);
            c41.intoArray(tile, 4 * NR + L);
            c50.intoArray(tile, 5 * NR);
            c51.intoArray(tile, 5 * NR + L);
            storeTile(c, ci, ldc, rows, cols, tile, alpha, beta, first);
        }
    }

    /**
     * The MR x L kernel for the last, narrow B panel (at most L live columns): half the work of
     * {@link #kernel} on a mostly padded panel. Reads the first L columns of each NR-wide packed row.
     */
    static void kernelNarrow(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc,
                             int rows, int cols, float alpha, float beta, boolean first, float[] tile) {
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F);
        FloatVector c3 = FloatVector.zero(F), c4 = FloatVector.zero(F), c5 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int aj = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, bp, bi + p * NR);
            c0 = FloatVector.broadcast(F, ap[aj]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, ap[aj + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, ap[aj + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, ap[aj + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, ap[aj + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, ap[aj + 5]).fma(b0, c5);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, NR);
        c2.intoArray(tile, 2 * NR);
        c3.intoArray(tile, 3 * NR);
        c4.intoArray(tile, 4 * NR);
        c5.intoArray(tile, 5 * NR);
        storeTile(c, ci, ldc, rows, cols, tile, alpha, beta, first);
    }

    /** Merges one full tile row (two vectors) into C at {@code c[ci]}. Modifies {@code c}. */
    private static void store(float[] c, int ci, FloatVector acc0, FloatVector acc1,
                              float alpha, float beta, boolean first) {
        FloatVector r0, r1;
        if (first && beta == 0f) {
            r0 = acc0.mul(alpha);
            r1 = acc1.mul(alpha);
        } else {
            FloatVector old0 = FloatVector.fromArray(F, c, ci);
            FloatVector old1 = FloatVector.fromArray(F, c, ci + L);
            if (first && beta != 1f) {
                old0 = old0.mul(beta);
                old1 = old1.mul(beta);
            }
            FloatVector av = FloatVector.broadcast(F, alpha);
            r0 = acc0.fma(av, old0);
            r1 = acc1.fma(av, old1);
        }
        r0.intoArray(c, ci);
        r1.intoArray(c, ci + L);
    }

    /** Merges the live {@code rows x cols} part of a scratch tile into C, with the same arithmetic as {@link #store}. */
    private static void storeTile(float[] c, int ci, int ldc, int rows, int cols, float[] tile,
                                  float alpha, float beta, boolean first) {
        for (int r = 0; r < rows; r++) {
            int row = ci + r * ldc;
            for (int j = 0; j < cols; j++) {
                float acc = tile[r * NR + j];
                float v;
                if (first && beta == 0f) {
                    v = acc * alpha;
                } else {
                    float old = first && beta != 1f ? c[row + j] * beta : c[row + j];
                    v = Math.fma(acc, alpha, old);
                }
                c[row + j] = v;
            }
        }
    }
}
