package dev.vecgrad.nn;

import dev.vecgrad.autograd.Tensor;
import java.util.random.RandomGenerator;

/** A pre-LayerNorm transformer block: {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))}. */
public final class Block extends Module {
    private final LayerNorm ln1;
    private final CausalSelfAttention attn;
    private final LayerNorm ln2;
    private final MLP mlp;

    /**
     * A block of {@code config}'s width, heads, bias and dropout, with zero parameters (the model initialises them).
     *
     * @param config the architecture
     * @param rng the generator its dropout layers draw from (shared, not copied)
     */
    public Block(GPTConfig config, RandomGenerator rng) {
        this.ln1 = registerModule("ln_1", new LayerNorm(config.nEmbd(), config.bias()));
        this.attn = registerModule("attn", new CausalSelfAttention(config.nEmbd(), config.nHead(), config.bias(), config.dropout(), rng));
        this.ln2 = registerModule("ln_2", new LayerNorm(config.nEmbd(), config.bias()));
        this.mlp = registerModule("mlp", new MLP(config.nEmbd(), config.bias(), config.dropout(), rng));
    }

    /** {@return the LayerNorm before attention ({@code ln_1})} */
    public LayerNorm ln1() {
        return ln1;
    }

    /** {@return the LayerNorm before the MLP ({@code ln_2})} */
    public LayerNorm ln2() {
        return ln2;
    }

    /** {@return the attention layer} */
    public CausalSelfAttention attn() {
        return attn;
    }

    /** {@return the feed-forward layer} */
    public MLP mlp() {
        return mlp;
    }

    /**
     * One block of the residual stream.
     *
     * @param x the residual stream {@code [B, T, C]}
     * @return the stream after attention and MLP have added to it, {@code [B, T, C]}
     */
    public Tensor forward(Tensor x) {
        x = x.add(attn.forward(ln1.forward(x)));
        return x.add(mlp.forward(ln2.forward(x)));
    }

    /**
     * {@link #forward(Tensor)} as block {@code layer} of a model, showing {@code hook} the block's
     * capture points (see {@link HookPoint}).
     *
     * @param x the residual stream {@code [B, T, C]}
     * @param hook sees (and may replace) each intermediate; null runs the plain forward
     * @param layer this block's index, for the capture points' names
     * @return the stream after the block, {@code [B, T, C]}
     */
    public Tensor forward(Tensor x, ActivationHook hook, int layer) {
        if (hook == null) return forward(x);
        x = hook.apply(HookPoint.RESID_PRE, layer, x);
        Tensor a = attn.forward(hook.apply(HookPoint.LN1_NORMALIZED, layer, ln1.forward(x)), hook, layer);
        x = hook.apply(HookPoint.RESID_MID, layer, x.add(hook.apply(HookPoint.ATTN_OUT, layer, a)));
        Tensor m = mlp.forward(hook.apply(HookPoint.LN2_NORMALIZED, layer, ln2.forward(x)), hook, layer);
        return hook.apply(HookPoint.RESID_POST, layer, x.add(hook.apply(HookPoint.MLP_OUT, layer, m)));
    }

    /** {@link #forward} for new tokens after those in {@code cache} (inference only). */
    Tensor forwardCached(Tensor x, KVCache cache, int layer) {
        x = x.add(attn.forwardCached(ln1.forward(x), cache, layer));
        return x.add(mlp.forward(ln2.forward(x)));
    }
}
