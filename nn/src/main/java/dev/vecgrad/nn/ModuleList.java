package dev.vecgrad.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * An indexed list of child modules registered under {@code "0"}, {@code "1"}, ... like
 * {@code torch.nn.ModuleList} (GPT's {@code transformer.h}).
 *
 * @param <M> the element type
 */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> items = new ArrayList<>();

    /** An empty list. */
    public ModuleList() {}

    /**
     * Appends a module, registered under its index (so its parameters are named {@code 0.*}, {@code 1.*}, ...).
     *
     * @param m the module to append
     * @return {@code m}
     */
    public M add(M m) {
        registerModule(Integer.toString(items.size()), m);
        items.add(m);
        return m;
    }

    /**
     * The element at an index.
     *
     * @param i the index, in {@code [0, size())}
     * @return the module
     * @throws IllegalArgumentException if {@code i} is out of range
     */
    public M get(int i) {
        if (i < 0 || i >= items.size()) {
            throw new IllegalArgumentException("ModuleList.get: index " + i + " is out of range for size " + items.size());
        }
        return items.get(i);
    }

    /** {@return the number of elements} */
    public int size() {
        return items.size();
    }

    /** The elements in order (unmodifiable). */
    @Override
    public Iterator<M> iterator() {
        return Collections.unmodifiableList(items).iterator();
    }
}
