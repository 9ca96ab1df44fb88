package dev.vecgrad.autograd.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place that chooses the vector species every SIMD kernel uses.
 *
 * <p>The preferred species is the widest the CPU supports (512 bits on AVX-512 machines, 256 on
 * AVX2, 128 on ARM NEON; at most 512). Kernels read {@link #F} as a {@code static final} so C2 can
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

    /**
     * The species for a {@code vecgrad.simd.bits} value; null or empty: the CPU's preferred one,
     * held to 128-512 bits because the lane tree below has steps for 4, 8 and 16 lanes (a CPU
     * with wider vectors, such as a 1024-bit SVE machine, runs 512-bit ones).
     */
    static VectorSpecies<Float> species(String bits) {
        if (bits == null || bits.isEmpty()) {
            int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
            return preferred > 512 ? FloatVector.SPECIES_512
                    : preferred < 128 ? FloatVector.SPECIES_128 : FloatVector.SPECIES_PREFERRED;
        }
        return switch (bits) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("vecgrad.simd.bits: expected 128, 256 or 512, got " + bits);
        };
    }

    /** Lanes per vector of {@link #F}: 4, 8 or 16. */
    public static final int LANES = F.length();

    /*
     * The lane tree. A vector's lanes are summed in one fixed order: the upper half added onto the
     * lower half until one lane is left (lane i takes lane i + h for h = 8, 4, 2, 1, the steps
     * that exist at this width). reduceLanes(ADD) leaves the order unspecified and really does
     * round differently before and after C2 compiles a method, which would make a resumed run (a
     * fresh JVM) drift from an uninterrupted one in the last bits.
     *
     * Kernels write the steps out where they sum a vector, in these four lines:
     *
     *     if (LANES == 16) acc = acc.add(acc.rearrange(FOLD8));
     *     if (LANES >= 8) acc = acc.add(acc.rearrange(FOLD4));
     *     acc = acc.add(acc.rearrange(FOLD2));
     *     float sum = acc.add(acc.rearrange(FOLD1)).lane(0);
     *
     * rather than call a method taking the vector: a call C2 does not inline must box its vector
     * argument, 64 bytes on the heap for every row of a softmax or layer norm. Whether C2 inlines a
     * call after a loop that inlined a vector exp depends on its profile and inlining budget, so
     * a helper, however small, was left out of line now and then (KernelAllocationTest failed in
     * about one build in five). The Vector API's own methods are always inlined (@ForceInline),
     * so these lines cannot box. The constant ifs cost nothing: C2 folds them.
     *
     * The folds rotate (lane i takes lane (i + h) mod LANES), so after the last one every lane
     * holds the same sum and lane 0 is as good as any. Separate static finals, not an array, so
     * C2 sees each shuffle as a constant and intrinsifies it.
     */

    /** Lane i takes lane (i + 8) mod LANES: the first step of the lane tree at 16 lanes. */
    static final VectorShuffle<Float> FOLD8 = fold(8);
    /** Lane i takes lane (i + 4) mod LANES: a step of the lane tree at 8 and 16 lanes. */
    static final VectorShuffle<Float> FOLD4 = fold(4);
    /** Lane i takes lane (i + 2) mod LANES: a step of the lane tree at every width. */
    static final VectorShuffle<Float> FOLD2 = fold(2);
    /** Lane i takes lane (i + 1) mod LANES: the last step of the lane tree. */
    static final VectorShuffle<Float> FOLD1 = fold(1);

    private Simd() {}

    private static VectorShuffle<Float> fold(int h) {
        return VectorShuffle.fromOp(F, i -> (i + h) % LANES);
    }

    /** The lane tree in scalar: the sum of {@code LANES} values from {@code a[off]}, in the kernels' order. */
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
