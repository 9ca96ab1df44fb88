package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.GemmKernels.MR;
import static dev.vecgrad.autograd.kernel.GemmKernels.NR;

/**
 * Single-precision matrix multiply, row-major: {@code C = alpha * op(A) * op(B) + beta * C}, where
 * op(X) is X or its transpose. Shapes: op(A) (m, k), op(B) (k, n), C (m, n). A is stored (m, k)
 * with leading dimension lda, or (k, m) when transA; B is stored (k, n), or (n, k) when transB.
 *
 * <p>Design (after BLIS/GotoBLAS): the k dimension is cut in equal blocks of at most {@link #KC}, n
 * in blocks of {@link #NC}; each (k, n) block of op(B) is packed into NR-column panels, each block of
 * at most {@link #MC_MAX} rows of op(A) into MR-row panels, and an MR x 2-vector register tile of FMA
 * accumulators ({@link GemmKernels#kernel}) sweeps them. Pack buffers live in a per-thread cache
 * and are reused across calls.
 *
 * <p>Determinism: the row blocks depend on m alone and the k blocks on k alone, and every element
 * of C is computed by one task in one fixed order, so results are bitwise identical at any thread
 * count. They differ from {@link GemmScalar} only by rounding (FMA, blocked summation).
 *
 * <p>beta == 0 overwrites C without reading it (NaN in C does not propagate), as in BLAS.
 */
public final class Gemm {
    /**
     * Largest depth of a k block; k is cut into equal blocks of at most KC. Deep on purpose: every
     * k block after the first re-reads the C tile, and a C larger than L2 comes from L3 with no
     * way to prefetch it from Java (1024^3 on one core lost 17 % to it with KC = 256). The kernel
     * then streams its KC x NR B micro-panel (128 KB) from L2 instead of L1, which measured
     * faster overall: KC 256 -> 512 -> 1024 gave 1024^3 +14 % then +5 %, 512^3 +4 % then +0 %
     * (A/B runs in one JVM, 2026-12-02, Zen 5).
     */
    static final int KC = 1024;
    /** Largest row block (a multiple of MR): MC_MAX x KC floats of packed A (384 KB) stay in L2. */
    static final int MC_MAX = 96;
    /** Width of an n block (a multiple of NR): the packed KC x NC B block (4 MB) lives in L3. */
    static final int NC = 1024;
    /**
     * Below this many flops (2mnk) a call runs on the calling thread: waking the pool costs more.
     * Chosen low (128^3 forks) so the 25-100 MFLOP GPT layer products use both cores; not yet
     * tuned on a quiet machine (the prototype saw gains only above ~100 MFLOP).
     */
    static final long PARALLEL_FLOPS = 4_000_000L;
    /**
     * A product of several k blocks and at most this many row blocks (of up to MC_MAX rows) runs
     * as one row part per thread over all of k ({@link GemmSchedule}); products with more rows keep one
     * fork per k block, which measured the same for 16384-row products (session 18).
     */
    static final int SPLIT_MAX_ROW_BLOCKS = 16;
    /** A parallel product is cut into at least this many (row block, column part) tasks when it can be. */
    static final int MIN_TASKS = 4;

    /** Per-thread pack buffers; grown on demand, never shrunk (at most about 4.4 MB a thread). */
    static final class Buffers {
        final float[] a = new float[MC_MAX * KC];
        final float[] tile = new float[MR * NR];
        final float[] scratch = new float[GemmPack.SCRATCH];
        float[] b = new float[0];
        int[] state = new int[0];
        /**
         * Which plan's row block {@link #a} holds ({@code aPlan} 0: none, or another product's
         * rows): a thread running consecutive tiles of one row block packs its rows of op(A) once.
         * Everything else that packs into {@code a} clears it first.
         */
        long aPlan;
        int aBlock;

        /** The panel states of a parallel block, all 0 (not packed). */
        int[] panelState(int panels) {
            if (state.length < panels) {
                state = new int[panels];
            } else {
                java.util.Arrays.fill(state, 0, panels, 0);
            }
            return state;
        }

        float[] b(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }
    }

