package dev.vecgrad.train.run;

import dev.vecgrad.nn.GPTConfig;

/**
 * The arithmetic a training step asks for, counted the way nanoGPT's {@code estimate_mfu} (after
 * the PaLM paper's appendix B) counts it, so the utilization figure is comparable with theirs:
 * per trained token {@code 6 N} for the forward and backward products of the weights (N: the
 * parameters without the position embedding, the tied token embedding counted once, as
 * {@code lm_head}'s product uses it) plus {@code 12 L T C} for attention's two products per layer
 * over the whole {@code T x T} square (vecgrad computes only the causal half, so the figure
 * credits it with work it skips, as nanoGPT's does for flash attention).
 */
public final class TrainingFlops {
    private TrainingFlops() {}

    /**
     * The parameters that take part in matrix products: every parameter but the position embedding.
     *
     * @param c the architecture
     * @return N in {@code 6 N + 12 L t C}
     */
    public static long matmulParameters(GPTConfig c) {
        long ce = c.nEmbd(), bias = c.bias() ? 1 : 0;
        long perLayer = 2 * ce * (1 + bias)                 // ln_1, ln_2
                + 3 * ce * ce + 3 * ce * bias               // c_attn
                + ce * ce + ce * bias                       // attn.c_proj
                + 4 * ce * ce + 4 * ce * bias               // c_fc
                + 4 * ce * ce + ce * bias;                  // mlp.c_proj
        return c.nLayer() * perLayer + (long) c.vocabSize() * ce + ce * (1 + bias);   // + wte (tied lm_head), ln_f
    }

    /**
     * Training FLOPs per token, {@code 6 N + 12 L t C}: forward and backward through the weights, plus attention's scores and mixing.
     *
     * @param c the architecture
     * @param t the context length the step runs at
     * @return FLOPs per token
     */
    public static double perToken(GPTConfig c, int t) {
        return 6.0 * matmulParameters(c) + 12.0 * c.nLayer() * (double) t * c.nEmbd();
    }

    /**
     * Model FLOPs utilization: the model's FLOP/s at {@code tokensPerSecond} as a share of {@code peakGflops}.
     *
     * @param c the architecture
     * @param t the context length
     * @param tokensPerSecond the measured training throughput
     * @param peakGflops the machine's GEMM peak ({@link GemmPeak})
     * @return the share, or NaN when either figure is unknown
     */
    public static double utilization(GPTConfig c, int t, double tokensPerSecond, double peakGflops) {
        if (!(tokensPerSecond > 0) || !(peakGflops > 0)) return Double.NaN;
        return tokensPerSecond * perToken(c, t) / (peakGflops * 1e9);
    }
}
