package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.Simd.F;
import static dev.vecgrad.autograd.kernel.Simd.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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
        VectorMask<Float> keep = F.indexInRange(full, len);  // lanes of the straddling vector < len
        FloatVector ninf = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);

        FloatVector m0 = ninf, m1 = ninf;
        int j = 0;
        for (int bound = full - full % (2 * LANES); j < bound; j += 2 * LANES) {
            m0 = m0.max(FloatVector.fromArray(F, in, p + j));
            m1 = m1.max(FloatVector.fromArray(F, in, p + j + LANES));
        }
        if (j < full) {
            m0 = m0.max(FloatVector.fromArray(F, in, p + j));
        }
        FloatVector edge = straddle ? FloatVector.fromArray(F, in, p + full).blend(ninf, keep.not()) : ninf;
        float max = m0.max(m1).max(edge).reduceLanes(VectorOperators.MAX);
        int scalarFrom = straddle ? len : full;
        for (int k = scalarFrom; k < len; k++) {
            max = Math.max(max, in[p + k]);
        }

        FloatVector vmax = FloatVector.broadcast(F, max);
        FloatVector s0 = FloatVector.zero(F), s1 = s0;
        j = 0;
        for (int bound = full - full % (2 * LANES); j < bound; j += 2 * LANES) {
            FloatVector e0 = vexp(FloatVector.fromArray(F, in, p + j).sub(vmax));
            FloatVector e1 = vexp(FloatVector.fromArray(F, in, p + j + LANES).sub(vmax));
            e0.intoArray(out, o + j);
            e1.intoArray(out, o + j + LANES);
            s0 = s0.add(e0);
            s1 = s1.add(e1);
        }
        if (j < full) {
            FloatVector e0 = vexp(FloatVector.fromArray(F, in, p + j).sub(vmax));
            e0.intoArray(out, o + j);
            s0 = s0.add(e0);
        }
        if (straddle) {
            FloatVector e = vexp(edge.sub(vmax)).blend(0f, keep.not()); // 0 even if max is NaN
            e.intoArray(out, o + full);
            s1 = s1.add(e);
        }
        float sum = Simd.sum(s0.add(s1));
        for (int k = scalarFrom; k < len; k++) {
            float e = sexp(in[p + k] - max);
            out[o + k] = e;
            sum += e;
        }

        float inv = 1f / sum;
        FloatVector vinv = FloatVector.broadcast(F, inv);
        j = 0;
        for (; j < full; j += LANES) {
            FloatVector.fromArray(F, out, o + j).mul(vinv).intoArray(out, o + j);
        }
        for (; j < len; j++) {
            out[o + j] *= inv;       // masked columns keep their exact 0, even when inv is NaN
        }
        int zeroFrom = straddle ? full + LANES : len;
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
}
