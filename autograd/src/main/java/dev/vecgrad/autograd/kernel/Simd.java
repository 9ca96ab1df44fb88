package dev.vecgrad.autograd.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place that chooses the vector species every SIMD kernel uses.
 *
 * <p>The preferred species is the widest the CPU supports (512 bits on AVX-512 machines, 256 on
 * AVX2, 128 on ARM NEON). Kernels read {@link #F} as a {@code static final} so C2 can
 * constant-fold the lane count. The system property {@code vecgrad.simd.bits} (128, 256 or 512)
 * overrides the choice, for tests: the build runs the kernel tests at all three widths, so any
 * CPU checks every width's code paths. A width wider than the CPU's is correct but runs in the
 * Vector API's Java fallback, many times slower; a narrower one is native and just slower.
 */
public final class Simd {
    /** The float species used by all SIMD kernels: the CPU's preferred one unless {@code vecgrad.simd.bits} names another. */
    public static final VectorSpecies<Float> F = species(System.getProperty("vecgrad.simd.bits"));
    /** Whether {@code vecgrad.simd.bits} chose {@link #F} (even when it names the CPU's own width). */
    private static final boolean SET = System.getProperty("vecgrad.simd.bits", "").length() > 0;

    /** The species for a {@code vecgrad.simd.bits} value; null or empty: the CPU's preferred one. */
    static VectorSpecies<Float> species(String bits) {
        if (bits == null || bits.isEmpty()) return FloatVector.SPECIES_PREFERRED;
        return switch (bits) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("vecgrad.simd.bits: expected 128, 256 or 512, got " + bits);
        };
    }

    /** Lanes per vector of {@link #F}. */
    public static final int LANES = F.length();

    // The folds of sum(): lane i takes lane (i + h) mod LANES for h = 8, 4, 2, 1. Separate
    // static finals (not an array) so C2 sees each shuffle as a constant and intrinsifies it.
    private static final VectorShuffle<Float> FOLD8 = fold(8);
    private static final VectorShuffle<Float> FOLD4 = fold(4);
    private static final VectorShuffle<Float> FOLD2 = fold(2);
    private static final VectorShuffle<Float> FOLD1 = fold(1);

    private Simd() {}

    private static VectorShuffle<Float> fold(int h) {
        return VectorShuffle.fromOp(F, i -> (i + h) % LANES);
    }

    /**
     * The sum of a vector's lanes in a fixed order: a tree that adds the upper half onto the
     * lower half until one lane is left. {@code reduceLanes(ADD)} leaves the order unspecified
     * and really does round differently before and after C2 compiles a method, which would make
     * a resumed run (a fresh JVM) drift from an uninterrupted one in the last bits.
     */
    public static float sum(FloatVector v) {
        return LANES == 16 ? sum16(v) : sumNarrow(v);
    }

    // sum() and its helpers stay under C2's MaxInlineSize (35 bytes of bytecode), so they are
    // inlined even where C2 finds a call site cold: a sum that is not inlined must box its vector
    // argument, which allocated on every softmax row (a loop over an array of shuffles did too).

    private static float sum16(FloatVector v) {
        return fold(fold(fold(fold(v, FOLD8), FOLD4), FOLD2), FOLD1).reduceLanes(jdk.incubator.vector.VectorOperators.MIN);
    }

    // The 8-lane folds stay in sumNarrow itself, as before 4 lanes had their own: every call level
    // is one more inlining decision for C2, in a graph the row kernels' exp has already made large.
    private static float sumNarrow(FloatVector v) {
        return LANES == 8 ? fold(fold(fold(v, FOLD4), FOLD2), FOLD1).lane(0) : sumSmall(v);
    }

    private static float sumSmall(FloatVector v) {
        return LANES == 4 ? sum4(v) : sumOther(v);
    }

    // 4 lanes: 128-bit vectors, the preferred species on ARM NEON (Apple silicon, most aarch64
    // servers) and forced by vecgrad.simd.bits=128. Without its own constant folds it fell to
    // sumOther, whose shuffles are built per call: 64 bytes allocated per row sum in every
    // softmax and layer norm (KernelAllocationTest at 128 bits).
    private static float sum4(FloatVector v) {
        return fold(fold(v, FOLD2), FOLD1).lane(0);
    }

    // Lane counts other than 4, 8 and 16 (SVE vectors wider than 512 bits): builds its shuffles per call.
    private static float sumOther(FloatVector v) {
        for (int h = LANES / 2; h >= 1; h /= 2) v = fold(v, fold(h));
        return v.lane(0);
    }

    private static FloatVector fold(FloatVector v, VectorShuffle<Float> s) {
        return v.add(v.rearrange(s));
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
        String forced = !SET ? ""
                : F.vectorBitSize() > FloatVector.SPECIES_PREFERRED.vectorBitSize()
                        ? ", set by vecgrad.simd.bits, wider than this CPU's " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + " bits: emulated, slow"
                        : ", set by vecgrad.simd.bits";
        return F.toString() + " (" + F.vectorBitSize() + "-bit, " + LANES + " float lanes" + forced + ")";
    }
}
