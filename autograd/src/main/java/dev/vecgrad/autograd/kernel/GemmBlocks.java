package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.GemmKernels.MR;
import static dev.vecgrad.autograd.kernel.GemmKernels.NR;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The blocked loops of {@link Gemm} inside one (k, n) block: packing B, sweeping row blocks over
 * its panels, and a parallel task's sweep that packs the panels it needs. Package-private; the
 * pack buffers are {@link Gemm}'s per-thread ones.
 */
final class GemmBlocks {
    /** Atomic access to a block's panel states (an int[] in the caller's buffers). */
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(int[].class);

    private GemmBlocks() {}

    /**
     * One task of a parallel block: packs its rows of op(A), then visits B panels [q0, q1), packing
     * each one first if no task has yet ({@code state[q]}: 0 not packed, 1 being packed, 2 packed).
     * Tasks that run at the same time start at different points of the range ({@code lane} of
     * {@code lanes}, the task's index modulo the thread count), so each packs its own share of B
     * instead of waiting for the other; a task that finds a panel being packed waits for it (one
     * panel's copy). The visiting order does not change the bits: each tile of C is one kernel call.
     * A non-null {@code rowSums} takes the row sums of the packed op(A) rows ({@link GemmPackA#packA});
     * the caller passes it to one task per row block and k block.
     */
    static void sweep(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
            boolean transB, float[] b, int bOff, int ldb, float[] bp, int[] state,
            int nc, int j0, int q0, int q1, int lane, int lanes, float alpha, float beta,
            boolean first, float[] c, int cOff, int ldc, float[] bias, int biasOff, float[] rowSums, int rsOff) {
        Gemm.Buffers t = Gemm.BUFFERS.get();
        float[] ap = t.a;
        t.aPlan = 0;
        GemmPackA.packA(ap, transA, a, aOff, lda, i0, mc, p0, kc, rowSums, rsOff + i0);
        int count = q1 - q0;
        int start = (int) ((long) lane * count / lanes);
        for (int s = 0; s < count; s++) {
            int q = q0 + (start + s) % count;
            if ((int) STATE.getAcquire(state, q) != 2) {
                if (STATE.compareAndSet(state, q, 0, 1)) {
                    try {
                        GemmPack.packBPanel(bp, q * NR * kc, transB, b, bOff, ldb, p0, kc, j0 + q * NR,
                                Math.min(NR, nc - q * NR), t.scratch);
                    } finally {
                        // Even after a failure: a waiting task must not spin forever; the loop
                        // rethrows the error once every task has stopped.
                        STATE.setRelease(state, q, 2);
                    }
                } else {
                    while ((int) STATE.getAcquire(state, q) != 2) {
                        Thread.onSpinWait();
                    }
                }
            }
            panel(ap, mc, i0, kc, bp, q, nc, j0, alpha, beta, first, c, cOff, ldc, bias, biasOff, t.tile);
        }
    }

    /**
     * One (k, n) block on the calling thread: packs all of its B panels, then runs every row block
     * (adding the row sums of op(A)'s block to a non-null {@code rowSums}).
     */
    static void serial(boolean transA, float[] a, int aOff, int lda, int m, int mc, int p0, int kc,
            boolean transB, float[] b, int bOff, int ldb, float[] bp, int nc, int j0, int panels,
            float alpha, float beta, boolean first, float[] c, int cOff, int ldc,
            float[] bias, int biasOff, float[] rowSums, int rsOff) {
        packB(bp, transB, b, bOff, ldb, p0, kc, j0, nc, 0, panels);
        for (int i0 = 0; i0 < m; i0 += mc) {
            block(transA, a, aOff, lda, i0, Math.min(mc, m - i0), p0, kc, bp, nc, j0, 0, panels,
                    alpha, beta, first, c, cOff, ldc, bias, biasOff, rowSums, rsOff);
        }
    }

    /** Packs B panels [q0, q1) of the (kc, nc) block at (p0, j0) into bp. */
    static void packB(float[] bp, boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
            int q0, int q1) {
        float[] scratch = Gemm.BUFFERS.get().scratch;
        for (int q = q0; q < q1; q++) {
            GemmPack.packBPanel(bp, q * NR * kc, transB, b, bOff, ldb, p0, kc, j0 + q * NR, Math.min(NR, nc - q * NR), scratch);
        }
    }

    /**
     * One row block: packs its slice of op(A) (with its row sums, if {@code rowSums} is not null),
     * then sweeps B panels [q0, q1) of the current block.
     */
    static void block(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
            float[] bp, int nc, int j0, int q0, int q1, float alpha, float beta, boolean first,
            float[] c, int cOff, int ldc, float[] bias, int biasOff, float[] rowSums, int rsOff) {
        Gemm.Buffers t = Gemm.BUFFERS.get();
        t.aPlan = 0;
        GemmPackA.packA(t.a, transA, a, aOff, lda, i0, mc, p0, kc, rowSums, rsOff + i0);
        panels(t.a, mc, i0, kc, bp, nc, j0, q0, q1, alpha, beta, first, c, cOff, ldc, bias, biasOff, t.tile);
    }

    /** A row block already packed in {@code ap} against B panels [q0, q1) of the current block. */
    static void panels(float[] ap, int mc, int i0, int kc, float[] bp, int nc, int j0, int q0, int q1,
            float alpha, float beta, boolean first, float[] c, int cOff, int ldc, float[] bias, int biasOff,
            float[] tile) {
        for (int q = q0; q < q1; q++) {
            panel(ap, mc, i0, kc, bp, q, nc, j0, alpha, beta, first, c, cOff, ldc, bias, biasOff, tile);
        }
    }

    /** The MR-row tiles of one row block (packed in ap) against B panel q. */
    static void panel(float[] ap, int mc, int i0, int kc, float[] bp, int q, int nc, int j0,
            float alpha, float beta, boolean first, float[] c, int cOff, int ldc,
            float[] bias, int biasOff, float[] tile) {
        int jr = q * NR;
        int cols = Math.min(NR, nc - jr);
        int bi = jr * kc;
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int ci = cOff + (i0 + ir) * ldc + j0 + jr;
            GemmKernels.kernel(kc, ap, ir * kc, bp, bi, tile);
            GemmKernels.merge(c, ci, ldc, rows, cols, tile, alpha, beta, first, bias, biasOff + j0 + jr);
        }
    }
}
