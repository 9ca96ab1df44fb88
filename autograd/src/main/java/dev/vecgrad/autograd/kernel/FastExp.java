package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.Simd.F;
import static dev.vecgrad.autograd.kernel.Simd.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A polynomial {@code exp} for the non-positive arguments softmax produces after subtracting the
 * row maximum: the alternative to {@code lanewise(EXP)} that {@code SoftmaxBench} measures.
 *
 * <p>Method: Cody-Waite range reduction {@code x = n ln2 + r}, {@code |r| <= ln2/2}, with ln2
 * split in a short high part (exact products {@code n*LN2_HI}) and a low part; the degree-6
 * Taylor polynomial of {@code e^r} (truncation error {@code r^7/7! < 1.2e-7} relative); then
 * {@code 2^n} built from exponent bits. The integer {@code n} comes from the "magic number"
 * rounding trick, which needs no float-to-int conversion.
 *
 * <p>Domain: {@code x <= 0}. Results for {@code x < } {@link #MIN_ARG} (where {@code e^x} would
 * be subnormal) are exactly 0, so {@code -inf} gives 0; NaN gives NaN. Max relative error vs
 * {@link Math#exp} on {@code [MIN_ARG, 0]} is below 1e-6 (asserted by {@code FastExpTest}).
 */
public final class FastExp {
    /** Below this {@code e^x} is under the smallest normal float; the result is 0. */
    public static final float MIN_ARG = -87.33f;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;      // 9 significant bits: n*LN2_HI is exact
    private static final float LN2_LO = -2.12194440e-4f;   // ln2 - LN2_HI
    private static final float MAGIC = 12582912f;          // 1.5 * 2^23: adding it rounds to int
    private static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720;

    private FastExp() {}

    /** {@code e^x} lane by lane for {@code x <= 0}, as described in the class comment. */
    public static FloatVector exp(FloatVector x) {
        FloatVector t = x.fma(LOG2E, MAGIC);            // MAGIC + round(x*log2e)
        FloatVector n = t.sub(MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(C6, C5);
        p = p.fma(r, FloatVector.broadcast(F, C4));
        p = p.fma(r, FloatVector.broadcast(F, C3));
        p = p.fma(r, FloatVector.broadcast(F, C2));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        // The low mantissa bits of t hold n in two's complement; shifting them into the exponent
        // field and adding the bias gives the bits of 2^n (the high bits of t shift out).
        IntVector bits = ((IntVector) t.reinterpretAsInts()).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector result = p.mul(bits.reinterpretAsFloats());
        return result.blend(0f, x.compare(VectorOperators.LT, MIN_ARG));
    }

    /** The scalar version of {@link #exp(FloatVector)} (same steps, same results). */
    public static float exp(float x) {
        if (x < MIN_ARG) {
            return 0f;
        }
        float t = Math.fma(x, LOG2E, MAGIC);
        float n = t - MAGIC;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, C6, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) + 127) << 23);
    }

    /**
     * {@code out[i] = e^a[i]} for {@code a[i] <= 0}; shapes: runs of length {@code n}.
     * Modifies {@code out}. Its scalar twin is {@link VecFuncScalar#exp} (different rounding).
     */
    public static void exp(float[] out, int outOff, float[] a, int aOff, int n) {
        VecMath.check2("FastExp.exp", out, outOff, a, aOff, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            exp(FloatVector.fromArray(F, a, aOff + i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = exp(a[aOff + i]);
        }
    }
}
