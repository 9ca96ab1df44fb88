package dev.vecgrad.nn;

/**
 * The named places in a {@link GPT}'s forward pass where an {@link ActivationHook} sees (and may
 * replace) an intermediate tensor. The names follow TransformerLens's, so a reader who knows
 * {@code blocks.1.attn.hook_pattern} there knows it here. {@code B} batch, {@code T} positions,
 * {@code C} width, {@code H} heads, {@code hs = C / H}.
 *
 * <table>
 * <caption>Capture points</caption>
 * <tr><th>name</th><th>shape</th><th>what</th></tr>
 * <tr><td>{@code hook_embed}</td><td>[B, T, C]</td><td>token embeddings {@code wte[idx]}</td></tr>
 * <tr><td>{@code hook_pos_embed}</td><td>[T, C]</td><td>position embeddings {@code wpe[0..T)} (the same for every sequence)</td></tr>
 * <tr><td>{@code blocks.l.hook_resid_pre}</td><td>[B, T, C]</td><td>residual stream entering block l</td></tr>
 * <tr><td>{@code blocks.l.ln1.hook_normalized}</td><td>[B, T, C]</td><td>{@code ln_1} output (after its weight and bias)</td></tr>
 * <tr><td>{@code blocks.l.attn.hook_q}, {@code hook_k}, {@code hook_v}</td><td>[B, T, H, hs]</td><td>queries, keys, values per head</td></tr>
 * <tr><td>{@code blocks.l.attn.hook_pattern}</td><td>[B, H, T, T]</td><td>attention weights after softmax (before dropout); rows sum to 1, zero above the diagonal</td></tr>
 * <tr><td>{@code blocks.l.attn.hook_z}</td><td>[B, T, H, hs]</td><td>each head's output (weights times values), before {@code c_proj}</td></tr>
 * <tr><td>{@code blocks.l.hook_attn_out}</td><td>[B, T, C]</td><td>attention output after {@code c_proj} (and dropout): what is added to the residual</td></tr>
 * <tr><td>{@code blocks.l.hook_resid_mid}</td><td>[B, T, C]</td><td>residual stream after attention</td></tr>
 * <tr><td>{@code blocks.l.ln2.hook_normalized}</td><td>[B, T, C]</td><td>{@code ln_2} output</td></tr>
 * <tr><td>{@code blocks.l.mlp.hook_pre}</td><td>[B, T, 4C]</td><td>MLP hidden layer before GELU ({@code c_fc} output)</td></tr>
 * <tr><td>{@code blocks.l.mlp.hook_post}</td><td>[B, T, 4C]</td><td>MLP hidden activation after GELU</td></tr>
 * <tr><td>{@code blocks.l.hook_mlp_out}</td><td>[B, T, C]</td><td>MLP output after {@code c_proj} (and dropout)</td></tr>
 * <tr><td>{@code blocks.l.hook_resid_post}</td><td>[B, T, C]</td><td>residual stream leaving block l</td></tr>
 * <tr><td>{@code ln_final.hook_normalized}</td><td>[B, T, C]</td><td>final LayerNorm output, the input of {@code lm_head}</td></tr>
 * </table>
 */
