package dev.vecgrad.train.run;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.data.CharTokenizer;
import java.util.Map;
import java.util.random.RandomGenerator;

/** What a run trains on: where batches come from, and how the result is judged. */
public interface TrainingTask {
    /** A short description for the console, e.g. {@code "tinyshakespeare.txt: 1,115,394 characters, 65 distinct"}. */
    String describe();

    /** The tokenizer (stored in the checkpoint, so sampling needs no data file). */
    CharTokenizer tokenizer();

    /** A training batch. */
    Batch trainBatch(int batchSize, int blockSize, RandomGenerator rng);

    /** A validation batch (held-out data). */
    Batch valBatch(int batchSize, int blockSize, RandomGenerator rng);

    /**
     * What identifies the data in {@code state.json} (e.g. file name, size and SHA-256); a
     * resumed run must see the same.
     */
    Map<String, Object> identity();

    /** The longest context the task needs, or 0 when any block size works. */
    default int requiredBlockSize() {
        return 0;
    }

    /** Checks the data can feed windows of {@code blockSize} tokens (throws naming the problem). */
    default void validate(int blockSize) {}

    /**
     * The highest induction score of any head (see {@link dev.vecgrad.train.inspect.HeadScores}) on
     * a fixed probe, for tasks whose point is to grow induction heads; NaN for the others.
     */
    default double inductionScore(GPT model) {
        return Double.NaN;
    }

    /** A task-specific score (held-out exact-match accuracy for addition), or NaN when none. */
    default double accuracy(GPT model) {
        return Double.NaN;
    }
}
