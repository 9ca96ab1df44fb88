package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.Simd.F;
import static dev.vecgrad.autograd.kernel.Simd.FOLD1;
import static dev.vecgrad.autograd.kernel.Simd.FOLD2;
import static dev.vecgrad.autograd.kernel.Simd.FOLD4;
import static dev.vecgrad.autograd.kernel.Simd.FOLD8;
import static dev.vecgrad.autograd.kernel.Simd.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * SIMD softmax and log-softmax over the rows of a row-major matrix, their backward kernels and a
 * causal (lower-triangular) variant for attention scores; twin of {@link SoftmaxScalar}.
 *
 * <p>Shapes: {@code in}, {@code out}, {@code y}, {@code dy}, {@code dx} are {@code (rows, cols)},
 * row {@code r} starting at {@code off + r*ld} ({@code ld = cols} unless given). Forward kernels
 * overwrite {@code out} (which may be {@code in} itself, same offset); backward kernels
 * accumulate into {@code dx}. Nothing else is modified.
 *
 * <p>Special values follow PyTorch: a {@code -inf} entry gets probability exactly 0; a row
 * that is all {@code -inf} (nothing to attend to) becomes all NaN; a NaN anywhere in a row makes
 * the whole row NaN; {@code +inf} makes the row NaN (inf - inf).
 */
public final class Softmax {
    private Softmax() {}

    /** {@code out[r,:] = softmax(in[r,:])}, contiguous rows. Modifies {@code out}. */
    public static void softmaxRows(float[] out, int outOff, float[] in, int inOff, int rows, int cols) {
        softmaxRows(out, outOff, cols, in, inOff, cols, rows, cols);
    }

    /** {@code out[r,:] = softmax(in[r,:])} with explicit row strides. Modifies {@code out}. */
    public static void softmaxRows(float[] out, int outOff, int ldOut, float[] in, int inOff, int ldIn,
                                   int rows, int cols) {
        checkForward("softmaxRows", out, outOff, ldOut, in, inOff, ldIn, rows, cols);
        for (int r = 0; r < rows; r++) {
            softmaxRow(out, outOff + r * ldOut, in, inOff + r * ldIn, cols);
        }
    }

    /** {@code out[r,:] = logSoftmax(in[r,:])}, contiguous rows. Modifies {@code out}. */
    public static void logSoftmaxRows(float[] out, int outOff, float[] in, int inOff, int rows, int cols) {
        logSoftmaxRows(out, outOff, cols, in, inOff, cols, rows, cols);
    }

    /**
     * {@code out[r,c] = in[r,c] - max_r - log(sum_c exp(in[r,c] - max_r))} with explicit row
     * strides. Modifies {@code out}.
     */
    public static void logSoftmaxRows(float[] out, int outOff, int ldOut, float[] in, int inOff, int ldIn,
                                      int rows, int cols) {
        checkForward("logSoftmaxRows", out, outOff, ldOut, in, inOff, ldIn, rows, cols);
        for (int r = 0; r < rows; r++) {
            logSoftmaxRow(out, outOff + r * ldOut, in, inOff + r * ldIn, cols);
        }
    }

    /**
     * {@code lse[lseOff + r] = log(sum_c exp(in[r,c]))} per row, computed as
     * {@code max + log(sum exp(in - max))}, contiguous rows: the normaliser a cross-entropy loss
     * needs without writing the (rows, cols) log-probabilities. Special values as
     * {@link #logSoftmaxRows} (an all {@code -inf} row gives NaN, {@code +inf} gives NaN).
     * Modifies {@code lse}.
     */
    public static void logSumExpRows(float[] lse, int lseOff, float[] in, int inOff, int rows, int cols) {
        checkLogSumExp("logSumExpRows", lse, lseOff, in, inOff, rows, cols);
        for (int r = 0; r < rows; r++) {
            int p = inOff + r * cols;
            float max = VecReduce.maxUnchecked(in, p, cols);
            lse[lseOff + r] = max + (float) Math.log(expShiftedSumOnly(in, p, cols, max));
        }
    }

