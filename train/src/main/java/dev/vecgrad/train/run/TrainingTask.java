package dev.vecgrad.train.run;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.util.Map;
import java.util.random.RandomGenerator;

/** What a run trains on: where batches come from, and how the result is judged. */
public interface TrainingTask {
    /**
     * {@return a short description for the console, e.g. {@code "tinyshakespeare.txt: 1,115,394 characters, 65 distinct"}}
     */
    String describe();

    /** {@return the tokenizer (stored in the checkpoint, so sampling needs no data file)} */
    Tokenizer tokenizer();

    /**
     * A training batch. A trainer draws all of a step's batches before it runs any (its
     * micro-batches may run at once), so a returned batch must stay valid after later calls.
     *
     * @param batchSize the number of sequences
     * @param blockSize the tokens per sequence
     * @param rng the step's generator: the batch depends only on its state, so a resumed run draws the same batches
     * @return {@code [batchSize, blockSize]}
     */
    Batch trainBatch(int batchSize, int blockSize, RandomGenerator rng);

    /**
     * A validation batch, from held-out data.
     *
     * @param batchSize the number of sequences
     * @param blockSize the tokens per sequence
     * @param rng the evaluation's generator (seeded the same at every evaluation, so the losses are comparable)
     * @return {@code [batchSize, blockSize]}
     */
    Batch valBatch(int batchSize, int blockSize, RandomGenerator rng);

    /**
     * {@return what identifies the data in {@code state.json} (e.g. file name, size and SHA-256)} A
     * resumed run must see the same.
     */
    Map<String, Object> identity();

    /** {@return the longest context the task needs, or 0 when any block size works} */
    default int requiredBlockSize() {
        return 0;
    }

    /**
     * Checks the data can feed windows of {@code blockSize} tokens, before a model is built.
     *
     * @param blockSize the model's context
     * @throws IllegalArgumentException naming the problem (e.g. a validation split shorter than one window)
     */
    default void validate(int blockSize) {}

    /**
     * The highest induction score of any head (see {@link dev.vecgrad.train.inspect.HeadScores}) on
     * a fixed probe, for tasks whose point is to grow induction heads.
     *
     * @param model the model being trained
     * @return the score in [0, 1], or NaN for tasks without one
     */
    default double inductionScore(GPT model) {
        return Double.NaN;
    }

    /**
     * A task-specific score (held-out exact-match accuracy for addition).
     *
     * @param model the model being trained
     * @return the score in [0, 1], or NaN when the task has none
     */
    default double accuracy(GPT model) {
        return Double.NaN;
    }
}
