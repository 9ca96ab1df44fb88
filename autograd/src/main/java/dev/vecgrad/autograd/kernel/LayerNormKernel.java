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
 * SIMD layer normalisation over the last dimension, its backward, and the fused bias add of a
 * linear layer; twin of {@link LayerNormKernelScalar}. The math is llm.c's
 * {@code layernorm_forward/backward}.
 *
 * <p>Shapes: {@code x, out, dout, dx} are {@code (rows, cols)} row-major and contiguous;
 * {@code weight, bias, dweight, dbias} are {@code (cols)}; {@code mean, rstd} are {@code (rows)}.
 * A null {@code weight} means all ones and a null {@code bias} all zeros; a null gradient array
 * means that gradient is not wanted. Every array is given with its offset.
 */
public final class LayerNormKernel {
    private LayerNormKernel() {}

    /**
     * {@code out[r,:] = (x[r,:] - mean_r) * rstd_r * weight + bias} with
     * {@code rstd_r = 1/sqrt(var_r + eps)} (biased variance, as PyTorch). Modifies {@code out},
     * and {@code mean}, {@code rstd} (saved for backward) unless they are null.
     */
    public static void forward(float[] out, int outOff, float[] mean, int meanOff, float[] rstd, int rstdOff,
                               float[] x, int xOff, float[] weight, int weightOff, float[] bias, int biasOff,
                               int rows, int cols, float eps) {
        checkForward(out, outOff, mean, meanOff, rstd, rstdOff, x, xOff, weight, weightOff, bias, biasOff, rows, cols);
        for (int r = 0; r < rows; r++) {
            int p = xOff + r * cols;
            int o = outOff + r * cols;
            float m = rowSum(x, p, cols) / cols;
            FloatVector vm = FloatVector.broadcast(F, m);
            FloatVector acc = FloatVector.zero(F);
            int j = 0;
            for (int bound = F.loopBound(cols); j < bound; j += LANES) {
                FloatVector d = FloatVector.fromArray(F, x, p + j).sub(vm);
                acc = d.fma(d, acc);
            }
            if (LANES == 16) acc = acc.add(acc.rearrange(FOLD8));
            if (LANES >= 8) acc = acc.add(acc.rearrange(FOLD4));
            acc = acc.add(acc.rearrange(FOLD2));
            float var = acc.add(acc.rearrange(FOLD1)).lane(0);
            for (; j < cols; j++) {
                float d = x[p + j] - m;
                var += d * d;
            }
            float s = (float) (1.0 / Math.sqrt(var / cols + eps));
            FloatVector vs = FloatVector.broadcast(F, s);
            j = 0;
            for (int bound = F.loopBound(cols); j < bound; j += LANES) {
                FloatVector n = FloatVector.fromArray(F, x, p + j).sub(vm).mul(vs);
                if (weight != null) {
                    n = n.mul(FloatVector.fromArray(F, weight, weightOff + j));
                }
                if (bias != null) {
                    n = n.add(FloatVector.fromArray(F, bias, biasOff + j));
                }
                n.intoArray(out, o + j);
            }
            for (; j < cols; j++) {
                float n = (x[p + j] - m) * s;
                if (weight != null) {
                    n *= weight[weightOff + j];
                }
                if (bias != null) {
                    n += bias[biasOff + j];
                }
                out[o + j] = n;
            }
            if (mean != null) {
                mean[meanOff + r] = m;
            }
            if (rstd != null) {
                rstd[rstdOff + r] = s;
            }
        }
    }

