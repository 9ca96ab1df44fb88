package dev.vecgrad.nn;

import dev.vecgrad.autograd.Tensor;

/**
 * Sees each named intermediate of a forward pass ({@link HookPoint}) and returns the tensor the
 * model continues with: the same object to leave the pass unchanged (observation, e.g. an
 * {@link ActivationCache}), or a tensor of the same shape to intervene (ablation, patching; see
 * {@link Interventions}). Passed to {@link GPT#forward(int[], int, int, ActivationHook)}; a null
 * hook runs the plain forward.
 *
 * <p>A hook is called on the thread running the forward, in the order of the table in
 * {@link HookPoint}, layer by layer. Tensors it is given may live in the current
 * {@link dev.vecgrad.autograd.Workspace} scope: copy what must outlive the pass.
 */
@FunctionalInterface
public interface ActivationHook {
    /**
     * Called at each capture point, in the order the forward reaches them.
     *
     * @param point what the tensor is
     * @param layer the block index, or -1 for model-wide points
     * @param value the intermediate (do not modify it in place)
     * @return {@code value} itself, or a replacement of the same shape
     */
    Tensor apply(HookPoint point, int layer, Tensor value);

    /**
     * Chains two hooks: this one, then {@code next} on what this one returned.
     *
     * @param next the hook that sees this one's result (e.g. an intervention, then a cache that records its effect)
     * @return the combined hook
     */
    default ActivationHook andThen(ActivationHook next) {
        return (p, l, v) -> next.apply(p, l, apply(p, l, v));
    }
}
