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
 * GradCheck.defaults().tolerance(1e-4, 1e-3).run(f, x).assertOk();   // other settings: run, not check
 * }</pre>
 *
 * <p>{@link #check} is static and always uses the defaults; a checker configured with
 * {@link #eps}, {@link #tolerance} or {@link #seed} runs with {@link #run}. (Java lets
 * {@code checker.check(...)} compile, calling the static method and ignoring the checker's
 * settings; this project's build warns about such calls with {@code -Xlint:static}.)
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

    /**
     * Defaults suited to float32: eps 1e-2, atol 1e-3, rtol 1e-2, projection seed 42. A smaller eps
     * loses more to float32 rounding in {@code L+ - L-} than it gains in truncation error.
     *
     * @return the default checker
     */
    public static GradCheck defaults() {
        return new GradCheck(1e-2, 1e-3, 1e-2, 42);
    }

    /**
     * A copy with another finite-difference step.
     *
     * @param e the step added to and subtracted from each input element ({@code > 0})
     * @return the new checker (this one is unchanged)
     */
    public GradCheck eps(double e) {
        return new GradCheck(e, atol, rtol, seed);
    }

    /**
     * A copy with other tolerances: an element passes when {@code |analytic - numeric| <= absolute + relative * |numeric|}.
     *
     * @param absolute the absolute tolerance (atol)
     * @param relative the relative tolerance (rtol)
     * @return the new checker (this one is unchanged)
     */
    public GradCheck tolerance(double absolute, double relative) {
        return new GradCheck(eps, absolute, relative, seed);
    }

    /**
     * A copy whose output projection {@code v} is drawn from another seed.
     *
     * @param s the seed of the projection's random values
     * @return the new checker (this one is unchanged)
     */
    public GradCheck seed(long s) {
        return new GradCheck(eps, atol, rtol, s);
    }

    /**
     * {@link #run} with the default settings. Static: a configured checker's settings apply only
     * through {@link #run}.
     *
     * @param f the function under test; it receives copies of {@code inputs}, in order
     * @param inputs leaf tensors; those that require grad are checked
     * @return the outcome, with the worst element
     */
    public static Result check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return defaults().run(f, inputs);
    }

    /**
     * The outcome of a check: pass/fail and the worst element found (the one with the largest ratio
     * of error to allowed error).
     *
     * @param ok whether every element passed (true when the inputs that require grad are all empty)
     * @param worstInput the index of the input holding the worst element, or -1 when nothing was checked
     * @param worstIndex the worst element's indices within that input
     * @param analytic the gradient backward computed there
     * @param numeric the central-difference estimate there
     * @param error {@code |analytic - numeric|} there
     * @param allowed the error the tolerances allow there
     * @param checked how many elements were checked in all
     */
    public record Result(boolean ok, int worstInput, int[] worstIndex, double analytic, double numeric,
                         double error, double allowed, int checked) {
        /**
         * {@return a one-line human-readable report naming the worst element, as {@link #assertOk()} throws it}
         */
        public String report() {
            if (worstInput < 0) return "gradcheck passed: no elements to check (the inputs that require grad are empty)";
            return String.format(Locale.ROOT, "gradcheck %s: worst element is input %d at %s: analytic %.6g vs numeric %.6g"
                            + " (|diff| %.3g, allowed %.3g; %d %s checked)",
                    ok ? "passed" : "FAILED", worstInput, Arrays.toString(worstIndex), analytic, numeric, error, allowed, checked,
                    checked == 1 ? "element" : "elements");
        }

        /**
         * The record's usual form, but with {@code worstIndex}'s elements: the generated
         * {@code toString} printed the array's identity ({@code [I@c8180}), which is what jshell
         * shows for a result.
         *
         * @return e.g. {@code Result[ok=true, worstInput=0, worstIndex=[1, 2], analytic=0.5, ...]}
         */
        @Override
        public String toString() {
            return "Result[ok=" + ok + ", worstInput=" + worstInput + ", worstIndex=" + Arrays.toString(worstIndex)
                    + ", analytic=" + analytic + ", numeric=" + numeric + ", error=" + error + ", allowed=" + allowed
                    + ", checked=" + checked + "]";
        }

        /**
         * Throws an {@link AssertionError} with {@link #report()} when the check failed.
         *
         * @return this result, when it passed
         * @throws AssertionError when it failed
         */
        public Result assertOk() {
            if (!ok) throw new AssertionError(report());
            return this;
        }
    }

    /**
     * Runs the check. {@code f} receives fresh copies of the inputs, so the caller's tensors and
     * their gradients are left as they were.
     *
     * @param f the function under test; may return any shape
     * @param inputs leaf tensors; those that require grad are checked, element by element
     * @return the outcome, with the worst element
     * @throws IllegalArgumentException when no input requires grad (as PyTorch's gradcheck): the
     *     check would otherwise compare nothing and pass. Inputs that require grad but are empty
     *     (a property's random shape with a 0 dimension) pass with nothing checked, having run the
     *     op's forward and backward on them.
     */
    public Result run(Function<Tensor[], Tensor> f, Tensor... inputs) {
        if (Arrays.stream(inputs).noneMatch(Tensor::requiresGrad)) {
            throw new IllegalArgumentException("GradCheck: none of the " + inputs.length + " inputs requires grad, so there is"
                    + " nothing to check; mark the tensors whose gradients to check with requiresGrad(true)");
        }
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
