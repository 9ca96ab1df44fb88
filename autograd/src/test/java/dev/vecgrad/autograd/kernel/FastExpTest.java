package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Accuracy of the two vector exps softmax can use, over the softmax input range
 * {@code [FastExp.MIN_ARG, 0]} on a dense grid, against {@link Math#exp} in double.
 */
class FastExpTest {
    /** The grid: 2^20 points from MIN_ARG to 0, plus every float in [-1/16, 0] step 2^-20. */
    private static float[] grid() {
        int coarse = 1 << 20;
        int fine = 1 << 16;
        float[] x = new float[coarse + fine + 1];
        for (int i = 0; i < coarse; i++) {
            x[i] = FastExp.MIN_ARG * (1f - (float) i / coarse);
        }
        for (int i = 0; i <= fine; i++) {
            x[coarse + i] = -(float) i / (1 << 20);
        }
        return x;
    }

    private static double maxRelativeError(float[] x, float[] y) {
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double exact = Math.exp(x[i]);
            worst = Math.max(worst, Math.abs(y[i] - exact) / exact);
        }
        return worst;
    }

    @Test
    void polynomialExpIsWithinOnePpmOnTheSoftmaxRange() {
        float[] x = grid();
        float[] y = new float[x.length];
        FastExp.exp(y, 0, x, 0, x.length);
        double vector = maxRelativeError(x, y);
        for (int i = 0; i < x.length; i++) {
            y[i] = FastExp.exp(x[i]);
        }
        double scalar = maxRelativeError(x, y);
        System.out.printf("FastExp max relative error: vector %.3g, scalar %.3g%n", vector, scalar);
        assertTrue(vector <= 1e-6, "vector FastExp max relative error " + vector);
        assertTrue(scalar <= 1e-6, "scalar FastExp max relative error " + scalar);
    }

    @Test
    void lanewiseExpIsWithinOnePpmOnTheSoftmaxRange() {
        float[] x = grid();
        float[] y = new float[x.length];
        VecFunc.exp(y, 0, x, 0, x.length);
        double err = maxRelativeError(x, y);
        System.out.printf("lanewise(EXP) max relative error: %.3g%n", err);
        assertTrue(err <= 1e-6, "lanewise EXP max relative error " + err);
    }

    @Test
    void belowTheRangeIsExactlyZeroAndNaNStaysNaN() {
        float[] x = {-87.34f, -88f, -100f, -1e30f, Float.NEGATIVE_INFINITY, Float.NaN, 0f, -0f, -1f};
        float[] y = new float[x.length];
        FastExp.exp(y, 0, x, 0, x.length);
        for (int i = 0; i < 5; i++) {
            assertEquals(0f, y[i], "x=" + x[i]);
            assertEquals(0f, FastExp.exp(x[i]), "scalar x=" + x[i]);
        }
        assertEquals(Float.NaN, y[5]);
        assertEquals(Float.NaN, FastExp.exp(Float.NaN));
        assertEquals(1f, y[6]);
        assertEquals(1f, y[7]);
        // A whole vector of special values, not just the scalar tail.
        float[] v = new float[16];
        java.util.Arrays.fill(v, Float.NEGATIVE_INFINITY);
        v[1] = Float.NaN;
        FastExp.exp(v, 0, v, 0, 16);
        assertEquals(0f, v[0]);
        assertEquals(Float.NaN, v[1]);
    }
}
