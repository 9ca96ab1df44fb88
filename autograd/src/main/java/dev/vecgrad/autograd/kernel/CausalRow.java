package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.Simd.F;
import static dev.vecgrad.autograd.kernel.Simd.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * One row of {@link Softmax#causalSoftmaxRows}: softmax of the first {@code len} of
 * {@code cols} columns, zeros after.
 *
 * <p>Why a separate kernel: the rows of a causal block have every length from 1 to T, so a
 * scalar tail would run up to {@code LANES-1} scalar exps per row, about as much time as all
 * the vector work in a 64x64 block. Instead the vector that straddles column {@code len} is
 * loaded whole (it lies inside the row, so nothing outside the block is read) and its lanes at
 * or after {@code len} are replaced by {@code -inf} with a blend, which exp turns into the
 * exact zeros the masked columns must hold. Only when that vector would run past the row end
 * (cols not a multiple of LANES) is the rest done in scalar.
 */
final class CausalRow {
    private CausalRow() {}

    /**
     * {@link FastExp}, not {@code lanewise(EXP)}: the JDK's vector exp rounds differently before
     * and after C2 compiles the loop, which would make results depend on the JVM's warm-up.
     */
    private static FloatVector vexp(FloatVector x) {
        return FastExp.exp(x);
    }

    private static float sexp(float x) {
        return FastExp.exp(x);
    }

    /** out[o .. o+cols) = softmax of in[p .. p+len) followed by zeros; 1 <= len <= cols. */
    static void forward(float[] out, int o, float[] in, int p, int len, int cols) {
        int full = len - len % LANES;                       // columns covered by whole vectors
        boolean straddle = full < len && full + LANES <= cols;
        int n = straddle ? full + LANES : full;             // columns done with vectors, masked at len
        // Rows are short (1..T), so per-row scalar tails cost as much as the vector work: every
        // pass runs whole vectors and masks the straddling one; scalars only at a ragged row end.
        float max = maskedMax(in, p, n, len);
        for (int k = n; k < len; k++) {
            max = Math.max(max, in[p + k]);
        }
        float sum = expSum(out, o, in, p, n, len, max);
        for (int k = n; k < len; k++) {
            float e = sexp(in[p + k] - max);
            out[o + k] = e;
            sum += e;
        }
        float inv = 1f / sum;
        scaleMasked(out, o, n, len, inv);
        for (int k = n; k < len; k++) {
            out[o + k] *= inv;
        }
        int zeroFrom = straddle ? n : len;
        for (; zeroFrom < cols && zeroFrom % LANES != 0; zeroFrom++) {
            out[o + zeroFrom] = 0f;
        }
        FloatVector zero = FloatVector.zero(F);
        for (; zeroFrom + LANES <= cols; zeroFrom += LANES) {
            zero.intoArray(out, o + zeroFrom);
        }
        for (; zeroFrom < cols; zeroFrom++) {
            out[o + zeroFrom] = 0f;
        }
    }

    /** The max of in[p+j] over j < min(n, len), n a multiple of LANES (-inf when that is empty). */
    private static float maskedMax(float[] in, int p, int n, int len) {
        FloatVector ninf = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        FloatVector m = ninf;
        for (int j = 0; j < n; j += LANES) {
            m = m.max(FloatVector.fromArray(F, in, p + j).blend(ninf, F.indexInRange(j, len).not()));
        }
        return m.reduceLanes(VectorOperators.MAX);
    }

    /**
     * out[o+j] *= s for j < min(n, len); columns from len to n become (or stay) exactly 0, even
     * when s is NaN.
     */
    private static void scaleMasked(float[] out, int o, int n, int len, float s) {
        FloatVector vs = FloatVector.broadcast(F, s);
        for (int j = 0; j < n; j += LANES) {
            FloatVector.fromArray(F, out, o + j).mul(vs).blend(0f, F.indexInRange(j, len).not()).intoArray(out, o + j);
        }
    }

    /**
     * out[o+j] = exp(in[p+j] - max) for the columns j < len among the first {@code n} (a multiple
     * of LANES), 0 for the columns from len to n (even if their inputs or the max are NaN);
     * returns the sum. One exp site: C2 stops inlining once a method's graph passes
     * NodeCountInliningCutoff, and a second inlined vector exp left the first one a call that
     * boxed its vectors on every row.
     */
    private static float expSum(float[] out, int o, float[] in, int p, int n, int len, float max) {
        FloatVector vmax = FloatVector.broadcast(F, max);
        FloatVector acc = FloatVector.zero(F);
        for (int j = 0; j < n; j += LANES) {
            FloatVector e = vexp(FloatVector.fromArray(F, in, p + j).sub(vmax))
                    .blend(0f, F.indexInRange(j, len).not());
            e.intoArray(out, o + j);
            acc = acc.add(e);
        }
        return Simd.sum(acc);
    }
}
