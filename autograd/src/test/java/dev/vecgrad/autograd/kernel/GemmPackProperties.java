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
 * The vector transposes of {@link GemmPackA} and {@link GemmPack} against their element-by-element twins: packing only
 * moves floats, so the packed panels must be identical, padding included. The buffers start
 * filled with NaN so a float the pack forgets to write shows up. {@code packA}/{@code packBPanel}
 * exercise the transposes of this host's species (16 lanes: the 16x16 ones; 8 lanes with MR 4:
 * {@link GemmPack8}'s); {@link GemmPack8}'s blocks are also checked on their own on any host.
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
        GemmPackA.packA(vector, transA, a, off, lda, i0, mc, p0, kc);
        GemmPackA.packAScalar(scalar, transA, a, off, lda, i0, mc, p0, kc);
        assertArrayEquals(scalar, vector, "packA mc=" + mc + " kc=" + kc + " transA=" + transA);
        assertNoNaN(scalar, size, "packA");
    }

    /**
     * {@code packA} against the layout's definition (not against a twin, which for op(A) = A^T
     * is the code under test): element (i, p) of op(A) at {@code (i/MR)*MR*kc + p*MR + i%MR},
     * zeros in the padding rows, nothing written past the panels.
     */
    @Property(tries = 200, seed = "14")
    void packAFollowsTheLayout(@ForAll("sizes") int mc, @ForAll("sizes") int kc, @ForAll boolean transA,
                               @ForAll @IntRange(max = 9) int pad, @ForAll @IntRange(max = 20) int off,
                               @ForAll @IntRange(max = 5) int i0, @ForAll @IntRange(max = 5) int p0) {
        int mr = GemmKernels.MR;
        int rows = transA ? p0 + kc : i0 + mc;
        int cols = transA ? i0 + mc : p0 + kc;
        int lda = cols + pad;
        float[] a = random(off + rows * lda, mc * 29L + kc);
        int padded = (mc + mr - 1) / mr * mr;
        float[] packed = nans(padded * kc + 3);
        GemmPackA.packA(packed, transA, a, off, lda, i0, mc, p0, kc);
        for (int i = 0; i < padded; i++) {
            for (int p = 0; p < kc; p++) {
                float want = i >= mc ? 0f : transA ? a[off + (p0 + p) * lda + i0 + i] : a[off + (i0 + i) * lda + p0 + p];
                int at = (i / mr) * mr * kc + p * mr + i % mr;
                if (Float.floatToRawIntBits(packed[at]) != Float.floatToRawIntBits(want)) {
                    throw new AssertionError("packA mc=" + mc + " kc=" + kc + " transA=" + transA + ": row " + i
                            + ", column " + p + " holds " + packed[at] + ", expected " + want);
                }
            }
        }
        for (int i = padded * kc; i < packed.length; i++) {
            if (!Float.isNaN(packed[i])) throw new AssertionError("packA wrote past its panels at " + i);
        }
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

    /**
     * {@link GemmPack8#rows4} alone (it runs on any host: the species is fixed at 8 lanes), on
     * arbitrary bit patterns including NaN payloads, compared bit for bit: every column it reports
     * done holds row r's float at {@code base + 4p + r}, and nothing else is written.
     */
    @Property(tries = 300, seed = "13")
    void rows4MovesBitsExactly(@ForAll @IntRange(max = 80) int kc, @ForAll @IntRange(max = 9) int pad,
                               @ForAll @IntRange(max = 20) int off, @ForAll @IntRange(max = 40) int base) {
        int lda = kc + pad;
        int[] a = randomBits(off + 4 * lda + 3, kc * 7L + pad);
        int[] ap = randomBits(base + 4 * kc + 11, off);
        int[] before = ap.clone();
        float[] out = floats(ap);
        int done = GemmPack8.rows4(out, base, floats(a), off, lda, kc);
        if (done != kc / 8 * 8) {
            throw new AssertionError("rows4 kc=" + kc + " reported " + done + " columns done");
        }
        int[] want = before.clone();
        for (int p = 0; p < done; p++) {
            for (int r = 0; r < 4; r++) {
                want[base + 4 * p + r] = a[off + r * lda + p];
            }
        }
        assertArrayEquals(want, bits(out), "rows4 kc=" + kc + " lda=" + lda + " off=" + off + " base=" + base);
    }

    /**
     * {@link GemmPack8#block8} alone, likewise: storage row r, column p lands at
     * {@code d + p*stride + r}, bit for bit, and nothing else is written.
     */
    @Property(tries = 300, seed = "14")
    void block8MovesBitsExactly(@ForAll @IntRange(min = 8, max = 40) int ldb, @ForAll @IntRange(min = 8, max = 24) int stride,
                                @ForAll @IntRange(max = 20) int src, @ForAll @IntRange(max = 20) int d) {
        int[] b = randomBits(src + 7 * ldb + 8 + 3, ldb * 31L + stride);
        int[] bp = randomBits(d + 7 * stride + 8 + 5, src);
        int[] want = bp.clone();
        float[] out = floats(bp);
        GemmPack8.block8(out, d, stride, floats(b), src, ldb);
        for (int p = 0; p < 8; p++) {
            for (int r = 0; r < 8; r++) {
                want[d + p * stride + r] = b[src + r * ldb + p];
            }
        }
        assertArrayEquals(want, bits(out), "block8 ldb=" + ldb + " stride=" + stride + " src=" + src + " d=" + d);
    }

    /** Random 32-bit patterns, a quarter of them NaNs with random payloads. */
    private static int[] randomBits(int n, long seed) {
        Random rnd = new Random(seed);
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextInt(4) == 0 ? 0x7f800001 | rnd.nextInt(0x007fffff) | (rnd.nextBoolean() ? 0x80000000 : 0) : rnd.nextInt();
        }
        return x;
    }

    private static float[] floats(int[] bits) {
        float[] x = new float[bits.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.intBitsToFloat(bits[i]);
        }
        return x;
    }

    private static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            b[i] = Float.floatToRawIntBits(x[i]);
        }
        return b;
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
