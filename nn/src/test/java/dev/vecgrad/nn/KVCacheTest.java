package dev.vecgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Grad;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Generation with a KV cache computes the same logits as re-running the whole context. */
class KVCacheTest {

    @Property(tries = 30, seed = "99")
    void cachedLogitsEqualUncached(@ForAll @IntRange(min = 1, max = 3) int layers, @ForAll @IntRange(min = 1, max = 4) int heads,
                                   @ForAll @IntRange(min = 1, max = 12) int length, @ForAll @IntRange(min = 1, max = 12) int prompt,
                                   @ForAll boolean bias) {
        int p = Math.min(prompt, length);
        GPTConfig cfg = new GPTConfig(layers, heads, 4 * heads, 12, 9, bias, 0f);
        GPT model = new GPT(cfg, layers * 31L + heads);
        SplittableRandom r = new SplittableRandom(length * 7L + p);
        int[] seq = new int[length];
        for (int i = 0; i < length; i++) seq[i] = r.nextInt(9);
        float[] full;
        try (Grad g = Grad.disabled()) {
            full = model.forward(seq, 1, length).toArray();
        }
        KVCache cache = new KVCache(cfg, 1);
        float[] first = model.forwardCached(java.util.Arrays.copyOf(seq, p), 1, p, cache).toArray();
        assertClose(full, 0, first, p * 9);
        for (int t = p; t < length; t++) {
            float[] step = model.forwardCached(new int[] {seq[t]}, 1, 1, cache).toArray();
            assertClose(full, t * 9, step, 9);
        }
        assertEquals(length, cache.length());
    }

    private static void assertClose(float[] full, int off, float[] got, int n) {
        for (int i = 0; i < n; i++) {
            float want = full[off + i];
            assertTrue(Math.abs(want - got[i]) <= 1e-5f * Math.max(1f, Math.abs(want)), "logit " + (off + i) + ": " + want + " vs " + got[i]);
        }
    }

    @Test
    void aFullCacheIsAClearError() {
        GPTConfig cfg = new GPTConfig(1, 1, 4, 3, 5, true, 0f);
        GPT model = new GPT(cfg, 1);
        KVCache cache = new KVCache(cfg, 1);
        model.forwardCached(new int[] {1, 2, 3}, 1, 3, cache);
        var e = assertThrows(IllegalArgumentException.class, () -> model.forwardCached(new int[] {1}, 1, 1, cache));
        assertTrue(e.getMessage().contains("block size"), e.getMessage());
    }

    @Test
    void aCacheOfAnotherModelIsAClearError() {
        GPTConfig cfg = new GPTConfig(2, 2, 8, 6, 5, true, 0f);
        GPT model = new GPT(cfg, 1);
        // Each differs from the model in one size only: the batch is checked with them.
        GPTConfig[] others = {new GPTConfig(2, 2, 8, 9, 5, true, 0f), new GPTConfig(2, 4, 8, 6, 5, true, 0f),
            new GPTConfig(2, 2, 16, 6, 5, true, 0f), new GPTConfig(3, 2, 8, 6, 5, true, 0f)};
        for (GPTConfig other : others) {
            KVCache cache = new KVCache(other, 1);
            var e = assertThrows(IllegalArgumentException.class, () -> model.forwardCached(new int[] {1}, 1, 1, cache), other::toString);
            assertTrue(e.getMessage().startsWith("GPT.forwardCached: the cache was made for batch 1, ") && e.getMessage().contains(
                    "; got batch 1 and a model of 2 layers, 2 heads of size 4 and block size 6"), e.getMessage());
            assertEquals(0, cache.length());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> model.forwardCached(new int[] {1, 2}, 2, 1, new KVCache(cfg, 1)));
        assertTrue(e.getMessage().contains("batch 1") && e.getMessage().contains("got batch 2"), e.getMessage());
    }
}
