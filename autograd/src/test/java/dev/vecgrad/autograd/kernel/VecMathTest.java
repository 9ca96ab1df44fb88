package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.KernelCase.EPS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link VecMath} against {@link VecMathScalar}, and its argument checks. */
class VecMathTest {
    interface Binary {
        void run(float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n);
    }

    interface WithScalar {
        void run(float[] out, int outOff, float[] a, int aOff, float s, int n);
    }

    @Provide
    Arbitrary<KernelCase> cases() {
        return KernelCase.cases(KernelCase.lengths(), true);
    }

    /** Same IEEE operation per element in both twins: results must be bitwise equal. */
    @Property(tries = 150, seed = "4101")
    void exactBinaryOpsMatchScalar(@ForAll("cases") KernelCase c) {
        checkExact(c, "add", VecMath::add, VecMathScalar::add);
        checkExact(c, "sub", VecMath::sub, VecMathScalar::sub);
        checkExact(c, "mul", VecMath::mul, VecMathScalar::mul);
        checkExact(c, "div", VecMath::div, VecMathScalar::div);
    }

    private static void checkExact(KernelCase c, String name, Binary simd, Binary scalar) {
        float[] a = c.data(0, c.off1());
        float[] b = c.data(1, c.off2());
        float[] out = c.data(2, c.off0());
        float[] ref = out.clone();
        simd.run(out, c.off0(), a, c.off1(), b, c.off2(), c.n());
        scalar.run(ref, c.off0(), a, c.off1(), b, c.off2(), c.n());
        KernelCase.assertSame(name, ref, out);
    }

    @Property(tries = 150, seed = "4102")
    void exactUnaryAndScalarOpsMatchScalar(@ForAll("cases") KernelCase c) {
        float s = c.data(5, 0)[0];
        checkScalarOp(c, "addScalar", s, VecMath::addScalar, VecMathScalar::addScalar);
        checkScalarOp(c, "mulScalar", s, VecMath::mulScalar, VecMathScalar::mulScalar);
        checkScalarOp(c, "neg", s, (o, oo, a, ao, x, n) -> VecMath.neg(o, oo, a, ao, n),
                (o, oo, a, ao, x, n) -> VecMathScalar.neg(o, oo, a, ao, n));
        checkScalarOp(c, "addInPlace", s, (o, oo, a, ao, x, n) -> VecMath.addInPlace(o, oo, a, ao, n),
                (o, oo, a, ao, x, n) -> VecMathScalar.addInPlace(o, oo, a, ao, n));
        checkScalarOp(c, "scale", s, (o, oo, a, ao, x, n) -> VecMath.scale(o, oo, x, n),
                (o, oo, a, ao, x, n) -> VecMathScalar.scale(o, oo, x, n));
        checkScalarOp(c, "fill", s, (o, oo, a, ao, x, n) -> VecMath.fill(o, oo, x, n),
                (o, oo, a, ao, x, n) -> VecMathScalar.fill(o, oo, x, n));
    }

    /** Lane masks cut from arbitrary bit offsets (word edges, tails): bitwise equal to the scalar loop. */
    @Property(tries = 150, seed = "4107")
    void maskedScaleMatchesScalarTwin(@ForAll("cases") KernelCase c, @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 200) int bitOff) {
        float[] a = c.data(0, c.off1());
        float[] out = c.data(2, c.off0()), ref = out.clone();
        long[] bits = new java.util.SplittableRandom(c.seed()).longs((bitOff + c.n() + 63) / 64 + 1).toArray();
        VecMath.maskedScale(out, c.off0(), a, c.off1(), bits, bitOff, 1.25f, c.n());
        VecMathScalar.maskedScale(ref, c.off0(), a, c.off1(), bits, bitOff, 1.25f, c.n());
        KernelCase.assertSame("maskedScale", ref, out);
    }

    @Test
    void maskedScaleRejectsTooFewBits() {
        var e = assertThrows(IllegalArgumentException.class, () -> VecMath.maskedScale(new float[70], 0, new float[70], 0, new long[1], 0, 1f, 70));
        assertEquals("maskedScale: bits [0, 70) outside 64 bits", e.getMessage());
    }

    private static void checkScalarOp(KernelCase c, String name, float s, WithScalar simd, WithScalar scalar) {
        float[] a = c.data(0, c.off1());
        float[] out = c.data(2, c.off0());
        float[] ref = out.clone();
        simd.run(out, c.off0(), a, c.off1(), s, c.n());
        scalar.run(ref, c.off0(), a, c.off1(), s, c.n());
        KernelCase.assertSame(name, ref, out);
    }

    /**
     * The SIMD twin fuses multiply and add (one rounding), the scalar one rounds the product
     * first: they differ by at most half an ulp of the product plus one ulp of the result.
     */
    @Property(tries = 150, seed = "4103")
    void fusedOpsMatchScalarWithinRounding(@ForAll("cases") KernelCase c) {
        float[] a = c.data(0, c.off1());
        float[] b = c.data(1, c.off2());
        float alpha = c.data(5, 0)[1];
        float[] out = c.data(2, c.off0());
        float[] ref = out.clone();
        VecMath.mulAddInPlace(out, c.off0(), a, c.off1(), b, c.off2(), c.n());
        VecMathScalar.mulAddInPlace(ref, c.off0(), a, c.off1(), b, c.off2(), c.n());
        float[] before = c.data(2, c.off0());
        KernelCase.assertClose("mulAddInPlace", ref, out, tol(before, c.off0(), c.n(),
                i -> (double) a[c.off1() + i] * b[c.off2() + i], ref));

        out = before.clone();
        ref = before.clone();
        VecMath.axpy(out, c.off0(), alpha, a, c.off1(), c.n());
        VecMathScalar.axpy(ref, c.off0(), alpha, a, c.off1(), c.n());
        KernelCase.assertClose("axpy", ref, out, tol(before, c.off0(), c.n(),
                i -> (double) alpha * a[c.off1() + i], ref));
    }

    private static double[] tol(float[] before, int off, int n, java.util.function.IntToDoubleFunction product,
                                float[] result) {
        double[] t = new double[before.length];
        for (int i = 0; i < n; i++) {
            double p = Math.abs(product.applyAsDouble(i));
            // An overflowing product is inf unfused but may stay finite fused: not comparable.
            t[off + i] = p > Float.MAX_VALUE ? Double.POSITIVE_INFINITY : EPS * (p + Math.abs(result[off + i]));
        }
        return t;
    }

    @Test
    void inPlaceAliasingWorks() {
        float[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        VecMath.add(a, 0, a, 0, a, 0, a.length);
        assertEquals(22f, a[10]);
    }

    @Test
    void badRangesNameTheOperationAndSizes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> VecMath.add(new float[10], 0, new float[10], 3, new float[10], 0, 8));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("offset 3")
                && e.getMessage().contains("length 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VecMathScalar.fill(new float[4], -1, 0f, 2));
        assertThrows(IllegalArgumentException.class, () -> VecMath.scale(null, 0, 1f, 0));
    }
}
