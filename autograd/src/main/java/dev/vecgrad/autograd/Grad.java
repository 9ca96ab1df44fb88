package dev.vecgrad.autograd;

/**
 * Turns gradient recording on and off for the current thread, like {@code torch.no_grad()}:
 *
 * <pre>{@code
 * try (var g = Grad.disabled()) {
 *     Tensor y = model.forward(x);   // records no graph
 * }
 * }</pre>
 *
 * <p>The flag is thread-local, so a scope on one thread never changes another's recording. It
 * is one of autograd's four thread-local scope states (this flag, {@link Anomaly}'s flag, the
 * current {@link Workspace} and the open {@link OpProfile}s); with the kernels' two per-thread
 * scratch caches and the compute pool they are all of vecgrad's mutable static state, listed
 * with their reasons in docs/DESIGN.md ("Static state") and enforced by {@code ArchitectureTest}.
 */
public final class Grad implements AutoCloseable {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private final boolean previous;

    private Grad(boolean enable) {
        boolean[] flag = ENABLED.get();
        previous = flag[0];
        flag[0] = enable;
    }

    /**
     * Disables recording on this thread until the returned scope is closed (for evaluation, sampling
     * and optimizer updates: no graph is built and no tensor is saved for backward). Scopes nest.
     *
     * @return the scope; close it (try-with-resources) to restore the previous state
     */
    public static Grad disabled() {
        return new Grad(false);
    }

    /**
     * Enables recording until the returned scope is closed: turns it back on for a region inside a
     * {@link #disabled()} scope.
     *
     * @return the scope; close it to restore the previous state
     */
    public static Grad enabled() {
        return new Grad(true);
    }

    /** {@return whether ops on this thread currently record a graph} */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Restores the state from before this scope was opened. */
    @Override
    public void close() {
        ENABLED.get()[0] = previous;
    }
}
