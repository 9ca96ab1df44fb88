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

/** {@link LayerNormKernel} against its scalar twin, and its backward against finite differences. */
class LayerNormKernelTest {
    private static final float LN_EPS = 1e-5f;

    /** rows x cols, an offset for every array, which of weight/bias exist, data scale, seed. */
    record Case(int rows, int cols, int off, boolean affine, float scale, long seed) {
        float[] array(int which, int n) {
            Random rnd = new Random(seed * 13 + which);
            float[] a = new float[off + n + 3];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (rnd.nextGaussian() * (which == 0 ? scale : 1));
            }
            return a;
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.integers().between(1, 4), KernelCase.lengths(),
                Arbitraries.integers().between(0, 9), Arbitraries.of(true, false),
                Arbitraries.of(1f, 1e-2f, 100f), Arbitraries.longs()).as(Case::new);
    }

    /**
     * Forward: mean and variance are float lane sums vs double sums, so mean/rstd carry a
     * relative error of about {@code cols/16 * eps}; a normalised value n = (x-m)*rstd is O(1)
     * to O(sqrt(cols)) and inherits that relative error, times |w|, plus ulps of the affine part.
     * Backward: dx = (g - mean(g) - n mean(g n)) * rstd; each term is bounded by
     * {@code B = rstd * max|g| * (2 + max|n|^2)}, with the same relative error; dweight and
     * dbias differ by the fused multiply-add only.
     */
    @Property(tries = 200, seed = "4501")
    void matchesScalar(@ForAll("cases") Case c) {
        int n = c.rows() * c.cols();
        int o = c.off();
        float[] x = c.array(0, n);
        float[] w = c.affine() ? c.array(1, c.cols()) : null;
        float[] b = c.affine() ? c.array(2, c.cols()) : null;
        float[] out = new float[o + n + 3], outRef = out.clone();
        float[] mean = new float[o + c.rows()], meanRef = mean.clone();
        float[] rstd = new float[o + c.rows()], rstdRef = rstd.clone();
        LayerNormKernel.forward(out, o, mean, o, rstd, o, x, o, w, o, b, o, c.rows(), c.cols(), LN_EPS);
        LayerNormKernelScalar.forward(outRef, o, meanRef, o, rstdRef, o, x, o, w, o, b, o, c.rows(), c.cols(), LN_EPS);
        double rel = (32 + c.cols() / 4.0) * EPS;
        double[] tol = new double[out.length];
        for (int i = 0; i < n; i++) {
            int col = i % c.cols();
            double wv = w == null ? 1 : Math.abs(w[o + col]);
            double bv = b == null ? 0 : Math.abs(b[o + col]);
            double norm = Math.abs((x[o + i] - meanRef[o + i / c.cols()]) * rstdRef[o + i / c.cols()]);
            tol[o + i] = rel * ((norm + 1) * wv + bv);
        }
        KernelCase.assertClose("layerNorm out", outRef, out, tol);
        for (int r = 0; r < c.rows(); r++) {
            double scaleOfX = Math.abs(meanRef[o + r]) + 1 / rstdRef[o + r];
            assertEquals(meanRef[o + r], mean[o + r], rel * scaleOfX, "mean of row " + r);
            assertEquals(rstdRef[o + r], rstd[o + r], rel * rstdRef[o + r], "rstd of row " + r);
        }

        float[] dout = c.array(3, n);
        float[] dx0 = c.array(4, n), dw0 = c.array(5, c.cols()), db0 = c.array(6, c.cols());
        float[] dx = dx0.clone(), dw = dw0.clone(), db = db0.clone();
        float[] dxRef = dx0.clone(), dwRef = dw0.clone(), dbRef = db0.clone();
        LayerNormKernel.backward(dx, o, dw, o, db, o, dout, o, x, o, meanRef, o, rstdRef, o, w, o, c.rows(), c.cols());
        LayerNormKernelScalar.backward(dxRef, o, dwRef, o, dbRef, o, dout, o, x, o, meanRef, o, rstdRef, o, w, o,
                c.rows(), c.cols());
        KernelCase.assertSame("dbias", dbRef, db);
        double[] tolDx = new double[dx.length];
        double[] tolDw = new double[dw.length];
        for (int r = 0; r < c.rows(); r++) {
            double maxG = 0, maxN = 0;
            for (int j = 0; j < c.cols(); j++) {
                int i = o + r * c.cols() + j;
                maxG = Math.max(maxG, Math.abs(dout[i] * (w == null ? 1 : w[o + j])));
                double nv = Math.abs((x[i] - meanRef[o + r]) * rstdRef[o + r]);
                maxN = Math.max(maxN, nv);
                tolDw[o + j] += 2 * EPS * (Math.abs(nv * dout[i]) + Math.abs(dwRef[o + j]));
            }
            double bound = rstdRef[o + r] * maxG * (2 + maxN * maxN);
            for (int j = 0; j < c.cols(); j++) {
                int i = o + r * c.cols() + j;
                tolDx[i] = rel * bound + 2 * EPS * Math.abs(dx0[i]);
            }
        }
        KernelCase.assertClose("dx", dxRef, dx, tolDx);
        KernelCase.assertClose("dweight", dwRef, dw, tolDw);
    }

    /** Small sizes, loss = sum(out * dout) in double; central differences with h = 1e-3. */
    @Property(tries = 40, seed = "4502")
    void backwardMatchesFiniteDifferences(@ForAll("small") Case c) {
        int rows = c.rows(), cols = c.cols(), n = rows * cols;
        float[] x = c.array(0, n);
        float[] w = c.array(1, cols);
        float[] b = c.array(2, cols);
        float[] dout = c.array(3, n);
        float[] mean = new float[rows], rstd = new float[rows], out = new float[n];
        LayerNormKernel.forward(out, 0, mean, 0, rstd, 0, x, c.off(), w, c.off(), b, c.off(), rows, cols, LN_EPS);
        float[] dx = new float[n], dw = new float[cols], db = new float[cols];
        LayerNormKernel.backward(dx, 0, dw, 0, db, 0, dout, c.off(), x, c.off(), mean, 0, rstd, 0, w, c.off(), rows, cols);
        double[] xd = toDouble(x, c.off(), n), wd = toDouble(w, c.off(), cols), bd = toDouble(b, c.off(), cols);
        double[] g = toDouble(dout, c.off(), n);
        double h = 1e-3;
        for (double[][] target : new double[][][] {{xd}, {wd}, {bd}}) {
            double[] t = target[0];
            float[] analytic = t == xd ? dx : t == wd ? dw : db;
            for (int i = 0; i < t.length; i++) {
                double keep = t[i];
                t[i] = keep + h;
                double up = loss(xd, wd, bd, g, rows, cols);
                t[i] = keep - h;
                double down = loss(xd, wd, bd, g, rows, cols);
                t[i] = keep;
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, analytic[i], 2e-3 * (1 + Math.abs(numeric)),
                        (t == xd ? "dx" : t == wd ? "dweight" : "dbias") + "[" + i + "] of " + rows + "x" + cols);
            }
        }
    }

    @Provide
    Arbitrary<Case> small() {
        return Combinators.combine(Arbitraries.integers().between(1, 3), Arbitraries.of(1, 2, 3, 7, 8, 9, 17),
                Arbitraries.integers().between(0, 3), Arbitraries.of(true), Arbitraries.of(1f, 3f),
                Arbitraries.longs()).as(Case::new);
    }

    private static double loss(double[] x, double[] w, double[] b, double[] g, int rows, int cols) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double m = 0, v = 0;
            for (int j = 0; j < cols; j++) {
                m += x[r * cols + j];
            }
            m /= cols;
            for (int j = 0; j < cols; j++) {
                double d = x[r * cols + j] - m;
                v += d * d;
            }
            double s = 1 / Math.sqrt(v / cols + LN_EPS);
            for (int j = 0; j < cols; j++) {
                total += ((x[r * cols + j] - m) * s * w[j] + b[j]) * g[r * cols + j];
            }
        }
        return total;
    }

    private static double[] toDouble(float[] a, int off, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = a[off + i];
        }
        return d;
    }

    @Property(tries = 100, seed = "4503")
    void biasKernelsMatchScalar(@ForAll("cases") Case c) {
        int n = c.rows() * c.cols();
        float[] out = c.array(0, n), outRef = out.clone();
        float[] bias = c.array(1, c.cols());
        LayerNormKernel.biasAdd(out, c.off(), bias, c.off(), c.rows(), c.cols());
        LayerNormKernelScalar.biasAdd(outRef, c.off(), bias, c.off(), c.rows(), c.cols());
        KernelCase.assertSame("biasAdd", outRef, out);
        float[] db = c.array(2, c.cols()), dbRef = db.clone();
        LayerNormKernel.biasBackward(db, c.off(), out, c.off(), c.rows(), c.cols());
        LayerNormKernelScalar.biasBackward(dbRef, c.off(), out, c.off(), c.rows(), c.cols());
        KernelCase.assertSame("biasBackward", dbRef, db);
    }

    @org.junit.jupiter.api.Test
    void nullGradientsAndBadShapes() {
        float[] x = {1, 2, 3, 4, 5, 6};
        float[] out = new float[6], mean = new float[2], rstd = new float[2];
        LayerNormKernel.forward(out, 0, mean, 0, rstd, 0, x, 0, null, 0, null, 0, 2, 3, LN_EPS);
        assertEquals(2f, mean[0]);
        assertEquals(0f, out[1]);
        float[] dw = new float[3];
        LayerNormKernel.backward(null, 0, dw, 0, null, 0, x, 0, x, 0, mean, 0, rstd, 0, null, 0, 2, 3);
        assertTrue(dw[0] < 0);
        var e = assertThrows(IllegalArgumentException.class,
                () -> LayerNormKernel.forward(out, 0, mean, 0, rstd, 0, x, 0, new float[2], 0, null, 0, 2, 3, LN_EPS));
        assertTrue(e.getMessage().contains("layerNorm") && e.getMessage().contains("weight"), e.getMessage());
    }
}
