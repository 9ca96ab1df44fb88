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
}
