package dev.vecgrad.nn;

import java.util.Locale;
import java.util.Map;

/**
 * The architecture of a {@link GPT}, nanoGPT's {@code GPTConfig}.
 *
 * <p>The JSON form is the flat object stored in checkpoints,
 * {@code {"n_layer":4,"n_head":4,"n_embd":128,"block_size":64,"vocab_size":65,"bias":true}}.
 * {@code dropout} is a training setting, not part of the architecture: {@link #toJson()} leaves
 * it out and {@link #fromJson} reads it when present (nanoGPT's {@code model_args} have it),
 * else uses 0. The parser lives here rather than in a JSON library because nn has no
 * third-party dependencies and the object is flat and fixed.
 *
 * @param nLayer number of transformer blocks
 * @param nHead attention heads per block ({@code nEmbd} must be a multiple)
 * @param nEmbd embedding width C
 * @param blockSize maximum sequence length T
 * @param vocabSize vocabulary size V
 * @param bias whether Linear and LayerNorm layers have biases
 * @param dropout drop probability in [0, 1) for the embedding, attention and residual dropouts
 */
public record GPTConfig(int nLayer, int nHead, int nEmbd, int blockSize, int vocabSize, boolean bias, float dropout) {

    /** Validates the sizes. */
    public GPTConfig {
        positive("nLayer", nLayer);
        positive("nHead", nHead);
        positive("nEmbd", nEmbd);
        positive("blockSize", blockSize);
        positive("vocabSize", vocabSize);
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("GPTConfig: nEmbd " + nEmbd + " is not divisible by nHead " + nHead
                    + " (each head gets nEmbd / nHead dimensions)");
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("GPTConfig: dropout must be in [0, 1), got " + dropout);
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException("GPTConfig: " + name + " must be positive, got " + v);
    }

    /** A small model for tests and demos: 2 layers, 2 heads, 32 dims, block 16, vocabulary 16. */
    public static GPTConfig tiny() {
        return tiny(16);
    }

    /** {@link #tiny()} with another vocabulary size. */
    public static GPTConfig tiny(int vocabSize) {
        return new GPTConfig(2, 2, 32, 16, vocabSize, true, 0f);
    }

    /** nanoGPT's shakespeare-char CPU config: 4 layers, 4 heads, 128 dims, block 64, bias, no dropout. */
    public static GPTConfig shakespeareChar(int vocabSize) {
        return new GPTConfig(4, 4, 128, 64, vocabSize, true, 0f);
    }

    /** nanoGPT's "baby GPT" (shakespeare-char GPU config): 6 layers, 6 heads, 384 dims, block 256, dropout 0.2. */
    public static GPTConfig babyGpt(int vocabSize) {
        return new GPTConfig(6, 6, 384, 256, vocabSize, true, 0.2f);
    }

    /** This config with another vocabulary size. */
    public GPTConfig withVocabSize(int v) {
        return new GPTConfig(nLayer, nHead, nEmbd, blockSize, v, bias, dropout);
    }

    /** This config with another dropout. */
    public GPTConfig withDropout(float p) {
        return new GPTConfig(nLayer, nHead, nEmbd, blockSize, vocabSize, bias, p);
    }

    /** This config with another block size. */
    public GPTConfig withBlockSize(int t) {
        return new GPTConfig(nLayer, nHead, nEmbd, t, vocabSize, bias, dropout);
    }

    /** The architecture as compact JSON in nanoGPT's key names (no dropout; see the class comment). */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"n_layer\":%d,\"n_head\":%d,\"n_embd\":%d,\"block_size\":%d,\"vocab_size\":%d,\"bias\":%b}",
                nLayer, nHead, nEmbd, blockSize, vocabSize, bias);
    }

    /**
     * Parses the JSON written by {@link #toJson()} (any key order and whitespace; {@code dropout}
     * optional). Strict: every other key, a missing key, or a value of the wrong type is an error.
     *
     * @throws IllegalArgumentException naming the problem and its position
     */
    public static GPTConfig fromJson(String json) {
        Map<String, Object> m = FlatJson.parse(json, "GPTConfig.fromJson");
        for (String k : m.keySet()) {
            if (!java.util.Set.of("n_layer", "n_head", "n_embd", "block_size", "vocab_size", "bias", "dropout").contains(k)) {
                throw new IllegalArgumentException("GPTConfig.fromJson: unknown key \"" + k + "\" in " + json);
            }
        }
        return new GPTConfig(integer(m, "n_layer"), integer(m, "n_head"), integer(m, "n_embd"), integer(m, "block_size"),
                integer(m, "vocab_size"), bool(m, "bias"),
                m.containsKey("dropout") ? (float) number(m, "dropout") : 0f);
    }

    private static Object required(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) throw new IllegalArgumentException("GPTConfig.fromJson: missing key \"" + key + "\"");
        return v;
    }

    private static double number(Map<String, Object> m, String key) {
        if (required(m, key) instanceof Double d) return d;
        throw new IllegalArgumentException("GPTConfig.fromJson: \"" + key + "\" must be a number, got " + m.get(key));
    }

    private static int integer(Map<String, Object> m, String key) {
        double d = number(m, key);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("GPTConfig.fromJson: \"" + key + "\" must be an integer, got " + d);
        }
        return (int) d;
    }

    private static boolean bool(Map<String, Object> m, String key) {
        if (required(m, key) instanceof Boolean b) return b;
        throw new IllegalArgumentException("GPTConfig.fromJson: \"" + key + "\" must be true or false, got " + m.get(key));
    }
}
