package dev.vecgrad.nn;

/**
 * Keys and values of the tokens a GPT has already seen, per layer, so generating one more token
 * costs one token's work instead of re-running the whole context. Inference only.
 *
 * <p>Layout per layer: {@code keys[b][h][t][d]} flattened, {@code [B, nHead, blockSize, headSize]}.
 */
public final class KVCache {
    final float[][] keys;
    final float[][] values;
    final int batch, nHead, headSize, capacity;
    private int length;

    /**
     * An empty cache with room for a whole block of tokens per sequence.
     *
     * @param config the model's architecture (the cache holds {@code nLayer} layers of {@code [batch, nHead, blockSize, headSize]} keys and values)
     * @param batch how many sequences are generated together
     * @throws IllegalArgumentException if {@code batch} is not positive
     */
    public KVCache(GPTConfig config, int batch) {
        if (batch <= 0) throw new IllegalArgumentException("KVCache: batch must be positive, got " + batch);
        this.batch = batch;
        this.nHead = config.nHead();
        this.headSize = config.nEmbd() / config.nHead();
        this.capacity = config.blockSize();
        int size = batch * nHead * capacity * headSize;
        keys = new float[config.nLayer()][size];
        values = new float[config.nLayer()][size];
    }

    /** {@return the number of tokens cached so far per sequence (the position of the next token)} */
    public int length() {
        return length;
    }

    /**
     * {@return the room left before the model's block size is reached; a sampler that goes on must crop the context and start over}
     */
    public int remaining() {
        return capacity - length;
    }

    /** Forgets every cached token (the arrays are kept for the next sequence). */
    public void clear() {
        length = 0;
    }

    void advance(int t) {
        length += t;
    }

    int offset(int b, int h, int t) {
        return ((b * nHead + h) * capacity + t) * headSize;
    }
}
