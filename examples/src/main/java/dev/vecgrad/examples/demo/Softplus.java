package dev.vecgrad.examples.demo;

import dev.vecgrad.autograd.CustomOp;
import dev.vecgrad.autograd.GradCheck;
import dev.vecgrad.autograd.Tensor;
import java.io.PrintStream;
import java.util.SplittableRandom;

/**
 * Writing your own differentiable op: softplus(x) = log(1 + e^x), whose derivative is
 * sigmoid(x), checked against finite differences with {@link GradCheck}. The matching jqwik
 * property lives in the tests ({@code SoftplusTest}): the way to test an op over many inputs.
 */
public final class Softplus {
    private Softplus() {}

    /** softplus, elementwise, computed stably for large |x|. */
    public static Tensor softplus(Tensor x) {
        float[] v = x.toArray(), y = new float[v.length];
        for (int i = 0; i < v.length; i++) y[i] = (float) (Math.max(v[i], 0) + Math.log1p(Math.exp(-Math.abs(v[i]))));
        Tensor saved = x.detach();
        return CustomOp.of("softplus", y, x.shape(), g -> new Tensor[] {g.mul(saved.sigmoid())}, x);
    }

    /** Checks the gradient on a random tensor and prints the report. */
    public static GradCheck.Result run(PrintStream log) {
        Tensor x = Tensor.randn(new SplittableRandom(3), 4, 5).mul(3f).requiresGrad(true);
        GradCheck.Result r = GradCheck.check(in -> softplus(in[0]), x);
        log.println(softplus(Tensor.of(-2f, 0f, 2f)));
        log.println(r.report());
        return r;
    }

    public static void main(String[] args) {
        run(System.out);
    }
}
