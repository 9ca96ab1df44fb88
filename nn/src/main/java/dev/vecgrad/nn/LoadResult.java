package dev.vecgrad.nn;

import java.util.List;

/**
 * What {@link Module#loadStateDict(java.util.Map, boolean)} did besides loading: the keys it did
 * not recognise (only possible in non-strict mode) and the keys it knowingly ignored (nanoGPT's
 * causal-mask buffers {@code transformer.h.{i}.attn.bias}).
 *
 * @param unexpectedKeys keys of the given map that name no parameter, in the map's order
 * @param ignoredKeys keys that name a known non-parameter buffer and were skipped
 */
public record LoadResult(List<String> unexpectedKeys, List<String> ignoredKeys) {
    /**
     * Copies the lists so the result is immutable.
     *
     * @throws NullPointerException if a list or an element is null
     */
    public LoadResult {
        unexpectedKeys = List.copyOf(unexpectedKeys);
        ignoredKeys = List.copyOf(ignoredKeys);
    }
}
