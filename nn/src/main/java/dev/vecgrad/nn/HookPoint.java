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
    EMBED("hook_embed", false),
    POS_EMBED("hook_pos_embed", false),
    RESID_PRE("hook_resid_pre", true),
    LN1_NORMALIZED("ln1.hook_normalized", true),
    ATTN_Q("attn.hook_q", true),
    ATTN_K("attn.hook_k", true),
    ATTN_V("attn.hook_v", true),
    ATTN_PATTERN("attn.hook_pattern", true),
    ATTN_Z("attn.hook_z", true),
    ATTN_OUT("hook_attn_out", true),
    RESID_MID("hook_resid_mid", true),
    LN2_NORMALIZED("ln2.hook_normalized", true),
    MLP_PRE("mlp.hook_pre", true),
    MLP_POST("mlp.hook_post", true),
    MLP_OUT("hook_mlp_out", true),
    RESID_POST("hook_resid_post", true),
    LN_FINAL("ln_final.hook_normalized", false);

    private final String suffix;
    private final boolean perBlock;

    HookPoint(String suffix, boolean perBlock) {
        this.suffix = suffix;
        this.perBlock = perBlock;
    }

    /** Whether the point exists once per block ({@code blocks.l.*}) rather than once per model. */
    public boolean perBlock() {
        return perBlock;
    }

    /**
     * The full name, e.g. {@code blocks.1.attn.hook_pattern}; {@code layer} is ignored for the
     * model-wide points (pass -1).
     */
    public String name(int layer) {
        if (!perBlock) return suffix;
        if (layer < 0) throw new IllegalArgumentException("HookPoint " + suffix + ": needs a layer >= 0, got " + layer);
        return "blocks." + layer + "." + suffix;
    }

    /** A point and its layer (-1 for model-wide points). */
    public record Named(HookPoint point, int layer) {
        /** The full name. */
        public String name() {
            return point.name(layer);
        }
    }

    /**
     * Parses a full name such as {@code blocks.0.hook_resid_pre} or {@code hook_embed}.
     *
     * @throws IllegalArgumentException naming the text when it is not a capture point
     */
    public static Named parse(String name) {
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
