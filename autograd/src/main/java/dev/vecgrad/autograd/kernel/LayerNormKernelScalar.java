package dev.vecgrad.autograd.kernel;

/**
 * Plain-loop twin of {@link LayerNormKernel}: same signatures, shapes and contracts; the row
 * statistics accumulate in double. It is the reference for the SIMD kernels.
 */
public final class LayerNormKernelScalar {
    private LayerNormKernelScalar() {}

    /** See {@link LayerNormKernel#forward}. Modifies {@code out}, and {@code mean, rstd} if not null. */
    public static void forward(float[] out, int outOff, float[] mean, int meanOff, float[] rstd, int rstdOff,
                               float[] x, int xOff, float[] weight, int weightOff, float[] bias, int biasOff,
                               int rows, int cols, float eps) {
        LayerNormKernel.checkForward(out, outOff, mean, meanOff, rstd, rstdOff, x, xOff, weight, weightOff,
                bias, biasOff, rows, cols);
        for (int r = 0; r < rows; r++) {
            int p = xOff + r * cols;
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += x[p + j];
            }
            float m = (float) (sum / cols);
            double var = 0;
            for (int j = 0; j < cols; j++) {
                double d = x[p + j] - m;
                var += d * d;
            }
            float s = (float) (1.0 / Math.sqrt((float) (var / cols) + eps));
            for (int j = 0; j < cols; j++) {
                float n = (x[p + j] - m) * s;
                float w = weight == null ? 1f : weight[weightOff + j];
                float b = bias == null ? 0f : bias[biasOff + j];
                out[outOff + r * cols + j] = n * w + b;
            }
            if (mean != null) {
                mean[meanOff + r] = m;
            }
            if (rstd != null) {
                rstd[rstdOff + r] = s;
            }
        }
    }

    /** See {@link LayerNormKernel#backward}. Modifies {@code dx, dweight, dbias} (each may be null). */
    public static void backward(float[] dx, int dxOff, float[] dweight, int dweightOff, float[] dbias, int dbiasOff,
                                float[] dout, int doutOff, float[] x, int xOff, float[] mean, int meanOff,
                                float[] rstd, int rstdOff, float[] weight, int weightOff, int rows, int cols) {
        LayerNormKernel.checkBackward(dx, dxOff, dweight, dweightOff, dbias, dbiasOff, dout, doutOff, x, xOff,
                mean, meanOff, rstd, rstdOff, weight, weightOff, rows, cols);
        for (int r = 0; r < rows; r++) {
            int p = xOff + r * cols;
            int g = doutOff + r * cols;
            float m = mean[meanOff + r];
            float s = rstd[rstdOff + r];
            double gSum = 0;
            double gnSum = 0;
            for (int j = 0; j < cols; j++) {
                float n = (x[p + j] - m) * s;
                float gr = dout[g + j] * (weight == null ? 1f : weight[weightOff + j]);
                gSum += gr;
                gnSum += (double) gr * n;
            }
            float gMean = (float) (gSum / cols);
            float gnMean = (float) (gnSum / cols);
            for (int j = 0; j < cols; j++) {
                float n = (x[p + j] - m) * s;
                float d = dout[g + j];
                if (dbias != null) {
                    dbias[dbiasOff + j] += d;
                }
                if (dweight != null) {
                    dweight[dweightOff + j] += n * d;
                }
                if (dx != null) {
                    float gr = d * (weight == null ? 1f : weight[weightOff + j]);
                    dx[dxOff + r * cols + j] += (gr - gMean - n * gnMean) * s;
                }
            }
        }
    }

    /** {@code out[r,c] += bias[c]}. Modifies {@code out}. */
    public static void biasAdd(float[] out, int outOff, float[] bias, int biasOff, int rows, int cols) {
        KernelArgs.block("biasAdd", "out", out, outOff, cols, rows, cols);
        KernelArgs.range("biasAdd", "bias", bias, biasOff, cols);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                out[outOff + r * cols + j] += bias[biasOff + j];
            }
        }
    }

    /** {@code dbias[c] += sum_r dout[r,c]}, row after row. Modifies {@code dbias}. */
    public static void biasBackward(float[] dbias, int dbiasOff, float[] dout, int doutOff, int rows, int cols) {
        KernelArgs.range("biasBackward", "dbias", dbias, dbiasOff, cols);
        KernelArgs.block("biasBackward", "dout", dout, doutOff, cols, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                dbias[dbiasOff + j] += dout[doutOff + r * cols + j];
            }
        }
    }
}
