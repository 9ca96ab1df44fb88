package dev.vecgrad.autograd;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradients gathered by backward passes into a place of their own instead of the tensors'
 * {@link Tensor#grad()}: what lets two backward passes over the same parameters run at once, on
 * two threads, without writing to the same arrays. Each thread runs its passes into its own
 * {@code Gradients}; afterwards one thread adds them to the tensors' own gradients with
 * {@link #addToGrads()}, in an order it chooses (a trainer adds its micro-batches' gradients in
 * micro-batch order, which gives exactly the bits of running the passes one after the other
 * straight into {@code grad}).
 *
 * <pre>{@code
 * Gradients g = new Gradients();
 * g.backward(loss);          // loss.backward(), but leaves' gradients go to g
 * g.addToGrads();            // now as if loss.backward() had run
 * g.clear();                 // empty again; the arrays are kept for the next pass
 * }</pre>
 *
 * <p>A leaf's gradient here is accumulated exactly as {@link Tensor#backward()} accumulates into
 * {@code grad}: the first pass after {@link #clear()} copies the pass's gradient, later passes add
 * to it. Tensors marked {@link Tensor#retainGrad()} are gathered here too. The leaves' arrays are
 * kept across {@link #clear()}, so a training loop reusing one {@code Gradients} allocates nothing
 * for them after its first step.
 *
 * <p>Not thread-safe: one thread at a time uses a {@code Gradients}. The graph's leaves may be
 * shared: backward only reads them.
 */
public final class Gradients {
    /** One tensor's gathered gradient; {@code filled} is false after a clear, until a pass reaches it. */
    private static final class Entry {
        final Tensor target;
        final Tensor grad;
        boolean filled;

        Entry(Tensor target, Tensor grad) {
            this.target = target;
            this.grad = grad;
        }
    }

    private final Map<Tensor, Entry> entries = new IdentityHashMap<>();
    /** The entries in the order they were first reached, so {@link #addToGrads()} has a fixed order. */
    private final List<Entry> order = new ArrayList<>();

    /** An empty set of gradients. */
    public Gradients() {}

    /**
     * {@link Tensor#backward()} from {@code root} (a one-element tensor, gradient 1), with every
     * leaf's gradient gathered here instead of in its {@code grad}.
     *
     * @param root the tensor to differentiate, usually a loss
     * @throws IllegalArgumentException if {@code root} has more than one element
     * @throws IllegalStateException as {@link Tensor#backward()}
     */
    public void backward(Tensor root) {
        Engine.backward(root, null, false, this);
    }

    /**
     * {@return the gradient gathered for {@code t} since the last {@link #clear()}, or null if no
     * pass reached it} The tensor is this object's own storage: read it before the next pass or clear.
     *
     * @param t a leaf (or a tensor marked {@link Tensor#retainGrad()})
     */
    public Tensor get(Tensor t) {
        Entry e = entries.get(t);
        return e == null || !e.filled ? null : e.grad;
    }

    /**
     * Adds every gathered gradient to its tensor's {@link Tensor#grad()} (a copy where the tensor
     * has none yet), as a backward pass would have. Keeps the gathered gradients.
     */
    public void addToGrads() {
        for (Entry e : order) {
            if (e.filled) Engine.accumulateInto(e.target, e.grad);
        }
    }

    /**
     * For each of {@code targets}, adds its gradient in {@code parts[0]}, then in
     * {@code parts[1]}, and so on, to its {@link Tensor#grad()}: the bits of calling
     * {@link #addToGrads()} on each part in turn, but in one pass per tensor, and with the tensors
     * spread over the compute pool (each tensor's additions stay on one thread, in part order).
     * Gradients of tensors not in {@code targets} are left out.
     *
     * Named apart from the instance method {@link #addToGrads()}: with one name, Java let
     * {@code g.addToGrads(params)} compile as this static method with no parts, adding nothing.
     *
     * @param targets the tensors whose gradients to add (e.g. a model's parameters), each once
     * @param parts the gathered gradients, in the order their passes are to count
     */
    public static void addAllToGrads(List<Tensor> targets, Gradients... parts) {
        dev.vecgrad.autograd.kernel.Parallel.forRange(targets.size(), 1, true, (s, e) -> {
            for (int k = s; k < e; k++) {
                Tensor t = targets.get(k);
                for (Gradients part : parts) {
                    Entry en = part.entries.get(t);
                    if (en != null && en.filled) Engine.accumulateInto(t, en.grad);
                }
            }
        });
    }

    /**
     * Empties this set for the next pass, keeping the leaves' arrays. Entries of non-leaf tensors
     * (marked {@link Tensor#retainGrad()}) are dropped: each pass builds new ones, so keeping
     * them would hold every past pass's activations.
     */
    public void clear() {
        order.removeIf(e -> {
            if (e.target.node == null) {
                e.filled = false;
                return false;
            }
            entries.remove(e.target);
            return true;
        });
    }

    /** How many tensors this set holds arrays for (for tests). */
    int entryCount() {
        return entries.size();
    }

    /** Called by the engine where a pass without a {@code Gradients} would accumulate into {@code t.grad}. */
    void accumulate(Tensor t, Tensor grad) {
        Entry e = entries.get(t);
        if (e == null) {
            // On the heap, never workspace storage: the gradients outlive the pass's workspace scope.
            e = new Entry(t, Tensor.wrap(grad.toArray(), grad.shape.clone()));
            e.filled = true;
            entries.put(t, e);
            order.add(e);
        } else if (!e.filled) {
            ElementwiseOps.copyInPlace(e.grad, grad);
            e.filled = true;
        } else {
            e.grad.addInPlace(grad);
        }
    }
}
