package dev.vecgrad.autograd.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled micro-kernels behind {@link Gemm}; {@link GemmPackA} and {@link GemmPack} fill the panels they read.
 * Package-private.
 *
 * <p>Packed layouts (all zero-padded to whole panels):
 * <ul>
 *   <li>A micro-panel: {@code MR} rows of op(A) by {@code kc}, stored column by column:
 *       element (r, p) at {@code p*MR + r}, so the kernel reads {@code MR} consecutive scalars per p.
 *   <li>B micro-panel: {@code kc} by {@code NR} columns of op(B), stored row by row:
 *       element (p, j) at {@code p*NR + j}, so the kernel reads two whole vectors per p.
 * </ul>
 * A tile of C is finished by {@link #merge}: on the first k-block C becomes
 * {@code alpha*acc + beta*C} (or {@code alpha*acc} when beta is 0, so NaN in C is overwritten, or
 * {@code alpha*acc + bias} for {@link Gemm#sgemmBias});
 * on later k-blocks {@code alpha*acc + C}. The order is fixed, which keeps results deterministic.
 */
final class GemmKernels {
    static final VectorSpecies<Float> F = Simd.F;
    static final int L = F.length();
    /**
     * Rows of the register tile: 8 with 512-bit vectors, 4 with narrower ones. The tile's
     * 2 x MR vector accumulators must cover the FMA latency (4 cycles x 2 pipes = 8 in flight)
     * and fit the register file with the two B vectors and a broadcast. AVX-512 has 32 vector
     * registers: 8 x 2 = 16 accumulators fit, and measured 4x32 at about 147 GFLOP/s vs 8x32
     * higher (bench/RESULTS.md). AVX2 has 16. On a quiet AVX2 Zen 3 (kernel alone on packed
     * panels, CPU time, kc 128-1024, 2026-12-06) 4x16 runs at 87-95 GFLOP/s, against about 100
     * for twelve register-only FMA chains, so the kernel is not where the AVX2 products lose time
     * (an older figure of 68 was taken on a loaded host). Tiles of 10-12 accumulators (6x16, 5x16,
     * 4x24, 3x32) run at 36-43: C2's pressure-aware local scheduler (OptoRegScheduling) places
     * three to five broadcasts ahead of their FMAs and the allocator then spills an accumulator,
     * a store and a load on its FMA chain. With that scheduler switched off 6x16 does not spill
     * and runs at 85-98, no clear gain over 4x16; the source forms that avoid the spill (each
     * FMA with its own broadcast, or reading B from memory) cost more loads than they save (48-74).
     */
    static final int MR = L >= 16 ? 8 : 4;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * L;

    private GemmKernels() {}

    /**
     * The MR x NR micro-kernel: {@code tile (MR, NR) = Ap (MR, kc) * Bp (kc, NR)} from one packed A
     * micro-panel at {@code ap[ai]} and one packed B micro-panel at {@code bp[bi]}. It only writes
     * its 8 accumulators to {@code tile}; {@link #merge} folds them into C. Keeping the C update
     * out of this method keeps it small enough for C2 to inline every vector operation (a kernel
     * that also stored to C hit C2's node-count inlining cutoff, boxed vectors and ran at 8 GFLOP/s).
     * Modifies {@code tile}.
     */
    static void kernel(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile) {
        if (MR == 8) {
            kernel8(kc, ap, ai, bp, bi, tile);
            return;
        }
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int bj = bi + p * NR;
            int aj = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, bp, bj);
            FloatVector b1 = FloatVector.fromArray(F, bp, bj + L);
            FloatVector x0 = FloatVector.broadcast(F, ap[aj]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(F, ap[aj + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(F, ap[aj + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(F, ap[aj + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
    }

    /** {@link #kernel} for MR = 8 (512-bit vectors): 16 accumulators. Modifies {@code tile}. */
    static void kernel8(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F), c61 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F), c71 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int bj = bi + p * NR;
            int aj = ai + p * 8;
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
            x = FloatVector.broadcast(F, ap[aj + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, ap[aj + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
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
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
    }

    /**
     * Folds a tile of accumulators into C at {@code c[ci]} (rows {@code rows <= MR}, columns
     * {@code cols <= NR}, leading dimension ldc); full tiles with vectors, partial ones element by
     * element with the same arithmetic. Modifies {@code c}.
     */
    static void merge(float[] c, int ci, int ldc, int rows, int cols, float[] tile,
                      float alpha, float beta, boolean first, float[] bias, int bi) {
        if (rows < MR || cols < NR) {
            mergePartial(c, ci, ldc, rows, cols, tile, alpha, beta, first, bias, bi);
            return;
        }
        FloatVector av = FloatVector.broadcast(F, alpha);
        boolean overwrite = first && beta == 0f;
        boolean scaleOld = first && beta != 1f;
        boolean addBias = first && bias != null;
        for (int r = 0; r < MR; r++) {
            int row = ci + r * ldc;
            for (int j = 0; j < NR; j += L) {
                FloatVector acc = FloatVector.fromArray(F, tile, r * NR + j);
                FloatVector v;
                if (addBias) {
                    v = acc.fma(av, FloatVector.fromArray(F, bias, bi + j));
                } else if (overwrite) {
                    v = acc.mul(av);
                } else {
                    FloatVector old = FloatVector.fromArray(F, c, row + j);
                    if (scaleOld) {
                        old = old.mul(beta);
                    }
                    v = acc.fma(av, old);
                }
                v.intoArray(c, row + j);
            }
        }
    }

    /** Merges the live {@code rows x cols} part of a tile into C, with the arithmetic of {@link #merge}. */
    private static void mergePartial(float[] c, int ci, int ldc, int rows, int cols, float[] tile,
                                  float alpha, float beta, boolean first, float[] bias, int bi) {
        for (int r = 0; r < rows; r++) {
            int row = ci + r * ldc;
            for (int j = 0; j < cols; j++) {
                float acc = tile[r * NR + j];
                float v;
                if (first && bias != null) {
                    v = Math.fma(acc, alpha, bias[bi + j]);
                } else if (first && beta == 0f) {
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
