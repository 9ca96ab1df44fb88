package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.Simd.F;
import static dev.vecgrad.autograd.kernel.Simd.LANES;

import jdk.incubator.vector.FloatVector;

/**
 * Softmax over the rows of causal blocks in groups of 16 ({@link Softmax#causalSoftmaxRows}):
 * each row the softmax of its first {@code len} of {@code cols} columns, zeros after.
 *
 * <p>Masking: the rows of a causal block have every length from 1 to T, so a
 * scalar tail would run up to {@code LANES-1} scalar exps per row, about as much time as all
 * the vector work in a 64x64 block. Instead the vector that straddles column {@code len} is
 * loaded whole (it lies inside the row, so nothing outside the block is read) and its lanes at
 * or after {@code len} are replaced by {@code -inf} with a blend, which exp turns into the
 * exact zeros the masked columns must hold. Only when that vector would run past the row end
 * (cols not a multiple of LANES) is the rest done in scalar.
 *
 * <p>Rows go in groups of {@link #GROUP}, pass by pass: every row's lane-wise partial max, then
 * one reduction of all of them ({@link #treeMax}), the exps and lane-wise partial sums, a second
 * reduction, then the scaling. Reducing each row's vector on its own (four dependent
 * shuffle-and-fold steps, twice per row) was the largest cost of a 64x64 block: the rows are
 * short and the core could not overlap one row's chain with the next (2.9 us a block row by
 * row, 1.8 us with the reductions removed altogether, 1.95 us grouped; one Zen 5 core). Full
 * rows of 64 and 65 columns gained 1.35x and 1.2x from grouping when timed alone, but in a JVM
 * that also ran causal blocks C2's merged profile made both kinds slower than needed, so full
 * rows stay row by row ({@link Softmax#softmaxRows}) and this class serves the causal op. Each
 * pass is its own method looping over the rows: one method holding every pass outgrew C2's
 * inlining budget and called its per-row helpers out of line.
 */
final class GroupedSoftmax {
    /** Rows per group: one per lane of a 512-bit vector, whose lanes the tree fills. */
    private static final int GROUP = 16;
    /** Floats per row's partial vector in the scratch array. */
    private static final int STRIDE = Math.max(LANES, GROUP);
    /** Where the tree reductions leave their GROUP results in the scratch array. */
    private static final int RESULTS = GROUP * STRIDE;
    /** Per-thread scratch for a group: GROUP partial vectors, then GROUP results. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[RESULTS + GROUP]);
    /** Whether {@link #treeMax} and {@link #treeSum} apply (16 lanes); else {@link #treeScalar}. */
    private static final boolean GROUPED = LANES == GROUP;
    private static final float[] TREE_LO = treeIndex(0);
    private static final float[] TREE_HI = treeIndex(1);

    private GroupedSoftmax() {}

    /**
     * {@link FastExp}, not {@code lanewise(EXP)}: the JDK's vector exp rounds differently before
     * and after C2 compiles the loop, which would make results depend on the JVM's warm-up.
     */
    private static FloatVector vexp(FloatVector x) {
        return FastExp.exp(x);
    }

    private static float sexp(float x) {
        return FastExp.exp(x);
    }

    /**
     * Rows {@code [0, rows)} of a causal block: row r is the softmax of its first
     * {@code min(cols, r + queryOffset + 1)} columns, zeros after; rows at {@code in[inOff + r*cols]}
     * and {@code out[outOff + r*cols]} (which may be the same array and offset). Arguments are
     * checked by the caller. Modifies {@code out}.
     */
    static void forwardRows(float[] out, int outOff, float[] in, int inOff, int rows, int cols, int queryOffset) {
        float[] s = SCRATCH.get();
        for (int r0 = 0; r0 < rows; r0 += GROUP) {
            int count = Math.min(GROUP, rows - r0);
            groupMax(in, inOff, r0, count, cols, queryOffset, s);
            if (GROUPED) {
                treeMax(s);
            } else {
                treeScalar(s, true);
            }
            groupTailMax(in, inOff, r0, count, cols, queryOffset, s);
            groupExp(out, outOff, in, inOff, r0, count, cols, queryOffset, s);
            if (GROUPED) {
                treeSum(s);
            } else {
                treeScalar(s, false);
            }
            groupFinish(out, outOff, r0, count, cols, queryOffset, s);
        }
    }

