package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.Simd.F;
import static dev.vecgrad.autograd.kernel.Simd.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * SIMD elementwise functions and activations with their backward helpers; twin of
 * {@link VecFuncScalar}.
 *
 * <p>Shapes: all runs are 1-d of length {@code n}, given as {@code (array, offset)}, outputs
 * first. Forward kernels overwrite {@code out}; backward kernels accumulate into {@code dx}
 * ({@code +=}, llm.c style) and modify nothing else. NaN in gives NaN out everywhere, as in
 * PyTorch.
 *
 * <p>Why no {@code lanewise(EXP)} or {@code lanewise(TANH)}: the JDK computes them with its
 * vector math library once C2 compiles a loop but lane by lane with {@link Math} before, and the
 * two round differently (measured: a few lanes in a thousand differ by an ulp). A training run
 * resumed in a fresh JVM would then drift from an uninterrupted one. {@code exp}, {@code
 * sigmoid}, {@code tanh} and GELU are built on {@link FastExp} instead (plain lane arithmetic,
 * relative error below 2e-6, see {@code VecFuncTest}); {@code log} runs {@link Math#log} per
 * element, whose interpreter and compiled forms share one implementation in HotSpot. Vector
 * and scalar paths take the same steps, so an element's result does not depend on whether it
 * falls in a vector or in the tail.
 */
public final class VecFunc {
    /** sqrt(2/pi), the scale inside the tanh approximation of GELU. */
    static final float GELU_S = 0.7978845608028654f;
    /** The cubic coefficient of the tanh approximation of GELU. */
    static final float GELU_C = 0.044715f;
    /**
     * Cap on x^2 in the GELU derivative: beyond |x| = 1e4 tanh is exactly ±1 in float, so the
     * term it scales is 0; the cap keeps x^2 finite there so 0 * inf cannot make a NaN.
     */
    static final float GELU_X2_CAP = 1e8f;

    private VecFunc() {}

    /** {@code out[i] = exp(a[i])}, through {@link FastExp#expAny}. Modifies {@code out}. */
    public static void exp(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("exp", out, outOff, a, aOff, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FastExp.expAny(FloatVector.fromArray(F, a, aOff + i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = FastExp.expAny(a[aOff + i]);
        }
    }

    /** {@code out[i] = log(a[i])} (log 0 = -inf, log of a negative = NaN). Modifies {@code out}. */
    public static void log(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("log", out, outOff, a, aOff, n);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) Math.log(a[aOff + i]);
        }
    }

    /** {@code out[i] = sqrt(a[i])}. Modifies {@code out}. */
    public static void sqrt(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("sqrt", out, outOff, a, aOff, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).lanewise(VectorOperators.SQRT).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = (float) Math.sqrt(a[aOff + i]);
        }
    }

    /** Below this |x| tanh is its odd Taylor polynomial, where (1 - e)/(1 + e) would cancel. */
    static final float TANH_SMALL = 0.3f;
    // Taylor coefficients of tanh: x^3 .. x^13 (the x^15 term is < 3e-11 relative at 0.3).
    private static final float T3 = -1f / 3, T5 = 2f / 15, T7 = -17f / 315, T9 = 62f / 2835, T11 = -1382f / 155925,
            T13 = 21844f / 6081075;

    /**
     * {@code out[i] = tanh(a[i])}: {@code sign(x) (1 - e)/(1 + e)} with {@code e = exp(-2|x|)},
     * and a Taylor polynomial for {@code |x| < 0.3}. Modifies {@code out}.
     */
    public static void tanh(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("tanh", out, outOff, a, aOff, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            tanh(FloatVector.fromArray(F, a, aOff + i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = tanh(a[aOff + i]);
        }
    }

    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector e = FastExp.exp(ax.mul(-2f));
        FloatVector big = e.neg().add(1f).div(e.add(1f));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(T13, T11);
        p = p.fma(x2, FloatVector.broadcast(F, T9));
        p = p.fma(x2, FloatVector.broadcast(F, T7));
        p = p.fma(x2, FloatVector.broadcast(F, T5));
        p = p.fma(x2, FloatVector.broadcast(F, T3));
        FloatVector small = p.mul(x2).fma(x, x);
        return big.blend(small, ax.compare(VectorOperators.LT, TANH_SMALL));
    }

    static float tanh(float x) {
        float ax = Math.abs(x);
        if (ax < TANH_SMALL) {
            float x2 = x * x;
            float p = Math.fma(x2, T13, T11);
            p = Math.fma(p, x2, T9);
            p = Math.fma(p, x2, T7);
            p = Math.fma(p, x2, T5);
            p = Math.fma(p, x2, T3);
            return Math.fma(p * x2, x, x);
        }
        float e = FastExp.exp(ax * -2f);
        float big = (-e + 1f) / (e + 1f);
        return x < 0f ? -big : big;
    }

    /**
     * {@code out[i] = 1 / (1 + exp(-a[i]))}, as {@code 1/(1+e)} or {@code e/(1+e)} with {@code
     * e = exp(-|x|)} so neither side overflows. Modifies {@code out}.
     */
    public static void sigmoid(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("sigmoid", out, outOff, a, aOff, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector x = FloatVector.fromArray(F, a, aOff + i);
            FloatVector e = FastExp.expAny(x.abs().neg());   // keeps subnormal results for x < -87
            FloatVector pos = FloatVector.broadcast(F, 1f).div(e.add(1f));
            pos.blend(e.mul(pos), x.compare(VectorOperators.LT, 0f)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            float x = a[aOff + i];
            float e = FastExp.expAny(-Math.abs(x));
            float pos = 1f / (e + 1f);
            out[outOff + i] = x < 0f ? e * pos : pos;
        }
    }

    /** {@code out[i] = max(a[i], 0)}; NaN stays NaN. Modifies {@code out}. */
    public static void relu(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("relu", out, outOff, a, aOff, n);
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).max(zero).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = Math.max(a[aOff + i], 0f);
        }
    }

    /**
     * GELU, tanh approximation (PyTorch {@code approximate="tanh"}, GPT-2):
     * {@code out = 0.5 x (1 + tanh(u))}, {@code u = sqrt(2/pi) (x + 0.044715 x^3)}, computed as
     * the identical {@code x sigmoid(2u)}, which needs one exp and cancels nowhere. Modifies
     * {@code out}.
     */
    public static void gelu(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("gelu", out, outOff, a, aOff, n);
        FloatVector c = FloatVector.broadcast(F, GELU_C);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector x = FloatVector.fromArray(F, a, aOff + i);
            FloatVector u2 = x.mul(x).mul(x).fma(c, x).mul(2f * GELU_S);
            FloatVector e = FastExp.exp(u2.abs().neg());
            FloatVector pos = FloatVector.broadcast(F, 1f).div(e.add(1f));
            FloatVector sig = pos.blend(e.mul(pos), u2.compare(VectorOperators.LT, 0f));
            x.mul(sig).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            float x = a[aOff + i];
            float u2 = Math.fma(x * x * x, GELU_C, x) * (2f * GELU_S);
            float e = FastExp.exp(-Math.abs(u2));
            float pos = 1f / (e + 1f);
            out[outOff + i] = x * (u2 < 0f ? e * pos : pos);
        }
    }

    /**
     * ReLU backward: {@code dx[i] += x[i] <= 0 ? 0 : dy[i]} (PyTorch's threshold_backward, so a
     * NaN input passes its gradient through). Modifies {@code dx}.
     */
    public static void reluBackward(float[] dx, int dxOff, float[] x, int xOff, float[] dy, int dyOff, int n) {
        VecMath.check3("reluBackward", dx, dxOff, x, xOff, dy, dyOff, n);
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector g = FloatVector.fromArray(F, dy, dyOff + i)
                    .blend(zero, FloatVector.fromArray(F, x, xOff + i).compare(VectorOperators.LE, 0f));
            FloatVector.fromArray(F, dx, dxOff + i).add(g).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            dx[dxOff + i] += x[xOff + i] <= 0f ? 0f : dy[dyOff + i];
        }
    }

    /** tanh backward from the output: {@code dx[i] += dy[i] * (1 - y[i]^2)}. Modifies {@code dx}. */
    public static void tanhBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) {
        VecMath.check3("tanhBackward", dx, dxOff, y, yOff, dy, dyOff, n);
        FloatVector one = FloatVector.broadcast(F, 1f);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector vy = FloatVector.fromArray(F, y, yOff + i);
            FloatVector local = one.sub(vy.mul(vy));
            FloatVector.fromArray(F, dy, dyOff + i).fma(local, FloatVector.fromArray(F, dx, dxOff + i))
                    .intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float v = y[yOff + i];
            dx[dxOff + i] = Math.fma(dy[dyOff + i], 1f - v * v, dx[dxOff + i]);
        }
    }

    /** sigmoid backward from the output: {@code dx[i] += dy[i] * y[i] * (1 - y[i])}. Modifies {@code dx}. */
    public static void sigmoidBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) {
        VecMath.check3("sigmoidBackward", dx, dxOff, y, yOff, dy, dyOff, n);
        FloatVector one = FloatVector.broadcast(F, 1f);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector vy = FloatVector.fromArray(F, y, yOff + i);
            FloatVector local = vy.mul(one.sub(vy));
            FloatVector.fromArray(F, dy, dyOff + i).fma(local, FloatVector.fromArray(F, dx, dxOff + i))
                    .intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float v = y[yOff + i];
            dx[dxOff + i] = Math.fma(dy[dyOff + i], v * (1f - v), dx[dxOff + i]);
        }
    }

    /**
     * GELU (tanh approximation) backward from the input: {@code dx[i] += dy[i] * gelu'(x[i])}
     * with {@code gelu'(x) = 0.5 (1 + t) + 0.5 x (1 - t^2) u'}, {@code t = tanh(u)}; written with
     * {@code s = sigmoid(2u)} ({@code 1 + t = 2s}, {@code 1 - t^2 = 4 s (1 - s)}) as
     * {@code s + 2 x s (1 - s) u'}, {@code u' = sqrt(2/pi) (1 + 3c x^2)}. Modifies {@code dx}.
     */
    public static void geluBackward(float[] dx, int dxOff, float[] x, int xOff, float[] dy, int dyOff, int n) {
        VecMath.check3("geluBackward", dx, dxOff, x, xOff, dy, dyOff, n);
        geluBackward(dx, dxOff, x, xOff, dy, dyOff, n, true);
    }

    /**
     * {@link #geluBackward} into a fresh {@code dx}: {@code dx[i] = dy[i] * gelu'(x[i])}, without
     * reading {@code dx}. The same bits as {@code geluBackward} into a zero-filled {@code dx} (the
     * product is still taken as an FMA onto +0, so a -0 product becomes +0 as it did), without
     * the zero fill and the read: a training step zero-filled 6 MB for this on one thread.
     * Modifies {@code dx}.
     */
    public static void geluBackwardInto(float[] dx, int dxOff, float[] x, int xOff, float[] dy, int dyOff, int n) {
        VecMath.check3("geluBackwardInto", dx, dxOff, x, xOff, dy, dyOff, n);
        geluBackward(dx, dxOff, x, xOff, dy, dyOff, n, false);
    }

    private static void geluBackward(float[] dx, int dxOff, float[] x, int xOff, float[] dy, int dyOff, int n,
                                     boolean accumulate) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector c = FloatVector.broadcast(F, GELU_C);
        FloatVector c3 = FloatVector.broadcast(F, 3f * GELU_C);
        FloatVector one = FloatVector.broadcast(F, 1f);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector vx = FloatVector.fromArray(F, x, xOff + i);
            FloatVector x2 = vx.mul(vx);
            FloatVector u2 = x2.mul(vx).fma(c, vx).mul(2f * GELU_S);
            FloatVector e = FastExp.exp(u2.abs().neg());
            FloatVector pos = FloatVector.broadcast(F, 1f).div(e.add(1f));
            var neg = u2.compare(VectorOperators.LT, 0f);
            FloatVector s = pos.blend(e.mul(pos), neg);
            FloatVector sc = e.mul(pos).blend(pos, neg);          // 1 - s, without cancelling
            // x^2 is capped where it only matters through s (1 - s) == 0, so huge x gives 0, not 0*inf.
            FloatVector du = x2.min(GELU_X2_CAP).fma(c3, one).mul(2f * GELU_S);
            FloatVector local = vx.mul(s).mul(sc).fma(du, s);
            FloatVector.fromArray(F, dy, dyOff + i).fma(local, accumulate ? FloatVector.fromArray(F, dx, dxOff + i) : zero)
                    .intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float vx = x[xOff + i];
            float x2 = vx * vx;
            float u2 = Math.fma(x2 * vx, GELU_C, vx) * (2f * GELU_S);
            float e = FastExp.exp(-Math.abs(u2));
            float pos = 1f / (e + 1f);
            float s = u2 < 0f ? e * pos : pos, sc = u2 < 0f ? pos : e * pos;
            float du = Math.fma(Math.min(x2, GELU_X2_CAP), 3f * GELU_C, 1f) * (2f * GELU_S);
            float local = Math.fma(vx * s * sc, du, s);
            dx[dxOff + i] = Math.fma(dy[dyOff + i], local, accumulate ? dx[dxOff + i] : 0f);
        }
    }
}
