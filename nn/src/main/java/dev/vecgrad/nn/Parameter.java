package dev.vecgrad.nn;

import dev.vecgrad.autograd.Tensor;

/**
 * A trainable tensor: a leaf that requires grad, owned by one or more {@link Module}s.
 *
 * <p>Why a small holder rather than a {@code Tensor} subclass: {@code Tensor} is final, and a
 * holder with a <em>fixed</em> tensor is the simplest thing that keeps every reference valid.
 * Optimizers update {@link #tensor()} in place (through {@code storage()} or {@code addInPlace}
 * inside {@code Grad.disabled()}), and {@link Module#loadStateDict} copies values into it in place,
 * so tied weights (one {@code Parameter} registered in two modules), optimizer state keyed by
 * parameter, and views taken earlier all stay valid. The value is always contiguous and owns its
 * storage from index 0: {@code tensor().storage()[0 .. numel)} are exactly its elements in
 * row-major order, which lets optimizers and serialisers loop over the array directly.
 */
public final class Parameter {
    private final Tensor tensor;

    /**
     * Wraps {@code value} as a parameter. A leaf that owns its whole heap storage (contiguous, not a
     * view, not lent by a workspace scope) is used as is and marked as requiring grad; anything else
     * is copied first, so that a parameter never shares storage with another tensor (a detached
     * weight of another model, say) or dies with a workspace scope.
     *
     * @param value the initial value: a leaf tensor
     * @throws IllegalArgumentException if {@code value} is null or not a leaf
     */
    public Parameter(Tensor value) {
        if (value == null) throw new IllegalArgumentException("Parameter: value must not be null");
        if (!value.isLeaf()) {
            throw new IllegalArgumentException("Parameter: value of shape " + java.util.Arrays.toString(value.shape())
                    + " is the result of an op (" + value.gradFn() + "); pass a leaf, e.g. value.detach()");
        }
        boolean owns = !value.isView() && !value.isWorkspaceStorage() && value.isContiguous()
                && value.offset() == 0 && value.storage().length == value.numel();
        this.tensor = (owns ? value : Tensor.of(value.toArray(), value.shape())).requiresGrad(true);
    }

    /**
     * A parameter of zeros (how layers start before a model initialises them).
     *
     * @param shape the dimensions
     * @return the parameter
     */
    public static Parameter zeros(int... shape) {
        return new Parameter(Tensor.zeros(shape));
    }

    /**
     * {@return the value: a contiguous leaf tensor that requires grad} Its identity never changes, so
     * optimizers, state dicts and tied layers can all hold it.
     */
    public Tensor tensor() {
        return tensor;
    }

    /**
     * {@return the accumulated gradient, or {@code null} before the first backward (or after {@link #zeroGrad()})}
     */
    public Tensor grad() {
        return tensor.grad();
    }

    /** Clears the gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        tensor.zeroGrad();
    }

    /** {@return the shape (a copy)} */
    public int[] shape() {
        return tensor.shape();
    }

    /** {@return the number of elements} */
    public int numel() {
        return tensor.numel();
    }

    /** {@code Parameter(shape=[..])}. */
    @Override
    public String toString() {
        return "Parameter(shape=" + java.util.Arrays.toString(tensor.shape()) + ")";
    }
}