    /**
     * Columns of a row with {@code len} live columns (of {@code cols}) done with whole vectors:
     * through the vector that straddles len when that vector lies inside the row.
     */
    private static int vectorColumns(int len, int cols) {
        int full = len - len % LANES;
        return full < len && full + LANES <= cols ? full + LANES : full;
    }

    /**
     * Stores each row's lane-wise max over its vector columns (lanes at or after len count as
     * -inf) at {@code s[i*STRIDE]} for row r0+i. Modifies {@code s}.
     */
    private static void groupMax(float[] in, int inOff, int r0, int count, int cols, int queryOffset, float[] s) {
        FloatVector ninf = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < count; i++) {
            int r = r0 + i, len = Softmax.causalLength(r, cols, queryOffset), p = inOff + r * cols;
            int n = vectorColumns(len, cols);
            FloatVector m = ninf;
            for (int j = 0; j < n; j += LANES) {
                m = m.max(FloatVector.fromArray(F, in, p + j).blend(ninf, F.indexInRange(j, len).not()));
            }
            m.intoArray(s, i * STRIDE);
        }
    }

    /** Folds each row's ragged scalar tail (if any) into its max at {@code s[RESULTS + i]}. */
    private static void groupTailMax(float[] in, int inOff, int r0, int count, int cols, int queryOffset, float[] s) {
        for (int i = 0; i < count; i++) {
            int r = r0 + i, len = Softmax.causalLength(r, cols, queryOffset), p = inOff + r * cols;
            float max = s[RESULTS + i];
            for (int k = vectorColumns(len, cols); k < len; k++) {
                max = Math.max(max, in[p + k]);
            }
            s[RESULTS + i] = max;
        }
    }

    /**
     * Writes each row's exps {@code exp(in - max)} (0 from len to the end of its last vector, even
     * if the input or the max is NaN), and stores the lane-wise sum of its vector columns' exps at
     * {@code s[i*STRIDE]}. One exp site per method: a second inlined vector exp pushed C2 past
     * its inlining budget, and what was left out of line boxed its vectors. Modifies out and s.
     */
    private static void groupExp(float[] out, int outOff, float[] in, int inOff, int r0, int count, int cols,
                                 int queryOffset, float[] s) {
        for (int i = 0; i < count; i++) {
            int r = r0 + i, len = Softmax.causalLength(r, cols, queryOffset);
            int p = inOff + r * cols, o = outOff + r * cols, n = vectorColumns(len, cols);
            float max = s[RESULTS + i];
            FloatVector vmax = FloatVector.broadcast(F, max);
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0; j < n; j += LANES) {
                FloatVector e = vexp(FloatVector.fromArray(F, in, p + j).sub(vmax))
                        .blend(0f, F.indexInRange(j, len).not());
                e.intoArray(out, o + j);
                acc = acc.add(e);
            }
            acc.intoArray(s, i * STRIDE);
            for (int k = n; k < len; k++) {
                out[o + k] = sexp(in[p + k] - max);
            }
        }
    }

    /**
     * Adds each row's scalar tail exps to its sum, then scales the row's live columns by the
     * reciprocal and zeroes the rest of its {@code cols} columns. Modifies {@code out}.
     */
    private static void groupFinish(float[] out, int outOff, int r0, int count, int cols, int queryOffset, float[] s) {
        FloatVector zero = FloatVector.zero(F);
        for (int i = 0; i < count; i++) {
            int r = r0 + i, len = Softmax.causalLength(r, cols, queryOffset), o = outOff + r * cols;
            int n = vectorColumns(len, cols);
            float sum = s[RESULTS + i];
            for (int k = n; k < len; k++) {
                sum += out[o + k];
            }
            float inv = 1f / sum;
            FloatVector vs = FloatVector.broadcast(F, inv);
            for (int j = 0; j < n; j += LANES) {
                // Columns from len to n become (or stay) exactly 0, even when inv is NaN.
                FloatVector.fromArray(F, out, o + j).mul(vs).blend(0f, F.indexInRange(j, len).not())
                        .intoArray(out, o + j);
            }
            for (int k = n; k < len; k++) {
                out[o + k] *= inv;
            }
            int zeroFrom = Math.max(n, len);
            for (; zeroFrom < cols && zeroFrom % LANES != 0; zeroFrom++) {
                out[o + zeroFrom] = 0f;
            }
            for (; zeroFrom + LANES <= cols; zeroFrom += LANES) {
                zero.intoArray(out, o + zeroFrom);
            }
            for (; zeroFrom < cols; zeroFrom++) {
                out[o + zeroFrom] = 0f;
            }
        }
    }

    /**
     * Reduces each of the GROUP partial vectors at {@code s[i*STRIDE]} to its lanes' max, at
     * {@code s[RESULTS + i]} (16 lanes only). Four stages, each pairing vectors and folding each
     * one's halves, so the value of vector i ends in lane i of one vector; the 16 rows' steps are
     * independent of one another and stay in registers (a loop that stored each stage to the
     * scratch array and reloaded it was slower: 2.1 against 1.95 us a 64x64 block). Called
     * directly, not through a dispatching method: behind one, C2 left it at C1's tier, where
     * every vector operation allocates.
     */
    private static void treeMax(float[] s) {
        FloatVector lo = FloatVector.fromArray(F, TREE_LO, 0), hi = FloatVector.fromArray(F, TREE_HI, 0);
        // Stage one, rows 2k and 2k+1 into u_k, written out: no vector crosses a call (see Simd).
        FloatVector a, b;
        a = FloatVector.fromArray(F, s, 0 * STRIDE);
        b = FloatVector.fromArray(F, s, 1 * STRIDE);
        FloatVector u0 = lo.selectFrom(a, b).max(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 2 * STRIDE);
        b = FloatVector.fromArray(F, s, 3 * STRIDE);
        FloatVector u1 = lo.selectFrom(a, b).max(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 4 * STRIDE);
        b = FloatVector.fromArray(F, s, 5 * STRIDE);
        FloatVector u2 = lo.selectFrom(a, b).max(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 6 * STRIDE);
        b = FloatVector.fromArray(F, s, 7 * STRIDE);
        FloatVector u3 = lo.selectFrom(a, b).max(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 8 * STRIDE);
        b = FloatVector.fromArray(F, s, 9 * STRIDE);
        FloatVector u4 = lo.selectFrom(a, b).max(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 10 * STRIDE);
        b = FloatVector.fromArray(F, s, 11 * STRIDE);
        FloatVector u5 = lo.selectFrom(a, b).max(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 12 * STRIDE);
        b = FloatVector.fromArray(F, s, 13 * STRIDE);
        FloatVector u6 = lo.selectFrom(a, b).max(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 14 * STRIDE);
        b = FloatVector.fromArray(F, s, 15 * STRIDE);
        FloatVector u7 = lo.selectFrom(a, b).max(hi.selectFrom(a, b));
        lo = FloatVector.fromArray(F, TREE_LO, GROUP);
        hi = FloatVector.fromArray(F, TREE_HI, GROUP);
        FloatVector w0 = lo.selectFrom(u0, u1).max(hi.selectFrom(u0, u1));
        FloatVector w1 = lo.selectFrom(u2, u3).max(hi.selectFrom(u2, u3));
        FloatVector w2 = lo.selectFrom(u4, u5).max(hi.selectFrom(u4, u5));
        FloatVector w3 = lo.selectFrom(u6, u7).max(hi.selectFrom(u6, u7));
        lo = FloatVector.fromArray(F, TREE_LO, 2 * GROUP);
        hi = FloatVector.fromArray(F, TREE_HI, 2 * GROUP);
        FloatVector x0 = lo.selectFrom(w0, w1).max(hi.selectFrom(w0, w1));
        FloatVector x1 = lo.selectFrom(w2, w3).max(hi.selectFrom(w2, w3));
        lo = FloatVector.fromArray(F, TREE_LO, 3 * GROUP);
        hi = FloatVector.fromArray(F, TREE_HI, 3 * GROUP);
        lo.selectFrom(x0, x1).max(hi.selectFrom(x0, x1)).intoArray(s, RESULTS);
    }

    /**
     * {@link #treeMax} for sums, in the order of {@link Simd}'s lane tree (lane i with i+8, then
     * i+4, i+2, i+1), so each row's sum has the bits a row-by-row kernel would give.
     */
    private static void treeSum(float[] s) {
        FloatVector lo = FloatVector.fromArray(F, TREE_LO, 0), hi = FloatVector.fromArray(F, TREE_HI, 0);
        // Stage one, rows 2k and 2k+1 into u_k, written out: no vector crosses a call (see Simd).
        FloatVector a, b;
        a = FloatVector.fromArray(F, s, 0 * STRIDE);
        b = FloatVector.fromArray(F, s, 1 * STRIDE);
        FloatVector u0 = lo.selectFrom(a, b).add(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 2 * STRIDE);
        b = FloatVector.fromArray(F, s, 3 * STRIDE);
        FloatVector u1 = lo.selectFrom(a, b).add(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 4 * STRIDE);
        b = FloatVector.fromArray(F, s, 5 * STRIDE);
        FloatVector u2 = lo.selectFrom(a, b).add(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 6 * STRIDE);
        b = FloatVector.fromArray(F, s, 7 * STRIDE);
        FloatVector u3 = lo.selectFrom(a, b).add(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 8 * STRIDE);
        b = FloatVector.fromArray(F, s, 9 * STRIDE);
        FloatVector u4 = lo.selectFrom(a, b).add(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 10 * STRIDE);
        b = FloatVector.fromArray(F, s, 11 * STRIDE);
        FloatVector u5 = lo.selectFrom(a, b).add(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 12 * STRIDE);
        b = FloatVector.fromArray(F, s, 13 * STRIDE);
        FloatVector u6 = lo.selectFrom(a, b).add(hi.selectFrom(a, b));
        a = FloatVector.fromArray(F, s, 14 * STRIDE);
        b = FloatVector.fromArray(F, s, 15 * STRIDE);
        FloatVector u7 = lo.selectFrom(a, b).add(hi.selectFrom(a, b));
        lo = FloatVector.fromArray(F, TREE_LO, GROUP);
        hi = FloatVector.fromArray(F, TREE_HI, GROUP);
        FloatVector w0 = lo.selectFrom(u0, u1).add(hi.selectFrom(u0, u1));
        FloatVector w1 = lo.selectFrom(u2, u3).add(hi.selectFrom(u2, u3));
        FloatVector w2 = lo.selectFrom(u4, u5).add(hi.selectFrom(u4, u5));
        FloatVector w3 = lo.selectFrom(u6, u7).add(hi.selectFrom(u6, u7));
        lo = FloatVector.fromArray(F, TREE_LO, 2 * GROUP);
        hi = FloatVector.fromArray(F, TREE_HI, 2 * GROUP);
        FloatVector x0 = lo.selectFrom(w0, w1).add(hi.selectFrom(w0, w1));
        FloatVector x1 = lo.selectFrom(w2, w3).add(hi.selectFrom(w2, w3));
        lo = FloatVector.fromArray(F, TREE_LO, 3 * GROUP);
        hi = FloatVector.fromArray(F, TREE_HI, 3 * GROUP);
        lo.selectFrom(x0, x1).add(hi.selectFrom(x0, x1)).intoArray(s, RESULTS);
    }



    /**
     * The tree reductions for vectors of other than 16 lanes: each row folded in place in
     * the order of {@link Simd}'s lane tree, then copied to {@code s[RESULTS + i]}. Modifies {@code s}.
     */
    private static void treeScalar(float[] s, boolean max) {
        for (int i = 0; i < GROUP; i++) {
            int b = i * STRIDE;
            for (int h = LANES / 2; h >= 1; h /= 2) {
                for (int k = 0; k < h; k++) {
                    s[b + k] = max ? Math.max(s[b + k], s[b + k + h]) : s[b + k] + s[b + k + h];
                }
            }
            s[RESULTS + i] = s[b];
        }
    }

    /**
     * Tree permutes: at stage t (fold width g = 8 >> t) lane i of the result takes, from the first
     * source for i < 8 and the second for i >= 8, lane {@code (i%8 / g) * 2g + i%8 % g} (lo) or
     * that plus g (hi).
     */
    private static float[] treeIndex(int plus) {
        float[] idx = new float[4 * GROUP];
        for (int t = 0; t < 4; t++) {
            int g = 8 >> t;
            for (int i = 0; i < GROUP; i++) {
                int k = i % 8;
                idx[t * GROUP + i] = (i < 8 ? 0 : GROUP) + (k / g) * 2 * g + k % g + plus * g;
            }
        }
        return idx;
    }
}
