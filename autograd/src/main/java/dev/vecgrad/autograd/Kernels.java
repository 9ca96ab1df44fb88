package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.LayerNormKernel;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.Softmax;
import dev.vecgrad.autograd.kernel.VecFunc;
import dev.vecgrad.autograd.kernel.VecMath;
import dev.vecgrad.autograd.kernel.VecReduce;

/**
 * The contiguous-run kernels the ops call, in one place: a thin seam between the op layer and
 * the {@code kernel} package (SIMD, each with a scalar twin there), so ops never care which
 * implementation runs.
 */
final class Kernels {
    private Kernels() {}

    /** Elementwise runs of at least twice this length are split over the compute pool. */
    static final int CHUNK = 1 << 14;

    /**
     * Runs an elementwise kernel over {@code [0, n)} in fixed chunks of {@link #CHUNK}, in
     * parallel when there are several: each element's result does not depend on the split.
     */
    private static void split(int n, Parallel.IntRangeBody run) {
        if (n < 2 * CHUNK) {
            run.run(0, n);
        } else {
            Parallel.forRange(n, CHUNK, run);
        }
    }

    static void add(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        split(n, (s, e) -> VecMath.add(o, oi + s, a, ai + s, b, bi + s, e - s));
    }

    static void sub(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        split(n, (s, e) -> VecMath.sub(o, oi + s, a, ai + s, b, bi + s, e - s));
    }

    static void mul(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        split(n, (s, e) -> VecMath.mul(o, oi + s, a, ai + s, b, bi + s, e - s));
    }

    static void div(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        split(n, (s, e) -> VecMath.div(o, oi + s, a, ai + s, b, bi + s, e - s));
    }

    static void addScalar(float[] o, int oi, float[] a, int ai, float s, int n) {
        split(n, (lo, hi) -> VecMath.addScalar(o, oi + lo, a, ai + lo, s, hi - lo));
    }

    static void mulScalar(float[] o, int oi, float[] a, int ai, float s, int n) {
        split(n, (lo, hi) -> VecMath.mulScalar(o, oi + lo, a, ai + lo, s, hi - lo));
    }

    /** o += alpha * x */
    static void axpy(float[] o, int oi, float alpha, float[] x, int xi, int n) {
        split(n, (s, e) -> VecMath.axpy(o, oi + s, alpha, x, xi + s, e - s));
    }

    static void exp(float[] o, int oi, float[] a, int ai, int n) {
        split(n, (s, e) -> VecFunc.exp(o, oi + s, a, ai + s, e - s));
    }

    static void log(float[] o, int oi, float[] a, int ai, int n) {
        split(n, (s, e) -> VecFunc.log(o, oi + s, a, ai + s, e - s));
    }

    static void sqrt(float[] o, int oi, float[] a, int ai, int n) {
        split(n, (s, e) -> VecFunc.sqrt(o, oi + s, a, ai + s, e - s));
    }

    static void tanh(float[] o, int oi, float[] a, int ai, int n) {
        split(n, (s, e) -> VecFunc.tanh(o, oi + s, a, ai + s, e - s));
    }

    static void sigmoid(float[] o, int oi, float[] a, int ai, int n) {
        split(n, (s, e) -> VecFunc.sigmoid(o, oi + s, a, ai + s, e - s));
    }

    static void relu(float[] o, int oi, float[] a, int ai, int n) {
        split(n, (s, e) -> VecFunc.relu(o, oi + s, a, ai + s, e - s));
    }

    static void gelu(float[] o, int oi, float[] a, int ai, int n) {
        split(n, (s, e) -> VecFunc.gelu(o, oi + s, a, ai + s, e - s));
    }

    /** dx += dy * gelu'(x) */
    static void geluBackward(float[] dx, float[] x, float[] dy, int n) {
        split(n, (s, e) -> VecFunc.geluBackward(dx, s, x, s, dy, s, e - s));
    }

    /** dx = dy * gelu'(x), dx not read (the bits of {@link #geluBackward} into zeros) */
    static void geluBackwardInto(float[] dx, float[] x, float[] dy, int n) {
        split(n, (s, e) -> VecFunc.geluBackwardInto(dx, s, x, s, dy, s, e - s));
    }

    /** Sum of a contiguous run (vector partial sums gathered in double). */
    static float sum(float[] a, int ai, int n) {
        return VecReduce.sum(a, ai, n);
    }

    // y (rows, cols) = softmax over each row of x
    static void softmaxRows(float[] y, int yOff, float[] x, int xOff, int rows, int cols) {
        Softmax.softmaxRows(y, yOff, x, xOff, rows, cols);
    }