    /**
     * Accumulates the gradients of {@link #forward}: with {@code n = (x-mean)*rstd} and
     * {@code g = weight*dout}, {@code dbias += dout}, {@code dweight += n*dout},
     * {@code dx += (g - mean_c(g) - n*mean_c(g*n)) * rstd}. Modifies {@code dx}, {@code dweight},
     * {@code dbias} (each may be null = not needed); {@code mean, rstd} must be the ones forward saved.
     */
    public static void backward(float[] dx, int dxOff, float[] dweight, int dweightOff, float[] dbias, int dbiasOff,
                                float[] dout, int doutOff, float[] x, int xOff, float[] mean, int meanOff,
                                float[] rstd, int rstdOff, float[] weight, int weightOff, int rows, int cols) {
        checkBackward(dx, dxOff, dweight, dweightOff, dbias, dbiasOff, dout, doutOff, x, xOff, mean, meanOff,
                rstd, rstdOff, weight, weightOff, rows, cols);
        for (int r = 0; r < rows; r++) {
            int p = xOff + r * cols;
            int g = doutOff + r * cols;
            FloatVector vm = FloatVector.broadcast(F, mean[meanOff + r]);
            float s = rstd[rstdOff + r];
            FloatVector vs = FloatVector.broadcast(F, s);
            float m = mean[meanOff + r];
            float gMean = 0f;
            float gnMean = 0f;
            if (dx != null) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0;
                int j = 0;
                for (int bound = F.loopBound(cols); j < bound; j += LANES) {
                    FloatVector n = FloatVector.fromArray(F, x, p + j).sub(vm).mul(vs);
                    FloatVector gr = FloatVector.fromArray(F, dout, g + j);
                    if (weight != null) {
                        gr = gr.mul(FloatVector.fromArray(F, weight, weightOff + j));
                    }
                    a0 = a0.add(gr);
                    a1 = gr.fma(n, a1);
                }
                if (LANES == 16) a0 = a0.add(a0.rearrange(FOLD8));
                if (LANES >= 8) a0 = a0.add(a0.rearrange(FOLD4));
                a0 = a0.add(a0.rearrange(FOLD2));
                gMean = a0.add(a0.rearrange(FOLD1)).lane(0);
                if (LANES == 16) a1 = a1.add(a1.rearrange(FOLD8));
                if (LANES >= 8) a1 = a1.add(a1.rearrange(FOLD4));
                a1 = a1.add(a1.rearrange(FOLD2));
                gnMean = a1.add(a1.rearrange(FOLD1)).lane(0);
                for (; j < cols; j++) {
                    float n = (x[p + j] - m) * s;
                    float gr = dout[g + j] * (weight == null ? 1f : weight[weightOff + j]);
                    gMean += gr;
                    gnMean += gr * n;
                }
                gMean /= cols;
                gnMean /= cols;
            }
            FloatVector vgm = FloatVector.broadcast(F, gMean);
            FloatVector vgnm = FloatVector.broadcast(F, gnMean);
            int j = 0;
            for (int bound = F.loopBound(cols); j < bound; j += LANES) {
                FloatVector n = FloatVector.fromArray(F, x, p + j).sub(vm).mul(vs);
                FloatVector d = FloatVector.fromArray(F, dout, g + j);
                if (dbias != null) {
                    FloatVector.fromArray(F, dbias, dbiasOff + j).add(d).intoArray(dbias, dbiasOff + j);
                }
                if (dweight != null) {
                    n.fma(d, FloatVector.fromArray(F, dweight, dweightOff + j)).intoArray(dweight, dweightOff + j);
                }
                if (dx != null) {
                    FloatVector gr = weight == null ? d : d.mul(FloatVector.fromArray(F, weight, weightOff + j));
                    FloatVector v = gr.sub(vgm).sub(n.mul(vgnm)).mul(vs);
                    FloatVector.fromArray(F, dx, dxOff + r * cols + j).add(v).intoArray(dx, dxOff + r * cols + j);
                }
            }
            for (; j < cols; j++) {
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

    /** {@code out[r,c] += bias[c]}: the bias of a linear layer, fused. Modifies {@code out}. */
    public static void biasAdd(float[] out, int outOff, float[] bias, int biasOff, int rows, int cols) {
        KernelArgs.block("biasAdd", "out", out, outOff, cols, rows, cols);
        KernelArgs.range("biasAdd", "bias", bias, biasOff, cols);
        for (int r = 0; r < rows; r++) {
            VecMath.addInPlace(out, outOff + r * cols, bias, biasOff, cols);
        }
    }

    /**
     * {@code dbias[c] += sum_r dout[r,c]}, row after row (the same order as the scalar twin).
     * Modifies {@code dbias}.
     */
    public static void biasBackward(float[] dbias, int dbiasOff, float[] dout, int doutOff, int rows, int cols) {
        KernelArgs.range("biasBackward", "dbias", dbias, dbiasOff, cols);
        KernelArgs.block("biasBackward", "dout", dout, doutOff, cols, rows, cols);
        for (int r = 0; r < rows; r++) {
            VecMath.addInPlace(dbias, dbiasOff, dout, doutOff + r * cols, cols);
        }
    }

    private static float rowSum(float[] x, int p, int c) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int j = 0;
        for (int bound = c - c % (2 * LANES); j < bound; j += 2 * LANES) {
            a0 = a0.add(FloatVector.fromArray(F, x, p + j));
            a1 = a1.add(FloatVector.fromArray(F, x, p + j + LANES));
        }
        FloatVector acc = a0.add(a1);
        if (LANES == 16) acc = acc.add(acc.rearrange(FOLD8));
        if (LANES >= 8) acc = acc.add(acc.rearrange(FOLD4));
        acc = acc.add(acc.rearrange(FOLD2));
        float sum = acc.add(acc.rearrange(FOLD1)).lane(0);
        for (; j < c; j++) {
            sum += x[p + j];
        }
        return sum;
    }

    static void checkForward(float[] out, int outOff, float[] mean, int meanOff, float[] rstd, int rstdOff,
                             float[] x, int xOff, float[] weight, int weightOff, float[] bias, int biasOff,
                             int rows, int cols) {
        String op = "layerNorm";
        if (rows > 0 && cols == 0) {
            throw new IllegalArgumentException(op + ": cannot normalise rows of 0 columns (" + rows + "x0)");
        }
        KernelArgs.block(op, "out", out, outOff, cols, rows, cols);
        KernelArgs.block(op, "x", x, xOff, cols, rows, cols);
        KernelArgs.optionalRange(op, "mean", mean, meanOff, rows);
        KernelArgs.optionalRange(op, "rstd", rstd, rstdOff, rows);
        KernelArgs.optionalRange(op, "weight", weight, weightOff, cols);
        KernelArgs.optionalRange(op, "bias", bias, biasOff, cols);
    }

    static void checkBackward(float[] dx, int dxOff, float[] dweight, int dweightOff, float[] dbias, int dbiasOff,
                              float[] dout, int doutOff, float[] x, int xOff, float[] mean, int meanOff,
                              float[] rstd, int rstdOff, float[] weight, int weightOff, int rows, int cols) {
        String op = "layerNormBackward";
        KernelArgs.block(op, "dout", dout, doutOff, cols, rows, cols);
        KernelArgs.block(op, "x", x, xOff, cols, rows, cols);
        KernelArgs.range(op, "mean", mean, meanOff, rows);
        KernelArgs.range(op, "rstd", rstd, rstdOff, rows);
        KernelArgs.optionalRange(op, "weight", weight, weightOff, cols);
        KernelArgs.optionalRange(op, "dweight", dweight, dweightOff, cols);
        KernelArgs.optionalRange(op, "dbias", dbias, dbiasOff, cols);
        if (dx != null) {
            KernelArgs.block(op, "dx", dx, dxOff, cols, rows, cols);
        }
    }
}
