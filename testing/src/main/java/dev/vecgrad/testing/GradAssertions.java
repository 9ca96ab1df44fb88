package dev.vecgrad.testing;

import dev.vecgrad.autograd.GradCheck;
import dev.vecgrad.autograd.Tensor;
import java.util.function.Function;

/**
 * Assertions that compare autograd's gradients with finite differences ({@link GradCheck}) and
 * fail with the worst element: which input, at which index, the analytic and numeric values and
 * the tolerance. Works in any test framework: a failure is an {@link AssertionError}.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(new SplittableRandom(1), 3, 4).requiresGrad(true);
 * GradAssertions.assertGradients(in -> in[0].tanh().sum(), x);
 * // on failure: gradcheck FAILED: worst element is input 0 at [2, 1]: analytic ... vs numeric ...
 * }</pre>
 */
public final class GradAssertions {
    private GradAssertions() {}

    /**
     * Checks {@code f}'s gradient with respect to every input that requires grad, with GradCheck's
     * float32 defaults.
     *
     * @param f      the function, from the inputs to a tensor (reduced to a scalar by GradCheck)
     * @param inputs leaf tensors; those that require grad are checked
     * @return the passing result, for its {@link GradCheck.Result#report()}
     * @throws AssertionError naming the worst element when an analytic gradient is off
     */
    public static GradCheck.Result assertGradients(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return GradCheck.check(f, inputs).assertOk();
    }

    /**
     * Like {@link #assertGradients(Function, Tensor...)} with a configured check, e.g.
     * {@code GradCheck.defaults().tolerance(1e-2, 1e-2)} for an op that loses precision.
     *
     * @param check  the configured check
     * @param f      the function
     * @param inputs leaf tensors; those that require grad are checked
     * @return the passing result
     * @throws AssertionError naming the worst element when an analytic gradient is off
     */
    public static GradCheck.Result assertGradients(GradCheck check, Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check.run(f, inputs).assertOk();
    }
}