public enum HookPoint {
    /** {@code hook_embed} [B, T, C]: token embeddings {@code wte[idx]}. */
    EMBED("hook_embed", false),
    /** {@code hook_pos_embed} [T, C]: position embeddings {@code wpe[0..T)}, the same for every sequence. */
    POS_EMBED("hook_pos_embed", false),
    /** {@code blocks.l.hook_resid_pre} [B, T, C]: the residual stream entering block l. */
    RESID_PRE("hook_resid_pre", true),
    /** {@code blocks.l.ln1.hook_normalized} [B, T, C]: {@code ln_1}'s output, after its weight and bias. */
    LN1_NORMALIZED("ln1.hook_normalized", true),
    /** {@code blocks.l.attn.hook_q} [B, T, H, hs]: the queries per head. */
    ATTN_Q("attn.hook_q", true),
    /** {@code blocks.l.attn.hook_k} [B, T, H, hs]: the keys per head. */
    ATTN_K("attn.hook_k", true),
    /** {@code blocks.l.attn.hook_v} [B, T, H, hs]: the values per head. */
    ATTN_V("attn.hook_v", true),
    /**
     * {@code blocks.l.attn.hook_pattern} [B, H, T, T]: the attention weights after softmax, before dropout.
     */
    ATTN_PATTERN("attn.hook_pattern", true),
    /**
     * {@code blocks.l.attn.hook_z} [B, T, H, hs]: each head's output (weights times values), before {@code c_proj}.
     */
    ATTN_Z("attn.hook_z", true),
    /**
     * {@code blocks.l.hook_attn_out} [B, T, C]: the attention output after {@code c_proj} and dropout, added to the residual.
     */
    ATTN_OUT("hook_attn_out", true),
    /** {@code blocks.l.hook_resid_mid} [B, T, C]: the residual stream after attention. */
    RESID_MID("hook_resid_mid", true),
    /** {@code blocks.l.ln2.hook_normalized} [B, T, C]: {@code ln_2}'s output. */
    LN2_NORMALIZED("ln2.hook_normalized", true),
    /**
     * {@code blocks.l.mlp.hook_pre} [B, T, 4C]: the MLP's hidden layer before GELU ({@code c_fc}'s output).
     */
    MLP_PRE("mlp.hook_pre", true),
    /** {@code blocks.l.mlp.hook_post} [B, T, 4C]: the MLP's hidden activation after GELU. */
    MLP_POST("mlp.hook_post", true),
    /** {@code blocks.l.hook_mlp_out} [B, T, C]: the MLP output after {@code c_proj} and dropout. */
    MLP_OUT("hook_mlp_out", true),
    /** {@code blocks.l.hook_resid_post} [B, T, C]: the residual stream leaving block l. */
    RESID_POST("hook_resid_post", true),
    /**
     * {@code ln_final.hook_normalized} [B, T, C]: the final LayerNorm's output, the input of {@code lm_head}.
     */
    LN_FINAL("ln_final.hook_normalized", false);

    private final String suffix;
    private final boolean perBlock;

    HookPoint(String suffix, boolean perBlock) {
        this.suffix = suffix;
        this.perBlock = perBlock;
    }

    /** {@return whether the point exists once per block ({@code blocks.l.*}) rather than once per model} */
    public boolean perBlock() {
        return perBlock;
    }

    /**
     * The full name of this point in one block.
     *
     * @param layer the block index; ignored for the model-wide points (pass -1)
     * @return e.g. {@code blocks.1.attn.hook_pattern}, or {@code hook_embed} for a model-wide point
     * @throws IllegalArgumentException if the point is per block and {@code layer} is negative
     */
    public String name(int layer) {
        if (!perBlock) return suffix;
        if (layer < 0) throw new IllegalArgumentException("HookPoint " + suffix + ": needs a layer >= 0, got " + layer);
        return "blocks." + layer + "." + suffix;
    }

    /**
     * A point in one layer: what a full name such as {@code blocks.1.hook_resid_post} stands for.
     *
     * @param point the kind of point
     * @param layer its block, or -1 for a model-wide point
     */
    public record Named(HookPoint point, int layer) {
        /** {@return the full name, as {@link #parse} reads it back} */
        public String name() {
            return point.name(layer);
        }
    }

    /**
     * Parses a full name such as {@code blocks.0.hook_resid_pre} or {@code hook_embed}.
     *
     * @param name the full name, as {@link #name(int)} writes it
     * @return the point and its layer
     * @throws IllegalArgumentException naming the text when it is not a capture point
     */
    public static Named parse(String name) {
        if (name == null) throw new IllegalArgumentException("hook point: no name given (null)");
        for (HookPoint p : values()) {
            if (!p.perBlock) {
                if (p.suffix.equals(name)) return new Named(p, -1);
                continue;
            }
            String tail = "." + p.suffix;
            if (name.startsWith("blocks.") && name.endsWith(tail)) {
                String l = name.substring("blocks.".length(), name.length() - tail.length());
                if (!l.isEmpty() && l.length() < 6 && l.chars().allMatch(Character::isDigit)) return new Named(p, Integer.parseInt(l));
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a capture point (expected e.g. hook_embed, "
                + "blocks.0.attn.hook_pattern, ln_final.hook_normalized; see HookPoint)");
    }
}