    /**
     * {@code out[r,c] = scale * exp(in[r,c] - lse[lseOff + r])}: the softmax rebuilt from a row's
     * log-sum-exp (as {@link #logSumExpRows} gives), scaled, contiguous rows; a cross-entropy's
     * backward without a saved probability matrix. {@code out} may be {@code in} itself (same
     * offset). Modifies {@code out}.
     */
    public static void softmaxFromLogSumExpRows(float[] out, int outOff, float[] in, int inOff, float[] lse, int lseOff,
                                                float scale, int rows, int cols) {
        checkLogSumExp("softmaxFromLogSumExpRows", lse, lseOff, in, inOff, rows, cols);
        KernelArgs.block("softmaxFromLogSumExpRows", "out", out, outOff, cols, rows, cols);
        for (int r = 0; r < rows; r++) {
            int o = outOff + r * cols;
            expShiftedSum(out, o, in, inOff + r * cols, cols, lse[lseOff + r]);
            VecMath.scale(out, o, scale, cols);
        }
    }

    /**
     * Causal softmax of a score block: row {@code i} is the softmax of columns
     * {@code 0..min(cols-1, i+queryOffset)}; the columns after it are written as exactly 0 and
     * never read. Use {@code queryOffset = 0} for a square {@code (T,T)} block and
     * {@code queryOffset = past length} when the queries are the last rows of a KV cache.
     * Modifies {@code out}.
     */
    public static void causalSoftmaxRows(float[] out, int outOff, float[] in, int inOff, int rows, int cols,
                                         int queryOffset) {
        checkCausal("causalSoftmaxRows", queryOffset);
        checkForward("causalSoftmaxRows", out, outOff, cols, in, inOff, cols, rows, cols);
        GroupedSoftmax.forwardRows(out, outOff, in, inOff, rows, cols, queryOffset);
    }

    /**
     * Softmax backward from the output {@code y}: {@code dx += y * (dy - sum_c(dy*y))} per row.
     * Modifies {@code dx}.
     */
    public static void softmaxBackwardRows(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff,
                                           int rows, int cols) {
        checkBackward("softmaxBackwardRows", dx, dxOff, y, yOff, dy, dyOff, rows, cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            softmaxBackwardRow(dx, dxOff + o, y, yOff + o, dy, dyOff + o, cols);
        }
    }

    /**
     * Backward of {@link #causalSoftmaxRows}: like {@link #softmaxBackwardRows} on the unmasked
     * columns of each row; the masked part of {@code dx} is left untouched (its gradient is 0).
     * Modifies {@code dx}.
     */
    public static void causalSoftmaxBackwardRows(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff,
                                                 int rows, int cols, int queryOffset) {
        checkCausal("causalSoftmaxBackwardRows", queryOffset);
        checkBackward("causalSoftmaxBackwardRows", dx, dxOff, y, yOff, dy, dyOff, rows, cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            softmaxBackwardRow(dx, dxOff + o, y, yOff + o, dy, dyOff + o, causalLength(r, cols, queryOffset));
        }
    }

    /**
     * Log-softmax backward from the output {@code y}: {@code dx += dy - exp(y) * sum_c(dy)} per
     * row. Modifies {@code dx}.
     */
    public static void logSoftmaxBackwardRows(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff,
                                              int rows, int cols) {
        checkBackward("logSoftmaxBackwardRows", dx, dxOff, y, yOff, dy, dyOff, rows, cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            logSoftmaxBackwardRow(dx, dxOff + o, y, yOff + o, dy, dyOff + o, cols);
        }
    }

    // ---- one row ------------------------------------------------------------------------------

