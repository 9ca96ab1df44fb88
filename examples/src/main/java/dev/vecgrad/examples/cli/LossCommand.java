package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.checkpoint.BatchFile;
import dev.vecgrad.train.checkpoint.SafeTensor;
import dev.vecgrad.train.checkpoint.SafeTensors;
import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.run.TextTask;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad loss}: the loss (and gradients) of a model on a batch, to check against PyTorch. */
@Command(name = "loss", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Loss and gradients on a batch file, to compare with PyTorch.",
        description = {"Prints the cross-entropy loss of a model on a batch; optionally writes every parameter's gradient.",
            "The batch comes from a file (--batch: 'idx' and 'targets', [B, T], I64 or I32; targets of -1 are ignored)",
            "or is drawn from a text with the model's tokenizer (--data; --batch-out saves it for PyTorch)."})
final class LossCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CheckpointOption checkpoint;

    @Option(names = "--batch", paramLabel = "FILE", description = "batch.safetensors with idx and targets.")
    Path batchFile;

    @Option(names = "--data", paramLabel = "FILE", description = "Draw the batch from this text instead (its first 90 %%, as"
            + " training does), encoded with the model's tokenizer.")
    Path data;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "4", description = "With --data: sequences in the batch"
            + " (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--block-size", paramLabel = "T", description = "With --data: tokens per sequence (default: the model's block size).")
    Integer blockSize;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1337", description = "With --data: which batch (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-out", paramLabel = "FILE", description = "With --data: write the batch drawn (I64 idx and targets),"
            + " for the same check in PyTorch.")
    Path batchOut;

    @Option(names = "--grads-out", paramLabel = "FILE", description = "Write the gradient of every parameter (F32, under its name).")
    Path gradsOut;

    @Mixin ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        if ((batchFile == null) == (data == null)) {
            throw new ParameterException(spec.commandLine(), "give --batch FILE (a batch file) or --data FILE (a text to draw"
                    + " one from), " + (data == null ? "not neither" : "not both"));
        }
        if (data == null && (batchOut != null || blockSize != null || spec.commandLine().getParseResult().hasMatchedOption("--batch-size")
                || spec.commandLine().getParseResult().hasMatchedOption("--seed"))) {
            throw new ParameterException(spec.commandLine(), "--batch-size, --block-size, --seed and --batch-out draw a batch from"
                    + " --data; --batch reads one as it is");
        }
        if (gradsOut != null) OutputFiles.check(spec, "--grads-out", gradsOut, "safetensors");
        if (batchOut != null) OutputFiles.check(spec, "--batch-out", batchOut, "safetensors");
        GPT model = checkpoint.model();
        Batch b = data == null ? BatchFile.read(batchFile, model.config().vocabSize()) : drawBatch(model);
        if (b.blockSize() > model.config().blockSize()) {
            throw new ParameterException(spec.commandLine(), "--batch " + batchFile + ": T = " + b.blockSize() + " (idx is ["
                    + b.batchSize() + ", " + b.blockSize() + "]) is longer than the model's block size, "
                    + model.config().blockSize());
        }
        if (batchOut != null) BatchFile.write(batchOut, b);
        model.eval();
        Tensor loss = model.loss(model.forward(b.idx(), b.batchSize(), b.blockSize()), b.targets());
        PrintWriter out = spec.commandLine().getOut();
        out.println("loss " + loss.item());
        if (batchOut != null) out.println("wrote " + batchOut);
        out.flush();
        if (gradsOut != null) {
            loss.backward();
            List<SafeTensor> grads = new ArrayList<>();
            for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
                Tensor g = e.getValue().grad();
                float[] v = g == null ? new float[e.getValue().numel()] : g.toArray();
                grads.add(SafeTensor.f32(e.getKey(), v, e.getValue().shape()));
            }
            SafeTensors.write(gradsOut, grads, Map.of("loss", Float.toString(loss.item())));
            out.println("wrote " + gradsOut);
            out.flush();
        }
        return 0;
    }

    /** A batch of the text's training split, encoded with the model's tokenizer. */
    private Batch drawBatch(GPT model) throws java.io.IOException {
        int block = blockSize != null ? blockSize : model.config().blockSize();
        if (batchSize < 1) throw new ParameterException(spec.commandLine(), "--batch-size must be >= 1, got " + batchSize);
        if (block < 1 || block > model.config().blockSize()) {
            throw new ParameterException(spec.commandLine(), "--block-size must be 1 to the model's " + model.config().blockSize()
                    + ", got " + block);
        }
        TextTask task = TextTask.load(data, checkpoint.tokenizer());
        return task.trainBatch(batchSize, block, new SplittableRandom(seed));
    }
}
