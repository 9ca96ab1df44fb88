package dev.vecgrad.autograd.kernel;

/**
 * Plain-loop twin of {@link VecReduce}: same signatures and contracts; sums accumulate in
 * {@code double} (the reference the SIMD sums are tested against). Nothing is modified.
 */
public final class VecReduceScalar {
    private VecReduceScalar() {}

    /** Returns {@code sum_i a[i]}, accumulated in double. */
    public static float sum(float[] a, int aOff, int n) {
        KernelArgs.range("sum", "a", a, aOff, n);
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += a[aOff + i];
        }
        return (float) total;
    }

    /** Returns {@code sum_i a[i] * b[i]}, accumulated in double. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        KernelArgs.range("dot", "a", a, aOff, n);
        KernelArgs.range("dot", "b", b, bOff, n);
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += (double) a[aOff + i] * b[bOff + i];
        }
        return (float) total;
    }

    /** Returns {@code sum_i a[i]^2}, accumulated in double. */
    public static float sumSquares(float[] a, int aOff, int n) {
        KernelArgs.range("sumSquares", "a", a, aOff, n);
        return dot(a, aOff, a, aOff, n);
    }

    /** Returns {@code max_i a[i]}: NaN if any element is NaN, {@code -inf} for an empty run. */
    public static float max(float[] a, int aOff, int n) {
        KernelArgs.range("max", "a", a, aOff, n);
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, a[aOff + i]);
        }
        return m;
    }
}
