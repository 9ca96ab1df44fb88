package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.Simd.F;
import static dev.vecgrad.autograd.kernel.Simd.FOLD1;
import static dev.vecgrad.autograd.kernel.Simd.FOLD2;
import static dev.vecgrad.autograd.kernel.Simd.FOLD4;
import static dev.vecgrad.autograd.kernel.Simd.FOLD8;
import static dev.vecgrad.autograd.kernel.Simd.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * SIMD reductions over contiguous runs; twin of {@link VecReduceScalar}. Nothing is modified.
 * Shapes: every run is 1-d of length {@code n}.
 *
 * <p>Accuracy of the sums: the run is cut into chunks of {@link #CHUNK} elements; inside a chunk
 * four vector accumulators hold {@code 4*LANES} independent partial sums (each of at most
 * {@code CHUNK/(4*LANES)} = 16 terms), which are reduced to one float per chunk and added into a
 * {@code double}. So the rounding error is about {@code (16 + log2(4*LANES)) * eps * sum|x|} in
 * the worst case whatever {@code n} is, instead of the {@code n * eps * sum|x|} of a naive float
 * loop. The scalar twin accumulates in double and is the reference.
 */
public final class VecReduce {
    /** Elements per chunk: 16 terms per vector lane, four accumulators. */
    static final int CHUNK = 64 * LANES;

    private VecReduce() {}

    /** Returns {@code sum_i a[i]} (0 for {@code n == 0}); NaN or an inf in the run propagates. */
    public static float sum(float[] a, int aOff, int n) {
        KernelArgs.range("sum", "a", a, aOff, n);
        double total = 0;
        int i = 0;
        for (int chunkEnd = n - n % CHUNK; i < chunkEnd; ) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int end = i + CHUNK; i < end; i += 4 * LANES) {
                s0 = s0.add(FloatVector.fromArray(F, a, aOff + i));
                s1 = s1.add(FloatVector.fromArray(F, a, aOff + i + LANES));
                s2 = s2.add(FloatVector.fromArray(F, a, aOff + i + 2 * LANES));
                s3 = s3.add(FloatVector.fromArray(F, a, aOff + i + 3 * LANES));
            }
            FloatVector c = s0.add(s1).add(s2.add(s3));
            if (LANES == 16) c = c.add(c.rearrange(FOLD8));
            if (LANES >= 8) c = c.add(c.rearrange(FOLD4));
            c = c.add(c.rearrange(FOLD2));
            total += c.add(c.rearrange(FOLD1)).lane(0);
        }
        FloatVector s = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            s = s.add(FloatVector.fromArray(F, a, aOff + i));
        }
        if (LANES == 16) s = s.add(s.rearrange(FOLD8));
        if (LANES >= 8) s = s.add(s.rearrange(FOLD4));
        s = s.add(s.rearrange(FOLD2));
        total += s.add(s.rearrange(FOLD1)).lane(0);
        for (; i < n; i++) {
            total += a[aOff + i];
        }
        return (float) total;
    }

    /** Returns {@code sum_i a[i] * b[i]} (accumulated as described in the class comment). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        KernelArgs.range("dot", "a", a, aOff, n);
        KernelArgs.range("dot", "b", b, bOff, n);
        double total = 0;
        int i = 0;
        for (int chunkEnd = n - n % CHUNK; i < chunkEnd; ) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int end = i + CHUNK; i < end; i += 4 * LANES) {
                s0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), s0);
                s1 = FloatVector.fromArray(F, a, aOff + i + LANES)
                        .fma(FloatVector.fromArray(F, b, bOff + i + LANES), s1);
                s2 = FloatVector.fromArray(F, a, aOff + i + 2 * LANES)
                        .fma(FloatVector.fromArray(F, b, bOff + i + 2 * LANES), s2);
                s3 = FloatVector.fromArray(F, a, aOff + i + 3 * LANES)
                        .fma(FloatVector.fromArray(F, b, bOff + i + 3 * LANES), s3);
            }
            FloatVector c = s0.add(s1).add(s2.add(s3));
            if (LANES == 16) c = c.add(c.rearrange(FOLD8));
            if (LANES >= 8) c = c.add(c.rearrange(FOLD4));
            c = c.add(c.rearrange(FOLD2));
            total += c.add(c.rearrange(FOLD1)).lane(0);
        }
        FloatVector s = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            s = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), s);
        }
        if (LANES == 16) s = s.add(s.rearrange(FOLD8));
        if (LANES >= 8) s = s.add(s.rearrange(FOLD4));
        s = s.add(s.rearrange(FOLD2));
        total += s.add(s.rearrange(FOLD1)).lane(0);
        for (; i < n; i++) {
            total += (double) a[aOff + i] * b[bOff + i];
        }
        return (float) total;
    }

    /** Returns {@code sum_i a[i]^2}. */
    public static float sumSquares(float[] a, int aOff, int n) {
        KernelArgs.range("sumSquares", "a", a, aOff, n);
        return dot(a, aOff, a, aOff, n);
    }

    /**
     * Returns {@code max_i a[i]}: NaN if any element is NaN (like {@code torch.max}), and
     * {@code -inf} for an empty run (the identity of max; callers reject empty input where that
     * would be meaningless).
     */
    public static float max(float[] a, int aOff, int n) {
        KernelArgs.range("max", "a", a, aOff, n);
        return maxUnchecked(a, aOff, n);
    }

    /** {@link #max} without the range check, for kernels that checked their whole block once. */
    static float maxUnchecked(float[] a, int aOff, int n) {
        FloatVector m0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY), m1 = m0;
        int i = 0;
        // Two accumulators: MAX with NaN semantics is several instructions of latency on AVX2.
        for (int bound = n - n % (2 * LANES); i < bound; i += 2 * LANES) {
            m0 = m0.max(FloatVector.fromArray(F, a, aOff + i));
            m1 = m1.max(FloatVector.fromArray(F, a, aOff + i + LANES));
        }
        if (i + LANES <= n) {
            m0 = m0.max(FloatVector.fromArray(F, a, aOff + i));
            i += LANES;
        }
        float m = m0.max(m1).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            m = Math.max(m, a[aOff + i]);
        }
        return m;
    }
}
