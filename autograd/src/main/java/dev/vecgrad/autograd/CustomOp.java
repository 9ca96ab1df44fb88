package dev.vecgrad.autograd;

/**
 * Your own differentiable op: compute the forward values yourself, hand over the backward, and
 * the result takes part in autograd like any built-in op (like {@code torch.autograd.Function}).
 *
 * <pre>{@code
 * // softplus(x) = log(1 + e^x); d/dx = sigmoid(x)
 * static Tensor softplus(Tensor x) {
 *     float[] v = x.toArray(), y = new float[v.length];
 *     for (int i = 0; i < v.length; i++) y[i] = (float) Math.log1p(Math.exp(v[i]));
 *     return CustomOp.of("softplus", y, x.shape(), g -> new Tensor[] {g.mul(x.detach().sigmoid())}, x);
 * }
 * }</pre>
 *
 * Check the backward with {@link GradCheck} before trusting it.
 */
public final class CustomOp {
    private CustomOp() {}

    /**
     * A tensor holding {@code values} whose gradient flows to {@code inputs} through {@code backward}:
     * the way to add an op written with plain loops (or anything else) to the graph.
     *
     * @param name the op's name, reported by {@link Tensor#gradFn()} and in error messages
     * @param values the forward result, row-major in {@code shape} (copied)
     * @param shape the result's dimensions
     * @param backward given the output's gradient, returns one gradient per input, in input order
     *     (the input's shape, or a shape the input broadcasts to; {@code null} for an input without
     *     one); it runs with recording off. A result with another number of gradients, or a gradient
     *     of a shape that does not fit, makes {@code backward()} throw an
     *     {@code IllegalStateException} naming this op
     * @param inputs the tensors the result depends on; only those that require grad get a gradient
     * @return the result, recorded when grad is enabled and an input requires grad
     * @throws IllegalArgumentException if the name is blank, {@code backward} is null or the values do not fill the shape
     */
    public static Tensor of(String name, float[] values, int[] shape, Backward backward, Tensor... inputs) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("CustomOp: the op needs a name");
        if (backward == null) throw new IllegalArgumentException("CustomOp " + name + ": backward must not be null");
        // Recorded under the caller's name: user ops are checked by their authors (see GradCheck).
        return Engine.record(Tensor.of(values, shape), name, backward, inputs);
    }
}
