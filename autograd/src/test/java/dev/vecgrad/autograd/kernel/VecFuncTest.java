package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.KernelCase.EPS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.IntToDoubleFunction;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link VecFunc} against {@link VecFuncScalar}. */
class VecFuncTest {
    interface Unary {
        void run(float[] out, int outOff, float[] a, int aOff, int n);
    }

    interface Backward {
        void run(float[] dx, int dxOff, float[] x, int xOff, float[] dy, int dyOff, int n);
    }

    @Provide
    Arbitrary<KernelCase> cases() {
        return KernelCase.cases(KernelCase.lengths(), true);
    }

    /**
     * exp: FastExp's polynomial is within 2.3e-7 (2 ulp) of the exact value and {@code (float)
     * Math.exp} within half an ulp, so 4 ulp. log: both are {@code (float) Math.log}, exact
     * agreement, 4 ulp allowed. tanh: {@code (1 - e)/(1 + e)} amplifies exp's error by
     * {@code e/(1 - e)}, at most 1.2 at |x| = 0.3 where the Taylor branch takes over, plus three
     * roundings: 12 ulp. sqrt is IEEE exact in both. sigmoid adds two roundings to exp's error.
     * relu is exact.
     */
    @Property(tries = 150, seed = "4201")
    void unaryFunctionsMatchScalar(@ForAll("cases") KernelCase c) {
        checkUnary(c, "exp", VecFunc::exp, VecFuncScalar::exp, false, 4);
        checkUnary(c, "log", VecFunc::log, VecFuncScalar::log, true, 4);
        checkUnary(c, "sqrt", VecFunc::sqrt, VecFuncScalar::sqrt, true, 0);
        checkUnary(c, "tanh", VecFunc::tanh, VecFuncScalar::tanh, false, 12);
        checkUnary(c, "sigmoid", VecFunc::sigmoid, VecFuncScalar::sigmoid, false, 8);
        checkUnary(c, "relu", VecFunc::relu, VecFuncScalar::relu, false, 0);
    }

    private static void checkUnary(KernelCase c, String name, Unary simd, Unary scalar, boolean positive, int ulps) {
        float[] a = positive ? c.positive(0, c.off1()) : c.data(0, c.off1());
        float[] out = c.data(2, c.off0());
        float[] ref = out.clone();
        simd.run(out, c.off0(), a, c.off1(), c.n());
        scalar.run(ref, c.off0(), a, c.off1(), c.n());
        double[] tol = new double[ref.length];
        for (int i = 0; i < ref.length; i++) {
            // Results in the subnormal range may differ outright (e.g. sigmoid(-97): the reference
            // overflows exp(97) and gives 0, FastExp gives e^-97); no op depends on them.
            tol[i] = ulps * EPS * Math.abs(ref[i]) + Float.MIN_NORMAL;
        }
        KernelCase.assertClose(name, ref, out, tol);
    }

    /**
     * GELU: a few-ulp difference in tanh (and in x + c x^3, fused or not) moves
     * {@code 0.5 x (1 + t)} by a few ulp of {@code |x|}, not of the (possibly tiny) result.
     */
    @Property(tries = 150, seed = "4202")
    void geluMatchesScalar(@ForAll("cases") KernelCase c) {
        float[] a = c.data(0, c.off1());
        float[] out = c.data(2, c.off0());
        float[] ref = out.clone();
        VecFunc.gelu(out, c.off0(), a, c.off1(), c.n());
        VecFuncScalar.gelu(ref, c.off0(), a, c.off1(), c.n());
        double[] tol = new double[ref.length];
        for (int i = 0; i < c.n(); i++) {
            tol[c.off0() + i] = 8 * EPS * Math.abs(a[c.off1() + i]);
        }
        KernelCase.assertClose("gelu", ref, out, tol);
    }

    /**
     * Backward helpers: {@code dx += dy * local}. The SIMD path fuses the final multiply-add and
     * may compute {@code local} with a few ulp of difference (tanh in GELU). For GELU the error
     * of {@code local} is a few ulp of 1 times {@code |x| * s (1 + 3c x^2)} (the factor on
     * {@code sech^2}), capped where sech^2 is 0 in float; so the tolerance scales with that.
     */
    @Property(tries = 150, seed = "4203")
    void backwardHelpersMatchScalar(@ForAll("cases") KernelCase c) {
        checkBackward(c, "reluBackward", VecFunc::reluBackward, VecFuncScalar::reluBackward, (x, dy) -> 0);
        checkBackward(c, "tanhBackward", VecFunc::tanhBackward, VecFuncScalar::tanhBackward,
                (y, dy) -> 2 * Math.abs(dy) * (1 + y * y));
        checkBackward(c, "sigmoidBackward", VecFunc::sigmoidBackward, VecFuncScalar::sigmoidBackward,
                (y, dy) -> 2 * Math.abs(dy) * (Math.abs(y) + y * y));
        checkBackward(c, "geluBackward", VecFunc::geluBackward, VecFuncScalar::geluBackward,
                (x, dy) -> 16 * Math.abs(dy) * (1 + Math.min(Math.abs(x) * (1 + 0.14 * x * x), 1e3)));
    }

