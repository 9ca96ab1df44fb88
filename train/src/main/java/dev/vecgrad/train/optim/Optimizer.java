package dev.vecgrad.train.optim;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the optimizers: parameter groups, a learning rate the schedule sets before each step,
 * and state that can be saved and restored by name (so a resumed run continues exactly).
 */
public abstract class Optimizer {
    /** The parameter groups, in the order given (an unmodifiable copy). */
    protected final List<ParamGroup> groups;
    /** The learning rate of the next {@link #step()}; the trainer's schedule sets it before each step. */
    protected float lr;
    /**
     * The number of steps taken so far; subclasses that need it for bias correction read it after {@link #step()} has counted the current one.
     */
    protected long step;

    /**
     * Takes the groups and the initial learning rate.
     *
     * @param groups the parameter groups (copied)
     * @param lr the learning rate until {@link #setLr} changes it; finite and {@code >= 0}
     * @throws IllegalArgumentException if {@code lr} is negative, NaN or infinite, or if a name or a
     *         tensor is in more than one place across the groups
     */
    protected Optimizer(List<ParamGroup> groups, float lr) {
        this.groups = List.copyOf(groups);
        this.lr = checkLr(lr);
        checkDistinct(this.groups);
    }

    /**
     * Refuses a name or a tensor given twice. The state (moments, momentum) is kept by name, so two
     * tensors under one name would share it, and {@link #state()} would save only one of them;
     * one tensor under two names would be updated twice a step. Both happen silently otherwise,
     * typically with one group per module, whose parameters are named relative to the module.
     */
    private static void checkDistinct(List<ParamGroup> groups) {
        Map<String, Integer> groupOfName = new java.util.HashMap<>();
        Map<Tensor, String> nameOfTensor = new java.util.IdentityHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            for (var e : groups.get(g).params().entrySet()) {
                Integer before = groupOfName.putIfAbsent(e.getKey(), g);
                if (before != null) {
                    throw new IllegalArgumentException("optimizer: the name '" + e.getKey() + "' is in parameter group "
                            + before + " and in group " + g + "; the optimizer keeps its state by name, so every"
                            + " parameter needs a name of its own: build the groups from one module that holds both"
                            + " (e.g. ParamGroup.of(model, decay)), or prefix the names of each module's map");
                }
                String other = nameOfTensor.putIfAbsent(e.getValue(), e.getKey());
                if (other != null) {
                    throw new IllegalArgumentException("optimizer: the same tensor is given as '" + other + "' and as '"
                            + e.getKey() + "'; it would be updated twice a step: give a shared (tied) weight once");
                }
            }
        }
    }

    /**
     * Sets the learning rate used by the next {@link #step()}.
     *
     * @param lr the new rate; finite and {@code >= 0}, as in the constructor
     * @throws IllegalArgumentException if {@code lr} is negative, NaN or infinite
     */
    public void setLr(float lr) {
        this.lr = checkLr(lr);
    }

    private static float checkLr(float lr) {
        if (!(lr >= 0) || Float.isInfinite(lr)) throw new IllegalArgumentException("optimizer: invalid learning rate " + lr);
        return lr;
    }

    /** {@return the current learning rate} */
    public float lr() {
        return lr;
    }

    /** {@return the number of steps taken so far (restored by {@link #loadState} on resume)} */
    public long stepCount() {
        return step;
    }

    /** Clears the gradient of every parameter (sets it to null, like PyTorch's default). */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * Clears the gradient of every parameter: with {@code setToNone} it becomes null, otherwise
     * it is filled with zeros in place, so the next backward adds into the same arrays instead
     * of allocating new ones (PyTorch's {@code zero_grad(set_to_none=False)}). A parameter that
     * then gets no gradient keeps a zero one, which {@link #step()} does not skip.
     *
     * @param setToNone true to drop the gradients, false to zero them in place
     */
    public void zeroGrad(boolean setToNone) {
        try (Grad g = Grad.disabled()) {
            for (ParamGroup group : groups) {
                for (Tensor t : group.params().values()) {
                    if (setToNone || t.grad() == null) {
                        t.zeroGrad();
                    } else {
                        t.grad().fillInPlace(0f);
                    }
                }
            }
        }
    }

    /** {@return all parameters by name, across groups, in group order (a new map)} */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (ParamGroup g : groups) all.putAll(g.params());
        return all;
    }

    /** Updates every parameter that has a gradient. Parameters without one are left alone. */
    public void step() {
        step(1f, false);
    }

    /**
     * {@link #step()} with every gradient taken times {@code gradScale} (the coefficient of
     * {@link GradClip#coefficient}; 1 for none) and, with {@code zeroGrads}, every gradient then
     * filled with zeros as {@link #zeroGrad(boolean) zeroGrad(false)} does. The parameters end as
     * after scaling the gradients in place, {@link #step()} and {@code zeroGrad(false)}, bit for bit;
     * an optimizer may do all three in one pass over the gradients ({@link AdamW} does, in parallel
     * over all parameters at once).
     *
     * @param gradScale the factor every gradient is taken times (1 for none)
     * @param zeroGrads whether to leave the gradients zero-filled (in place) after the step
     * @throws IllegalArgumentException if {@code gradScale} is not finite
     */
    public void step(float gradScale, boolean zeroGrads) {
        if (!Float.isFinite(gradScale)) throw new IllegalArgumentException("optimizer: gradient scale must be finite, got " + gradScale);
        step++;
        List<Slot> slots = new ArrayList<>();
        for (ParamGroup g : groups) {
            for (var e : g.params().entrySet()) {
                Tensor p = e.getValue();
                if (p.grad() != null) slots.add(new Slot(e.getKey(), p, p.grad(), g.weightDecay()));
            }
        }
        try (Grad off = Grad.disabled()) {
            updateAll(slots, gradScale, zeroGrads);
        }
        // Written through storage(): a backward through ops recorded before this step (which saved
        // the old values) must now refuse to run.
        for (Slot s : slots) s.param().markModified("optimizer step");
    }

    /**
     * One parameter and its gradient in a {@link #step(float, boolean)}.
     *
     * @param name        the parameter's name (keys the state)
     * @param param       the parameter, contiguous
     * @param grad        its gradient, not null
     * @param weightDecay its group's weight decay
     */
    protected record Slot(String name, Tensor param, Tensor grad, float weightDecay) {}

    /**
     * Updates every slot's parameter (grad mode is off): by default one parameter at a time, the
     * gradient scaled in place first when {@code gradScale != 1} and zero-filled after when
     * {@code zeroGrads}. Subclasses may fuse these; the bits must be the same.
     *
     * @param slots     the parameters that have a gradient, in group order
     * @param gradScale as {@link #step(float, boolean)}
     * @param zeroGrads as {@link #step(float, boolean)}
     */
    protected void updateAll(List<Slot> slots, float gradScale, boolean zeroGrads) {
        for (Slot s : slots) {
            Tensor p = s.param(), grad = s.grad();
            if (gradScale != 1f) grad.mulInPlace(gradScale);
            float[] gd = grad.isContiguous() ? grad.storage() : grad.toArray();
            int go = grad.isContiguous() ? grad.offset() : 0;
            update(s.name(), p.storage(), p.offset(), gd, go, p.numel(), s.weightDecay());
            if (zeroGrads) grad.fillInPlace(0f);
        }
    }

    /**
     * Updates one parameter in place.
     *
     * @param name parameter name (keys the state)
     * @param p    parameter storage, modified in {@code [po, po + n)}
     * @param po   the parameter's first element in {@code p}
     * @param g    gradient storage, read in {@code [go, go + n)}; not modified
     * @param go   the gradient's first element in {@code g}
     * @param n    the number of elements
     * @param weightDecay the parameter's group's weight decay
     */
    protected abstract void update(String name, float[] p, int po, float[] g, int go, int n, float weightDecay);

    /**
     * The optimizer's state as named arrays, for a checkpoint.
     *
     * @return e.g. {@code exp_avg.<param>}, copies; the step count is {@link #stepCount()}
     */
    public abstract Map<String, float[]> state();

    /**
     * {@link #state()} without the copies: the optimizer's own arrays, for writing a checkpoint
     * on the training thread between steps. Read them before the next {@link #step()} and never
     * write to them. A model the size of GPT-2 small has 1 GB of AdamW moments; copying them at
     * every checkpoint needed that much more heap at the moment a run saves its work (and ran a
     * fine-tuning run out of memory there). This default copies; the built-in optimizers do not.
     *
     * @return the same entries as {@link #state()}, sharing the live arrays where there are any
     */
    public Map<String, float[]> stateView() {
        return state();
    }

    /**
     * Restores {@link #state()} and the step count, so a resumed run continues exactly.
     *
     * @param state the arrays {@link #state()} returned (copied); every array must match its parameter's size
     * @param stepCount the number of steps the state has seen
     * @throws IllegalArgumentException naming the entry when an array is missing or has the wrong size
     */
    public abstract void loadState(Map<String, float[]> state, long stepCount);

    /** {@return the names of all parameters, in group order} */
    protected List<String> names() {
        List<String> n = new ArrayList<>();
        for (ParamGroup g : groups) n.addAll(g.params().keySet());
        return n;
    }

    /**
     * The size of a parameter.
     *
     * @param name the parameter's name
     * @return its number of elements
     * @throws IllegalArgumentException if no parameter has that name
     */
    protected int sizeOf(String name) {
        for (ParamGroup g : groups) {
            Tensor t = g.params().get(name);
            if (t != null) return t.numel();
        }
        throw new IllegalArgumentException("optimizer: no parameter named '" + name + "'");
    }

    /**
     * Copies a state array after checking its size.
     *
     * @param state the state being loaded
     * @param key the entry
     * @param size the size it must have
     * @return a copy of the entry
     * @throws IllegalArgumentException naming the entry and both sizes when it is missing or the wrong size
     */
    protected static float[] checked(Map<String, float[]> state, String key, int size) {
        float[] v = state.get(key);
        if (v == null) throw new IllegalArgumentException("optimizer state: missing '" + key + "'");
        if (v.length != size) {
            throw new IllegalArgumentException("optimizer state: '" + key + "' has " + v.length
                    + " values but the parameter has " + size);
        }
        return v.clone();
    }
}
