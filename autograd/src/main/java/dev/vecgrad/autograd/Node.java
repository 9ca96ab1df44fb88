package dev.vecgrad.autograd;

/**
 * What a differentiable op leaves on its result: the op's name, its inputs and its backward
 * function (which captures the tensors saved for backward). {@link #release()} drops the backward
 * and with it the saved tensors once a backward pass no longer needs them.
 */
final class Node {
    final String op;
    final Tensor[] inputs;
    /** {@link Engine#versionSum} of the output and inputs when the op was recorded. */
    final long savedVersions;
    private Backward backward;

    Node(String op, Tensor[] inputs, Backward backward, long savedVersions) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
        this.savedVersions = savedVersions;
    }

    Tensor[] apply(Tensor gradOutput) {
        if (backward == null) {
            throw new IllegalStateException("backward: trying to backward through the graph a second time: the"
                    + " tensors saved by '" + op + "' were already freed; call backward(grad, true) the first"
                    + " time to retain the graph");
        }
        return backward.apply(gradOutput);
    }

    void release() {
        backward = null;
    }
}
