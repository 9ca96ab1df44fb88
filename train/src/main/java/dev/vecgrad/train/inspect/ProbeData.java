package dev.vecgrad.train.inspect;

import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.tokenizer.Tokenizer;
import dev.vecgrad.train.data.InductionTask;
import dev.vecgrad.train.run.RunDirectory;
import dev.vecgrad.train.run.TextTask;
import dev.vecgrad.train.run.TrainingTask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Held-out sequences to measure a model on (for {@link HeadScores}), with a description for the
 * output: a run's own validation data, the validation part of a text file, or, when there is no
 * data, random tokens repeated twice.
 *
 * @param batch       the sequences and their targets (-1 where the loss does not count)
 * @param description what they are, e.g. {@code "validation batches of the run's task"}
 */
public record ProbeData(Batch batch, String description) {
    /**
     * Validation sequences of the task a run directory trained on.
     *
     * @param runDir the run directory (its data file must still exist)
     * @param sequences how many sequences
     * @param seed fixes which ones
     * @return the sequences, described
     * @throws IOException when the run's state or data cannot be read
     */
    public static ProbeData fromRun(Path runDir, int sequences, long seed) throws IOException {
        RunDirectory.State s = new RunDirectory(runDir).readState();
        TrainingTask task = s.task(null);
        Batch b = task.valBatch(sequences, s.config().model().blockSize(), new SplittableRandom(seed));
        return new ProbeData(b, sequences + " validation sequences of the run's data (" + task.describe() + ")");
    }

    /**
     * Windows from the last 10 % of a UTF-8 text file (the part a run would validate on).
     *
     * @param file the text
     * @param tokenizer encodes it (the model's tokenizer)
     * @param sequences how many windows
     * @param length the tokens per window
     * @param seed fixes which windows
     * @return the windows, described
     * @throws IOException when the file cannot be read or is not valid text
     */
    public static ProbeData fromText(Path file, Tokenizer tokenizer, int sequences, int length, long seed) throws IOException {
        TextTask t = TextTask.load(file, tokenizer);
        t.validate(length);
        return new ProbeData(t.valBatch(sequences, length, new SplittableRandom(seed)),
                sequences + " windows of " + length + " tokens from the last 10% of " + file.getFileName());
    }

    /**
     * Random tokens repeated twice, for a model without data; the loss counts the second copy.
     *
     * @param vocabSize the number of token ids to draw from
     * @param sequences how many sequences
     * @param n the length of each copy
     * @param seed fixes the draw
     * @return the sequences, described
     */
    public static ProbeData repeated(int vocabSize, int sequences, int n, long seed) {
        return new ProbeData(InductionTask.repeated(sequences, n, vocabSize, new SplittableRandom(seed)),
                sequences + " sequences of " + n + " random tokens repeated twice (loss on the second copy)");
    }
}
