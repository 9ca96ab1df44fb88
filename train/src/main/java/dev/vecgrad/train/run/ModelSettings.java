package dev.vecgrad.train.run;

import dev.vecgrad.nn.GPTConfig;

/**
 * The shape of the GPT a run trains: a {@link GPTConfig} without the vocabulary size, which
 * comes from the task's tokenizer once the data is read.
 *
 * @param nLayer    transformer blocks
 * @param nHead     attention heads per block
 * @param nEmbd     embedding width (divisible by nHead)
 * @param blockSize context length in tokens
 * @param bias      whether Linear and LayerNorm layers have biases
 * @param dropout   dropout probability in training, in [0, 1)
 */
public record ModelSettings(int nLayer, int nHead, int nEmbd, int blockSize, boolean bias, float dropout) {

    /**
     * Checks every setting.
     *
     * @throws InvalidConfigException naming the first field out of range
     */
    public ModelSettings {
        InvalidConfigException.positive("nLayer", nLayer);
        InvalidConfigException.positive("nHead", nHead);
        InvalidConfigException.positive("nEmbd", nEmbd);
        InvalidConfigException.positive("blockSize", blockSize);
        if (nEmbd % nHead != 0) {
            throw new InvalidConfigException("nEmbd", nEmbd + " is not divisible by nHead " + nHead);
        }
        InvalidConfigException.fraction("dropout", dropout);
    }

    /**
     * The model architecture, once the tokenizer is known.
     *
     * @param vocabSize the tokenizer's vocabulary size
     * @return the GPT's configuration
     */
    public GPTConfig gpt(int vocabSize) {
        return new GPTConfig(nLayer, nHead, nEmbd, blockSize, vocabSize, bias, dropout);
    }

    /**
     * These settings with another context length.
     *
     * @param t the new block size
     * @return new settings; the rest is unchanged
     */
    public ModelSettings withBlockSize(int t) {
        return new ModelSettings(nLayer, nHead, nEmbd, t, bias, dropout);
    }
}
