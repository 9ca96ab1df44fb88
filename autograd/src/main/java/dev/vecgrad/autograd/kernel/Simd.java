package dev.vecgrad.autograd.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place that chooses the vector species every SIMD kernel uses.
 *
 * <p>The preferred species is the widest the CPU supports (512 bits on AVX-512 machines, 256 on
 * AVX2). Kernels read {@link #F} as a {@code static final} so C2 can constant-fold the lane count.
 */
public final class Simd {
    /** The float species used by all SIMD kernels. */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Lanes per vector of {@link #F}. */
    public static final int LANES = F.length();

    /** For h = LANES/2, LANES/4, ..., 1: lane i takes lane (i + h) mod LANES. */
    private static final VectorShuffle<Float>[] FOLDS = folds();

    private Simd() {}

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int n = Integer.numberOfTrailingZeros(LANES);
        VectorShuffle<Float>[] f = new VectorShuffle[n];
        for (int k = 0, h = LANES / 2; k < n; k++, h /= 2) {
            int half = h;
            f[k] = VectorShuffle.fromOp(F, i -> (i + half) % LANES);
        }
        return f;
    }

    /**
     * The sum of a vector's lanes in a fixed order: a tree that adds the upper half onto the
     * lower half until one lane is left. {@code reduceLanes(ADD)} leaves the order unspecified
     * and really does round differently before and after C2 compiles a method, which would make
     * a resumed run (a fresh JVM) drift from an uninterrupted one in the last bits.
     */
    public static float sum(FloatVector v) {
        for (VectorShuffle<Float> s : FOLDS) v = v.add(v.rearrange(s));
        return v.lane(0);
    }

    /** {@link #sum}'s scalar twin: the same tree over {@code LANES} values from {@code a[off]}. */
    public static float sumScalar(float[] a, int off) {
        float[] t = java.util.Arrays.copyOfRange(a, off, off + LANES);
        for (int h = LANES / 2; h >= 1; h /= 2) {
            for (int i = 0; i < h; i++) t[i] += t[i + h];
        }
        return t[0];
    }

    /** A short human-readable description, e.g. {@code "Species[float, 16, S_512_BIT]"}. */
    public static String describe() {
        return F.toString() + " (" + F.vectorBitSize() + "-bit, " + LANES + " float lanes)";
    }
}
