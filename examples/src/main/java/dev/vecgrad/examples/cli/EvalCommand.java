package dev.vecgrad.examples.cli;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.data.AdditionTask;
import dev.vecgrad.train.data.InductionTask;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import dev.vecgrad.train.tokenizer.Tokenizer;
import dev.vecgrad.train.run.AdditionTrainingTask;
import dev.vecgrad.train.run.Evaluation;
import dev.vecgrad.train.run.InductionTrainingTask;
import dev.vecgrad.train.run.RunDirectory;
import dev.vecgrad.train.run.TextTask;
import dev.vecgrad.train.run.TrainConfig;
import dev.vecgrad.train.run.Trainer;
import dev.vecgrad.train.run.TrainingTask;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vecgrad eval}: train/validation loss of a trained model (and accuracy for the addition
 * task). The built-in tasks need no data: a model of a run is evaluated on the run's task, and a
 * model file from elsewhere on the task its vocabulary names (addition's or induction's characters).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Evaluate a trained model on train and validation batches.",
        description = "Prints the mean loss over the same fixed batches of each split (and the held-out accuracy for addition).")
final class EvalCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CheckpointOption checkpoint;

    @Option(names = "--data", paramLabel = "FILE", description = "Text to evaluate on (default: the run's own data).")
    Path data;

    @Option(names = "--eval-iters", paramLabel = "N", description = "Batches per split (default: the run's, or 50).")
    Integer evalIters;

    @Option(names = "--batch-size", paramLabel = "B", description = "Sequences per batch (default: the run's, or 12).")
    Integer batchSize;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1337", description = "Seed for the evaluation batches (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        if (evalIters != null && evalIters < 1) throw new ParameterException(spec.commandLine(), "--eval-iters must be >= 1, got " + evalIters);
        if (batchSize != null && batchSize < 1) throw new ParameterException(spec.commandLine(), "--batch-size must be >= 1, got " + batchSize);
        ModelCheckpoint.Loaded m = checkpoint.load();
        GPT model = m.model();
        Tokenizer tok = m.tokenizer();
        Path run = runOf(checkpoint.path);
        TrainingTask task;
        int iters = evalIters != null ? evalIters : 50, batch = batchSize != null ? batchSize : 12;
        if (run != null) {
            RunDirectory.State s = new RunDirectory(run).readState();
            TrainConfig c = s.config();
            if (evalIters == null) iters = c.eval().iters();
            if (batchSize == null) batch = c.batchSize();
            task = s.task(data);
        } else if (data != null) {
            task = TextTask.load(data, checkpoint.tokenizer());
        } else if (tok instanceof CharTokenizer c && c.vocabString().equals(AdditionTask.VOCAB)) {
            task = AdditionTrainingTask.standard((model.config().blockSize() - 2) / 3);
        } else if (tok instanceof CharTokenizer c && isInductionVocabulary(c.vocabString())) {
            task = new InductionTrainingTask(c.vocabSize());
        } else {
            // Named as the user gave it: for a GPT-2 folder, m.file() is the weights file inside it.
            throw new ParameterException(spec.commandLine(), "--checkpoint " + checkpoint.path
                    + ": not a run directory, so it has no data of its own; give --data FILE to evaluate it on");
        }
        int block = model.config().blockSize();
        Evaluation r = Trainer.evaluate(model, task, batch, block, iters, seed);
        PrintWriter out = spec.commandLine().getOut();
        // Bits per byte too for text, as training's evaluation lines print: they compare across tokenizers.
        if (task instanceof TextTask t) {
            out.printf(Locale.ROOT, "train loss %.4f (%.3f bits/byte)%nval loss %.4f (%.3f bits/byte)%n",
                    r.trainLoss(), TextTask.bitsPerByte(r.trainLoss(), t.bytesPerToken()),
                    r.valLoss(), TextTask.bitsPerByte(r.valLoss(), t.bytesPerToken()));
        } else {
            out.printf(Locale.ROOT, "train loss %.4f%nval loss %.4f%n", r.trainLoss(), r.valLoss());
        }
        if (!Double.isNaN(r.accuracy())) out.printf(Locale.ROOT, "held-out accuracy %.2f%%%n", 100 * r.accuracy());
        out.flush();
        return 0;
    }

    /**
     * The run directory a checkpoint belongs to, whose {@code state.json} says what it was trained
     * on: the directory itself, the directory of its model file, or the run above its
     * {@code best/} copy; null for a model from anywhere else.
     */
    static Path runOf(Path checkpoint) {
        Path dir = Files.isDirectory(checkpoint) ? checkpoint : checkpoint.toAbsolutePath().getParent();
        if (dir == null) return null;
        if (RunDirectory.isRun(dir)) return Files.isDirectory(checkpoint) ? checkpoint : dir;
        Path parent = dir.toAbsolutePath().getParent();
        boolean best = dir.getFileName() != null && dir.getFileName().toString().equals(RunDirectory.BEST);
        return best && parent != null && RunDirectory.isRun(parent) ? parent : null;
    }

    /**
     * Whether a character vocabulary is the induction task's: the first 2 or more characters of its
     * alphabet, as a character tokenizer holds them (sorted by code point: from 27 on the capitals
     * come first, from 53 on the digits).
     */
    static boolean isInductionVocabulary(String vocab) {
        int n = vocab.length();
        return n >= 2 && n <= InductionTask.MAX_VOCAB
                && vocab.equals(dev.vecgrad.train.tokenizer.CharTokenizer.of(InductionTask.ALPHABET.substring(0, n)).vocabString());
    }
}
