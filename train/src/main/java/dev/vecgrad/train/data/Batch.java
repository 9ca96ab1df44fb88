package dev.vecgrad.train.data;

/**
 * A batch of token windows, row-major {@code [B, T]}.
 *
 * @param idx the input ids, {@code idx[b*T + t]}
 * @param targets the next token of each input position, or {@link dev.vecgrad.nn.GPT#IGNORE_INDEX} (-1,
 *     nanoGPT's convention) where the loss is to leave the position out
 * @param batchSize B, the number of windows
 * @param blockSize T, the length of each window
 */
public record Batch(int[] idx, int[] targets, int batchSize, int blockSize) {
    /**
     * Checks that both arrays hold {@code B * T} ids.
     *
     * @throws IllegalArgumentException when a length does not match
     */
    public Batch {
        if (idx.length != batchSize * blockSize || targets.length != idx.length) {
            throw new IllegalArgumentException("batch: expected " + batchSize + "x" + blockSize + " tokens, got "
                    + idx.length + " inputs and " + targets.length + " targets");
        }
    }
}
