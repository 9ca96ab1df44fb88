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
        ActivationHook first = this;
        return new ActivationHook() {
            @Override
            public Tensor apply(HookPoint p, int l, Tensor v) {
                return next.apply(p, l, first.apply(p, l, v));
            }

            @Override
            public void checkTargets(GPTConfig config) {
                first.checkTargets(config);
                next.checkTargets(config);
            }
        };
    }

    /**
     * Called once before a forward pass with this hook: refuses a model that lacks the block or
     * head the hook is aimed at. A hook only sees the points the model has, so an intervention on
     * block 5 of a 2-block model would never fire, and its "effect" would silently be none.
     * Observers (such as {@link ActivationCache}) aim at nothing and accept every model.
     *
     * @param config the architecture of the model about to run
     * @throws IllegalArgumentException naming the block or head the model does not have
     */
    default void checkTargets(GPTConfig config) {}
}
