package dev.vecgrad.train.data;

/**
 * A batch of token windows: {@code idx[b*T + t]} and the next-token {@code targets}, row-major
 * {@code [B, T]}; a target of -1 is ignored by the loss.
 */
public record Batch(int[] idx, int[] targets, int batchSize, int blockSize) {
    public Batch {
        if (idx.length != batchSize * blockSize || targets.length != idx.length) {
            throw new IllegalArgumentException("batch: expected " + batchSize + "x" + blockSize + " tokens, got "
                    + idx.length + " inputs and " + targets.length + " targets");
        }
    }
}
