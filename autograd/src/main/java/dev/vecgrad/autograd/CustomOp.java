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
     * A tensor holding {@code values} (copied, row-major, {@code shape}) whose gradient flows to
     * {@code inputs} through {@code backward}. The backward receives the output's gradient and
     * returns one gradient per input (same shape as that input, or broadcastable to it; null
     * for inputs without one); it runs with recording off.
     */
    public static Tensor of(String name, float[] values, int[] shape, Backward backward, Tensor... inputs) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("CustomOp: the op needs a name");
        if (backward == null) throw new IllegalArgumentException("CustomOp " + name + ": backward must not be null");
        // Recorded under the caller's name: user ops are checked by their authors (see GradCheck).
        return Engine.record(Tensor.of(values, shape), name, backward, inputs);
    }
}
