package dev.vecgrad.nn;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Base class of layers and models, like {@code torch.nn.Module}, with explicit registration:
 * a subclass calls {@link #registerParameter} and {@link #registerModule} in its constructor
 * (no reflection), and the registration order is the order of {@link #namedParameters()}.
 *
 * <p>Names are dotted paths ({@code transformer.h.0.attn.c_attn.weight}). A parameter registered
 * in two places (a tied weight) is one {@link Parameter}: {@link #namedParameters()},
 * {@link #parameters()} and {@link #numParameters()} count it once, under the first name met;
 * {@link #stateDict()} lists it under every name (as PyTorch's {@code state_dict} does), and
 * {@link #loadStateDict} accepts any of its names.
 *
 * <p>The name is PyTorch's, and so collides with {@code java.lang.Module}: next to
 * {@code import dev.vecgrad.nn.*;} a source file needs {@code import dev.vecgrad.nn.Module;}
 * as well, or {@code extends Module} fails with "reference to Module is ambiguous".
 */
public abstract class Module {
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Set<String> ignoredKeys = new LinkedHashSet<>();
    private boolean training = true;

    /** A module with no parameters or children yet, in training mode; subclasses register theirs in their constructor. */
    protected Module() {}

    /**
     * Registers a parameter of this module; call it in the constructor, in the order the parameters
     * should be listed.
     *
     * @param name the last part of the dotted name (non-empty, no dots, not yet used in this module)
     * @param p the parameter; registering one in two modules ties it
     * @return {@code p}, so a field can be set in one line
     * @throws IllegalArgumentException if the name is invalid or taken, or {@code p} is null
     */
    protected final Parameter registerParameter(String name, Parameter p) {
        checkName(name, p);
        params.put(name, p);
        return p;
    }

    /**
     * Wraps {@code value} in a new {@link Parameter} and registers it.
     *
     * @param name the last part of the dotted name (non-empty, no dots, not yet used in this module)
     * @param value the initial value (copied unless it is a contiguous leaf owning its storage)
     * @return the new parameter
     * @throws IllegalArgumentException if the name is invalid or taken
     */
    protected final Parameter registerParameter(String name, Tensor value) {
        return registerParameter(name, new Parameter(value));
    }

    /**
     * Registers a child module, whose parameters are then listed under {@code name.}.
     *
     * @param <M> the child's type, kept so the result can be assigned to a typed field
     * @param name the name part (non-empty, no dots, not yet used in this module)
     * @param child the child; not this module itself
     * @return {@code child}, so a field can be set in one line
     * @throws IllegalArgumentException if the name is invalid or taken, or the child is null or this module
     */
    protected final <M extends Module> M registerModule(String name, M child) {
        checkName(name, child);
        if (child == this) throw new IllegalArgumentException("registerModule: a module cannot be its own child ('" + name + "')");
        children.put(name, child);
        return child;
    }

    /**
     * Declares a state key of this module that {@link #loadStateDict} skips silently: a buffer of
     * another implementation that vecgrad computes instead (nanoGPT's {@code attn.bias} mask).
     *
     * @param name the last part of the key (non-empty, no dots, not yet used in this module)
     * @throws IllegalArgumentException if the name is invalid or taken
     */
    protected final void registerIgnoredKey(String name) {
        checkName(name, name);
        ignoredKeys.add(name);
    }

    private void checkName(String name, Object value) {
        String where = getClass().getSimpleName();
        if (value == null) throw new IllegalArgumentException(where + ": cannot register null under '" + name + "'");
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(where + ": invalid name '" + name + "' (non-empty, no dots)");
        }
        if (params.containsKey(name) || children.containsKey(name) || ignoredKeys.contains(name)) {
            throw new IllegalArgumentException(where + ": name '" + name + "' is already registered");
        }
    }

    // ---------------------------------------------------------------- traversal

    /** {@return the direct children by name, in registration order (unmodifiable)} */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter under every name it has, tied ones included more than once. */
    private void collect(String prefix, Map<String, Parameter> out, List<String> ignored) {
        params.forEach((n, p) -> out.put(prefix + n, p));
        ignoredKeys.forEach(n -> ignored.add(prefix + n));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out, ignored));
    }

    private Map<String, Parameter> allNamedParameters(List<String> ignored) {
        Map<String, Parameter> all = new LinkedHashMap<>();
        collect("", all, ignored);
        return all;
    }

    /**
     * {@return the parameters by dotted name in registration order} A tied parameter appears once, under
     * its first name, so an optimizer that walks this map updates it once.
     */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        allNamedParameters(new ArrayList<>()).forEach((n, p) -> {
            if (seen.add(p)) out.put(n, p);
        });
        return out;
    }

    /** {@return the distinct parameters in registration order (a new list)} */
    public final List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** {@return the total number of elements over the distinct parameters (tied ones counted once)} */
    public final long numParameters() {
        long n = 0;
        for (Parameter p : parameters()) n += p.numel();
        return n;
    }

    /**
     * Name to value for every parameter under every name (tied parameters appear under each of
     * their names, as the same object), as PyTorch's {@code state_dict()} lists them.
     *
     * @return the values, detached views of the parameters: they share storage, so they change when
     *     the model trains; copy them to keep a snapshot
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<Parameter, Tensor> views = new IdentityHashMap<>();
        allNamedParameters(new ArrayList<>()).forEach((n, p) -> out.put(n, views.computeIfAbsent(p, q -> q.tensor().detach())));
        return out;
    }

    /**
     * Copies the values of {@code state} into this module's parameters, in place. Nothing is
     * copied unless the whole map checks out. A tied parameter needs any one of its names; when
     * several are given, the first registered name's value is used.
     *
     * @param state name to value; values are copied, never kept
     * @param strict whether keys that name no parameter are an error (else they are reported)
     * @return the unexpected keys (non-strict mode) and the ignored buffer keys
     * @throws IllegalArgumentException naming every missing tensor, every shape mismatch (with
     *     both shapes) and, in strict mode, every unexpected key
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        List<String> ignorable = new ArrayList<>();
        Map<String, Parameter> all = allNamedParameters(ignorable);
        Map<Parameter, List<String>> names = new IdentityHashMap<>();
        List<Parameter> order = new ArrayList<>();
        all.forEach((n, p) -> names.computeIfAbsent(p, q -> {
            order.add(q);
            return new ArrayList<>();
        }).add(n));

        List<String> missing = new ArrayList<>(), badShape = new ArrayList<>();
        Map<Parameter, Tensor> chosen = new IdentityHashMap<>();
        for (Parameter p : order) {
            List<String> ns = names.get(p);
            for (String n : ns) {
                if (!state.containsKey(n)) continue;
                Tensor v = state.get(n);
                if (v == null) {
                    badShape.add(n + ": value is null, expected shape " + Arrays.toString(p.shape()));
                } else if (!Arrays.equals(v.shape(), p.shape())) {
                    badShape.add(n + ": got shape " + Arrays.toString(v.shape()) + ", expected " + Arrays.toString(p.shape()));
                } else {
                    chosen.putIfAbsent(p, v);
                }
            }
            boolean anyGiven = ns.stream().anyMatch(state::containsKey);
            if (!anyGiven) missing.add(ns.size() == 1 ? ns.get(0) : ns.get(0) + " (or " + String.join(", ", ns.subList(1, ns.size())) + ")");
        }
        List<String> unexpected = new ArrayList<>(), ignored = new ArrayList<>();
        for (String k : state.keySet()) {
            if (all.containsKey(k)) continue;
            (ignorable.contains(k) ? ignored : unexpected).add(k);
        }

        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) problems.add("missing tensors: " + String.join(", ", missing));
        if (!badShape.isEmpty()) problems.add("shape mismatch: " + String.join("; ", badShape));
        if (strict && !unexpected.isEmpty()) problems.add("unexpected tensors (strict mode): " + String.join(", ", unexpected));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict into " + getClass().getSimpleName() + ": " + String.join("; and ", problems));
        }
        try (Grad g = Grad.disabled()) {
            for (Parameter p : order) p.tensor().copyInPlace(chosen.get(p));
        }
        return new LoadResult(unexpected, ignored);
    }

    // ---------------------------------------------------------------- modes and gradients

    /**
     * Sets training or evaluation mode on this module and every descendant (dropout is active only in training).
     *
     * @param mode true for training
     * @return {@code this}
     */
    public Module train(boolean mode) {
        training = mode;
        for (Module c : children.values()) c.train(mode);
        return this;
    }

    /**
     * Training mode (dropout active), recursively.
     *
     * @return {@code this}
     */
    public Module train() {
        return train(true);
    }

    /**
     * Evaluation mode (dropout off), recursively.
     *
     * @return {@code this}
     */
    public Module eval() {
        return train(false);
    }

    /** {@return whether this module is in training mode (new modules are)} */
    public final boolean isTraining() {
        return training;
    }

    /** Clears the gradient of every parameter, before the next backward accumulates into them. */
    public final void zeroGrad() {
        for (Parameter p : parameters()) p.zeroGrad();
    }
}