    // y (rows, cols) = log-softmax over each row of x
    static void logSoftmaxRows(float[] y, int yOff, float[] x, int xOff, int rows, int cols) {
        Softmax.logSoftmaxRows(y, yOff, x, xOff, rows, cols);
    }

    // dx += y * (dy - sum(dy * y)) per row
    static void softmaxBackwardRows(float[] dx, float[] y, float[] dy, int rows, int cols) {
        Softmax.softmaxBackwardRows(dx, 0, y, 0, dy, 0, rows, cols);
    }

    // dx += dy - exp(y) * sum(dy) per row (y = log-softmax)
    static void logSoftmaxBackwardRows(float[] dx, float[] y, float[] dy, int rows, int cols) {
        Softmax.logSoftmaxBackwardRows(dx, 0, y, 0, dy, 0, rows, cols);
    }

    // p (T, T) at off, in place: row r becomes the softmax of its entries 0..r, the rest exactly 0
    static void causalSoftmaxRows(float[] p, int off, int t) {
        Softmax.causalSoftmaxRows(p, off, p, off, t, t, 0);
    }

    /** Rows per parallel chunk of the row-wise kernels (layer norm). */
    static final int ROW_CHUNK = 64;

    // out (rows, cols) = (x - mean) * rstd * w + b; mean, rstd (rows) saved; w, b may be null.
    // Rows are independent: chunks of ROW_CHUNK rows run in parallel.
    static void layerNormForward(float[] out, float[] mean, float[] rstd, float[] x, float[] w, float[] b,
                                 int rows, int cols, float eps) {
        Parallel.forRange(rows, ROW_CHUNK, (long) rows * cols >= 2 * CHUNK, (r0, r1) ->
                LayerNormKernel.forward(out, r0 * cols, mean, r0, rstd, r0, x, r0 * cols, w, 0, b, 0, r1 - r0, cols, eps));
    }

    // dx (rows, cols), dw (cols), db (cols) += ... ; any may be null. dx rows are independent; dw and
    // db are summed per chunk of ROW_CHUNK rows into partials, then the partials in chunk order, so
    // the result is the same at any thread count.
    static void layerNormBackward(float[] dx, float[] dw, float[] db, float[] dout, float[] x, float[] mean,
                                  float[] rstd, float[] w, int rows, int cols) {
        int chunks = (rows + ROW_CHUNK - 1) / ROW_CHUNK;
        // Partials from the workspace (zeroed: the kernel adds into them), taken on this thread
        // before the work is handed to the pool.
        long before = Workspace.mark();
        float[] pw = dw == null ? null : Workspace.zeroed(chunks * cols), pb = db == null ? null : Workspace.zeroed(chunks * cols);
        Parallel.forRange(rows, ROW_CHUNK, (long) rows * cols >= 2 * CHUNK, (r0, r1) -> {
            int c = r0 / ROW_CHUNK;
            LayerNormKernel.backward(dx, dx == null ? 0 : r0 * cols, pw, c * cols, pb, c * cols, dout, r0 * cols,
                    x, r0 * cols, mean, r0, rstd, r0, w, 0, r1 - r0, cols);
        });
        for (int c = 0; c < chunks; c++) {
            if (dw != null) VecMath.addInPlace(dw, 0, pw, c * cols, cols);
            if (db != null) VecMath.addInPlace(db, 0, pb, c * cols, cols);
        }
        Workspace.release(pw, before);
        Workspace.release(pb, before);
    }

    // out (rows, cols) += bias (cols) on every row
    static void biasAdd(float[] out, float[] bias, int rows, int cols) {
        LayerNormKernel.biasAdd(out, 0, bias, 0, rows, cols);
    }

    // dbias (cols) += column sums of dout (rows, cols)
    static void biasBackward(float[] dbias, float[] dout, int rows, int cols) {
        LayerNormKernel.biasBackward(dbias, 0, dout, 0, rows, cols);
    }

    // ds (t, t) += backward of the causal softmax of one (t, t) block p[pOff..] given dp; masked part untouched
    static void causalSoftmaxBackward(float[] ds, int dsOff, float[] p, int pOff, float[] dp, int dpOff, int t) {
        Softmax.causalSoftmaxBackwardRows(ds, dsOff, p, pOff, dp, dpOff, t, t, 0);
    }

    /**
     * dsum (cols) += column sums of g (rows, cols), rows added in order; column blocks of 64 run in
     * parallel (each column's sum is computed by one block, so the split changes nothing).
     */
    static void columnSums(float[] dsum, float[] g, int rows, int cols) {
        Parallel.forRange(cols, 64, (long) rows * cols >= 2 * CHUNK, (lo, hi) -> {
            for (int r = 0; r < rows; r++) VecMath.addInPlace(dsum, lo, g, r * cols + lo, hi - lo);
        });
    }
}
