package dev.vecgrad.autograd.kernel;

/**
 * Plain-loop twin of {@link VecMath}: the same signatures and contracts, one element at a time.
 * It is the reference the SIMD kernels are tested against and the fallback where the Vector API
 * is not intrinsified. Shapes: all runs are 1-d of length {@code n}; only the first array is
 * modified.
 */
public final class VecMathScalar {
    private VecMathScalar() {}

    /** {@code out[i] = a[i] + b[i]}. Modifies {@code out}. */
    public static void add(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        VecMath.check3("add", out, outOff, a, aOff, b, bOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i] + b[bOff + i];
        }
    }

    /** {@code out[i] = a[i] - b[i]}. Modifies {@code out}. */
    public static void sub(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        VecMath.check3("sub", out, outOff, a, aOff, b, bOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i] - b[bOff + i];
        }
    }

    /** {@code out[i] = a[i] * b[i]}. Modifies {@code out}. */
    public static void mul(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        VecMath.check3("mul", out, outOff, a, aOff, b, bOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i] * b[bOff + i];
        }
    }

    /** {@code out[i] = a[i] / b[i]}. Modifies {@code out}. */
    public static void div(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        VecMath.check3("div", out, outOff, a, aOff, b, bOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i] / b[bOff + i];
        }
    }

    /** {@code out[i] = a[i] + s}. Modifies {@code out}. */
    public static void addScalar(float[] out, int outOff, float[] a, int aOff, float s, int n) {
        VecMath.check2("addScalar", out, outOff, a, aOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i] + s;
        }
    }

    /** {@code out[i] = a[i] * s}. Modifies {@code out}. */
    public static void mulScalar(float[] out, int outOff, float[] a, int aOff, float s, int n) {
        VecMath.check2("mulScalar", out, outOff, a, aOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i] * s;
        }
    }

    /** {@code out[i] = -a[i]}. Modifies {@code out}. */
    public static void neg(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("neg", out, outOff, a, aOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = -a[aOff + i];
        }
    }

    /** {@code out[i] += a[i]}. Modifies {@code out}. */
    public static void addInPlace(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("addInPlace", out, outOff, a, aOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] += a[aOff + i];
        }
    }

    /** {@code out[i] += a[i] * b[i]} (two roundings). Modifies {@code out}. */
    public static void mulAddInPlace(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        VecMath.check3("mulAddInPlace", out, outOff, a, aOff, b, bOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] += a[aOff + i] * b[bOff + i];
        }
    }

    /** Scalar twin of {@link VecMath#maskedScale}. */
    public static void maskedScale(float[] out, int outOff, float[] a, int aOff, long[] bits, int bitOff, float s, int n) {
        VecMath.check2("maskedScale", out, outOff, a, aOff, n);
        VecMath.checkBits("maskedScale", bits, bitOff, n);
        for (int i = 0; i < n; i++) {
            int bit = bitOff + i;
            out[outOff + i] = ((bits[bit >>> 6] >>> (bit & 63)) & 1L) != 0 ? a[aOff + i] * s : 0f;
        }
    }

    /** {@code out[i] += alpha * x[i]} (two roundings). Modifies {@code out}. */
    public static void axpy(float[] out, int outOff, float alpha, float[] x, int xOff, int n) {
        VecMath.check2("axpy", out, outOff, x, xOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] += alpha * x[xOff + i];
        }
    }

    /** {@code out[i] *= s}. Modifies {@code out}. */
    public static void scale(float[] out, int outOff, float s, int n) {
        KernelArgs.range("scale", "out", out, outOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] *= s;
        }
    }

    /** {@code out[i] = value}. Modifies {@code out}. */
    public static void fill(float[] out, int outOff, float value, int n) {
        KernelArgs.range("fill", "out", out, outOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = value;
        }
    }
}
