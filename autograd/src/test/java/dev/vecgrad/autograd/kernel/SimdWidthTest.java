package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The vector width the kernels use ({@link Simd#F}). The build runs this package's tests once
 * more at each of 128, 256 and 512 bits ({@code -Dvecgrad.simd.bits}, surefire executions in
 * {@code autograd/pom.xml}), so whichever CPU runs the build, the AVX2 code, the AVX-512 code
 * and the 4-lane code of ARM NEON are all checked against their scalar twins. This test makes
 * such a run fail if the width it asked for did not take effect.
 */
class SimdWidthTest {
    @Test
    void theRequestedWidthIsInEffect() {
        String bits = System.getProperty("vecgrad.simd.bits");
        // The build's width runs also pass vecgrad.simd.expect, so a run that lost its width
        // property fails here instead of quietly testing the default width again.
        String expect = System.getProperty("vecgrad.simd.expect");
        if (expect != null) assertEquals(expect, bits, "vecgrad.simd.bits of a run that expects " + expect + " bits");
        if (bits == null || bits.isEmpty()) {
            assertEquals(FloatVector.SPECIES_PREFERRED, Simd.F, "no width requested: the CPU's preferred one");
        } else {
            assertEquals(Integer.parseInt(bits), Simd.F.vectorBitSize(), Simd.describe());
        }
        assertEquals(Simd.F.length(), Simd.LANES);
    }

    @Test
    void widthsAreNamedInBits() {
        assertEquals(FloatVector.SPECIES_128, Simd.species("128"));
        assertEquals(FloatVector.SPECIES_256, Simd.species("256"));
        assertEquals(FloatVector.SPECIES_512, Simd.species("512"));
        assertEquals(FloatVector.SPECIES_PREFERRED, Simd.species(null));
        var e = assertThrows(IllegalArgumentException.class, () -> Simd.species("64"));
        assertTrue(e.getMessage().contains("vecgrad.simd.bits") && e.getMessage().contains("128, 256 or 512"), e.getMessage());
    }
}