    /**
     * geluBackwardInto against its scalar twin (as {@link #backwardHelpersMatchScalar}, the old
     * contents of dx ignored), and bit for bit against geluBackward into a zero-filled dx.
     */
    @Property(tries = 150, seed = "4204")
    void geluBackwardIntoMatchesScalarAndAccumulatingIntoZeros(@ForAll("cases") KernelCase c) {
        float[] x = c.data(0, c.off1());
        float[] dy = c.data(1, c.off2());
        float[] garbage = c.data(2, c.off0());
        float[] dx = garbage.clone(), ref = garbage.clone(), zeros = garbage.clone();
        java.util.Arrays.fill(zeros, c.off0(), c.off0() + c.n(), 0f);
        VecFunc.geluBackwardInto(dx, c.off0(), x, c.off1(), dy, c.off2(), c.n());
        VecFuncScalar.geluBackwardInto(ref, c.off0(), x, c.off1(), dy, c.off2(), c.n());
        VecFunc.geluBackward(zeros, c.off0(), x, c.off1(), dy, c.off2(), c.n());
        double[] tol = new double[ref.length];
        for (int i = 0; i < c.n(); i++) {
            double xi = x[c.off1() + i], l = 16 * Math.abs(dy[c.off2() + i]) * (1 + Math.min(Math.abs(xi) * (1 + 0.14 * xi * xi), 1e3));
            tol[c.off0() + i] = l > Float.MAX_VALUE ? Double.POSITIVE_INFINITY : EPS * (l + 2 * Math.abs(ref[c.off0() + i]));
        }
        KernelCase.assertClose("geluBackwardInto", ref, dx, tol);
        for (int i = 0; i < dx.length; i++) {
            // Any NaN matches any NaN: the Vector API's Java fallback (before C2 compiles the loop)
            // gives Java's NaN where the compiled FMA gives x86's negative one, and the two calls
            // can run in different tiers. Everything else, -0 against +0 included, must match bit
            // for bit.
            if (Float.isNaN(zeros[i]) && Float.isNaN(dx[i])) continue;
            assertEquals(Float.floatToRawIntBits(zeros[i]), Float.floatToRawIntBits(dx[i]), "element " + i);
        }
    }

    interface LocalScale {
        double of(double x, double dy);
    }

    private static void checkBackward(KernelCase c, String name, Backward simd, Backward scalar, LocalScale local) {
        float[] x = c.data(0, c.off1());
        float[] dy = c.data(1, c.off2());
        float[] before = c.data(2, c.off0());
        float[] dx = before.clone();
        float[] ref = before.clone();
        simd.run(dx, c.off0(), x, c.off1(), dy, c.off2(), c.n());
        scalar.run(ref, c.off0(), x, c.off1(), dy, c.off2(), c.n());
        double[] tol = new double[ref.length];
        for (int i = 0; i < c.n(); i++) {
            double l = local.of(x[c.off1() + i], dy[c.off2() + i]);
            // A product that overflows float in one twin and not in the other is not comparable.
            tol[c.off0() + i] = l > Float.MAX_VALUE ? Double.POSITIVE_INFINITY
                    : EPS * (l + 2 * Math.abs(ref[c.off0() + i]) + 2 * Math.abs(before[c.off0() + i]));
        }
        KernelCase.assertClose(name, ref, dx, tol);
    }

    @Test
    void specialValuesFollowPyTorch() {
        float[] in = {Float.NaN, -0f, -1f, 2f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0f, 3f, -5f, Float.NaN};
        float[] out = new float[in.length];
        VecFunc.relu(out, 0, in, 0, in.length);
        assertEquals(Float.NaN, out[0]);
        assertEquals(Float.NaN, out[9]);
        assertEquals(0f, out[4]);
        VecFunc.exp(out, 0, in, 0, in.length);
        assertEquals(0f, out[4]);
        assertEquals(Float.POSITIVE_INFINITY, out[5]);
        VecFunc.gelu(out, 0, in, 0, in.length);
        assertEquals(Float.NaN, out[0]);
        float[] dx = new float[in.length];
        float[] big = {1e30f, -1e30f, 1e5f, -1e5f, 20f, -20f, 0f, 1f, 2f};
        float[] ones = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        VecFunc.geluBackward(dx, 0, big, 0, ones, 0, big.length);
        assertEquals(1f, dx[0]);
        assertEquals(0f, dx[1]);
        assertEquals(0.5f, dx[6]);
    }
}
