package dev.vecgrad.autograd;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Checks an op's analytical gradient against central finite differences, like
 * {@code torch.autograd.gradcheck}.
 *
 * <p>The function may return any shape: it is reduced to a scalar with a fixed random projection
 * {@code L = sum(f(x) * v)}, so every output element's gradient path is exercised. For each input
 * element the function is evaluated at {@code x + eps} and {@code x - eps} (float inputs) and
 * {@code (L+ - L-) / 2 eps} is accumulated in double. An element passes when
 * {@code |analytic - numeric| <= atol + rtol * |numeric|}.
 *
 * <pre>{@code
 * GradCheck.Result r = GradCheck.check(in -> in[0].tanh().mul(in[1]), x, y);
 * r.assertOk();
 * }</pre>
 */
public final class GradCheck {
    private final double eps, atol, rtol;
    private final long seed;

    private GradCheck(double eps, double atol, double rtol, long seed) {
        this.eps = eps;
        this.atol = atol;
        this.rtol = rtol;
        this.seed = seed;
    }

    /** Defaults suited to float32: eps 1e-2, atol 1e-3, rtol 1e-2. */
    public static GradCheck defaults() {
        return new GradCheck(1e-2, 1e-3, 1e-2, 42);
    }

    /** A copy with another finite-difference step. */
    public GradCheck eps(double e) {
        return new GradCheck(e, atol, rtol, seed);
    }

    /** A copy with other tolerances. */
    public GradCheck tolerance(double absolute, double relative) {
        return new GradCheck(eps, absolute, relative, seed);
    }

    /** A copy whose output projection is drawn from another seed. */
    public GradCheck seed(long s) {
        return new GradCheck(eps, atol, rtol, s);
    }

    /** {@link #run} with the default settings. */
    public static Result check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return defaults().run(f, inputs);
    }

    /** The outcome: pass/fail and the worst element found. */
    public record Result(boolean ok, int worstInput, int[] worstIndex, double analytic, double numeric,
                         double error, double allowed, int checked) {
        /** A one-line human-readable report naming the worst element. */
        public String report() {
            if (worstInput < 0) return "gradcheck: no elements checked";
            return String.format(Locale.ROOT, "gradcheck %s: worst element is input %d at %s: analytic %.6g vs numeric %.6g"
                            + " (|diff| %.3g, allowed %.3g; %d elements checked)",
                    ok ? "passed" : "FAILED", worstInput, Arrays.toString(worstIndex), analytic, numeric, error, allowed, checked);
        }

        /** Throws an {@link AssertionError} with {@link #report()} when the check failed. */
        public Result assertOk() {
            if (!ok) throw new AssertionError(report());
            return this;
        }
    }

    /**
     * Runs the check. The inputs must be leaf tensors; those that require grad are checked, and
     * they are restored afterwards (their gradient is reset).
     */
    public Result run(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Tensor[] xs = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            xs[i] = Tensor.of(inputs[i].toArray(), inputs[i].shape()).requiresGrad(inputs[i].requiresGrad());
        }
        Tensor out = f.apply(xs);
        float[] v = projection(out.numel());
        Tensor proj = Tensor.of(v, out.shape());
        if (out.requiresGrad()) out.backward(proj);

        int worstInput = -1, checked = 0;
        int[] worstIdx = new int[0];
        double wa = 0, wn = 0, worstRatio = -1, worstErr = 0, worstAllowed = 0;
        boolean ok = true;
        try (Grad g = Grad.disabled()) {
            for (int i = 0; i < xs.length; i++) {
                if (!xs[i].requiresGrad) continue;
                float[] data = xs[i].data;
                float[] analytic = xs[i].grad == null ? new float[data.length] : xs[i].grad.toArray();
                for (int e = 0; e < data.length; e++) {
                    float orig = data[e];
                    data[e] = (float) (orig + eps);
                    double plus = dot(f.apply(xs), v);
                    data[e] = (float) (orig - eps);
                    double minus = dot(f.apply(xs), v);
                    double h = ((double) (float) (orig + eps) - (double) (float) (orig - eps));
                    data[e] = orig;
                    double numeric = (plus - minus) / h;
                    double a = analytic[e];
                    double err = Math.abs(a - numeric);
                    double allowed = atol + rtol * Math.abs(numeric);
                    boolean pass = err <= allowed || (Double.isNaN(a) && Double.isNaN(numeric));
                    double ratio = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / allowed;
                    checked++;
                    if (!pass) ok = false;
                    if (ratio > worstRatio) {
                        worstRatio = ratio;
                        worstInput = i;
                        worstIdx = unravel(e, xs[i].shape);
                        wa = a;
                        wn = numeric;
                        worstErr = err;
                        worstAllowed = allowed;
                    }
                }
            }
        }
        return new Result(ok, worstInput, worstIdx, wa, wn, worstErr, worstAllowed, checked);
    }

    private float[] projection(int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    private static double dot(Tensor t, float[] v) {
        float[] a = t.toArray();
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * v[i];
        return s;
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return idx;
    }
}
