package dev.vecgrad.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reverse-mode engine: a topological sort of the graph behind a tensor and one reverse
 * pass over it. Both are iterative, so a 10,000-op chain does not touch the call stack's depth.
 */
final class Engine {
    private Engine() {}

    /** Records {@code backward} on {@code out} when grad mode is on and any input requires grad. */
    static Tensor record(Tensor out, String op, Backward backward, Tensor... inputs) {
        // Every op passes through here with its inputs, recorded or not: the one place to refuse
        // inputs whose workspace scope has closed (the forward has read them, but its result
        // is not handed out).
        for (Tensor in : inputs) if (in != null) in.checkLive(op);
        if (Anomaly.isEnabled()) Anomaly.checkForward(op, out, inputs);
        OpProfile.forwardDone(op);
        if (!Grad.isEnabled()) return out;
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                out.requiresGrad = true;
                out.node = new Node(op, inputs, backward, versionSum(out, inputs));
                return out;
            }
        }
        return out;
    }

    /**
     * The sum of the versions of an op's output and inputs: what its backward may have saved.
     * Versions only grow, so the sum changes exactly when one of them was modified in place; a
     * long in the node instead of an array of versions, so recording allocates nothing more.
     * (Conservative: an input that the op's backward does not actually need counts too.)
     */
    static long versionSum(Tensor out, Tensor[] inputs) {
        long sum = out.version();
        for (Tensor in : inputs) if (in != null) sum += in.version();
        return sum;
    }

    /** Refuses to run {@code t}'s backward when a tensor its op saved was changed in place since. */
    private static void checkSavedVersions(Tensor t, Node node) {
        // A graph built in a workspace scope that has closed: its activations hold a later step's values.
        if (!t.isLive()) t.checkLive("backward through '" + node.op + "'");   // message built only on failure
        for (Tensor in : node.inputs) if (in != null && !in.isLive()) in.checkLive("backward through '" + node.op + "'");
        if (versionSum(t, node.inputs) == node.savedVersions) return;
        StringBuilder shapes = new StringBuilder(), changed = new StringBuilder();
        for (int k = 0; k < node.inputs.length; k++) {
            Tensor in = node.inputs[k];
            if (in == null) continue;
            if (shapes.length() > 0) shapes.append(", ");
            shapes.append(Shapes.str(in.shape));
            if (in.lastInPlaceOp() != null) {
                changed.append(changed.length() > 0 ? "; " : "").append("input ").append(k).append(' ')
                        .append(Shapes.str(in.shape)).append(" (last changed by ").append(in.lastInPlaceOp()).append(')');
            }
        }
        if (t.lastInPlaceOp() != null) {
            changed.append(changed.length() > 0 ? "; " : "").append("the output ").append(Shapes.str(t.shape))
                    .append(" (last changed by ").append(t.lastInPlaceOp()).append(')');
        }
        throw new IllegalStateException("backward: one of the tensors needed for gradient computation has been"
                + " modified by an in-place operation: '" + node.op + "' (inputs " + shapes + "; output "
                + Shapes.str(t.shape) + ") saved them when it was recorded, and "
                + (changed.length() > 0 ? "these have changed since: " + changed : "one of them has changed since")
                + ". Its gradient would be computed from the new values; change a copy() instead, or make the"
                + " in-place change after backward()");
    }

    static void backward(Tensor root, Tensor gradRoot, boolean retainGraph) {
        backward(root, gradRoot, retainGraph, null);
    }

    /** As above, gathering leaf gradients into {@code sink} instead of their {@code grad} when it is not null. */
    static void backward(Tensor root, Tensor gradRoot, boolean retainGraph, Gradients sink) {
        root.checkLive("backward");
        if (!root.requiresGrad) {
            throw new IllegalStateException("backward: the tensor " + Shapes.str(root.shape)
                    + " does not require grad and has no grad_fn");
        }
        if (gradRoot == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward: grad can be implicitly created only for scalar outputs,"
                        + " got shape " + Shapes.str(root.shape) + "; pass an explicit gradient");
            }
            gradRoot = Tensor.ones(root.shape);
        } else if (!java.util.Arrays.equals(gradRoot.shape, root.shape)) {
            throw new IllegalArgumentException("backward: gradient shape " + Shapes.str(gradRoot.shape)
                    + " does not match the output shape " + Shapes.str(root.shape));
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        // How many pending gradients use each storage array (an op may hand the same gradient, or
        // views of it, to several inputs): an array no pending gradient uses any more, and that
        // was lent during this pass, goes back to the workspace for the rest of the pass.
        Map<float[], int[]> users = new IdentityHashMap<>();
        long lentBefore = Workspace.mark();
        List<Tensor> dead = new ArrayList<>();
        grads.put(root, gradRoot);
        use(users, gradRoot, 1);
        boolean anomaly = Anomaly.isEnabled();
        OpProfile.backwardPass(1);
        try (Grad g = Grad.disabled(); Anomaly off = Anomaly.suspended()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor grad = grads.remove(t);
                if (grad == null) continue;
                use(users, grad, -1);
                OpProfile.backwardStart();
                if (t.node == null || t.retainsGrad) {
                    if (sink == null) accumulateInto(t, grad);
                    else sink.accumulate(t, grad);
                }
                if (t.node == null) {
                    giveBack(users, grad, lentBefore);
                    OpProfile.sectionDone("accumulate grad (backward)");
                    continue;
                }
                Node node = t.node;
                checkSavedVersions(t, node);
                Tensor[] inGrads = node.apply(grad);
                if (inGrads == null || inGrads.length != node.inputs.length) throw wrongGradientCount(node, inGrads);
                if (anomaly) Anomaly.checkBackward(node.op, grad, node.inputs, inGrads);
                OpProfile.backwardDone(node.op);
                dead.clear();
                dead.add(grad);
                for (int k = 0; k < node.inputs.length; k++) {
                    if (inGrads[k] == null) continue;
                    dead.add(inGrads[k]);
                    Tensor in = node.inputs[k];
                    if (in == null || !in.requiresGrad) continue;
                    Tensor gk = sumToShape(node.op, k, inGrads[k], in.shape);
                    Tensor prev = grads.get(in);
                    Tensor sum = prev == null ? gk : prev.add(gk);
                    grads.put(in, sum);
                    use(users, sum, 1);
                    dead.add(gk);
                    if (prev != null) {
                        use(users, prev, -1);
                        dead.add(prev);
                    }
                }
                // Only now, with every input's gradient stored: one of them may share storage
                // with the output's gradient or with another input's.
                for (Tensor d : dead) giveBack(users, d, lentBefore);
                if (!retainGraph) node.release();
                OpProfile.sectionDone("sum gradients (backward)");
            }
        } finally {
            OpProfile.backwardPass(-1);
        }
    }

    private static void use(Map<float[], int[]> users, Tensor grad, int delta) {
        int[] n = users.computeIfAbsent(grad.data, k -> new int[1]);
        n[0] += delta;
        if (n[0] == 0) users.remove(grad.data);
    }

    /**
     * Releases a gradient's storage to the workspace when no pending gradient uses it. Unused
     * gradients of this pass are dead: leaves keep copies, and backward functions capture only
     * forward tensors (which were lent before the pass, so {@link Workspace#release} keeps them).
     * A reduced broadcast gradient leaves the unreduced one unused, and a sum of two gradients
     * leaves both: those go back too.
     */
    private static void giveBack(Map<float[], int[]> users, Tensor grad, long lentBefore) {
        if (grad != null && !users.containsKey(grad.data)) Workspace.release(grad.data, lentBefore);
    }

    /** Adds a pass's gradient to {@code t.grad} (a copy when it has none): also how {@link Gradients} adds its parts. */
    static void accumulateInto(Tensor t, Tensor grad) {
        if (t.grad == null) {
            // A copy: the incoming gradient may be a view of another op's buffer, and later
            // accumulation writes into t.grad in place. On the heap, never workspace storage:
            // gradients outlive the step's workspace scope.
            t.grad = Tensor.wrap(grad.toArray(), grad.shape.clone());
        } else {
            t.grad.addInPlace(grad);
        }
    }

    /** Tensors reachable from {@code root} through recorded nodes, inputs before their users. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Tensor> stack = new ArrayDeque<>();
        ArrayDeque<Integer> nextChild = new ArrayDeque<>();
        stack.push(root);
        nextChild.push(0);
        seen.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Tensor t = stack.peek();
            int k = nextChild.pop();
            Tensor[] inputs = t.node == null ? new Tensor[0] : t.node.inputs;
            while (k < inputs.length && (inputs[k] == null || !inputs[k].requiresGrad || seen.containsKey(inputs[k]))) {
                k++;
            }
            if (k < inputs.length) {
                nextChild.push(k + 1);
                Tensor child = inputs[k];
                seen.put(child, Boolean.TRUE);
                stack.push(child);
                nextChild.push(0);
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    /** A backward function (a {@link CustomOp}'s, typically) that broke its contract of one gradient per input. */
    private static IllegalStateException wrongGradientCount(Node node, Tensor[] inGrads) {
        return new IllegalStateException("backward of '" + node.op + "': returned "
                + (inGrads == null ? "null" : inGrads.length + " gradients") + " for " + node.inputs.length
                + " inputs; return an array with one gradient per input, in input order (null for an input that needs none)");
    }

    /**
     * Sums a gradient of a broadcast shape back to {@code shape}: leading extra dimensions and
     * dimensions where {@code shape} has size 1 are summed away. {@code op} and {@code input}
     * name the backward that produced it, for the error when it does not fit.
     */
    static Tensor sumToShape(String op, int input, Tensor grad, int[] shape) {
        if (java.util.Arrays.equals(grad.shape, shape)) return grad;
        Tensor g = grad;
        int lead = g.shape.length - shape.length;
        if (lead >= 0) {
            for (int i = 0; i < lead; i++) g = g.sum(0, false);
            for (int d = 0; d < shape.length; d++) {
                if (shape[d] == 1 && g.shape[d] != 1) g = g.sum(d, true);
            }
        }
        if (!java.util.Arrays.equals(g.shape, shape)) {
            throw new IllegalStateException("backward of '" + op + "': the gradient for input " + input + " has shape "
                    + Shapes.str(grad.shape) + ", which is neither the input's shape " + Shapes.str(shape)
                    + " nor a shape that " + Shapes.str(shape) + " broadcasts to");
        }
        return g;
    }
}
