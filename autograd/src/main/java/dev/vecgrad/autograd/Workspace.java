package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.Parallel;
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
 * <p>Besides float arrays, a scope lends the {@code long[]} words of dropout's keep/drop bits
 * under the same rules: held until the scope closes (the op's backward reads them), handed out
 * again by the next scope. They were the last large per-step allocation of a training step with
 * dropout ({@code baby-gpt}: ~29 MB a step, 3 MB per layer for the attention weights' bits).
 *
 * <p>Within a scope, a backward pass gives each intermediate gradient back as soon as the
 * gradients of the op's inputs are computed from it, so later ops of the same pass reuse it: a
 * step holds its activations plus only the few gradients in flight, not every gradient it ever
 * made (for {@code baby-gpt} that is the difference between ~4 GB and ~8 GB per step). Saved
 * activations are not given back early: the caller may still read them until the scope closes.
 *
 * <p>A workspace keeps at most {@code maxBytes} per scope; requests beyond that, and arrays
 * under {@value #MIN_ELEMENTS} elements (cheap for the JVM to allocate and collect), come from the
 * heap as usual. After each scope the workspace holds exactly what that scope used, so a change
 * of batch shape does not leave stale buffers behind ({@link #openKeeping()} is the exception).
 *
 * <p>The current workspace is thread-local, like {@link Grad}'s flag; work an op hands to the
 * compute pool's threads allocates from the heap. A workspace is used by one thread at a time.
 */
public final class Workspace {
    /**
     * Arrays shorter than this are left to the heap: the JVM allocates and collects them cheaply,
     * and tracking them would cost more than it saves.
     */
    public static final int MIN_ELEMENTS = 1024;

    private static final ThreadLocal<Workspace[]> CURRENT = ThreadLocal.withInitial(() -> new Workspace[1]);

    private final long maxBytes;
    private final boolean poison;
    /** Arrays kept from earlier scopes, by length, not yet handed out in the open scope. */
    private Map<Integer, ArrayDeque<float[]>> carried = new HashMap<>();
    /** Arrays the open scope handed out and got back early ({@link #release}), by length. */
    private final Map<Integer, ArrayDeque<float[]>> released = new HashMap<>();
    /** Every distinct array the open scope has handed out, in order, each with its lend mark. */
    private final IdentityHashMap<float[], Long> used = new IdentityHashMap<>();
    private final ArrayList<float[]> usedOrder = new ArrayList<>();
    /**
     * Long arrays kept from earlier scopes, by length, and those the open scope has handed out, in
     * order. Only dropout's decision bits ask for them, once per op, and keep them until the scope
     * closes (its backward reads them), so they need no early release, no lend marks and no
     * liveness lookups: no tensor is ever made over one.
     */
    private Map<Integer, ArrayDeque<long[]>> carriedLongs = new HashMap<>();
    private final ArrayList<long[]> usedLongs = new ArrayList<>();
    /** Of {@link #used}, the arrays currently lent (not released). */
    private final IdentityHashMap<float[], Boolean> out = new IdentityHashMap<>();
    private long lentBytes, reusedBytes, heldBytes, usedBytes, lends;
    /** Counts closed scopes: a tensor whose storage was lent under an older count is dead. */
    private int generation;
    private boolean trim;
    private Thread owner;

    /**
     * A workspace that keeps up to half of the JVM's maximum heap per scope: a training step's
     * activations and gradients are live at once whether they come from here or from the heap,
     * so the cap only bounds what stays reserved between scopes (what an evaluation or a
     * checkpoint then has to share the heap with).
     */
    public Workspace() {
        this(Runtime.getRuntime().maxMemory() / 2, false);
    }

    /**
     * A workspace that keeps up to {@code maxBytes} per scope.
     *
     * @param maxBytes the most bytes of arrays kept between scopes; what a scope asks for beyond
     *     it comes from the heap
     * @param poisonOnClose fill every array with NaN when it returns to the workspace (at the end
     *     of its scope, or when released early in a backward pass), so a tensor used after its
     *     storage was given back shows up as NaN instead of silently reading other values (for
     *     tests; it costs a pass over the memory)
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     */
    public Workspace(long maxBytes, boolean poisonOnClose) {
        if (maxBytes < 0) throw new IllegalArgumentException("Workspace: maxBytes must be >= 0, got " + maxBytes);
        this.maxBytes = maxBytes;
        this.poison = poisonOnClose;
    }

    /**
     * Makes this the current workspace of the calling thread until the returned scope closes.
     * When it closes, the workspace keeps exactly the arrays this scope used.
     *
     * @return the scope; close it (try-with-resources) on the thread that opened it
     * @throws IllegalStateException if this workspace already has an open scope
     */
    public Scope open() {
        return open(true);
    }

    /**
     * Like {@link #open()}, but when the scope closes the workspace also keeps what it held
     * before and this scope did not use: for a different kind of work between repeated steps
     * (an evaluation's forward passes between training steps) that should borrow the steps'
     * arrays without making the next step allocate the rest again.
     *
     * @return the scope; close it on the thread that opened it
     * @throws IllegalStateException if this workspace already has an open scope
     */
    public Scope openKeeping() {
        return open(false);
    }

    private Scope open(boolean trimOnClose) {
        if (owner != null) {
            throw new IllegalStateException("Workspace.open: this workspace already has an open scope on thread "
                    + owner.getName() + "; close it first (scopes of one workspace do not nest)");
        }
        owner = Thread.currentThread();
        trim = trimOnClose;
        lentBytes = 0;
        reusedBytes = 0;
        usedBytes = 0;
        Workspace[] slot = CURRENT.get();
        Scope s = new Scope(slot[0]);
        slot[0] = this;
        return s;
    }

    /**
     * {@return a new, empty workspace with this one's limit and poisoning} For work that runs
     * beside this workspace's on another thread (a trainer's micro-batches run at once), which
     * must not share its arrays but should follow the same settings.
     */
    public Workspace sibling() {
        return new Workspace(maxBytes, poison);
    }

    /** {@return bytes the workspace keeps for the next scope (what the last closed scope used)} */
    public long heldBytes() {
        return heldBytes;
    }

    /**
     * {@return bytes handed out so far in the open scope, or in the last one once it closed} An array
     * released early and handed out again counts each time.
     */
    public long lentBytes() {
        return lentBytes;
    }

    /**
     * {@return of {@link #lentBytes()}, the bytes served from arrays already held} (given back by a
     * previous scope or released earlier in this one); the rest came from the heap.
     */
    public long reusedBytes() {
        return reusedBytes;
    }

    /**
     * An open scope of a workspace, from {@link #open()} or {@link #openKeeping()}: closing it gives
     * every array lent in it back to the workspace and ends the tensors over them (using one later
     * throws).
     */
    public final class Scope implements AutoCloseable {
        private final Workspace previous;
        private boolean closed;

        private Scope(Workspace previous) {
            this.previous = previous;
        }

        /**
         * Returns the scope's arrays to the workspace and restores the thread's previous one.
         *
         * @throws IllegalStateException when called from another thread than the one that opened it,
         *         or while a scope of another workspace opened after this one is still open (scopes
         *         close innermost first, as try-with-resources closes them)
         */
        @Override
        public void close() {
            if (closed) return;
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("Workspace scope opened on thread " + owner.getName()
                        + " cannot be closed on " + Thread.currentThread().getName());
            }
            // Closed out of order, the thread's current workspace would become this one with no
            // scope open, and later ops outside any scope would quietly take its storage.
            if (CURRENT.get()[0] != Workspace.this) {
                throw new IllegalStateException("Workspace scope: another workspace's scope, opened after this one,"
                        + " is still open on this thread; close scopes innermost first (try-with-resources does)");
            }
            closed = true;
            CURRENT.get()[0] = previous;
            try {
                keepWhatWasUsed();
            } catch (OutOfMemoryError e) {
                // Sorting the arrays into the next scope's pools allocates a little; on a full heap
                // the workspace keeps nothing instead, so its arrays can be collected and the
                // error reported (a scope left half-closed also refused every later open()).
                dropAll();
                throw e;
            } finally {
                generation++;   // every tensor over this scope's arrays is now dead (Tensor.checkLive)
                owner = null;
            }
        }
    }

    /** Closing a scope: keep exactly what it used, plus, for a keeping scope, what it left untouched. */
    private void keepWhatWasUsed() {
        // Arrays of sizes the scope no longer asks for go to the GC.
        Map<Integer, ArrayDeque<float[]>> next = trim ? new HashMap<>() : carried;
        long held = trim ? 0 : heldBytes - carriedTaken;
        for (float[] a : usedOrder) {
            if (poison && out.containsKey(a)) Arrays.fill(a, Float.NaN);
            next.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
            held += 4L * a.length;
        }
        // Not poisoned: any bit pattern is a valid mask, so a fill would show nothing. Only a
        // recorded op's backward reads them, and what guards them is what guards the float
        // state saved next to them (attention's weights, as many elements): backward refuses
        // a node whose output or inputs a closed scope lent.
        Map<Integer, ArrayDeque<long[]>> nextLongs = trim ? new HashMap<>() : carriedLongs;
        for (long[] a : usedLongs) {
            nextLongs.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
            held += 8L * a.length;
        }
        usedLongs.clear();
        carriedLongs = nextLongs;
        usedOrder.clear();
        used.clear();
        out.clear();
        released.clear();
        carried = next;
        carriedTaken = 0;
        heldBytes = held;
    }

    /** Forgets every array, held or lent, without allocating. */
    private void dropAll() {
        usedOrder.clear();
        used.clear();
        out.clear();
        released.clear();
        usedLongs.clear();
        carried.clear();
        carriedLongs.clear();
        carriedTaken = 0;
        heldBytes = 0;
    }

    /**
     * Lets go of the arrays kept for the next scope, so the garbage collector can take them: after
     * an {@link OutOfMemoryError}, when they may be what fills the heap. Allocates nothing; the
     * next scope takes its arrays from the heap again.
     *
     * @throws IllegalStateException if a scope of this workspace is open
     */
    public void clear() {
        if (owner != null) {
            throw new IllegalStateException("Workspace.clear: a scope is open on thread " + owner.getName() + "; close it first");
        }
        dropAll();
    }

    /** Bytes of {@link #carried} handed out in the open scope (they move to {@link #used}). */
    private long carriedTaken;

    // ---------------------------------------------------------------- for the ops

    /** The number of scopes this workspace has closed. */
    int generation() {
        return generation;
    }

    /**
     * The calling thread's current workspace if its open scope lent {@code a} (released early or
     * not: a tensor over an array released within the scope is still of this scope), else null.
     */
    static Workspace lenderOf(float[] a) {
        if (a.length < MIN_ELEMENTS) return null;   // never lent: no thread-local lookup
        Workspace ws = CURRENT.get()[0];
        return ws != null && ws.used.containsKey(a) ? ws : null;
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
     * A {@code long[]} of length {@code n} whose contents are unspecified, from the current
     * workspace if one is open (else, or when too small or beyond the cap, from the heap), lent
     * until the scope closes: for dropout's decision bits ({@link DropoutBits#draw}), whose
     * caller writes every word before reading any.
     */
    static long[] longScratch(int n) {
        Workspace ws = CURRENT.get()[0];
        long[] a = ws == null ? null : ws.takeLongs(n);
        return a == null ? new long[n] : a;
    }

    /**
     * A position in the current workspace's sequence of lends (0 when none is open): {@link
     * #release} only takes back arrays lent after a given mark.
     */
    static long mark() {
        Workspace ws = CURRENT.get()[0];
        return ws == null ? 0 : ws.lends;
    }

    /**
     * Gives {@code a} back to the current workspace before its scope ends, so later requests of
     * the same scope can reuse it, provided it is an array this scope lent after {@code since}
     * (a {@link #mark()}) and has not released yet; otherwise (a heap array, one lent earlier)
     * does nothing. The caller guarantees that nothing reads or writes {@code a} afterwards.
     */
    static void release(float[] a, long since) {
        Workspace ws = CURRENT.get()[0];
        if (ws == null || a == null) return;
        Long lentAt = ws.used.get(a);
        if (lentAt == null || lentAt <= since || ws.out.remove(a) == null) return;
        if (ws.poison) Arrays.fill(a, Float.NaN);
        ws.released.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }

    /**
     * Zero-fills a recycled array; large ones in fixed chunks over the compute pool (the
     * backward's gradient buffers of layer norm and attention, 0.4-1.5 MB each, were filled on
     * the calling thread while the other core waited).
     */
    private static void fillZero(float[] a) {
        if (a.length < 2 * Kernels.CHUNK) {
            Arrays.fill(a, 0f);
        } else {
            Parallel.forRange(a.length, Kernels.CHUNK, (lo, hi) -> Arrays.fill(a, lo, hi, 0f));
        }
    }

    /** Like {@link #take} for a {@code long[]}, never zero-filled and never released early. */
    private long[] takeLongs(int n) {
        if (n < MIN_ELEMENTS) return null;
        long bytes = 8L * n;
        ArrayDeque<long[]> q = carriedLongs.get(n);
        long[] a = q == null ? null : q.poll();
        if (a != null) {
            carriedTaken += bytes;
            reusedBytes += bytes;
        } else if (usedBytes + (trim ? 0 : heldBytes - carriedTaken) + bytes > maxBytes) {
            return null;
        } else {
            a = new long[n];
        }
        usedBytes += bytes;
        lentBytes += bytes;
        usedLongs.add(a);
        return a;
    }

    /**
     * A recycled array of length n (zero-filled if asked) or a new one, tracked as lent; or null
     * when the request is for the heap (too small, or a new array would pass the cap).
     */
    private float[] take(int n, boolean zero) {
        if (n < MIN_ELEMENTS) return null;
        ArrayDeque<float[]> q = released.get(n);
        float[] a = q == null ? null : q.poll();
        boolean recycled = a != null;
        if (a == null) {
            // What the workspace will hold after this scope: its own arrays, plus for a keeping
            // scope the untouched ones from before.
            long held = usedBytes + (trim ? 0 : heldBytes - carriedTaken);
            q = carried.get(n);
            a = q == null ? null : q.poll();
            if (a != null) {
                recycled = true;
                carriedTaken += 4L * n;
            } else if (held + 4L * n > maxBytes) {
                return null;
            } else {
                a = new float[n];
            }
            usedBytes += 4L * n;
            usedOrder.add(a);
        }
        if (recycled) {
            if (zero) fillZero(a);
            reusedBytes += 4L * n;
        }
        used.put(a, ++lends);
        out.put(a, Boolean.TRUE);
        lentBytes += 4L * n;
        return a;
    }
}
