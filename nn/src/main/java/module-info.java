/**
 * Modules, parameters, layers and the GPT model.
 *
 * <p>Requires {@code dev.vecgrad.autograd} transitively: the nn API is written in tensors, so a
 * module that requires this one can use {@code Tensor} without naming autograd itself.
 */
module dev.vecgrad.nn {
    requires transitive dev.vecgrad.autograd;

    exports dev.vecgrad.nn;
}