    /**
     * The vector exp of the row kernels: the polynomial {@link FastExp} (arguments here are
     * always {@code x - max <= 0}). Measured in-process against {@code lanewise(EXP)}, A/B
     * interleaved: 10-30% faster on 3072x64, 768x65 and 768x384 rows. Results under the
     * smallest normal float (e^x for x < -87.3) come out as 0 instead of a subnormal.
     */
    static FloatVector vexp(FloatVector x) {
        return FastExp.exp(x);
    }

    /** The scalar exp of the tails: the same polynomial, so a row is the same function throughout. */
    static float sexp(float x) {
        return FastExp.exp(x);
    }

    // C2 stops inlining once a method's graph passes NodeCountInliningCutoff, and every inlined
    // vector exp is thousands of nodes before optimisation: a row kernel with three exp sites
    // (a loop unrolled by hand plus a remainder) left the lane sum's helper un-inlined, which
    // boxed its vector argument on every row. So each method below has at most one exp site, and
    // the lane sums are written out in place (see Simd).

    private static void softmaxRow(float[] out, int o, float[] in, int p, int c) {
        float max = VecReduce.maxUnchecked(in, p, c);
        float sum = expShiftedSum(out, o, in, p, c, max);
        VecMath.scale(out, o, 1f / sum, c);
    }

