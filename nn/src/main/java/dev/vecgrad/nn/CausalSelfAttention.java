package dev.vecgrad.nn;

import dev.vecgrad.autograd.Attention;
import dev.vecgrad.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * Multi-head causal self-attention, nanoGPT's {@code CausalSelfAttention}.
 *
 * <pre>
 * x (B,T,C) -c_attn-> qkv (B,T,3C) -split-> q, k, v (B,T,C) -heads-> (B,nh,T,hs)
 * att = softmax(mask(q k^T / sqrt(hs))) (B,nh,T,T), entries above the diagonal -inf before softmax
 * y = dropout(att) v (B,nh,T,hs) -merge-> (B,T,C) -c_proj-> -dropout-> (B,T,C)
 * </pre>
 *
 * <p>Parameters: {@code c_attn.weight [3C, C]} (q, k, v in that order) with {@code .bias [3C]},
 * {@code c_proj.weight [C, C]} with {@code .bias [C]}. The state key {@code bias} (nanoGPT's
 * causal-mask buffer, present in checkpoints from PyTorch without flash attention) is
 * accepted and ignored: the mask is built here.
 *
 * <p>The attention itself is one fused op in {@code autograd} per path: {@link Attention#causalPacked}
 * for training and full forwards, {@link Attention#causalCached} for decoding with a {@link KVCache}.
 * Its queries, keys, values, weights and per-head outputs are capture points ({@link HookPoint}).
 */
public final class CausalSelfAttention extends Module {
    private final int nHead;
    private final int nEmbd;
    private final Linear cAttn;
    private final Linear cProj;
    private final Dropout attnDropout;
    private final Dropout residDropout;

    /**
     * Attention with zero parameters (the model initialises them).
     *
     * @param nEmbd the width C of the input and output
     * @param nHead the number of heads; must divide {@code nEmbd}
     * @param bias whether the two projections have biases
     * @param dropout the probability of both dropouts (on the weights and on the output)
     * @param rng the generator the dropouts draw from (shared, not copied)
     * @throws IllegalArgumentException if {@code nEmbd} is not a positive multiple of {@code nHead}
     */
    public CausalSelfAttention(int nEmbd, int nHead, boolean bias, float dropout, RandomGenerator rng) {
        if (nHead <= 0 || nEmbd <= 0 || nEmbd % nHead != 0) {
            throw new IllegalArgumentException("CausalSelfAttention: nEmbd " + nEmbd + " must be a positive multiple of nHead " + nHead);
        }
        this.nHead = nHead;
        this.nEmbd = nEmbd;
        this.cAttn = registerModule("c_attn", new Linear(nEmbd, 3 * nEmbd, bias));
        this.cProj = registerModule("c_proj", new Linear(nEmbd, nEmbd, bias));
        this.attnDropout = registerModule("attn_dropout", new Dropout(dropout, rng));
        this.residDropout = registerModule("resid_dropout", new Dropout(dropout, rng));
        registerIgnoredKey("bias");
    }

    /** {@return the fused q, k, v projection {@code [3C, C]}} */
    public Linear cAttn() {
        return cAttn;
    }

    /** {@return the output projection {@code [C, C]}} */
    public Linear cProj() {
        return cProj;
    }

    /** {@return the number of heads} */
    public int nHead() {
        return nHead;
    }

    /**
     * Every position attends to itself and the positions before it.
     *
     * @param x {@code [B, T, C]}
     * @return {@code [B, T, C]}
     * @throws IllegalArgumentException if {@code x} is not 3-d with last size C
     */
    public Tensor forward(Tensor x) {
        if (x.dim() != 3 || x.size(2) != nEmbd) {
            throw new IllegalArgumentException("CausalSelfAttention.forward: expected input [B, T, " + nEmbd + "], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        Tensor y = mix(cAttn.forward(x));
        return residDropout.forward(cProj.forward(y));
    }

    /** The attention itself, between the two projections: qkv {@code [B,T,3C]} -> heads merged {@code [B,T,C]}. */
    Tensor mix(Tensor qkv) {
        // One fused op (dropout included): reads the heads in place from qkv, writes them merged,
        // and keeps only the weights and one bit per dropout decision for backward.
        float p = isTraining() ? attnDropout.p() : 0f;
        return Attention.causalPacked(qkv, nHead, p, attnDropout.rng()).output();
    }

    /**
     * {@link #forward(Tensor)} as the attention of block {@code layer}, showing {@code hook} the
     * queries, keys, values ({@code [B, T, H, hs]}), the weights ({@code [B, H, T, T]}) and each
     * head's output ({@code [B, T, H, hs]}); null runs the plain forward. Values the hook leaves
     * alone take exactly the plain path; a replaced q, k or v is packed back into the projection
     * before the fused op, and replaced weights mix the values as {@code weights @ v}.
     */
    Tensor forward(Tensor x, ActivationHook hook, int layer) {
        if (hook == null) return forward(x);
        if (x.dim() != 3 || x.size(2) != nEmbd) {
            throw new IllegalArgumentException("CausalSelfAttention.forward: expected input [B, T, " + nEmbd + "], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        int b = x.size(0), t = x.size(1), hs = nEmbd / nHead;
        Tensor qkv = cAttn.forward(x);                                             // (B,T,3C)
        Tensor[] parts = new Tensor[3];
        HookPoint[] points = {HookPoint.ATTN_Q, HookPoint.ATTN_K, HookPoint.ATTN_V};
        boolean replaced = false;
        for (int i = 0; i < 3; i++) {
            Tensor seen = qkv.narrow(2, i * nEmbd, nEmbd).reshape(b, t, nHead, hs);
            parts[i] = hook.apply(points[i], layer, seen);
            replaced |= parts[i] != seen;
        }
        if (replaced) {
            qkv = Tensor.cat(2, parts[0].reshape(b, t, nEmbd), parts[1].reshape(b, t, nEmbd), parts[2].reshape(b, t, nEmbd));
        }
        float p = isTraining() ? attnDropout.p() : 0f;
        Attention fused = Attention.causalPacked(qkv, nHead, p, attnDropout.rng());
        Tensor y = fused.output();                                                 // (B,T,C) heads merged
        Tensor pattern = hook.apply(HookPoint.ATTN_PATTERN, layer, fused.weights());
        if (pattern != fused.weights()) {
            // (B,H,T,T) @ (B,H,T,hs) -> (B,H,T,hs) -> (B,T,C); attention dropout does not apply here
            Tensor v = parts[2].permute(0, 2, 1, 3);
            y = pattern.matmul(v).permute(0, 2, 1, 3).reshape(b, t, nEmbd);
        }
        Tensor z = y.reshape(b, t, nHead, hs);
        Tensor zSeen = hook.apply(HookPoint.ATTN_Z, layer, z);
        if (zSeen != z) y = zSeen.reshape(b, t, nEmbd);
        return residDropout.forward(cProj.forward(y));
    }

    /**
     * Attention for {@code T} new tokens at positions {@code cache.length()..}, reading the cached
     * keys and values of earlier tokens and appending the new ones (the caller advances the cache
     * after the last layer). x {@code [B, T, C]} -> {@code [B, T, C]}; inference only.
     */
    Tensor forwardCached(Tensor x, KVCache cache, int layer) {
        Attention a = Attention.causalCached(cAttn.forward(x), nHead, cache.keys[layer], cache.values[layer], cache.capacity,
                cache.length());
        return cProj.forward(a.output());
    }
}
