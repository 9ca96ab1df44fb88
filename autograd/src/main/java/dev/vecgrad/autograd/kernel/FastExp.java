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

    /** Clamp bounds for {@link #expAny}: e^-104 is 0 and e^89 infinite in float. */
    private static final float ANY_LO = -104f, ANY_HI = 89f;

    /**
     * {@code e^x} for every {@code x}: the same reduction and polynomial as {@link
     * #exp(FloatVector)}, with {@code 2^n} applied as two factors {@code 2^(n>>1) 2^(n-(n>>1))}
     * so that both stay normal floats over the whole range (n from -150 to 129): results
     * overflow to infinity only past ln(MAX_FLOAT) and reach subnormals gradually. Unlike
     * {@code lanewise(EXP)} it rounds the same interpreted, C1- or C2-compiled (pure lane
     * arithmetic), which keeps training runs reproducible across JVM restarts.
     */
    public static FloatVector expAny(FloatVector x) {
        FloatVector xc = x.max(ANY_LO).min(ANY_HI);      // NaN stays NaN
        FloatVector t = xc.fma(LOG2E, MAGIC);
        FloatVector n = t.sub(MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(C6, C5);
        p = p.fma(r, FloatVector.broadcast(F, C4));
        p = p.fma(r, FloatVector.broadcast(F, C3));
        p = p.fma(r, FloatVector.broadcast(F, C2));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        // n sits in the low 22 bits of t's mantissa: shift up and back down to sign-extend it.
        IntVector ni = ((IntVector) t.reinterpretAsInts()).lanewise(VectorOperators.LSHL, 10)
                .lanewise(VectorOperators.ASHR, 10);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    /** The scalar version of {@link #expAny(FloatVector)} (same steps, same results). */
    public static float expAny(float x) {
        float xc = Math.min(Math.max(x, ANY_LO), ANY_HI);
        float t = Math.fma(xc, LOG2E, MAGIC);
        float n = t - MAGIC;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, C6, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int ni = (Float.floatToRawIntBits(t) << 10) >> 10;
        int n1 = ni >> 1, n2 = ni - n1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
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
