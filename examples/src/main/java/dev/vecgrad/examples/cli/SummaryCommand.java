package dev.vecgrad.examples.cli;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.run.AdditionTrainingTask;
import dev.vecgrad.train.run.InductionTrainingTask;
import dev.vecgrad.train.run.TrainConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad summary}: every parameter of a model with its shape and size, and the totals. */
@Command(name = "summary", mixinStandardHelpOptions = true, sortOptions = false,
        header = "List a model's parameters with their shapes and counts.",
        description = "Every parameter (name, shape, count), the weights and the biases apart, and the total.")
final class SummaryCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    /**
     * The model to describe. Picocli does not allow a mixin inside an argument group, so unlike
     * the other commands this one declares {@code --checkpoint} itself rather than using
     * {@link CheckpointOption}; it needs only the model, not a tokenizer.
     */
    static final class Source {
        @Option(names = "--checkpoint", paramLabel = "DIR|FILE", description = CheckpointOption.DESCRIPTION) Path checkpoint;
        @Option(names = "--preset", paramLabel = "NAME", description = "A preset of vecgrad train: addition (2 digits), induction, tiny, shakespeare-char or baby-gpt.") String preset;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") Source source;

    @Option(names = "--vocab-size", paramLabel = "V", description = "Vocabulary for --preset (default: the task's own for"
            + " addition and induction, as train builds them; 65, tinyshakespeare's characters, for the others).")
    Integer vocabSize;

    @Override
    public Integer call() throws Exception {
        GPT model;
        if (source.checkpoint != null) {
            CheckpointOption.requireExists(spec, "--checkpoint", source.checkpoint);
            model = ModelCheckpoint.load(source.checkpoint).model();
        } else {
            if (!TrainConfig.PRESETS.contains(source.preset)) {
                throw new ParameterException(spec.commandLine(), "--preset " + source.preset + ": "
                        + TrainCommand.unknownPreset(source.preset, false));
            }
            TrainConfig c = TrainConfig.preset(source.preset, 2);
            if (vocabSize != null && vocabSize < 1) throw new ParameterException(spec.commandLine(), "--vocab-size must be >= 1, got " + vocabSize);
            // The built-in tasks decide the vocabulary (and addition the block size) as train's
            // model gets them, so the counts here are the ones train prints.
            int vocab = vocabSize != null ? vocabSize : 65;
            if (source.preset.equals("addition")) {
                AdditionTrainingTask task = AdditionTrainingTask.standard(2);
                if (vocabSize != null) {
                    throw new ParameterException(spec.commandLine(), "--vocab-size: the addition task's vocabulary is its own ("
                            + task.tokenizer().vocabSize() + " characters); leave it out");
                }
                vocab = task.tokenizer().vocabSize();
                c = c.withModel(c.model().withBlockSize(task.requiredBlockSize()));
            } else if (source.preset.equals("induction") && vocabSize == null) {
                vocab = new InductionTrainingTask(InductionTrainingTask.DEFAULT_VOCAB).tokenizer().vocabSize();
            }
            model = new GPT(c.model().gpt(vocab), 0L);
        }
        print(model, spec.commandLine().getOut());
        return 0;
    }

    /** {@code "1 layer"}, {@code "4 layers"}: a count and its noun, plural unless the count is 1. */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    static void print(GPT model, PrintWriter out) {
        GPTConfig c = model.config();
        out.printf("GPT: %s, %s, %d wide, block %d, vocabulary %d, bias %b%n%n", count(c.nLayer(), "layer"),
                count(c.nHead(), "head"), c.nEmbd(), c.blockSize(), c.vocabSize(), c.bias());
        // Column widths from every row that will be printed, the totals' labels included, so that
        // the counts line up in one column.
        int width = "biases and norms (1-D)".length(), shapeW = "shape".length(), countW = 12;
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            width = Math.max(width, label(e.getKey()).length());
            shapeW = Math.max(shapeW, Arrays.toString(e.getValue().shape()).length());
        }
        countW = Math.max(countW, String.format("%,d", model.numParameters()).length());
        String row = "%-" + width + "s  %-" + shapeW + "s  %" + countW + "s%n";
        out.printf(row, "parameter", "shape", "count");
        long weights = 0, biases = 0;
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            long n = e.getValue().numel();
            out.printf(row, label(e.getKey()), Arrays.toString(e.getValue().shape()), String.format("%,d", n));
            if (e.getValue().shape().length >= 2) weights += n; else biases += n;
        }
        out.println();
        out.printf(row, "weights (2-D)", "", String.format("%,d", weights));
        out.printf(row, "biases and norms (1-D)", "", String.format("%,d", biases));
        out.printf(row, "total", "", String.format("%,d", model.numParameters()));
        out.flush();
    }

    /** A parameter's name as listed: the tied embedding also names the head that shares it. */
    private static String label(String name) {
        return name.equals("transformer.wte.weight") ? name + " (= lm_head.weight)" : name;
    }
}
