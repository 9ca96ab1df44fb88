package dev.vecgrad.nn;

import dev.vecgrad.autograd.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Keeps a copy of every intermediate of a forward pass that its filter selects, under its
 * {@link HookPoint} name (TransformerLens's {@code run_with_cache}):
 *
 * <pre>{@code
 * ActivationCache cache = new ActivationCache();
 * Tensor logits = model.forward(idx, 1, t, cache);
 * Tensor pattern = cache.get("blocks.1.attn.hook_pattern");   // [1, nHead, t, t]
 * }</pre>
 *
 * <p>Observing changes nothing: the model continues with the very tensors it computed, so the
 * logits are bit-identical to a plain forward (a test checks). Each kept tensor is copied to the
 * heap at once, out of any {@link dev.vecgrad.autograd.Workspace} scope the forward runs in, and
 * is detached (no gradient). A second forward with the same cache overwrites the entries.
 */
public final class ActivationCache implements ActivationHook {
    private final Predicate<String> keep;
    private final Map<String, Tensor> entries = new LinkedHashMap<>();

    /** A cache that keeps every capture point. */
    public ActivationCache() {
        this(name -> true);
    }

    /**
     * A cache that keeps only some capture points: each kept tensor is a copy, so a filter saves
     * memory on a large model.
     *
     * @param keep accepts the full names to keep (e.g. {@code n -> n.endsWith("hook_pattern")})
     * @throws IllegalArgumentException if {@code keep} is null
     */
    public ActivationCache(Predicate<String> keep) {
        if (keep == null) throw new IllegalArgumentException("ActivationCache: the filter must not be null");
        this.keep = keep;
    }

    @Override
    public Tensor apply(HookPoint point, int layer, Tensor value) {
        String name = point.name(layer);
        if (keep.test(name)) entries.put(name, Tensor.of(value.toArray(), value.shape()));
        return value;
    }

    /**
     * The tensor kept under a full capture-point name.
     *
     * @param name e.g. {@code blocks.1.attn.hook_pattern}
     * @return the kept copy (not recorded, so it has no gradient)
     * @throws IllegalArgumentException when nothing was kept under that name (listing what was)
     */
    public Tensor get(String name) {
        Tensor t = entries.get(name);
        if (t == null) {
            throw new IllegalArgumentException("ActivationCache: nothing cached under '" + name + "'; cached: "
                    + (entries.isEmpty() ? "nothing (was the cache passed to forward?)" : String.join(", ", entries.keySet())));
        }
        return t;
    }

    /**
     * {@link #get(String)} by point and layer.
     *
     * @param point the capture point
     * @param layer its block, or -1 for model-wide points
     * @return the kept copy
     * @throws IllegalArgumentException when nothing was kept there
     */
    public Tensor get(HookPoint point, int layer) {
        return get(point.name(layer));
    }

    /**
     * Whether something is kept under a name.
     *
     * @param name the full capture-point name
     * @return true after a forward reached that point and the filter kept it
     */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** {@return the names kept, in the order the forward reached them (unmodifiable)} */
    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    /** Forgets every entry. */
    public void clear() {
        entries.clear();
    }
}