    static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);
    /** Source of {@link Plan} identities (process-wide, only ever incremented). */
    private static final java.util.concurrent.atomic.AtomicLong PLAN_IDS = new java.util.concurrent.atomic.AtomicLong();

    private Gemm() {}

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}; see the class comment for the shapes.
     * Modifies {@code c} (only its m x n window); {@code a} and {@code b} are not modified.
     *
     * @throws IllegalArgumentException if a size is negative, a leading dimension is smaller than
     *     its row length, an offset is negative or an array is too short for the shapes
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        GemmChecks.check("sgemm", transA, transB, m, n, k, a, aOff, lda, 0, b, bOff, ldb, 0, c, cOff, ldc, 0, 1);
        boolean parallel = 2L * m * n * k >= PARALLEL_FLOPS;
        GemmSchedule.run(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, parallel, null, 0, null, 0);
    }

    /**
     * {@link #sgemm}, and adds the row sums of op(A) to {@code rowSums}: {@code rowSums[rsOff + i]
     * += op(A)[i][0] + op(A)[i][1] + ... + op(A)[i][k-1]}, added one after the other in that
     * order (the bits of the plain loop, at any thread count). The sums are taken while op(A) is
     * packed, so they cost no pass over A of their own: a linear layer's backward gets its bias
     * gradient (the column sums of the output gradient g) from the product {@code dW = g^T x},
     * whose op(A) is g^T, instead of reading g again (baby-gpt: 226 MB a layer, about 2.5 % of a
     * step). C's bits are those of {@link #sgemm}. Modifies {@code c} and {@code rowSums}.
     *
     * @throws IllegalArgumentException as {@link #sgemm}, or when rowSums is null or shorter than
     *     {@code rsOff + m}
     */
    public static void sgemmRowSums(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                    float beta, float[] c, int cOff, int ldc, float[] rowSums, int rsOff) {
        GemmChecks.check("sgemmRowSums", transA, transB, m, n, k, a, aOff, lda, 0, b, bOff, ldb, 0, c, cOff, ldc, 0, 1);
        KernelArgs.range("sgemmRowSums", "rowSums", rowSums, rsOff, m);
        if (n == 0 || alpha == 0f) {
            // No product packs op(A) here: the sums are taken on their own.
            for (int i = 0; i < m; i++) {
                float s = rowSums[rsOff + i];
                for (int p = 0; p < k; p++) s += transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                rowSums[rsOff + i] = s;
            }
        }
        boolean parallel = 2L * m * n * k >= PARALLEL_FLOPS;
        GemmSchedule.run(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, parallel, null, 0,
                n == 0 || alpha == 0f ? null : rowSums, rsOff);
    }

    /**
     * {@code C = op(A) * op(B) + bias} with {@code bias} (n floats from {@code biasOff}) added to
     * every row, in the same pass that stores C (a linear layer's forward): no second sweep over
     * C. Same checks as {@link #sgemm}; modifies {@code c}.
     */
    public static void sgemmBias(boolean transA, boolean transB, int m, int n, int k,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] bias, int biasOff, float[] c, int cOff, int ldc) {
        GemmChecks.check("sgemmBias", transA, transB, m, n, k, a, aOff, lda, 0, b, bOff, ldb, 0, c, cOff, ldc, 0, 1);
        KernelArgs.range("sgemmBias", "bias", bias, biasOff, n);
        if (k == 0) {
            for (int i = 0; i < m; i++) System.arraycopy(bias, biasOff, c, cOff + i * ldc, n);
            return;
        }
        boolean parallel = 2L * m * n * k >= PARALLEL_FLOPS;
        GemmSchedule.run(transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, c, cOff, ldc, parallel, bias, biasOff, null, 0);
    }

    /**
     * {@code C = op(A) * op(B)} with no transposes: A (m, k), B (k, n), C (m, n), all contiguous
     * from offset 0. Modifies {@code c}.
     */
    public static void matmul(float[] c, float[] a, float[] b, int m, int n, int k) {
        sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
    }

    /**
     * {@code batch} independent products {@code C_i = alpha * op(A_i) * op(B_i) + beta * C_i}, where
     * {@code A_i} starts at {@code aOff + i*strideA} (likewise B, C); for attention's many small
     * products. The batch is spread over the pool; each product runs on one thread, with the same
     * arithmetic as {@link #sgemm}. The C windows must not overlap. Modifies {@code c}.
     *
     * @throws IllegalArgumentException as {@link #sgemm}, also for a negative batch or stride
     */
    public static void sgemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                    float[] a, int aOff, int lda, int strideA,
                                    float[] b, int bOff, int ldb, int strideB,
                                    float beta, float[] c, int cOff, int ldc, int strideC, int batch) {
        GemmChecks.check("sgemmBatched", transA, transB, m, n, k, a, aOff, lda, strideA,
                b, bOff, ldb, strideB, c, cOff, ldc, strideC, batch);
        long flops = 2L * m * n * k;
        if (batch < 2 * Parallel.threads()) {
            // Too few products to spread: let each one use the pool itself if it is big enough.
            for (int i = 0; i < batch; i++) {
                GemmSchedule.run(transA, transB, m, n, k, alpha, a, aOff + i * strideA, lda, b, bOff + i * strideB, ldb,
                        beta, c, cOff + i * strideC, ldc, flops >= PARALLEL_FLOPS, null, 0, null, 0);
            }
            return;
        }
        Parallel.forRange(batch, 1, flops * batch >= PARALLEL_FLOPS, (s, e) -> {
            for (int i = s; i < e; i++) {
                GemmSchedule.run(transA, transB, m, n, k, alpha, a, aOff + i * strideA, lda, b, bOff + i * strideB, ldb,
                        beta, c, cOff + i * strideC, ldc, false, null, 0, null, 0);
            }
        });
    }

    /**
     * One product cut into fixed output tiles that any thread may compute in any order, for
     * callers that schedule several independent products together (a linear layer's backward
     * runs its two products and the bias gradient as one list of tasks, see
     * {@link Parallel#fromBothEnds}). The tiles are (row block, column part) rectangles of C,
     * fixed by the shapes alone; op(B) is packed once, by whichever thread first needs it, into a
     * buffer the caller provides. Each element of C is computed by one tile with
     * {@link #sgemm}'s arithmetic, so the bits are exactly those of {@code sgemm} at any thread
     * count. Only for products of one (k, n) block ({@link #fitsPlan}); others go through
     * {@link #sgemm}.
     */
    public static final class Plan {
        private final boolean transA, transB;
        private final int m, n, k, lda, ldb, ldc, aOff, bOff, cOff;
        private final float alpha, beta;
        private final float[] a, b, c, bp;
        private final int mc, mBlocks, parts, perPart, panels;
        /** 0: op(B) not packed, 1: being packed, 2: packed (then bp is safe to read). */
        private final java.util.concurrent.atomic.AtomicInteger packed = new java.util.concurrent.atomic.AtomicInteger();
        /** This plan's identity in the threads' {@link Buffers#aPlan} (never 0). */
        private final long id = PLAN_IDS.incrementAndGet();

        private Plan(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, float[] bp, int minTiles) {
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.beta = beta;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            this.bp = bp;
            this.mc = GemmSchedule.rowBlock(m);
            this.mBlocks = (m + mc - 1) / mc;
            this.panels = (n + NR - 1) / NR;
            int wanted = Math.min(panels, Math.max(1, (minTiles + mBlocks - 1) / mBlocks));
            this.perPart = (panels + wanted - 1) / wanted;
            this.parts = (panels + perPart - 1) / perPart;
        }

        /** The number of tiles; tile {@code t} is computed by {@link #tile(int)}. */
        public int tiles() {
            return m == 0 || n == 0 ? 0 : mBlocks * parts;
        }

        /**
         * Computes tile {@code t} of C (packing op(B) first if no thread has yet; waits while
         * another thread is packing it). Modifies C's tile and, the first time, the pack buffer.
         */
        public void tile(int t) {
            if (packed.get() != 2) pack();
            int block = t / parts, i0 = block * mc, q0 = (t % parts) * perPart, rows = Math.min(mc, m - i0);
            // The tiles of one row block share its rows of op(A). A thread usually runs them one
            // after another (Parallel.fromBothEnds hands out consecutive tiles), so it packs them
            // once instead of once per tile: a weight gradient's op(A) = dY^T, the costliest
            // pack, was packed up to four times at 2 threads. Packing moves floats, so the bits
            // are the same either way.
            Buffers own = BUFFERS.get();
            if (own.aPlan != id || own.aBlock != block) {
                own.aPlan = 0;
                GemmPackA.packA(own.a, transA, a, aOff, lda, i0, rows, 0, k);
                own.aPlan = id;
                own.aBlock = block;
            }
            GemmBlocks.panels(own.a, rows, i0, k, bp, n, 0, q0, Math.min(panels, q0 + perPart), alpha, beta, true, c, cOff,
                    ldc, null, 0, own.tile);
        }

        private void pack() {
            if (packed.compareAndSet(0, 1)) {
                try {
                    GemmBlocks.packB(bp, transB, b, bOff, ldb, 0, k, 0, n, 0, panels);
                } finally {
                    packed.set(2);
                }
                return;
            }
            while (packed.get() != 2) {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Whether {@link #plan} takes a product of these sizes: one k block and one n block, a
     * non-zero alpha and k (the training shapes of the small presets; larger products go through
     * {@link #sgemm}, which splits each block over the pool itself).
     */
    public static boolean fitsPlan(int m, int n, int k, float alpha) {
        return m > 0 && n > 0 && k > 0 && k <= KC && n <= NC && alpha != 0f;
    }

    /** Floats of pack buffer a {@link #plan} of these sizes needs. */
    public static int planBuffer(int n, int k) {
        return (n + NR - 1) / NR * NR * k;
    }

    /**
     * A {@link Plan} for {@code C = alpha * op(A) * op(B) + beta * C} (arguments as {@link #sgemm}),
     * cut into at least {@code minTiles} tiles where the shape allows, packing op(B) into
     * {@code packBuffer} (at least {@link #planBuffer} floats, used by no one else until the
     * plan's tiles are done).
     *
     * @throws IllegalArgumentException as {@link #sgemm}, or when {@link #fitsPlan} is false or the
     *     pack buffer is too small
     */
    public static Plan plan(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc, float[] packBuffer, int minTiles) {
        GemmChecks.check("plan", transA, transB, m, n, k, a, aOff, lda, 0, b, bOff, ldb, 0, c, cOff, ldc, 0, 1);
        if (!fitsPlan(m, n, k, alpha)) {
            throw new IllegalArgumentException("plan(m=" + m + ", n=" + n + ", k=" + k + ", alpha=" + alpha
                    + "): only products with 0 < k <= " + KC + ", 0 < n <= " + NC + ", m > 0 and alpha != 0 are planned");
        }
        KernelArgs.range("plan", "packBuffer", packBuffer, 0, planBuffer(n, k));
        return new Plan(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, packBuffer,
                Math.max(1, minTiles));
    }

}
