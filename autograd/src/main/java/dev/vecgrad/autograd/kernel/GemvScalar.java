package dev.vecgrad.autograd.kernel;

/** The scalar twin of {@link Gemv}: the same product, one multiply-add at a time, in double. */
public final class GemvScalar {
    private GemvScalar() {}

    /** As {@link Gemv#gemvNT}; the reference its properties compare against. Modifies {@code y} only. */
    public static void gemvNT(int n, int k, float[] x, int xOff, float[] w, int wOff, int ldw,
                              float[] bias, int biasOff, float[] y, int yOff) {
        check(n, k, x, xOff, w, wOff, ldw, bias, biasOff, y, yOff);
        for (int o = 0; o < n; o++) {
            double s = 0;
            for (int i = 0; i < k; i++) s += (double) w[wOff + o * ldw + i] * x[xOff + i];
            y[yOff + o] = (float) (bias != null ? s + bias[biasOff + o] : s);
        }
    }

    /** The argument checks both twins share; messages name the kernel, the array and the sizes. */
    static void check(int n, int k, float[] x, int xOff, float[] w, int wOff, int ldw,
                      float[] bias, int biasOff, float[] y, int yOff) {
        if (n < 0 || k < 0 || ldw < k) {
            throw new IllegalArgumentException("gemvNT: need n >= 0, k >= 0 and ldw >= k, got n=" + n + ", k=" + k + ", ldw=" + ldw);
        }
        KernelArgs.range("gemvNT", "x", x, xOff, k);
        KernelArgs.range("gemvNT", "y", y, yOff, n);
        if (bias != null) KernelArgs.range("gemvNT", "bias", bias, biasOff, n);
        KernelArgs.range("gemvNT", "w", w, wOff, n == 0 ? 0 : (long) (n - 1) * ldw + k);
    }
}
