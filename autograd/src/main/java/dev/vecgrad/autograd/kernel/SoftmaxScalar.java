package dev.vecgrad.autograd.kernel;

/**
 * Plain-loop twin of {@link Softmax}: same signatures, shapes, special values and contracts,
 * one element at a time with {@link Math#exp}; the row sums accumulate in double. It is the
 * reference for the SIMD kernels and the fallback where the Vector API is not intrinsified.
 */
public final class SoftmaxScalar {
    private SoftmaxScalar() {}

    /** {@code out[r,:] = softmax(in[r,:])}, contiguous rows. Modifies {@code out}. */
    public static void softmaxRows(float[] out, int outOff, float[] in, int inOff, int rows, int cols) {
        softmaxRows(out, outOff, cols, in, inOff, cols, rows, cols);
    }

    /** {@code out[r,:] = softmax(in[r,:])} with explicit row strides. Modifies {@code out}. */
    public static void softmaxRows(float[] out, int outOff, int ldOut, float[] in, int inOff, int ldIn,
                                   int rows, int cols) {
        Softmax.checkForward("softmaxRows", out, outOff, ldOut, in, inOff, ldIn, rows, cols);
        for (int r = 0; r < rows; r++) {
            softmaxRow(out, outOff + r * ldOut, in, inOff + r * ldIn, cols);
        }
    }

    /** {@code out[r,:] = logSoftmax(in[r,:])}, contiguous rows. Modifies {@code out}. */
    public static void logSoftmaxRows(float[] out, int outOff, float[] in, int inOff, int rows, int cols) {
        logSoftmaxRows(out, outOff, cols, in, inOff, cols, rows, cols);
    }

    /** {@code out[r,:] = logSoftmax(in[r,:])} with explicit row strides. Modifies {@code out}. */
    public static void logSoftmaxRows(float[] out, int outOff, int ldOut, float[] in, int inOff, int ldIn,
                                      int rows, int cols) {
        Softmax.checkForward("logSoftmaxRows", out, outOff, ldOut, in, inOff, ldIn, rows, cols);
        for (int r = 0; r < rows; r++) {
            int o = outOff + r * ldOut;
            int p = inOff + r * ldIn;
            float max = rowMax(in, p, cols);
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(in[p + j] - max);
            }
            float logSum = (float) Math.log(sum);
            for (int j = 0; j < cols; j++) {
                out[o + j] = (in[p + j] - max) - logSum;
            }
        }
    }

    /** Log-sum-exp of each row (see {@link Softmax#logSumExpRows}). Modifies {@code lse}. */
    public static void logSumExpRows(float[] lse, int lseOff, float[] in, int inOff, int rows, int cols) {
        Softmax.checkLogSumExp("logSumExpRows", lse, lseOff, in, inOff, rows, cols);
        for (int r = 0; r < rows; r++) {
            int p = inOff + r * cols;
            float max = rowMax(in, p, cols);
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(in[p + j] - max);
            }
            lse[lseOff + r] = max + (float) Math.log(sum);
        }
    }

    /** Softmax rebuilt from the log-sum-exp, scaled (see {@link Softmax#softmaxFromLogSumExpRows}). Modifies {@code out}. */
    public static void softmaxFromLogSumExpRows(float[] out, int outOff, float[] in, int inOff, float[] lse, int lseOff,
                                                float scale, int rows, int cols) {
        Softmax.checkLogSumExp("softmaxFromLogSumExpRows", lse, lseOff, in, inOff, rows, cols);
        KernelArgs.block("softmaxFromLogSumExpRows", "out", out, outOff, cols, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                out[outOff + r * cols + j] = (float) Math.exp(in[inOff + r * cols + j] - lse[lseOff + r]) * scale;
            }
        }
    }

    /** Causal softmax of a score block (see {@link Softmax#causalSoftmaxRows}). Modifies {@code out}. */
    public static void causalSoftmaxRows(float[] out, int outOff, float[] in, int inOff, int rows, int cols,
                                         int queryOffset) {
        Softmax.checkCausal("causalSoftmaxRows", queryOffset);
        Softmax.checkForward("causalSoftmaxRows", out, outOff, cols, in, inOff, cols, rows, cols);
        for (int r = 0; r < rows; r++) {
            int len = Softmax.causalLength(r, cols, queryOffset);
            softmaxRow(out, outOff + r * cols, in, inOff + r * cols, len);
            for (int j = len; j < cols; j++) {
                out[outOff + r * cols + j] = 0f;
            }
        }
    }

    /** {@code dx += y * (dy - sum_c(dy*y))} per row. Modifies {@code dx}. */
    public static void softmaxBackwardRows(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff,
                                           int rows, int cols) {
        Softmax.checkBackward("softmaxBackwardRows", dx, dxOff, y, yOff, dy, dyOff, rows, cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            softmaxBackwardRow(dx, dxOff + o, y, yOff + o, dy, dyOff + o, cols);
        }
    }

    /** Backward of {@link #causalSoftmaxRows} on the unmasked columns. Modifies {@code dx}. */
    public static void causalSoftmaxBackwardRows(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff,
                                                 int rows, int cols, int queryOffset) {
        Softmax.checkCausal("causalSoftmaxBackwardRows", queryOffset);
        Softmax.checkBackward("causalSoftmaxBackwardRows", dx, dxOff, y, yOff, dy, dyOff, rows, cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            softmaxBackwardRow(dx, dxOff + o, y, yOff + o, dy, dyOff + o, Softmax.causalLength(r, cols, queryOffset));
        }
    }

    /** {@code dx += dy - exp(y) * sum_c(dy)} per row. Modifies {@code dx}. */
    public static void logSoftmaxBackwardRows(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff,
                                              int rows, int cols) {
        Softmax.checkBackward("logSoftmaxBackwardRows", dx, dxOff, y, yOff, dy, dyOff, rows, cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += dy[dyOff + o + j];
            }
            float s = (float) sum;
            for (int j = 0; j < cols; j++) {
                dx[dxOff + o + j] += dy[dyOff + o + j] - (float) Math.exp(y[yOff + o + j]) * s;
            }
        }
    }

    private static float rowMax(float[] in, int p, int c) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            max = Math.max(max, in[p + j]);
        }
        return max;
    }

    private static void softmaxRow(float[] out, int o, float[] in, int p, int c) {
        float max = rowMax(in, p, c);
        double sum = 0;
        for (int j = 0; j < c; j++) {
            float e = (float) Math.exp(in[p + j] - max);
            out[o + j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < c; j++) {
            out[o + j] *= inv;
        }
    }

    private static void softmaxBackwardRow(float[] dx, int d, float[] y, int q, float[] dy, int g, int c) {
        double sum = 0;
        for (int j = 0; j < c; j++) {
            sum += (double) dy[g + j] * y[q + j];
        }
        float s = (float) sum;
        for (int j = 0; j < c; j++) {
            dx[d + j] += y[q + j] * (dy[g + j] - s);
        }
    }
}
