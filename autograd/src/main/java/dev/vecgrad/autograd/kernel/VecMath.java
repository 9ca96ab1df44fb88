package dev.vecgrad.autograd.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise and reduction kernels on contiguous runs, SIMD with a scalar tail. Arguments follow
 * llm.c: the output array and offset first, then inputs, then the length. Every method has a twin
 * with the same signature in {@link VecMathScalar}.
 */
public final class VecMath {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.LANES;

    private VecMath() {}

    /** o[oi..oi+n) = a + b. Modifies o only. */
    public static void add(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(F, a, ai + i).add(FloatVector.fromArray(F, b, bi + i)).intoArray(o, oi + i);
        }
        for (; i < n; i++) o[oi + i] = a[ai + i] + b[bi + i];
    }

    /** o = a - b. */
    public static void sub(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(F, a, ai + i).sub(FloatVector.fromArray(F, b, bi + i)).intoArray(o, oi + i);
        }
        for (; i < n; i++) o[oi + i] = a[ai + i] - b[bi + i];
    }

    /** o = a * b. */
    public static void mul(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(F, a, ai + i).mul(FloatVector.fromArray(F, b, bi + i)).intoArray(o, oi + i);
        }
        for (; i < n; i++) o[oi + i] = a[ai + i] * b[bi + i];
    }

    /** o = a / b. */
    public static void div(float[] o, int oi, float[] a, int ai, float[] b, int bi, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(F, a, ai + i).div(FloatVector.fromArray(F, b, bi + i)).intoArray(o, oi + i);
        }
        for (; i < n; i++) o[oi + i] = a[ai + i] / b[bi + i];
    }

    /** o = a + s. */
    public static void addScalar(float[] o, int oi, float[] a, int ai, float s, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(F, a, ai + i).add(s).intoArray(o, oi + i);
        }
        for (; i < n; i++) o[oi + i] = a[ai + i] + s;
    }

    /** o = a * s. */
    public static void mulScalar(float[] o, int oi, float[] a, int ai, float s, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(F, a, ai + i).mul(s).intoArray(o, oi + i);
        }
        for (; i < n; i++) o[oi + i] = a[ai + i] * s;
    }

    /** o += alpha * x (accumulates into o). */
    public static void axpy(float[] o, int oi, float alpha, float[] x, int xi, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (int up = F.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(F, x, xi + i).fma(va, FloatVector.fromArray(F, o, oi + i)).intoArray(o, oi + i);
        }
        for (; i < n; i++) o[oi + i] += alpha * x[xi + i];
    }

    /** o = e^a, by the Vector API's EXP (max relative error measured in the tests). */
    public static void exp(float[] o, int oi, float[] a, int ai, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(F, a, ai + i).lanewise(VectorOperators.EXP).intoArray(o, oi + i);
        }
        for (; i < n; i++) o[oi + i] = (float) Math.exp(a[ai + i]);
    }

    /** o = tanh(a). */
    public static void tanh(float[] o, int oi, float[] a, int ai, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            FloatVector.fromArray(F, a, ai + i).lanewise(VectorOperators.TANH).intoArray(o, oi + i);
        }
        for (; i < n; i++) o[oi + i] = (float) Math.tanh(a[ai + i]);
    }

    /** Sum of a[ai..ai+n): L partial sums in float, combined in double. */
    public static float sum(float[] a, int ai, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(F);
        for (int up = F.loopBound(n); i < up; i += L) acc = acc.add(FloatVector.fromArray(F, a, ai + i));
        double s = 0;
        for (int l = 0; l < L; l++) s += acc.lane(l);
        for (; i < n; i++) s += a[ai + i];
        return (float) s;
    }

    /** Maximum of a non-empty run; NaN if any element is NaN. */
    public static float max(float[] a, int ai, int n) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= L) {
            FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int up = F.loopBound(n); i < up; i += L) acc = acc.max(FloatVector.fromArray(F, a, ai + i));
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, a[ai + i]);
        return m;
    }

    /** Dot product: L partial sums of products (FMA), combined in double. */
    public static float dot(float[] a, int ai, float[] b, int bi, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(F);
        for (int up = F.loopBound(n); i < up; i += L) {
            acc = FloatVector.fromArray(F, a, ai + i).fma(FloatVector.fromArray(F, b, bi + i), acc);
        }
        double s = 0;
        for (int l = 0; l < L; l++) s += acc.lane(l);
        for (; i < n; i++) s += a[ai + i] * b[bi + i];
        return (float) s;
    }

    private static final float GELU_K = (float) Math.sqrt(2.0 / Math.PI), GELU_C = 0.044715f;

    /** o = gelu(a), tanh approximation: {@code 0.5 a (1 + tanh(k (a + 0.044715 a^3)))}. */
    public static void gelu(float[] o, int oi, float[] a, int ai, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            FloatVector x = FloatVector.fromArray(F, a, ai + i);
            FloatVector u = x.mul(x).mul(x).mul(GELU_C).add(x).mul(GELU_K);
            x.mul(0.5f).mul(u.lanewise(VectorOperators.TANH).add(1f)).intoArray(o, oi + i);
        }
        for (; i < n; i++) o[oi + i] = VecMathScalar.gelu1(a[ai + i]);
    }

    /** dx = dy * gelu'(x) (overwrites dx). */
    public static void geluBackward(float[] dx, int di, float[] x, int xi, float[] dy, int yi, int n) {
        int i = 0;
        for (int up = F.loopBound(n); i < up; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xi + i);
            FloatVector v2 = v.mul(v);
            FloatVector t = v2.mul(v).mul(GELU_C).add(v).mul(GELU_K).lanewise(VectorOperators.TANH);
            FloatVector du = v2.mul(3f * GELU_C).add(1f).mul(GELU_K);
            // 0.5 (1 + t) + 0.5 x (1 - t^2) du
            FloatVector g = t.add(1f).mul(0.5f).add(v.mul(0.5f).mul(t.mul(t).neg().add(1f)).mul(du));
            g.mul(FloatVector.fromArray(F, dy, yi + i)).intoArray(dx, di + i);
        }
        for (; i < n; i++) dx[di + i] = dy[yi + i] * VecMathScalar.geluGrad1(x[xi + i]);
    }
}
