package dev.vecgrad.train.run;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import dev.vecgrad.train.data.InductionTask;
import dev.vecgrad.train.inspect.HeadScores;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The induction task ({@link InductionTask}) as a training task: train and validation batches from
 * the same generator (random sequences never repeat, so there is nothing to hold out), loss on
 * the second copy only; each evaluation also measures the induction score of the best head, on
 * a fixed probe of random sequences repeated twice.
 */
public final class InductionTrainingTask implements TrainingTask {
    /** The vocabulary {@code vecgrad train --task induction} uses unless told otherwise. */
    public static final int DEFAULT_VOCAB = 16;

    /** Sequences in the induction-score probe. */
    static final int PROBE_SEQUENCES = 16;

    /** The probe's seed: fixed, so every evaluation of a run (and of any run) scores the same sequences. */
    static final long PROBE_SEED = 20221;

    private final InductionTask task;

    /**
     * The induction task over {@code vocabSize} tokens.
     *
     * @param vocabSize distinct tokens, 2..{@value InductionTask#MAX_VOCAB}
     * @throws IllegalArgumentException naming the value out of range
     */
    public InductionTrainingTask(int vocabSize) {
        this.task = new InductionTask(vocabSize);
    }

    /** {@return the sequence generator} */
    public InductionTask problems() {
        return task;
    }

    @Override
    public String describe() {
        // The sequences are a block long; this line only knows the vocabulary (the block is on the
        // next line of train's header, and in describeProbe).
        return String.format(java.util.Locale.ROOT, "induction: random tokens from a vocabulary of %d, each sequence with a"
                + " segment repeated at a random place; loss on the second copy (chance %.3f)", task.vocabSize(), task.chanceLoss());
    }

    @Override
    public dev.vecgrad.train.tokenizer.Tokenizer tokenizer() {
        return task.tokenizer();
    }

    @Override
    public Batch trainBatch(int batchSize, int blockSize, RandomGenerator rng) {
        return task.sample(batchSize, blockSize, rng);
    }

    @Override
    public Batch valBatch(int batchSize, int blockSize, RandomGenerator rng) {
        return task.sample(batchSize, blockSize, rng);
    }

    @Override
    public void validate(int blockSize) {
        if (blockSize < InductionTask.MIN_BLOCK) {
            // The field's name, as TrainConfig's own checks give it: the command line says it as --block-size.
            throw new InvalidConfigException("blockSize", "must be >= " + InductionTask.MIN_BLOCK + " for the induction task, got " + blockSize);
        }
    }

    @Override
    public Map<String, Object> identity() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "induction");
        m.put("vocab", task.vocabSize());
        return m;
    }

    /**
     * The fixed probe for the induction score: {@value #PROBE_SEQUENCES} of the task's sequences
     * (always the same ones; see {@link HeadScores#probe}).
     *
     * @param blockSize the length of each sequence (the model's context)
     * @return the sequences and where their copies are
     */
    public InductionTask.Layout probe(int blockSize) {
        return HeadScores.probe(task.vocabSize(), PROBE_SEQUENCES, blockSize, PROBE_SEED);
    }

    /**
     * {@link #probe} in words, for train's header.
     *
     * @param blockSize the length of each sequence (the model's context)
     * @return {@link HeadScores#describeProbe} and the fixed seed
     */
    public String describeProbe(int blockSize) {
        return HeadScores.describeProbe(PROBE_SEQUENCES, blockSize) + " (fixed seed " + PROBE_SEED + ")";
    }

    /**
     * The highest induction score of any head on {@link #probe}.
     *
     * @param model the model being trained
     * @return the score in [0, 1]
     */
    @Override
    public double inductionScore(GPT model) {
        double best = 0;
        for (double[] layer : HeadScores.inductionScores(model, probe(model.config().blockSize()))) {
            for (double s : layer) best = Math.max(best, s);
        }
        return best;
    }
}
