package dev.vecgrad.autograd.kernel;

import static dev.vecgrad.autograd.kernel.KernelCase.EPS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link Softmax} against {@link SoftmaxScalar}, and the defining properties of softmax. */
class SoftmaxTest {
    /** rows x cols block, offsets for out/in/dy, a logit scale, whether to mask some entries. */
    record Case(int rows, int cols, int offOut, int offIn, int offDy, float scale, boolean masked, long seed) {
        float[] logits() {
            Random rnd = new Random(seed);
            float[] a = new float[offIn + rows * cols + 3];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (rnd.nextGaussian() * scale);
                if (masked && rnd.nextInt(4) == 0) {
                    a[i] = Float.NEGATIVE_INFINITY;
                }
            }
            for (int r = 0; r < rows; r++) {
                a[offIn + r * cols] = (float) rnd.nextGaussian(); // every row keeps one finite entry
            }
            return a;
        }

        float[] grad(int off) {
            Random rnd = new Random(seed + 7);
            float[] a = new float[off + rows * cols + 3];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rnd.nextGaussian();
            }
            return a;
        }

        /** Relative tolerance of a row result: exp ulps plus a float row sum of cols terms. */
        double rtol() {
            return (16 + cols / 8.0) * EPS;
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Integer> off = Arbitraries.integers().between(0, 9);
        return Combinators.combine(Arbitraries.integers().between(1, 5), KernelCase.lengths(), off, off, off,
                        Arbitraries.of(1f, 10f, 1000f), Arbitraries.of(false, true), Arbitraries.longs())
                .as(Case::new);
    }

    /**
     * Probabilities: a few ulp from exp plus the relative error of a float sum of positive
     * terms in 16 lane-partials ({@code ~cols/16} roundings), hence {@link Case#rtol()}; values
     * under the smallest normal float (exp of < -87) are compared with an absolute 1e-37.
     */
    @Property(tries = 200, seed = "4401")
    void softmaxMatchesScalar(@ForAll("cases") Case c) {
        float[] in = c.logits();
        float[] out = new float[c.offOut() + c.rows() * c.cols() + 3];
        float[] ref = out.clone();
        Softmax.softmaxRows(out, c.offOut(), in, c.offIn(), c.rows(), c.cols());
        SoftmaxScalar.softmaxRows(ref, c.offOut(), in, c.offIn(), c.rows(), c.cols());
        KernelCase.assertClose("softmax", ref, out, KernelCase.relative(ref, c.rtol(), 1e-37));

        float[] causal = out.clone();
        float[] causalRef = ref.clone();
        int q = (int) Math.floorMod(c.seed(), 3L);
        Softmax.causalSoftmaxRows(causal, c.offOut(), in, c.offIn(), c.rows(), c.cols(), q);
        SoftmaxScalar.causalSoftmaxRows(causalRef, c.offOut(), in, c.offIn(), c.rows(), c.cols(), q);
        KernelCase.assertClose("causalSoftmax", causalRef, causal, KernelCase.relative(causalRef, c.rtol(), 1e-37));
    }

    /** Causal blocks with every row length: rows 1..80, any cols, any query offset. */
    @Property(tries = 150, seed = "4406")
    void causalMatchesScalarOnTallBlocks(@ForAll("tall") Case c) {
        float[] in = c.logits();
        int q = (int) Math.floorMod(c.seed(), (long) c.cols() + 2);
        float[] out = new float[c.offOut() + c.rows() * c.cols() + 3];
        java.util.Arrays.fill(out, Float.NaN);
        float[] ref = out.clone();
        Softmax.causalSoftmaxRows(out, c.offOut(), in, c.offIn(), c.rows(), c.cols(), q);
        SoftmaxScalar.causalSoftmaxRows(ref, c.offOut(), in, c.offIn(), c.rows(), c.cols(), q);
        KernelCase.assertClose("causalSoftmax q=" + q, ref, out, KernelCase.relative(ref, c.rtol(), 1e-37));
        float[] dy = c.grad(c.offDy());
        float[] dx = c.grad(c.offIn());
        float[] dxRef = dx.clone();
        Softmax.causalSoftmaxBackwardRows(dx, c.offIn(), ref, c.offOut(), dy, c.offDy(), c.rows(), c.cols(), q);
        SoftmaxScalar.causalSoftmaxBackwardRows(dxRef, c.offIn(), ref, c.offOut(), dy, c.offDy(), c.rows(), c.cols(), q);
        // y <= 1 and |dy| ~ 1: |dx - dxRef| is bounded by the float-vs-double error of sum(dy*y).
        KernelCase.assertClose("causalSoftmaxBackward", dxRef, dx, KernelCase.relative(dxRef, 4 * EPS, c.rtol() * 8));
    }

    @Provide
    Arbitrary<Case> tall() {
        Arbitrary<Integer> off = Arbitraries.integers().between(0, 9);
        return Combinators.combine(Arbitraries.integers().between(1, 80), KernelCase.lengths(), off, off, off,
                        Arbitraries.of(1f, 10f), Arbitraries.of(false, true), Arbitraries.longs())
                .as(Case::new);
    }

    /** log-probabilities: absolute error of log(sum) ~ the sum's relative error, plus ulps of x. */
    @Property(tries = 200, seed = "4402")
    void logSoftmaxMatchesScalar(@ForAll("cases") Case c) {
        float[] in = c.logits();
        float[] out = new float[c.offOut() + c.rows() * c.cols() + 3];
        float[] ref = out.clone();
        Softmax.logSoftmaxRows(out, c.offOut(), in, c.offIn(), c.rows(), c.cols());
        SoftmaxScalar.logSoftmaxRows(ref, c.offOut(), in, c.offIn(), c.rows(), c.cols());
        KernelCase.assertClose("logSoftmax", ref, out, logTolerance(ref, c));
    }

    /** Per-element tolerance of a log-domain result: the row's rtol, absolute, plus 2 ulps of it. */
    private static double[] logTolerance(float[] ref, Case c) {
        double[] tol = new double[ref.length];
        for (int i = 0; i < ref.length; i++) {
            tol[i] = c.rtol() + 2 * EPS * Math.abs(ref[i]);
        }
        return tol;
    }

    /**
     * Log-sum-exp: like a log-probability, the absolute error is about the relative error of the
     * row sum plus ulps of the max; the probabilities rebuilt from it (scaled) are within a few
     * ulps of exp plus that error, relative.
     */
    @Property(tries = 200, seed = "4406")
    void logSumExpAndRebuiltSoftmaxMatchScalar(@ForAll("cases") Case c) {
        float[] in = c.logits();
        float[] lse = new float[c.offDy() + c.rows() + 2];
        float[] lseRef = lse.clone();
        Softmax.logSumExpRows(lse, c.offDy(), in, c.offIn(), c.rows(), c.cols());
        SoftmaxScalar.logSumExpRows(lseRef, c.offDy(), in, c.offIn(), c.rows(), c.cols());
        KernelCase.assertClose("logSumExp", lseRef, lse, logTolerance(lseRef, c));

        float scale = 0.37f;
        float[] out = new float[c.offOut() + c.rows() * c.cols() + 3];
        float[] ref = out.clone();
        Softmax.softmaxFromLogSumExpRows(out, c.offOut(), in, c.offIn(), lseRef, c.offDy(), scale, c.rows(), c.cols());
        SoftmaxScalar.softmaxFromLogSumExpRows(ref, c.offOut(), in, c.offIn(), lseRef, c.offDy(), scale, c.rows(), c.cols());
        KernelCase.assertClose("softmaxFromLogSumExp", ref, out, KernelCase.relative(ref, c.rtol(), 1e-37));
        // Rebuilt from the true normaliser, each row of the scaled probabilities sums to scale.
        for (int r = 0; r < c.rows(); r++) {
            double sum = 0;
            for (int j = 0; j < c.cols(); j++) {
                sum += out[c.offOut() + r * c.cols() + j];
            }
            assertEquals(scale, sum, 1e-4, "row " + r + " of softmaxFromLogSumExp sums to the scale");
        }
    }

    @Test
    void logSumExpRejectsShortArraysByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Softmax.logSumExpRows(new float[2], 0, new float[12], 0, 3, 4));
        assertTrue(e.getMessage().contains("logSumExpRows") && e.getMessage().contains("lse"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Softmax.softmaxFromLogSumExpRows(new float[11], 0, new float[12], 0, new float[3], 0, 1f, 3, 4));
        assertTrue(e.getMessage().contains("softmaxFromLogSumExpRows") && e.getMessage().contains("out"), e.getMessage());
    }

    /**
     * Backward: {@code dx += y (dy - s)} with {@code s = sum(dy y)} summed in float lanes vs
     * double; the error of s is about {@code cols/8 * eps * sum|dy y|}, scaled by y.
     */
    @Property(tries = 200, seed = "4403")
    void backwardsMatchScalar(@ForAll("cases") Case c) {
        int n = c.rows() * c.cols();
        float[] y = new float[n];
        float[] logY = new float[n];
        float[] in = c.logits();
        SoftmaxScalar.softmaxRows(y, 0, in, c.offIn(), c.rows(), c.cols());
        SoftmaxScalar.logSoftmaxRows(logY, 0, in, c.offIn(), c.rows(), c.cols());
        float[] dy = c.grad(c.offDy());
        float[] before = c.grad(c.offOut());
        for (int variant = 0; variant < 3; variant++) {
            float[] dx = before.clone();
            float[] ref = before.clone();
            switch (variant) {
                case 0 -> {
                    Softmax.softmaxBackwardRows(dx, c.offOut(), y, 0, dy, c.offDy(), c.rows(), c.cols());
                    SoftmaxScalar.softmaxBackwardRows(ref, c.offOut(), y, 0, dy, c.offDy(), c.rows(), c.cols());
                }
                case 1 -> {
                    Softmax.causalSoftmaxBackwardRows(dx, c.offOut(), y, 0, dy, c.offDy(), c.rows(), c.cols(), 1);
                    SoftmaxScalar.causalSoftmaxBackwardRows(ref, c.offOut(), y, 0, dy, c.offDy(), c.rows(), c.cols(), 1);
                }
                default -> {
                    Softmax.logSoftmaxBackwardRows(dx, c.offOut(), logY, 0, dy, c.offDy(), c.rows(), c.cols());
                    SoftmaxScalar.logSoftmaxBackwardRows(ref, c.offOut(), logY, 0, dy, c.offDy(), c.rows(), c.cols());
                }
            }
            double[] tol = new double[ref.length];
            for (int r = 0; r < c.rows(); r++) {
                double dySum = 0;
                for (int j = 0; j < c.cols(); j++) {
                    dySum += Math.abs(dy[c.offDy() + r * c.cols() + j]);
                }
                for (int j = 0; j < c.cols(); j++) {
                    int o = c.offOut() + r * c.cols() + j;
                    double yy = y[r * c.cols() + j];
                    double g = Math.abs(dy[c.offDy() + r * c.cols() + j]);
                    tol[o] = 4 * EPS * (Math.abs(before[o]) + g + (c.cols() / 8.0 + 8) * yy * (g + dySum));
                }
            }
            KernelCase.assertClose("softmax backward variant " + variant, ref, dx, tol);
        }
    }

    @Property(tries = 150, seed = "4404")
    void rowsSumToOneAndLogSoftmaxIsLogOfSoftmax(@ForAll("cases") Case c) {
        float[] in = c.logits();
        int n = c.rows() * c.cols();
        float[] p = new float[n];
        float[] lp = new float[n];
        Softmax.softmaxRows(p, 0, in, c.offIn(), c.rows(), c.cols());
        Softmax.logSoftmaxRows(lp, 0, in, c.offIn(), c.rows(), c.cols());
        for (int r = 0; r < c.rows(); r++) {
            double sum = 0;
            for (int j = 0; j < c.cols(); j++) {
                float v = p[r * c.cols() + j];
                assertTrue(v >= 0f && v <= 1f, "probability out of [0,1]: " + v);
                sum += v;
                if (v > 1e-30f) {
                    assertEquals(Math.log(v), lp[r * c.cols() + j], 4 * c.rtol() * (1 + Math.abs(lp[r * c.cols() + j])));
                }
            }
            assertEquals(1.0, sum, 2 * c.rtol() + c.cols() * EPS);
        }
    }

    @Property(tries = 150, seed = "4405")
    void causalRowsAreZeroAboveTheDiagonalAndSumToOne(@ForAll("cases") Case c) {
        float[] in = c.logits();
        int q = (int) Math.floorMod(c.seed(), 4L);
        float[] p = new float[c.rows() * c.cols()];
        java.util.Arrays.fill(p, Float.NaN); // every entry must be written
        Softmax.causalSoftmaxRows(p, 0, in, c.offIn(), c.rows(), c.cols(), q);
        for (int r = 0; r < c.rows(); r++) {
            double sum = 0;
            for (int j = 0; j < c.cols(); j++) {
                float v = p[r * c.cols() + j];
                if (j > r + q) {
                    assertEquals(0f, v, "row " + r + " col " + j);
                }
                sum += v;
            }
            assertEquals(1.0, sum, 2 * c.rtol() + c.cols() * EPS);
        }
    }

    @Test
    void specialValuesFollowPyTorch() {
        for (boolean simd : new boolean[] {true, false}) {
            float ninf = Float.NEGATIVE_INFINITY;
            int cols = 19;
            float[] in = new float[3 * cols];
            java.util.Arrays.fill(in, 0, cols, ninf);               // row 0: all masked
            in[cols + 5] = Float.NaN;                                // row 1: a NaN
            for (int j = 0; j < cols; j++) {                         // row 2: every other masked
                in[2 * cols + j] = j % 2 == 0 ? ninf : j;
            }
            float[] out = new float[in.length];
            float[] log = new float[in.length];
            if (simd) {
                Softmax.softmaxRows(out, 0, in, 0, 3, cols);
                Softmax.logSoftmaxRows(log, 0, in, 0, 3, cols);
            } else {
                SoftmaxScalar.softmaxRows(out, 0, in, 0, 3, cols);
                SoftmaxScalar.logSoftmaxRows(log, 0, in, 0, 3, cols);
            }
            for (int j = 0; j < cols; j++) {
                assertEquals(Float.NaN, out[j], "all -inf row gives NaN");
                assertEquals(Float.NaN, out[cols + j], "a NaN poisons its row");
                if (j % 2 == 0) {
                    assertEquals(0f, out[2 * cols + j], "masked entry gives exactly 0");
                    assertEquals(ninf, log[2 * cols + j]);
                } else {
                    assertTrue(out[2 * cols + j] > 0f);
                }
            }
        }
    }

    @Test
    void badArgumentsAreRejectedWithShapes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Softmax.softmaxRows(new float[10], 0, new float[12], 0, 3, 4));
        assertTrue(e.getMessage().contains("softmaxRows") && e.getMessage().contains("12"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Softmax.causalSoftmaxRows(new float[16], 0, new float[16], 0, 4, 4, -1));
        assertThrows(IllegalArgumentException.class,
                () -> SoftmaxScalar.softmaxRows(new float[4], 0, new float[4], 0, 2, 0));
        assertThrows(IllegalArgumentException.class,
                () -> Softmax.softmaxRows(new float[16], 0, 3, new float[16], 0, 4, 4, 4));
    }
}
