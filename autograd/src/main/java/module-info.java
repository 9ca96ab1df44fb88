/**
 * Tensors, reverse-mode automatic differentiation and the ops, on SIMD kernels built with the
 * Vector API.
 *
 * <p>Only {@code dev.vecgrad.autograd} is public API. The kernel package is exported only to the
 * vecgrad modules that call kernels directly (the optimizers in {@code dev.vecgrad.train}, the
 * command line's thread and benchmark options in {@code dev.vecgrad.examples}); to everyone else
 * on the module path it is internal, so it can change without notice.
 * The module requires {@code jdk.incubator.vector}, so a module that requires this one resolves
 * the Vector API without {@code --add-modules}.
 */
module dev.vecgrad.autograd {
    requires jdk.incubator.vector;
    // OpProfile reads per-thread allocation from com.sun.management.ThreadMXBean.
    requires jdk.management;

    exports dev.vecgrad.autograd;
    // Qualified: the kernels are an implementation detail with array-level contracts.
    exports dev.vecgrad.autograd.kernel to dev.vecgrad.train, dev.vecgrad.examples;
}
