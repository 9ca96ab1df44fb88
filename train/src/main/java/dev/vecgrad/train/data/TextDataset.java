package dev.vecgrad.train.data;

import java.util.random.RandomGenerator;

/**
 * A tokenized text split 90/10 into train and validation (nanoGPT's split: the first 90% of the
 * tokens train, the rest validate), sampled as random contiguous windows.
 */
public final class TextDataset {
    /** Which part of the data to sample. */
    public enum Split {
        /** The first part of the tokens, for training. */
        TRAIN,
        /** The rest, for the validation loss. */
        VAL
    }

    private final TokenArray tokens; // one or two bytes a token keeps big corpora small
    private final int trainEnd;

    /**
     * A dataset over a copy of {@code ids}.
     *
     * @param ids        token ids of the whole text, each in [0, 65535] (copied)
     * @param trainShare fraction for training, e.g. 0.9
     * @throws IllegalArgumentException if an id is out of range or the share is not in (0, 1)
     */
    public TextDataset(int[] ids, double trainShare) {
        this(TokenArray.of(ids), trainShare);
    }

    /**
     * A dataset over shared tokens.
     *
     * @param tokens     token ids of the whole text (shared, not copied: a large corpus is held once)
     * @param trainShare fraction for training, e.g. 0.9
     * @throws IllegalArgumentException if the share is not in (0, 1)
     */
    public TextDataset(TokenArray tokens, double trainShare) {
        if (!(trainShare > 0 && trainShare < 1)) {
            throw new IllegalArgumentException("dataset: train share must be in (0, 1), got " + trainShare);
        }
        this.tokens = java.util.Objects.requireNonNull(tokens, "tokens");
        trainEnd = (int) (tokens.length() * trainShare);
    }

    /**
     * The number of tokens in a split.
     *
     * @param s the split
     * @return its token count
     */
    public int size(Split s) {
        return s == Split.TRAIN ? trainEnd : tokens.length() - trainEnd;
    }

    /** "1 token", "2 tokens". */
    private static String tokenCount(long n) {
        return n == 1 ? "1 token" : n + " tokens";
    }

    /**
     * Checks that both splits hold at least one window of {@code blockSize + 1} tokens, so a
     * configuration that cannot train fails before the model is built.
     *
     * @param blockSize the model's context
     * @param source the text's name, for the message
     * @throws IllegalArgumentException naming the split and the sizes
     */
    public void requireWindows(int blockSize, String source) {
        for (Split s : Split.values()) {
            if (size(s) < blockSize + 1) {
                throw new IllegalArgumentException(source + ": the " + s.name().toLowerCase() + " split has " + tokenCount(size(s))
                        + " but block size " + blockSize + " needs at least " + (blockSize + 1)
                        + " (the whole file has " + tokenCount(tokens.length()) + ")");
            }
        }
    }

    /**
     * Random windows of a split, with their next tokens as targets.
     *
     * @param split where the windows come from
     * @param batchSize how many windows
     * @param blockSize the tokens per window
     * @param rng draws the windows' starts
     * @return {@code [batchSize, blockSize]}
     * @throws IllegalArgumentException if the split is shorter than one window
     */
    public Batch sample(Split split, int batchSize, int blockSize, RandomGenerator rng) {
        int start = split == Split.TRAIN ? 0 : trainEnd;
        int n = size(split);
        if (n < blockSize + 1) {
            throw new IllegalArgumentException("dataset: the " + split.name().toLowerCase() + " split has " + tokenCount(n)
                    + ", fewer than block size + 1 = " + (blockSize + 1));
        }
        int[] idx = new int[batchSize * blockSize], tgt = new int[batchSize * blockSize];
        for (int b = 0; b < batchSize; b++) {
            int at = start + rng.nextInt(n - blockSize);
            tokens.copyTo(at, idx, b * blockSize, blockSize);
            tokens.copyTo(at + 1, tgt, b * blockSize, blockSize);
        }
        return new Batch(idx, tgt, batchSize, blockSize);
    }
}
