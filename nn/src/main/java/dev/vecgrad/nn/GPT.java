package dev.vecgrad.nn;

import dev.vecgrad.autograd.Tensor;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A GPT-2 style language model, nanoGPT's {@code GPT}: token and position embeddings, dropout,
 * {@code nLayer} {@link Block}s, a final LayerNorm and {@code lm_head} tied to the token embedding.
 *
 * <p>Parameter names are nanoGPT's ({@code transformer.wte.weight}, {@code transformer.h.0.attn.c_attn.weight},
 * ..., {@code lm_head.weight}); the tied weight is listed once by {@link #namedParameters()}
 * (as {@code transformer.wte.weight}) and under both names by {@link #stateDict()}.
 *
 * <p>Initialisation is GPT-2's, from an explicit seed: weights of Linear and Embedding layers
 * normal(0, 0.02), the residual projections ({@code c_proj.weight}) normal(0, 0.02/sqrt(2·nLayer)),
 * biases 0, LayerNorm weight 1 and bias 0.
 */
public final class GPT extends Module {
    /** The target value that {@link #loss} leaves out of the mean (nanoGPT's {@code ignore_index=-1}). */
    public static final int IGNORE_INDEX = -1;

    private final GPTConfig config;
    private final Embedding wte;
    private final Embedding wpe;
    private final Dropout drop;
    private final ModuleList<Block> h;
    private final LayerNorm lnF;
    private final Linear lmHead;

    /** The container that gives the {@code transformer.} prefix to nanoGPT's names. */
    private static final class Transformer extends Module {}

    /**
     * A model initialised from {@code seed} the way nanoGPT initialises (normal(0, 0.02) weights,
     * residual projections scaled by {@code 1/sqrt(2 nLayer)}, zero biases); dropout draws from a
     * generator split off the same seed, so the initial weights do not depend on the dropout setting.
     *
     * @param config the architecture
     * @param seed the seed of the initial weights and of dropout
     */
    public GPT(GPTConfig config, long seed) {
        this(config, new SplittableRandom(seed), null);
    }

    /**
     * A model whose weights and dropout draw from generators of the caller's choosing.
     *
     * @param config the architecture
     * @param initRng the initial weights are drawn from it, parameter by parameter in registration order
     * @param dropoutRng every dropout layer draws from it (kept, not copied); null splits one off {@code initRng} first
     */
    public GPT(GPTConfig config, RandomGenerator initRng, RandomGenerator dropoutRng) {
        this(config, initRng, dropoutRng, true);
    }

    /**
     * A model whose parameters are all zero (LayerNorm weights one), for loading weights into:
     * nothing is drawn at random only to be overwritten. Dropout draws from a fixed seed.
     *
     * @param config the architecture of the weights to be loaded
     * @return the model, in training mode
     */
    public static GPT forLoading(GPTConfig config) {
        return new GPT(config, new SplittableRandom(0L), null, false);
    }

    private GPT(GPTConfig config, RandomGenerator initRng, RandomGenerator dropoutRng, boolean init) {
        if (config == null) throw new IllegalArgumentException("GPT: config must not be null");
        this.config = config;
        RandomGenerator dr = dropoutRng != null ? dropoutRng
                : initRng instanceof SplittableRandom s ? s.split() : new SplittableRandom(initRng.nextLong());
        Transformer t = registerModule("transformer", new Transformer());
        this.wte = t.registerModule("wte", new Embedding(config.vocabSize(), config.nEmbd()));
        this.wpe = t.registerModule("wpe", new Embedding(config.blockSize(), config.nEmbd()));
        this.drop = t.registerModule("drop", new Dropout(config.dropout(), dr));
        this.h = t.registerModule("h", new ModuleList<>());
        for (int i = 0; i < config.nLayer(); i++) h.add(new Block(config, dr));
        this.lnF = t.registerModule("ln_f", new LayerNorm(config.nEmbd(), config.bias()));
        this.lmHead = registerModule("lm_head", new Linear(wte.weight(), null));
        if (init) initWeights(initRng);
    }

    private void initWeights(RandomGenerator rng) {
        double projStd = 0.02 / Math.sqrt(2.0 * config.nLayer());
        for (Map.Entry<String, Parameter> e : namedParameters().entrySet()) {
            String name = e.getKey();
            Parameter p = e.getValue();
            if (name.contains(".ln_")) {
                Init.constant(p, name.endsWith(".weight") ? 1f : 0f);
            } else if (name.endsWith(".bias")) {
                Init.constant(p, 0f);
            } else {
                Init.normal(p, 0.0, name.endsWith("c_proj.weight") ? projStd : 0.02, rng);
            }
        }
    }

    /**
     * {@inheritDoc} Returns the GPT, so {@code GPT g = new GPT(cfg, 1).eval();} compiles.
     */
    @Override
    public GPT train(boolean mode) {
        super.train(mode);
        return this;
    }

    /** {@inheritDoc} */
    @Override
    public GPT train() {
        return train(true);
    }

    /** {@inheritDoc} */
    @Override
    public GPT eval() {
        return train(false);
    }

    /** {@return the architecture} */
    public GPTConfig config() {
        return config;
    }

    /** {@return the token embedding {@code [V, C]} (its weight is also {@code lm_head}'s)} */
    public Embedding wte() {
        return wte;
    }

    /** {@return the position embedding {@code [blockSize, C]}} */
    public Embedding wpe() {
        return wpe;
    }

    /** {@return the transformer blocks, in order ({@code transformer.h})} */
    public ModuleList<Block> blocks() {
        return h;
    }

    /** {@return the final LayerNorm ({@code transformer.ln_f})} */
    public LayerNorm lnF() {
        return lnF;
    }

    /** {@return the output projection {@code [V, C]}, tied to {@link #wte()}} */
    public Linear lmHead() {
        return lmHead;
    }

    /**
     * Logits for every position.
     *
     * @param idx token ids, row-major {@code [B, T]}, each in {@code [0, vocabSize)}
     * @param B the number of sequences
     * @param T the length of each sequence, at most the block size
     * @return logits {@code [B, T, vocabSize]}
     * @throws IllegalArgumentException when sizes disagree, {@code T > blockSize}, or an id is out
     *     of range (naming its batch row, time step and value)
     */
    public Tensor forward(int[] idx, int B, int T) {
        return forward(idx, B, T, null);
    }

    /**
     * {@link #forward(int[], int, int)} with {@code hook} shown every named intermediate
     * ({@link HookPoint}) in turn, free to observe it ({@link ActivationCache}) or replace it
     * ({@link Interventions}). With {@code hook} null, or a hook that returns what it is given,
     * the logits are bit-identical to the plain forward's.
     *
     * @param idx token ids, row-major {@code [B, T]}, each in {@code [0, vocabSize)}
     * @param B the number of sequences
     * @param T the length of each sequence, at most the block size
     * @param hook sees each capture point; null for none
     * @return logits {@code [B, T, vocabSize]}
     * @throws IllegalArgumentException as {@link #forward(int[], int, int)} does, and before the
     *     pass when the hook is aimed at a block or head this model lacks ({@link ActivationHook#checkTargets})
     */
    public Tensor forward(int[] idx, int B, int T, ActivationHook hook) {
        if (T > config.blockSize()) {
            throw new IllegalArgumentException("GPT.forward: cannot forward a sequence of length " + T
                    + ", block size is only " + config.blockSize());
        }
        checkIds(idx, B, T);
        if (hook != null) hook.checkTargets(config);
        Tensor tok = wte.forward(idx, B, T);                               // (B,T,C)
        Tensor pos = wpe.weight().tensor().narrow(0, 0, T);                // (T,C), positions 0..T-1
        if (hook == null) {
            Tensor x = drop.forward(tok.add(pos));
            for (Block b : h) x = b.forward(x);
            return lmHead.forward(lnF.forward(x));                         // (B,T,V)
        }
        tok = hook.apply(HookPoint.EMBED, -1, tok);
        pos = hook.apply(HookPoint.POS_EMBED, -1, pos);
        Tensor x = drop.forward(tok.add(pos));
        int layer = 0;
        for (Block b : h) x = b.forward(x, hook, layer++);
        return lmHead.forward(hook.apply(HookPoint.LN_FINAL, -1, lnF.forward(x)));
    }

    /**
     * The logits that a residual stream would give if it were the last block's output:
     * {@code lm_head(ln_f(resid))}. Applied to each layer's residual stream this is the logit lens.
     *
     * @param resid a residual stream {@code [B, T, C]}, e.g. {@code blocks.l.hook_resid_post} from an {@link ActivationCache}
     * @return logits {@code [B, T, vocabSize]}
     */
    public Tensor unembed(Tensor resid) {
        if (resid.dim() != 3 || resid.size(2) != config.nEmbd()) {
            throw new IllegalArgumentException("GPT.unembed: expected a residual stream [B, T, " + config.nEmbd() + "], got "
                    + java.util.Arrays.toString(resid.shape()));
        }
        return lmHead.forward(lnF.forward(resid));
    }

    private void checkIds(int[] idx, int B, int T) {
        if (B <= 0 || T <= 0 || (long) B * T != idx.length) {
            throw new IllegalArgumentException("GPT.forward: " + idx.length + " token ids do not fill [B=" + B + ", T=" + T + "]");
        }
        int v = config.vocabSize();
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= v) {
                throw new IllegalArgumentException("GPT.forward: token id " + idx[i] + " at (batch " + i / T + ", time "
                        + i % T + ") is out of range for vocabulary size " + v);
            }
        }
    }

    /**
     * Mean cross-entropy of the logits against the next tokens.
     *
     * @param logits {@code [B, T, V]}, as {@link #forward} returns them
     * @param targets the token that should follow each position, row-major {@code [B, T]}; positions
     *     whose target is {@link #IGNORE_INDEX} are left out of the mean
     * @return a 0-d tensor, the loss to call {@code backward()} on
     * @throws IllegalArgumentException when the sizes disagree or a target is out of range
     */
    public Tensor loss(Tensor logits, int[] targets) {
        int v = config.vocabSize();
        if (logits.dim() != 3 || logits.size(2) != v) {
            throw new IllegalArgumentException("GPT.loss: expected logits [B, T, " + v + "], got "
                    + java.util.Arrays.toString(logits.shape()));
        }
        int t = logits.size(1);
        if (targets.length != logits.size(0) * t) {
            throw new IllegalArgumentException("GPT.loss: " + targets.length + " targets for logits "
                    + java.util.Arrays.toString(logits.shape()) + " (expected " + logits.size(0) * t + ")");
        }
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] != IGNORE_INDEX && (targets[i] < 0 || targets[i] >= v)) {
                throw new IllegalArgumentException("GPT.loss: target " + targets[i] + " at (batch " + i / t + ", time "
                        + i % t + ") is out of range for vocabulary size " + v + " (or " + IGNORE_INDEX + " to ignore)");
            }
        }
        return logits.reshape(-1, v).crossEntropy(targets, IGNORE_INDEX);
    }

    /**
     * Logits for {@code T} new tokens that follow the tokens already in {@code cache}, which this
     * call extends; equal (to float rounding) to the last {@code T} positions of
     * {@link #forward} over the whole sequence. Runs without recording a graph.
     *
     * @param idx the new tokens' ids, row-major {@code [B, T]}
     * @param B the number of sequences, the cache's batch
     * @param T how many new tokens each sequence gets
     * @param cache the keys and values of the tokens before them; extended by {@code T}
     * @return logits {@code [B, T, vocabSize]} for the new positions
     * @throws IllegalArgumentException when the cache was made for another batch size or
     *     architecture, when it would exceed the block size, or when ids are invalid
     */
    public Tensor forwardCached(int[] idx, int B, int T, KVCache cache) {
        int headSize = config.nEmbd() / config.nHead();
        if (cache.batch != B || cache.keys.length != config.nLayer() || cache.nHead != config.nHead()
                || cache.headSize != headSize || cache.capacity != config.blockSize()) {
            // A cache of another model would otherwise fail deep inside (a position embedding
            // past the block, a head's keys read at the wrong stride).
            throw new IllegalArgumentException("GPT.forwardCached: the cache was made for batch " + cache.batch + ", "
                    + cache.keys.length + " layers, " + cache.nHead + " heads of size " + cache.headSize + " and block size "
                    + cache.capacity + "; got batch " + B + " and a model of " + config.nLayer() + " layers, " + config.nHead()
                    + " heads of size " + headSize + " and block size " + config.blockSize()
                    + " (make the cache with this model's config: new KVCache(model.config(), batch))");
        }
        if (T > cache.remaining()) {
            throw new IllegalArgumentException("GPT.forwardCached: " + T + " more tokens do not fit: the cache holds "
                    + cache.length() + " of block size " + cache.capacity);
        }
        checkIds(idx, B, T);
        try (var g = dev.vecgrad.autograd.Grad.disabled()) {
            Tensor tok = wte.forward(idx, B, T);
            Tensor pos = wpe.weight().tensor().narrow(0, cache.length(), T);
            Tensor x = tok.add(pos);
            int layer = 0;
            for (Block b : h) x = b.forwardCached(x, cache, layer++);
            cache.advance(T);
            return lmHead.forward(lnF.forward(x));
        }
    }
}
