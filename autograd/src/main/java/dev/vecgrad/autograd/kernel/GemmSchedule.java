package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.GemmKernels.MR;
import static dev.vecgrad.autograd.kernel.GemmKernels.NR;

/**
 * How {@link Gemm} cuts a product: n and k blocks, row blocks of equal height, and which tasks
 * the pool runs (one per (row block, column part) of a block, or for a deep product with few rows
 * one row part per thread over all of k). The block sizes depend on the shapes alone, never on
 * the thread count, so the bits do not either; the loops inside a block are {@link GemmBlocks}'s.
 * Package-private.
 */
final class GemmSchedule {
    private GemmSchedule() {}

    /** Row-block height for m rows (a multiple of MR): as many blocks as {@code Gemm.MC_MAX} forces, an even count. */
    static int rowBlock(int m) {
        int blocks = (m + Gemm.MC_MAX - 1) / Gemm.MC_MAX;
        if (blocks > 1 && blocks % 2 == 1) {
            blocks++;
        }
        return roundUp((m + blocks - 1) / blocks, MR);
    }

    /**
     * The blocked product on validated arguments; {@code parallel} only changes scheduling. A
     * non-null {@code rowSums} gets op(A)'s row sums ({@link Gemm#sgemmRowSums}), taken as the first n
     * block packs op(A), by one task per row block (the first column part), k blocks in order.
     */
    static void run(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc, boolean parallel, float[] bias, int biasOff,
                            float[] rowSums, int rsOff) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        // Row blocks depend on m only (never on the thread count): as many as MC_MAX forces,
        // rounded up to an even count so two threads get equal shares, of equal MR-rounded height.
        int mc = rowBlock(m);
        // Equal k blocks (k = 1100 gives 2 x 550, not 1024 + 76); they depend on k alone.
        int kBlocks = (k + Gemm.KC - 1) / Gemm.KC;
        int kBlock = (k + kBlocks - 1) / kBlocks;
        int threads = Parallel.threads();
        int mBlocks = (m + mc - 1) / mc;
        if (parallel && kBlocks > 1 && mBlocks <= Gemm.SPLIT_MAX_ROW_BLOCKS && m >= threads * Gemm.MC_MAX && Parallel.available()) {
            // A deep product with few rows (a weight gradient: m = out, k = the batch's tokens):
            // one fork, each thread the whole k range of its own rows, instead of one fork and
            // barrier per k block. Each thread packs all of op(B) itself, which costs less than
            // the barriers saved: baby-gpt's four dW shapes ran 3-10 % faster at 2 threads
            // (bench/RESULTS.md, session 18). Row parts only regroup rows, so the bits are sgemm's.
            int rowsPer = roundUp((m + threads - 1) / threads, MR);
            Parallel.forRange(threads, 1, true, (s, e) -> {
                for (int part = s; part < e; part++) {
                    int i0 = part * rowsPer, rows = Math.min(rowsPer, m - i0);
                    if (rows <= 0) continue;
                    run(transA, transB, rows, n, k, alpha, a, transA ? aOff + i0 : aOff + i0 * lda, lda, b, bOff, ldb,
                            beta, c, cOff + i0 * ldc, ldc, false, bias, biasOff, rowSums, rsOff + i0);
                }
            });
            return;
        }
        Gemm.Buffers own = Gemm.BUFFERS.get();
        for (int jc = 0; jc < n; jc += Gemm.NC) {
            int nc = Math.min(Gemm.NC, n - jc);
            int panels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += kBlock) {
                int kc = Math.min(kBlock, k - pc);
                float[] bp = own.b(panels * NR * kc);
                int j0 = jc;
                int p0 = pc;
                boolean first = pc == 0;
                float[] sums = jc == 0 ? rowSums : null;
                if (!parallel) {
                    // The many small products (attention tiles) skip the pool and its lambdas entirely.
                    GemmBlocks.serial(transA, a, aOff, lda, m, mc, p0, kc, transB, b, bOff, ldb, bp, nc, j0, panels,
                            alpha, beta, first, c, cOff, ldc, bias, biasOff, sums, rsOff);
                    continue;
                }
                if (!Parallel.available()) {
                    // One thread (or inside a loop that already holds the pool): B packed whole,
                    // then the row blocks (the tasks below, run one after the other, measured 5 %
                    // slower at 512^3), inside the pool's inline loop so that a profile counts the
                    // product as the thread's busy time.
                    int rows = mc;
                    Parallel.forRange(1, 1, false, (s, e) -> GemmBlocks.serial(transA, a, aOff, lda, m, rows, p0, kc,
                            transB, b, bOff, ldb, bp, nc, j0, panels, alpha, beta, first, c, cOff, ldc, bias, biasOff,
                            sums, rsOff));
                    continue;
                }
                // One fork per block: tasks are (row block, column part) and pack the B panels
                // they need themselves, each panel once, by whichever task reaches it first (see
                // sweep). A separate parallel pack before the tasks cost a second hand-out and a
                // barrier at which both threads waited.
                // With few row blocks (a weight gradient's m is the layer width, 128 here) the
                // columns are split too, so both threads get work. Every element of C is still
                // computed by one task in one kernel call per k block, so neither the split nor the
                // order in which a task visits its panels changes the bits.
                int wanted = Math.min(panels, Math.max(1, (Gemm.MIN_TASKS + mBlocks - 1) / mBlocks));
                int perPart = (panels + wanted - 1) / wanted;
                int parts = (panels + perPart - 1) / perPart;   // no empty trailing part
                int rowBlock = mc;
                int[] state = own.panelState(panels);
                Parallel.forRange(mBlocks * parts, 1, true, (t0, t1) -> {
                    for (int t = t0; t < t1; t++) {
                        int i0 = (t / parts) * rowBlock, q0 = (t % parts) * perPart;
                        GemmBlocks.sweep(transA, a, aOff, lda, i0, Math.min(rowBlock, m - i0), p0, kc, transB, b, bOff, ldb,
                                bp, state, nc, j0, q0, Math.min(panels, q0 + perPart), t % threads, threads,
                                alpha, beta, first, c, cOff, ldc, bias, biasOff, q0 == 0 ? sums : null, rsOff);
                    }
                });
            }
        }
    }

    /** C = beta * C over the m x n window (beta == 0 writes zeros, even over NaN). */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? 0f : c[row + j] * beta;
            }
        }
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
