package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.Simd.F;
import static dev.vecgrad.autograd.kernel.Simd.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * SIMD elementwise arithmetic on contiguous runs of {@code float[]}; twin of
 * {@link VecMathScalar} (same signatures, same results up to the rounding stated per method).
 *
 * <p>Every method takes {@code (array, offset)} pairs, outputs first, then inputs, then the
 * length {@code n}. Shapes: all runs are 1-d of length {@code n}. Only the first array (the
 * output) is modified. An output may be the same run as an input (in place), but runs must not
 * partially overlap. Loops end with a scalar tail rather than masked vectors: masks cost
 * 30-50% on odd lengths on AVX2.
 */
public final class VecMath {
    private VecMath() {}

    /** {@code out[i] = a[i] + b[i]}. Modifies {@code out}. */
    public static void add(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        check3("add", out, outOff, a, aOff, b, bOff, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).add(FloatVector.fromArray(F, b, bOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = a[aOff + i] + b[bOff + i];
        }
    }

    /** {@code out[i] = a[i] - b[i]}. Modifies {@code out}. */
    public static void sub(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        check3("sub", out, outOff, a, aOff, b, bOff, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).sub(FloatVector.fromArray(F, b, bOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = a[aOff + i] - b[bOff + i];
        }
    }

    /** {@code out[i] = a[i] * b[i]}. Modifies {@code out}. */
    public static void mul(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        check3("mul", out, outOff, a, aOff, b, bOff, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).mul(FloatVector.fromArray(F, b, bOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = a[aOff + i] * b[bOff + i];
        }
    }

    /** {@code out[i] = a[i] / b[i]} (IEEE: x/0 is ±inf, 0/0 is NaN). Modifies {@code out}. */
    public static void div(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        check3("div", out, outOff, a, aOff, b, bOff, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).div(FloatVector.fromArray(F, b, bOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = a[aOff + i] / b[bOff + i];
        }
    }

    /** {@code out[i] = a[i] + s}. Modifies {@code out}. */
    public static void addScalar(float[] out, int outOff, float[] a, int aOff, float s, int n) {
        check2("addScalar", out, outOff, a, aOff, n);
        FloatVector vs = FloatVector.broadcast(F, s);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).add(vs).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = a[aOff + i] + s;
        }
    }

    /** {@code out[i] = a[i] * s}. Modifies {@code out}. */
    public static void mulScalar(float[] out, int outOff, float[] a, int aOff, float s, int n) {
        check2("mulScalar", out, outOff, a, aOff, n);
        FloatVector vs = FloatVector.broadcast(F, s);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).mul(vs).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = a[aOff + i] * s;
        }
    }

    /** {@code out[i] = -a[i]}. Modifies {@code out}. */
    public static void neg(float[] out, int outOff, float[] a, int aOff, int n) {
        check2("neg", out, outOff, a, aOff, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).neg().intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = -a[aOff + i];
        }
    }

    /** {@code out[i] += a[i]} (gradient accumulation). Modifies {@code out}. */
    public static void addInPlace(float[] out, int outOff, float[] a, int aOff, int n) {
        check2("addInPlace", out, outOff, a, aOff, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, out, outOff + i).add(FloatVector.fromArray(F, a, aOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] += a[aOff + i];
        }
    }

    /**
     * {@code out[i] += a[i] * b[i]} (e.g. the backward of mul and of exp). The vector path uses a
     * fused multiply-add (one rounding), the scalar twin two roundings. Modifies {@code out}.
     */
    public static void mulAddInPlace(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        check3("mulAddInPlace", out, outOff, a, aOff, b, bOff, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i)
                    .fma(FloatVector.fromArray(F, b, bOff + i), FloatVector.fromArray(F, out, outOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = Math.fma(a[aOff + i], b[bOff + i], out[outOff + i]);
        }
    }

    /** {@code out[i] += alpha * x[i]} (BLAS axpy; fused multiply-add). Modifies {@code out}. */
    public static void axpy(float[] out, int outOff, float alpha, float[] x, int xOff, int n) {
        check2("axpy", out, outOff, x, xOff, n);
        FloatVector va = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).fma(va, FloatVector.fromArray(F, out, outOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = Math.fma(alpha, x[xOff + i], out[outOff + i]);
        }
    }

    /** {@code out[i] *= s}. Modifies {@code out}. */
    public static void scale(float[] out, int outOff, float s, int n) {
        KernelArgs.range("scale", "out", out, outOff, n);
        FloatVector vs = FloatVector.broadcast(F, s);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, out, outOff + i).mul(vs).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] *= s;
        }
    }

    /**
     * Dropout's apply: {@code out[i] = a[i] * s} where bit {@code bitOff + i} of {@code bits} is
     * set (bit {@code j} is bit {@code j & 63} of {@code bits[j >>> 6]}), else {@code 0}. Each
     * vector's bits become one lane mask, and the last partial vector is one masked load and store:
     * attention applies this to every causal row, of lengths 1 to T, where a tail of up to 15
     * elements, each a branch on a random bit, took about as long as the rest of the row.
     * Modifies {@code out}.
     */
    public static void maskedScale(float[] out, int outOff, float[] a, int aOff, long[] bits, int bitOff, float s, int n) {
        check2("maskedScale", out, outOff, a, aOff, n);
        checkBits("maskedScale", bits, bitOff, n);
        FloatVector vs = FloatVector.broadcast(F, s), zero = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            int bit = bitOff + i, word = bit >>> 6, shift = bit & 63;
            long lanes = bits[word] >>> shift;
            if (shift + LANES > 64) lanes |= bits[word + 1] << (64 - shift);
            VectorMask<Float> kept = VectorMask.fromLong(F, lanes);
            zero.blend(FloatVector.fromArray(F, a, aOff + i).mul(vs), kept).intoArray(out, outOff + i);
        }
        if (i < n) {
            VectorMask<Float> live = F.indexInRange(i, n);
            int bit = bitOff + i, word = bit >>> 6, shift = bit & 63;
            long lanes = bits[word] >>> shift;
            if (shift + (n - i) > 64) lanes |= bits[word + 1] << (64 - shift);
            VectorMask<Float> kept = VectorMask.fromLong(F, lanes).and(live);
            zero.blend(FloatVector.fromArray(F, a, aOff + i, live).mul(vs), kept).intoArray(out, outOff + i, live);
        }
    }

    static void checkBits(String op, long[] bits, int bitOff, int n) {
        if (bits == null || bitOff < 0 || (long) bitOff + n > 64L * bits.length) {
            throw new IllegalArgumentException(op + ": bits [" + bitOff + ", " + ((long) bitOff + n) + ") outside "
                    + (bits == null ? "null" : 64L * bits.length + " bits"));
        }
    }

    /** {@code out[i] = value}. Modifies {@code out}. */
    public static void fill(float[] out, int outOff, float value, int n) {
        KernelArgs.range("fill", "out", out, outOff, n);
        FloatVector vv = FloatVector.broadcast(F, value);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            vv.intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = value;
        }
    }

    static void check2(String op, float[] out, int outOff, float[] a, int aOff, int n) {
        KernelArgs.range(op, "out", out, outOff, n);
        KernelArgs.range(op, "a", a, aOff, n);
    }

    static void check3(String op, float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        check2(op, out, outOff, a, aOff, n);
        KernelArgs.range(op, "b", b, bOff, n);
    }
}
