package dev.vecgrad.autograd;

import java.util.random.RandomGenerator;

/**
 * Fused causal self-attention for {@code [B, H, T, head_size]} queries, keys and values: one op
 * with its own backward instead of a chain of matmul, mask, softmax and matmul. The result equals
 * {@code softmax(maskedFill(q @ k^T / sqrt(hs), upper triangle, -inf)) @ v} built from primitive
 * ops (a test checks both, forward and backward).
 */
public final class Attention {
    private final Tensor output;
    private final Tensor weights;

    private Attention(Tensor output, Tensor weights) {
        this.output = output;
        this.weights = weights;
    }

    /**
     * Causal attention of {@code q} over {@code k}, {@code v}: position {@code t} attends to positions
     * {@code 0..t}, with scores scaled by {@code 1/sqrt(hs)}.
     *
     * @param q queries {@code [B, H, T, hs]}
     * @param k keys, the same shape
     * @param v values, the same shape
     * @return the output {@code [B, H, T, hs]}, recorded for backward
     * @throws IllegalArgumentException if the shapes differ or are not 4-d
     */
    public static Tensor causal(Tensor q, Tensor k, Tensor v) {
        return AttentionOps.causal(q, k, v).output();
    }

    /**
     * {@link #causal} that also hands back its weights, for inspection.
     *
     * @param q queries {@code [B, H, T, hs]}
     * @param k keys, the same shape
     * @param v values, the same shape
     * @return the output (recorded) and the weights (not recorded)
     */
    public static Attention causalWithWeights(Tensor q, Tensor k, Tensor v) {
        AttentionOps.Result r = AttentionOps.causal(q, k, v);
        return new Attention(r.output(), r.weights());
    }

    /**
     * Causal attention from a fused projection {@code qkv [B, T, 3C]} (queries, keys, values side
     * by side, each split into {@code nHead} heads of {@code C / nHead}) to the merged heads
     * {@code [B, T, C]}: the same values as splitting, transposing to {@code [B, H, T, hs]},
     * {@link #causal} and merging back, without any of those copies. Also hands back the weights.
     *
     * @param qkv the fused projection {@code [B, T, 3C]}
     * @param nHead the number of heads; must divide {@code C}
     * @return the output {@code [B, T, C]} (recorded) and the weights {@code [B, nHead, T, T]}
     */
    public static Attention causalPacked(Tensor qkv, int nHead) {
        AttentionOps.Result r = PackedAttentionOps.causal(qkv, nHead);
        return new Attention(r.output(), r.weights());
    }

    /**
     * {@link #causalPacked(Tensor, int)} with inverted dropout of probability {@code p} on the
     * weights before they mix the values (nanoGPT's {@code attn_dropout}), drawn from {@code rng}
     * in the order {@code weights.dropout(p, true, rng)} would draw: the output equals that chain
     * bit for bit. The keep/drop decisions are stored as bits, not as another {@code [B, H, T, T]}
     * tensor. {@link #weights()} are the probabilities before dropout.
     *
     * @param qkv the fused projection {@code [B, T, 3C]}
     * @param nHead the number of heads; must divide {@code C}
     * @param p the dropout probability on the weights, in {@code [0, 1]}
     * @param rng the source of the dropout draws; may be null when {@code p} is 0
     * @return the output {@code [B, T, C]} (recorded) and the weights before dropout
     */
    public static Attention causalPacked(Tensor qkv, int nHead, float p, RandomGenerator rng) {
        AttentionOps.Result r = PackedAttentionOps.causal(qkv, nHead, p, rng);
        return new Attention(r.output(), r.weights());
    }

    /**
     * Attention for generation with a key/value cache: appends the new tokens' keys and values to
     * the caches (laid out {@code [B, nHead, capacity, C / nHead]}, rows {@code start..start+T-1}
     * are written), then lets each new token attend to positions {@code 0..} its own. The output
     * {@code [B, T, C]} has the merged heads, as {@link #causalPacked}'s; the weights are
     * {@code [B, nHead, T, start + T]}. Inference only: nothing is recorded for backward.
     *
     * @param qkv the new tokens' fused projection {@code [B, T, 3C]}
     * @param nHead the number of heads; must divide {@code C}
     * @param keys the key cache, {@code B * nHead * capacity * (C / nHead)} floats, updated in place
     * @param values the value cache, the same size, updated in place
     * @param capacity the most positions the caches hold
     * @param start how many positions the caches already hold (the new tokens' first position)
     * @return the output and the weights over every cached position
     * @throws IllegalStateException when gradients are enabled and {@code qkv} requires them
     * @throws IllegalArgumentException when the shapes disagree or the new tokens do not fit
     */
    public static Attention causalCached(Tensor qkv, int nHead, float[] keys, float[] values, int capacity, int start) {
        AttentionOps.Result r = CachedAttentionOps.causal(qkv, nHead, keys, values, capacity, start);
        return new Attention(r.output(), r.weights());
    }

    /**
     * {@return the attention output ({@code [B, H, T, hs]}, or {@code [B, T, C]} from the packed forms), recorded for backward}
     */
    public Tensor output() {
        return output;
    }

    /**
     * {@return the attention weights {@code [B, H, T, T']}: each row sums to 1 and is zero after its own position} Not
     * recorded: gradients do not flow through them.
     */
    public Tensor weights() {
        return weights;
    }
}
