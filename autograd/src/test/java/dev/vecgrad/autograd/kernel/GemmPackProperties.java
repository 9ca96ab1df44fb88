package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The vector transposes of {@link GemmPack} against their element-by-element twins: packing only
 * moves floats, so the packed panels must be identical, padding included. The buffers start
 * filled with NaN so a float the pack forgets to write shows up.
 */
class GemmPackProperties {

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of(1, 7, 8, 9, 15, 16, 17, 31, 32, 33)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(47, 48, 63, 64, 65, 96, 127, 256)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(1, 300)));
    }

    @Property(tries = 200, seed = "11")
    void packAMatchesTwin(@ForAll("sizes") int mc, @ForAll("sizes") int kc, @ForAll boolean transA,
                          @ForAll @IntRange(max = 9) int pad, @ForAll @IntRange(max = 20) int off,
                          @ForAll @IntRange(max = 5) int i0, @ForAll @IntRange(max = 5) int p0) {
        int rows = transA ? p0 + kc : i0 + mc;
        int cols = transA ? i0 + mc : p0 + kc;
        int lda = cols + pad;
        float[] a = random(off + rows * lda, mc * 31L + kc);
        int size = (mc + GemmKernels.MR - 1) / GemmKernels.MR * GemmKernels.MR * kc;
        float[] vector = nans(size + 3);
        float[] scalar = nans(size + 3);
        GemmPack.packA(vector, transA, a, off, lda, i0, mc, p0, kc);
        GemmPack.packAScalar(scalar, transA, a, off, lda, i0, mc, p0, kc);
        assertArrayEquals(scalar, vector, "packA mc=" + mc + " kc=" + kc + " transA=" + transA);
        assertNoNaN(scalar, size, "packA");
    }

    @Property(tries = 200, seed = "12")
    void packBMatchesTwin(@ForAll("sizes") int kc, @ForAll @IntRange(min = 1, max = 32) int widthPick,
                          @ForAll boolean transB, @ForAll @IntRange(max = 9) int pad,
                          @ForAll @IntRange(max = 20) int off, @ForAll @IntRange(max = 5) int j,
                          @ForAll @IntRange(max = 5) int p0, @ForAll boolean fullWidth) {
        int width = fullWidth ? GemmKernels.NR : Math.min(widthPick, GemmKernels.NR);
        int rows = transB ? j + width : p0 + kc;
        int cols = transB ? p0 + kc : j + width;
        int ldb = cols + pad;
        float[] b = random(off + rows * ldb, kc * 17L + width);
        int base = 5;
        int size = base + kc * GemmKernels.NR;
        float[] vector = nans(size + 2);
        float[] scalar = nans(size + 2);
        GemmPack.packBPanel(vector, base, transB, b, off, ldb, p0, kc, j, width, new float[GemmPack.SCRATCH]);
        GemmPack.packBPanelScalar(scalar, base, transB, b, off, ldb, p0, kc, j, width);
        assertArrayEquals(scalar, vector, "packB kc=" + kc + " width=" + width + " transB=" + transB);
        for (int i = base; i < size; i++) {
            if (Float.isNaN(scalar[i])) {
                throw new AssertionError("packB left element " + i + " unwritten");
            }
        }
    }

    private static float[] random(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    private static float[] nans(int n) {
        float[] x = new float[n];
        Arrays.fill(x, Float.NaN);
        return x;
    }

    private static void assertNoNaN(float[] x, int n, String what) {
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(x[i])) {
                throw new AssertionError(what + " left element " + i + " unwritten");
            }
        }
    }
}
