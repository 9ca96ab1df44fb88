package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.checkpoint.BatchFile;
import dev.vecgrad.train.checkpoint.SafeTensor;
import dev.vecgrad.train.checkpoint.SafeTensors;
import dev.vecgrad.train.data.Batch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad loss}: the loss (and gradients) of a model on a batch, to check against PyTorch. */
@Command(name = "loss", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Loss and gradients on a batch file, to compare with PyTorch.",
        description = {"Prints the cross-entropy loss of a model on a batch; optionally writes every parameter's gradient.",
            "The batch file holds 'idx' and 'targets', [B, T], I64 or I32 (targets of -1 are ignored)."})
final class LossCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CheckpointOption checkpoint;

    @Option(names = "--batch", required = true, paramLabel = "FILE", description = "batch.safetensors with idx and targets.")
    Path batchFile;

    @Option(names = "--grads-out", paramLabel = "FILE", description = "Write the gradient of every parameter (F32, under its name).")
    Path gradsOut;

    @Mixin ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        if (gradsOut != null) OutputFiles.check(spec, "--grads-out", gradsOut, "safetensors");
        GPT model = checkpoint.model();
        Batch b = BatchFile.read(batchFile, model.config().vocabSize());
        model.eval();
        Tensor loss = model.loss(model.forward(b.idx(), b.batchSize(), b.blockSize()), b.targets());
        spec.commandLine().getOut().println("loss " + loss.item());
        spec.commandLine().getOut().flush();
        if (gradsOut != null) {
            loss.backward();
            List<SafeTensor> grads = new ArrayList<>();
            for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
                Tensor g = e.getValue().grad();
                float[] v = g == null ? new float[e.getValue().numel()] : g.toArray();
                grads.add(SafeTensor.f32(e.getKey(), v, e.getValue().shape()));
            }
            SafeTensors.write(gradsOut, grads, Map.of("loss", Float.toString(loss.item())));
        }
        return 0;
    }
}
