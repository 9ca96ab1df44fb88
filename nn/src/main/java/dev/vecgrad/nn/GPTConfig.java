package dev.vecgrad.nn;

/**
 * The architecture of a {@link GPT}, nanoGPT's {@code GPTConfig}. Checkpoints store it as JSON;
 * that form is read and written in the train module, which has a JSON library.
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

    /**
     * Validates the sizes.
     *
     * @throws IllegalArgumentException if a size is not positive, {@code nEmbd} is not a multiple of
     *     {@code nHead}, or {@code dropout} is outside {@code [0, 1)}
     */
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

    /**
     * {@return a small model for tests and demos: 2 layers, 2 heads, 32 dims, block 16, vocabulary 16, bias, no dropout}
     */
    public static GPTConfig tiny() {
        return tiny(16);
    }

    /**
     * {@link #tiny()} with another vocabulary size.
     *
     * @param vocabSize the tokenizer's vocabulary size
     * @return the config
     */
    public static GPTConfig tiny(int vocabSize) {
        return new GPTConfig(2, 2, 32, 16, vocabSize, true, 0f);
    }

    /**
     * nanoGPT's shakespeare-char CPU config: 4 layers, 4 heads, 128 dims, block 64, bias, no dropout.
     *
     * @param vocabSize the tokenizer's vocabulary size (65 for Tiny Shakespeare's characters)
     * @return the config
     */
    public static GPTConfig shakespeareChar(int vocabSize) {
        return new GPTConfig(4, 4, 128, 64, vocabSize, true, 0f);
    }

    /**
     * nanoGPT's "baby GPT" (shakespeare-char GPU config): 6 layers, 6 heads, 384 dims, block 256, dropout 0.2.
     *
     * @param vocabSize the tokenizer's vocabulary size
     * @return the config
     */
    public static GPTConfig babyGpt(int vocabSize) {
        return new GPTConfig(6, 6, 384, 256, vocabSize, true, 0.2f);
    }

    /**
     * This config with a shorter or longer context (e.g. a pretrained model cropped to fewer positions).
     *
     * @param t the new block size
     * @return a new config; the rest is unchanged
     */
    public GPTConfig withBlockSize(int t) {
        return new GPTConfig(nLayer, nHead, nEmbd, t, vocabSize, bias, dropout);
    }

    /**
     * This config with another dropout (fine-tuning often turns it on or off).
     *
     * @param p the new drop probability, in {@code [0, 1)}
     * @return a new config; the rest is unchanged
     */
    public GPTConfig withDropout(float p) {
        return new GPTConfig(nLayer, nHead, nEmbd, blockSize, vocabSize, bias, p);
    }
}