    /** out[o+j] = exp(in[p+j] - shift) for j < n; returns their sum. Modifies {@code out}. */
    static float expShiftedSum(float[] out, int o, float[] in, int p, int n, float shift) {
        FloatVector vshift = FloatVector.broadcast(F, shift);
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int bound = F.loopBound(n); j < bound; j += LANES) {
            FloatVector e = vexp(FloatVector.fromArray(F, in, p + j).sub(vshift));
            e.intoArray(out, o + j);
            acc = acc.add(e);
        }
        if (LANES == 16) acc = acc.add(acc.rearrange(FOLD8));
        if (LANES >= 8) acc = acc.add(acc.rearrange(FOLD4));
        acc = acc.add(acc.rearrange(FOLD2));
        float sum = acc.add(acc.rearrange(FOLD1)).lane(0);
        for (; j < n; j++) {
            float e = sexp(in[p + j] - shift);
            out[o + j] = e;
            sum += e;
        }
        return sum;
    }

    /** The sum of exp(in[p+j] - shift) for j < n, nothing stored. */
    private static float expShiftedSumOnly(float[] in, int p, int n, float shift) {
        FloatVector vshift = FloatVector.broadcast(F, shift);
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int bound = F.loopBound(n); j < bound; j += LANES) {
            acc = acc.add(vexp(FloatVector.fromArray(F, in, p + j).sub(vshift)));
        }
        if (LANES == 16) acc = acc.add(acc.rearrange(FOLD8));
        if (LANES >= 8) acc = acc.add(acc.rearrange(FOLD4));
        acc = acc.add(acc.rearrange(FOLD2));
        float sum = acc.add(acc.rearrange(FOLD1)).lane(0);
        for (; j < n; j++) {
            sum += sexp(in[p + j] - shift);
        }
        return sum;
    }

    private static void logSoftmaxRow(float[] out, int o, float[] in, int p, int c) {
        float max = VecReduce.maxUnchecked(in, p, c);
        float logSum = (float) Math.log(expShiftedSumOnly(in, p, c, max));
        FloatVector vmax = FloatVector.broadcast(F, max);
        FloatVector vlog = FloatVector.broadcast(F, logSum);
        int j = 0;
        for (int bound = F.loopBound(c); j < bound; j += LANES) {
            FloatVector.fromArray(F, in, p + j).sub(vmax).sub(vlog).intoArray(out, o + j);
        }
        for (; j < c; j++) {
            out[o + j] = (in[p + j] - max) - logSum;
        }
    }

    // The dot product is a method of its own, arrays in and a float out: written into the row
    // method, the lane tree took it past C2's FreqInlineSize (325 bytes), and the causal backward,
    // whose rows are short, ran 10 % slower calling each row out of line (KernelAB rows).
    private static void softmaxBackwardRow(float[] dx, int d, float[] y, int q, float[] dy, int g, int c) {
        float s = rowDot(dy, g, y, q, c);
        FloatVector vs = FloatVector.broadcast(F, s);
        int j = 0;
        for (int bound = F.loopBound(c); j < bound; j += LANES) {
            FloatVector vy = FloatVector.fromArray(F, y, q + j);
            FloatVector diff = FloatVector.fromArray(F, dy, g + j).sub(vs);
            vy.fma(diff, FloatVector.fromArray(F, dx, d + j)).intoArray(dx, d + j);
        }
        for (; j < c; j++) {
            dx[d + j] += y[q + j] * (dy[g + j] - s);
        }
    }

    /** sum_j dy[g+j] * y[q+j] for j < c: one vector accumulator, the lane tree, then the tail. */
    private static float rowDot(float[] dy, int g, float[] y, int q, int c) {
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int bound = F.loopBound(c); j < bound; j += LANES) {
            acc = FloatVector.fromArray(F, dy, g + j).fma(FloatVector.fromArray(F, y, q + j), acc);
        }
        if (LANES == 16) acc = acc.add(acc.rearrange(FOLD8));
        if (LANES >= 8) acc = acc.add(acc.rearrange(FOLD4));
        acc = acc.add(acc.rearrange(FOLD2));
        float s = acc.add(acc.rearrange(FOLD1)).lane(0);
        for (; j < c; j++) {
            s += dy[g + j] * y[q + j];
        }
        return s;
    }

    private static void logSoftmaxBackwardRow(float[] dx, int d, float[] y, int q, float[] dy, int g, int c) {
        float s = VecReduce.sum(dy, g, c);
        FloatVector vs = FloatVector.broadcast(F, s);
        int j = 0;
        for (int bound = F.loopBound(c); j < bound; j += LANES) {
            FloatVector e = vexp(FloatVector.fromArray(F, y, q + j));
            FloatVector vdx = FloatVector.fromArray(F, dx, d + j).add(FloatVector.fromArray(F, dy, g + j));
            e.neg().fma(vs, vdx).intoArray(dx, d + j);
        }
        for (; j < c; j++) {
            dx[d + j] += dy[g + j] - sexp(y[q + j]) * s;
        }
    }

    // ---- checks, shared with the scalar twin -------------------------------------------------

    static int causalLength(int row, int cols, int queryOffset) {
        return (int) Math.min(cols, (long) row + queryOffset + 1);
    }

    static void checkCausal(String op, int queryOffset) {
        if (queryOffset < 0) {
            throw new IllegalArgumentException(op + ": queryOffset must be >= 0, got " + queryOffset);
        }
    }

    static void checkForward(String op, float[] out, int outOff, int ldOut, float[] in, int inOff, int ldIn,
                             int rows, int cols) {
        if (rows > 0 && cols == 0) {
            throw new IllegalArgumentException(op + ": cannot take a softmax over 0 columns (" + rows + "x0)");
        }
        KernelArgs.block(op, "out", out, outOff, ldOut, rows, cols);
        KernelArgs.block(op, "in", in, inOff, ldIn, rows, cols);
    }

    static void checkLogSumExp(String op, float[] lse, int lseOff, float[] in, int inOff, int rows, int cols) {
        if (rows > 0 && cols == 0) {
            throw new IllegalArgumentException(op + ": cannot take a log-sum-exp over 0 columns (" + rows + "x0)");
        }
        KernelArgs.block(op, "in", in, inOff, cols, rows, cols);
        KernelArgs.range(op, "lse", lse, lseOff, rows);
    }

    static void checkBackward(String op, float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff,
                              int rows, int cols) {
        KernelArgs.block(op, "dx", dx, dxOff, cols, rows, cols);
        KernelArgs.block(op, "y", y, yOff, cols, rows, cols);
        KernelArgs.block(op, "dy", dy, dyOff, cols, rows, cols);
    }
}
