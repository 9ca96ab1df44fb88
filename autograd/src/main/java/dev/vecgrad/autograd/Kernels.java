package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.LayerNormKernel;
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

    static void add(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        VecMath.add(o, oi, a, ai, b, bi, n);
    }

    static void sub(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        VecMath.sub(o, oi, a, ai, b, bi, n);
    }

    static void mul(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        VecMath.mul(o, oi, a, ai, b, bi, n);
    }

    static void div(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        VecMath.div(o, oi, a, ai, b, bi, n);
    }

    static void addScalar(float[] o, int oi, float[] a, int ai, float s, int n) {
        VecMath.addScalar(o, oi, a, ai, s, n);
    }

    static void mulScalar(float[] o, int oi, float[] a, int ai, float s, int n) {
        VecMath.mulScalar(o, oi, a, ai, s, n);
    }

    /** o += alpha * x */
    static void axpy(float[] o, int oi, float alpha, float[] x, int xi, int n) {
        VecMath.axpy(o, oi, alpha, x, xi, n);
    }

    static void exp(float[] o, int oi, float[] a, int ai, int n) {
        VecFunc.exp(o, oi, a, ai, n);
    }

    static void log(float[] o, int oi, float[] a, int ai, int n) {
        VecFunc.log(o, oi, a, ai, n);
    }

    static void sqrt(float[] o, int oi, float[] a, int ai, int n) {
        VecFunc.sqrt(o, oi, a, ai, n);
    }

    static void tanh(float[] o, int oi, float[] a, int ai, int n) {
        VecFunc.tanh(o, oi, a, ai, n);
    }

    static void sigmoid(float[] o, int oi, float[] a, int ai, int n) {
        VecFunc.sigmoid(o, oi, a, ai, n);
    }

    static void relu(float[] o, int oi, float[] a, int ai, int n) {
        VecFunc.relu(o, oi, a, ai, n);
    }

    static void gelu(float[] o, int oi, float[] a, int ai, int n) {
        VecFunc.gelu(o, oi, a, ai, n);
    }

    /** dx += dy * gelu'(x) */
    static void geluBackward(float[] dx, float[] x, float[] dy, int n) {
        VecFunc.geluBackward(dx, 0, x, 0, dy, 0, n);
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

    // out (rows, cols) = (x - mean) * rstd * w + b; mean, rstd (rows) saved; w, b may be null
    static void layerNormForward(float[] out, float[] mean, float[] rstd, float[] x, float[] w, float[] b,
                                 int rows, int cols, float eps) {
        LayerNormKernel.forward(out, 0, mean, 0, rstd, 0, x, 0, w, 0, b, 0, rows, cols, eps);
    }

    // dx (rows, cols), dw (cols), db (cols) += ... ; any may be null
    static void layerNormBackward(float[] dx, float[] dw, float[] db, float[] dout, float[] x, float[] mean,
                                  float[] rstd, float[] w, int rows, int cols) {
        LayerNormKernel.backward(dx, 0, dw, 0, db, 0, dout, 0, x, 0, mean, 0, rstd, 0, w, 0, rows, cols);
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
    static void causalSoftmaxBackward(float[] ds, float[] p, int pOff, float[] dp, int t) {
        Softmax.causalSoftmaxBackwardRows(ds, 0, p, pOff, dp, 0, t, t, 0);
    }
}
