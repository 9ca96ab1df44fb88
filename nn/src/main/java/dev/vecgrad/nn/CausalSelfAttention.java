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
 * <p>With {@link #setCaptureAttention(boolean)} on, each forward keeps the attention
 * probabilities (after softmax, before dropout) for {@link #lastAttention()}.
 */
public final class CausalSelfAttention extends Module {
    private final int nHead;
    private final int nEmbd;
    private final Linear cAttn;
    private final Linear cProj;
    private final Dropout attnDropout;
    private final Dropout residDropout;
    private boolean capture;
    private Tensor lastAttention;

    /** Attention over {@code nEmbd} features in {@code nHead} heads; dropouts draw from {@code rng}. */
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

    /** The q, k, v projection {@code [3C, C]}. */
    public Linear cAttn() {
        return cAttn;
    }

    /** The output projection {@code [C, C]}. */
    public Linear cProj() {
        return cProj;
    }

    /** Number of heads. */
    public int nHead() {
        return nHead;
    }

    /** Turns keeping the attention probabilities of each forward on or off (off clears the last one). */
    public void setCaptureAttention(boolean on) {
        capture = on;
        if (!on) lastAttention = null;
    }

    /**
     * The attention probabilities of the last forward with capture on: {@code [B, nHead, T, T]},
     * rows summing to 1, zero above the diagonal; detached. {@code null} when nothing was captured.
     */
    public Tensor lastAttention() {
        return lastAttention;
    }

    /** x {@code [B, T, C]} -> {@code [B, T, C]}. */
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
        Attention fused = Attention.causalPacked(qkv, nHead, p, attnDropout.rng());
        lastAttention = capture ? fused.weights() : null;
        return fused.output();
    }

    /**
     * Attention for {@code T} new tokens at positions {@code cache.length()..}, reading the cached
     * keys and values of earlier tokens and appending the new ones (the caller advances the cache
     * after the last layer). x {@code [B, T, C]} -> {@code [B, T, C]}; inference only.
     */
    Tensor forwardCached(Tensor x, KVCache cache, int layer) {
        int b = x.size(0), t = x.size(1), c = nEmbd, hs = c / nHead, start = cache.length();
        float[] qkv = cAttn.forward(x).toArray();                              // (B,T,3C)
        float[] keys = cache.keys[layer], vals = cache.values[layer];
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                int row = (bi * t + ti) * 3 * c;
                for (int h = 0; h < nHead; h++) {
                    System.arraycopy(qkv, row + c + h * hs, keys, cache.offset(bi, h, start + ti), hs);
                    System.arraycopy(qkv, row + 2 * c + h * hs, vals, cache.offset(bi, h, start + ti), hs);
                }
            }
        }
        float scale = (float) (1.0 / Math.sqrt(hs));
        float[] y = new float[b * t * c], p = new float[start + t];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < nHead; h++) {
                for (int ti = 0; ti < t; ti++) {
                    int q = (bi * t + ti) * 3 * c + h * hs, n = start + ti + 1;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        float s = 0f;
                        int k = cache.offset(bi, h, j);
                        for (int d = 0; d < hs; d++) s += qkv[q + d] * keys[k + d];
                        p[j] = s * scale;
                        max = Math.max(max, p[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < n; j++) {
                        p[j] = (float) Math.exp(p[j] - max);
                        sum += p[j];
                    }
                    int o = (bi * t + ti) * c + h * hs;
                    for (int j = 0; j < n; j++) {
                        float w = (float) (p[j] / sum);
                        int v = cache.offset(bi, h, j);
                        for (int d = 0; d < hs; d++) y[o + d] += w * vals[v + d];
                    }
                }
            }
        }
        return cProj.forward(Tensor.of(y, b, t, c));
    }
}
