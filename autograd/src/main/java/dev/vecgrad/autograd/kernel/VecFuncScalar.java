package dev.vecgrad.autograd.kernel;

/**
 * Plain-loop twin of {@link VecFunc}: same signatures and contracts, one element at a time,
 * transcendental functions through {@link Math} in double and rounded once to float.
 * Shapes: all runs are 1-d of length {@code n}; forward kernels overwrite {@code out}, backward
 * kernels accumulate into {@code dx}.
 */
public final class VecFuncScalar {
    private VecFuncScalar() {}

    /** {@code out[i] = exp(a[i])}. Modifies {@code out}. */
    public static void exp(float[] out, int outOff, float[] a, int aOff, int n) {
        unary("exp", out, outOff, a, aOff, n);
    }

    /** {@code out[i] = log(a[i])}. Modifies {@code out}. */
    public static void log(float[] out, int outOff, float[] a, int aOff, int n) {
        unary("log", out, outOff, a, aOff, n);
    }

    /** {@code out[i] = sqrt(a[i])}. Modifies {@code out}. */
    public static void sqrt(float[] out, int outOff, float[] a, int aOff, int n) {
        unary("sqrt", out, outOff, a, aOff, n);
    }

    /** {@code out[i] = tanh(a[i])}. Modifies {@code out}. */
    public static void tanh(float[] out, int outOff, float[] a, int aOff, int n) {
        unary("tanh", out, outOff, a, aOff, n);
    }

    private static void unary(String op, float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2(op, out, outOff, a, aOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = apply(op, a[aOff + i]);
        }
    }

    /** One element of exp/log/sqrt/tanh; also the scalar tail of {@link VecFunc}. */
    static float apply(String op, float v) {
        return switch (op) {
            case "exp" -> (float) Math.exp(v);
            case "log" -> (float) Math.log(v);
            case "sqrt" -> (float) Math.sqrt(v);
            case "tanh" -> (float) Math.tanh(v);
            default -> throw new IllegalArgumentException("unknown unary op " + op);
        };
    }

    /** {@code out[i] = 1 / (1 + exp(-a[i]))}. Modifies {@code out}. */
    public static void sigmoid(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("sigmoid", out, outOff, a, aOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = sigmoid(a[aOff + i]);
        }
    }

    static float sigmoid(float v) {
        return 1f / (1f + (float) Math.exp(-v));
    }

    /** {@code out[i] = max(a[i], 0)}; NaN stays NaN. Modifies {@code out}. */
    public static void relu(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("relu", out, outOff, a, aOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = Math.max(a[aOff + i], 0f);
        }
    }

    /** GELU, tanh approximation (see {@link VecFunc#gelu}). Modifies {@code out}. */
    public static void gelu(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("gelu", out, outOff, a, aOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = gelu(a[aOff + i]);
        }
    }

    static float gelu(float x) {
        float t = (float) Math.tanh(VecFunc.GELU_S * (x + VecFunc.GELU_C * x * x * x));
        return 0.5f * x * (1f + t);
    }

    /** The derivative of the tanh-approximate GELU at {@code x}. */
    static float geluGrad(float x) {
        float x2 = x * x;
        float t = (float) Math.tanh(VecFunc.GELU_S * (x + VecFunc.GELU_C * x2 * x));
        float sech2 = 1f - t * t;
        float dinner = VecFunc.GELU_S * (1f + 3f * VecFunc.GELU_C * Math.min(x2, VecFunc.GELU_X2_CAP));
        return 0.5f * (1f + t) + 0.5f * x * sech2 * dinner;
    }

    /** {@code dx[i] += x[i] <= 0 ? 0 : dy[i]}. Modifies {@code dx}. */
    public static void reluBackward(float[] dx, int dxOff, float[] x, int xOff, float[] dy, int dyOff, int n) {
        VecMath.check3("reluBackward", dx, dxOff, x, xOff, dy, dyOff, n);
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] += x[xOff + i] <= 0f ? 0f : dy[dyOff + i];
        }
    }

    /** {@code dx[i] += dy[i] * (1 - y[i]^2)}. Modifies {@code dx}. */
    public static void tanhBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) {
        VecMath.check3("tanhBackward", dx, dxOff, y, yOff, dy, dyOff, n);
        for (int i = 0; i < n; i++) {
            float v = y[yOff + i];
            dx[dxOff + i] += dy[dyOff + i] * (1f - v * v);
        }
    }

    /** {@code dx[i] += dy[i] * y[i] * (1 - y[i])}. Modifies {@code dx}. */
    public static void sigmoidBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) {
        VecMath.check3("sigmoidBackward", dx, dxOff, y, yOff, dy, dyOff, n);
        for (int i = 0; i < n; i++) {
            float v = y[yOff + i];
            dx[dxOff + i] += dy[dyOff + i] * (v * (1f - v));
        }
    }

    /** {@code dx[i] += dy[i] * gelu'(x[i])}. Modifies {@code dx}. */
    public static void geluBackward(float[] dx, int dxOff, float[] x, int xOff, float[] dy, int dyOff, int n) {
        VecMath.check3("geluBackward", dx, dxOff, x, xOff, dy, dyOff, n);
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] += dy[dyOff + i] * geluGrad(x[xOff + i]);
        }
    }

    /** Scalar twin of {@link VecFunc#geluBackwardInto}: {@code dx[i] = dy[i] * gelu'(x[i])}. Modifies {@code dx}. */
    public static void geluBackwardInto(float[] dx, int dxOff, float[] x, int xOff, float[] dy, int dyOff, int n) {
        VecMath.check3("geluBackwardInto", dx, dxOff, x, xOff, dy, dyOff, n);
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = dy[dyOff + i] * geluGrad(x[xOff + i]);
        }
    }
}
