package dev.vecgrad.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Recycles the storage of op results from one training step to the next, so a steady-state
 * training loop allocates almost nothing and the garbage collector has almost nothing to do.
 *
 * <pre>{@code
 * Workspace ws = new Workspace();
 * for (int step = 0; step < steps; step++) {
 *     try (var s = ws.open()) {
 *         Tensor loss = model.loss(model.forward(idx, b, t), targets);
 *         lossValue = loss.item();        // read what you need before the scope closes
 *         loss.backward();                // parameter gradients are not workspace storage
 *     }
 *     optimizer.step();
 * }
 * }</pre>
 *
 * <p>While a scope is open on a thread, every array an op allocates on that thread for its result,
 * its saved state or its gradients comes from the workspace; when the scope closes, all of them
 * return to it, and the next scope hands the same arrays out again (a step makes the same requests
 * in the same order, so nearly every request is served from what the previous step gave back).
 * What is <em>not</em> workspace storage: tensors from the public factories ({@code zeros},
 * {@code of}, {@code randn}, ...), arrays from {@link Tensor#toArray()}, and the gradients that
 * {@link Tensor#backward()} leaves in {@link Tensor#grad()}. Everything else produced inside the
 * scope (the loss tensor, activations, attention weights) must not be used after it closes: its
 * storage then belongs to the next step. Copy with {@link Tensor#toArray()} what must outlive it.
 * A tensor over lent storage that is used after its scope closed (read, written, printed, or
 * passed to an op or to backward) throws {@link IllegalStateException} instead of reading the
 * next step's values: each tensor remembers which scope lent its array, a check of two fields.
 *
 * <p>A workspace keeps at most {@code maxBytes} lent per scope; requests beyond that, and arrays
 * under {@value #MIN_ELEMENTS} elements (cheap for the JVM to allocate and collect), come from the
 * heap as usual. After each scope the workspace holds exactly what that scope used, so a change
 * of batch shape does not leave stale buffers behind.
 *
 * <p>The current workspace is thread-local, like {@link Grad}'s flag; work an op hands to the
 * compute pool's threads allocates from the heap. A workspace is used by one thread at a time.
 */
public final class Workspace {
    /** Arrays shorter than this are left to the heap. */
    public static final int MIN_ELEMENTS = 1024;

    private static final ThreadLocal<Workspace[]> CURRENT = ThreadLocal.withInitial(() -> new Workspace[1]);

    private final long maxBytes;
    private final boolean poison;
    private Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private final ArrayList<float[]> lent = new ArrayList<>();
    /**
     * The arrays of {@link #lent}, by identity, so a new tensor can learn in O(1) whether its
     * storage is lent (and so must not be used after the scope). Cleared, not reallocated, at close.
     */
    private final IdentityHashMap<float[], Boolean> lentSet = new IdentityHashMap<>();
    /** Counts closed scopes: a tensor whose storage was lent under an older count is dead. */
    private int generation;
    private long lentBytes, reusedBytes, heldBytes;
    private Thread owner;

    /** A workspace that lends up to a quarter of the JVM's maximum heap per scope. */
    public Workspace() {
        this(Runtime.getRuntime().maxMemory() / 4, false);
    }

    /**
     * A workspace that lends up to {@code maxBytes} per scope.
     *
     * @param poisonOnClose fill every array with NaN when it returns to the workspace, so a tensor
     *     used after its scope closed shows up as NaN instead of silently reading the next step's
     *     values (for tests; it costs a pass over the memory)
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     */
    public Workspace(long maxBytes, boolean poisonOnClose) {
        if (maxBytes < 0) throw new IllegalArgumentException("Workspace: maxBytes must be >= 0, got " + maxBytes);
        this.maxBytes = maxBytes;
        this.poison = poisonOnClose;
    }

    /**
     * Makes this the current workspace of the calling thread until the returned scope closes.
     *
     * @throws IllegalStateException if this workspace already has an open scope
     */
    public Scope open() {
        if (owner != null) {
            throw new IllegalStateException("Workspace.open: this workspace already has an open scope on thread "
                    + owner.getName() + "; close it first (scopes of one workspace do not nest)");
        }
        owner = Thread.currentThread();
        lentBytes = 0;
        reusedBytes = 0;
        Workspace[] slot = CURRENT.get();
        Scope s = new Scope(slot[0]);
        slot[0] = this;
        return s;
    }

    /** Bytes the workspace keeps for the next scope (what the last closed scope used). */
    public long heldBytes() {
        return heldBytes;
    }

    /** Bytes lent so far in the open scope, or in the last one once it closed. */
    public long lentBytes() {
        return lentBytes;
    }

    /** Of {@link #lentBytes()}, the bytes served from arrays a previous scope gave back. */
    public long reusedBytes() {
        return reusedBytes;
    }

    /** Ends a workspace scope: every array lent in it goes back to the workspace. */
    public final class Scope implements AutoCloseable {
        private final Workspace previous;
        private boolean closed;

        private Scope(Workspace previous) {
            this.previous = previous;
        }

        /**
         * Returns the scope's arrays to the workspace and restores the thread's previous one.
         *
         * @throws IllegalStateException when called from another thread than the one that opened it
         */
        @Override
        public void close() {
            if (closed) return;
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("Workspace scope opened on thread " + owner.getName()
                        + " cannot be closed on " + Thread.currentThread().getName());
            }
            closed = true;
            CURRENT.get()[0] = previous;
            // Keep exactly what this scope used: arrays of sizes it no longer asks for go to the GC.
            Map<Integer, ArrayDeque<float[]>> next = new HashMap<>();
            for (float[] a : lent) {
                if (poison) Arrays.fill(a, Float.NaN);
                next.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
            }
            lent.clear();
            lentSet.clear();
            generation++;   // every tensor over this scope's arrays is now dead (Tensor.checkLive)
            free = next;
            heldBytes = lentBytes;   // exactly the arrays lent in this scope are kept
            owner = null;
        }
    }

    // ---------------------------------------------------------------- for the ops

    /** The number of scopes this workspace has closed. */
    int generation() {
        return generation;
    }

    /** The calling thread's current workspace if it lent {@code a} in its open scope, else null. */
    static Workspace lenderOf(float[] a) {
        if (a.length < MIN_ELEMENTS) return null;   // never lent: no thread-local lookup
        Workspace ws = CURRENT.get()[0];
        return ws != null && ws.lentSet.containsKey(a) ? ws : null;
    }

    /** A zero-filled array of length {@code n}: from the current workspace if one is open. */
    static float[] zeroed(int n) {
        Workspace ws = CURRENT.get()[0];
        float[] a = ws == null ? null : ws.take(n, true);
        return a == null ? new float[n] : a;
    }

    /**
     * An array of length {@code n} whose contents are unspecified: only for callers that write
     * every element before reading any.
     */
    static float[] scratch(int n) {
        Workspace ws = CURRENT.get()[0];
        float[] a = ws == null ? null : ws.take(n, false);
        return a == null ? new float[n] : a;
    }

    /**
     * A recycled array of length n (zero-filled if asked), a new one, both tracked as lent; or
     * null when the request is for the heap.
     */
    private float[] take(int n, boolean zero) {
        if (n < MIN_ELEMENTS || lentBytes + 4L * n > maxBytes) return null;
        ArrayDeque<float[]> q = free.get(n);
        float[] a = q == null ? null : q.poll();
        if (a == null) {
            a = new float[n];
        } else {
            if (zero) Arrays.fill(a, 0f);
            reusedBytes += 4L * n;
        }
        lent.add(a);
        lentSet.put(a, Boolean.TRUE);
        lentBytes += 4L * n;
        return a;
    }
}
