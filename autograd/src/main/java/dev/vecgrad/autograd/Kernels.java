package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.VecMath;

/**
 * The contiguous-run kernels the ops call, in one place: a thin seam between the op layer and
 * the {@code kernel} package, so ops never care which implementation runs.
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
        VecMath.exp(o, oi, a, ai, n);
    }

    static void log(float[] o, int oi, float[] a, int ai, int n) {
        for (int i = 0; i < n; i++) o[oi + i] = (float) Math.log(a[ai + i]);
    }

    static void sqrt(float[] o, int oi, float[] a, int ai, int n) {
        for (int i = 0; i < n; i++) o[oi + i] = (float) Math.sqrt(a[ai + i]);
    }

    static void tanh(float[] o, int oi, float[] a, int ai, int n) {
        VecMath.tanh(o, oi, a, ai, n);
    }

    static void sigmoid(float[] o, int oi, float[] a, int ai, int n) {
        for (int i = 0; i < n; i++) o[oi + i] = (float) (1.0 / (1.0 + Math.exp(-a[ai + i])));
    }

    static void relu(float[] o, int oi, float[] a, int ai, int n) {
        for (int i = 0; i < n; i++) {
            float v = a[ai + i];
            o[oi + i] = v > 0 || Float.isNaN(v) ? v : 0f;
        }
    }

    /** Sum of a contiguous run (vector partial sums combined in double). */
    static float sum(float[] a, int ai, int n) {
        return VecMath.sum(a, ai, n);
    }

    // y (rows, cols) = softmax over each row of x
    static void softmaxRows(float[] y, int yOff, float[] x, int xOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * cols, yi = yOff + r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = Math.max(max, x[xi + c]);
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                float e = (float) Math.exp(x[xi + c] - max);
                y[yi + c] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int c = 0; c < cols; c++) y[yi + c] *= inv;
        }
    }

    // y (rows, cols) = x - max - log(sum(exp(x - max))) over each row
    static void logSoftmaxRows(float[] y, int yOff, float[] x, int xOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * cols, yi = yOff + r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = Math.max(max, x[xi + c]);
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.exp(x[xi + c] - max);
            float lse = max + (float) Math.log(sum);
            for (int c = 0; c < cols; c++) y[yi + c] = x[xi + c] - lse;
        }
    }

    // dx += y * (dy - sum(dy * y)) per row
    static void softmaxBackwardRows(float[] dx, float[] y, float[] dy, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double dot = 0;
            for (int c = 0; c < cols; c++) dot += dy[o + c] * y[o + c];
            float d = (float) dot;
            for (int c = 0; c < cols; c++) dx[o + c] += y[o + c] * (dy[o + c] - d);
        }
    }

    // dx += dy - exp(y) * sum(dy) per row (y = log-softmax)
    static void logSoftmaxBackwardRows(float[] dx, float[] y, float[] dy, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double s = 0;
            for (int c = 0; c < cols; c++) s += dy[o + c];
            float sf = (float) s;
            for (int c = 0; c < cols; c++) dx[o + c] += dy[o + c] - (float) Math.exp(y[o + c]) * sf;
        }
    }

    // out (rows, cols) = (x - mean) * rstd * w + b; mean, rstd (rows) saved
    static void layerNormForward(float[] out, float[] mean, float[] rstd, float[] x, float[] w, float[] b,
                                 int rows, int cols, float eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double s = 0;
            for (int c = 0; c < cols; c++) s += x[o + c];
            float m = (float) (s / cols);
            double v = 0;
            for (int c = 0; c < cols; c++) {
                float d = x[o + c] - m;
                v += d * d;
            }
            float rs = (float) (1.0 / Math.sqrt(v / cols + eps));
            mean[r] = m;
            rstd[r] = rs;
            for (int c = 0; c < cols; c++) {
                float n = (x[o + c] - m) * rs;
                out[o + c] = n * (w == null ? 1f : w[c]) + (b == null ? 0f : b[c]);
            }
        }
    }

    // dx (rows, cols), dw (cols), db (cols) += ... ; any may be null
    static void layerNormBackward(float[] dx, float[] dw, float[] db, float[] dout, float[] x, float[] mean,
                                  float[] rstd, float[] w, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float m = mean[r], rs = rstd[r];
            double dnormMean = 0, dnormNormMean = 0;
            for (int c = 0; c < cols; c++) {
                float n = (x[o + c] - m) * rs;
                float dn = dout[o + c] * (w == null ? 1f : w[c]);
                dnormMean += dn;
                dnormNormMean += dn * n;
                if (db != null) db[c] += dout[o + c];
                if (dw != null) dw[c] += n * dout[o + c];
            }
            if (dx == null) continue;
            float a = (float) (dnormMean / cols), bb = (float) (dnormNormMean / cols);
            for (int c = 0; c < cols; c++) {
                float n = (x[o + c] - m) * rs;
                float dn = dout[o + c] * (w == null ? 1f : w[c]);
                dx[o + c] += (dn - a - n * bb) * rs;
            }
        }
    }

    // p (T, T) at off: row r becomes softmax of its entries 0..r; entries above the diagonal become 0
    static void causalSoftmaxRows(float[] p, int off, int t) {
        for (int r = 0; r < t; r++) {
            int o = off + r * t;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c <= r; c++) max = Math.max(max, p[o + c]);
            double sum = 0;
            for (int c = 0; c <= r; c++) {
                float e = (float) Math.exp(p[o + c] - max);
                p[o + c] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int c = 0; c <= r; c++) p[o + c] *= inv;
            for (int c = r + 1; c < t; c++) p[o + c] = 0f;
        }
    }
}
