package dev.vecgrad.autograd.kernel;

/** The scalar twins of {@link VecMath}: same signatures, plain loops. */
public final class VecMathScalar {
    private VecMathScalar() {}

    /** o = a + b. */
    public static void add(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] + b[bi + i];
    }

    /** o = a - b. */
    public static void sub(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] - b[bi + i];
    }

    /** o = a * b. */
    public static void mul(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] * b[bi + i];
    }

    /** o = a / b. */
    public static void div(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] / b[bi + i];
    }

    /** o = a + s. */
    public static void addScalar(float[] o, int oi, float[] a, int ai, float s, int n) {
        for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] + s;
    }

    /** o = a * s. */
    public static void mulScalar(float[] o, int oi, float[] a, int ai, float s, int n) {
        for (int i = 0; i < n; i++) o[oi + i] = a[ai + i] * s;
    }

    /** o += alpha * x. */
    public static void axpy(float[] o, int oi, float alpha, float[] x, int xi, int n) {
        for (int i = 0; i < n; i++) o[oi + i] += alpha * x[xi + i];
    }

    /** o = e^a. */
    public static void exp(float[] o, int oi, float[] a, int ai, int n) {
        for (int i = 0; i < n; i++) o[oi + i] = (float) Math.exp(a[ai + i]);
    }

    /** o = tanh(a). */
    public static void tanh(float[] o, int oi, float[] a, int ai, int n) {
        for (int i = 0; i < n; i++) o[oi + i] = (float) Math.tanh(a[ai + i]);
    }

    /** Sum, accumulated in double. */
    public static float sum(float[] a, int ai, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += a[ai + i];
        return (float) s;
    }

    /** Maximum; NaN if any element is NaN. */
    public static float max(float[] a, int ai, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) m = Math.max(m, a[ai + i]);
        return m;
    }

    /** Dot product, accumulated in double. */
    public static float dot(float[] a, int ai, float[] b, int bi, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) a[ai + i] * b[bi + i];
        return (float) s;
    }

    private static final float GELU_K = (float) Math.sqrt(2.0 / Math.PI), GELU_C = 0.044715f;

    /** gelu of one value (tanh approximation). */
    static float gelu1(float x) {
        return 0.5f * x * (1f + (float) Math.tanh(GELU_K * (x + GELU_C * x * x * x)));
    }

    /** d gelu(x) / dx. */
    static float geluGrad1(float x) {
        float t = (float) Math.tanh(GELU_K * (x + GELU_C * x * x * x));
        float du = GELU_K * (1f + 3f * GELU_C * x * x);
        return 0.5f * (1f + t) + 0.5f * x * (1f - t * t) * du;
    }

    /** o = gelu(a). */
    public static void gelu(float[] o, int oi, float[] a, int ai, int n) {
        for (int i = 0; i < n; i++) o[oi + i] = gelu1(a[ai + i]);
    }

    /** dx = dy * gelu'(x). */
    public static void geluBackward(float[] dx, int di, float[] x, int xi, float[] dy, int yi, int n) {
        for (int i = 0; i < n; i++) dx[di + i] = dy[yi + i] * geluGrad1(x[xi + i]);
    }
}
