package dev.vecgrad.autograd;

/**
 * The backward function of one op application: given the gradient of the op's output, returns
 * the gradient of each input (in input order; {@code null} for inputs that need none).
 *
 * <p>A returned gradient may have the broadcast (output) shape: the engine sums it back to the
 * input's shape once, in {@link Engine}. Backward functions run with recording disabled.
 */
@FunctionalInterface
public interface Backward {
    /**
     * The gradients of the inputs for the given output gradient.
     *
     * @param gradOutput d(loss)/d(output), of the output's shape
     * @return one gradient per input, in input order; {@code null} where an input needs none
     */
    Tensor[] apply(Tensor gradOutput);
}
