package dev.vecgrad.autograd.kernel;

import jdk.incubator.vector.FloatVector;
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

    private Simd() {}

    /** A short human-readable description, e.g. {@code "Species[float, 16, S_512_BIT]"}. */
    public static String describe() {
        return F.toString() + " (" + F.vectorBitSize() + "-bit, " + LANES + " float lanes)";
    }
}
