package dev.vecgrad.examples.cli;

import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.tokenizer.TextStream;
import dev.vecgrad.train.tokenizer.Tokenizer;
import dev.vecgrad.train.sample.Generator;
import dev.vecgrad.train.sample.TokenPicker;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad sample}: continue a prompt with a trained model. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate text from a trained model (a run directory or a model.safetensors with a tokenizer).")
final class SampleCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR|FILE", description = "Run directory or model.safetensors.")
    Path checkpoint;

    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "\n", description = "Text to continue (default: a newline).")
    String prompt;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "500", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8",
            description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "200", description = "Sample among the K likeliest tokens; 0 for all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1337", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--num-samples", paramLabel = "N", defaultValue = "1", description = "Independent samples (default: ${DEFAULT-VALUE}).")
    int numSamples;

    @Override
    public Integer call() throws Exception {
        if (maxNewTokens < 0) throw new ParameterException(spec.commandLine(), "--max-new-tokens must be >= 0, got " + maxNewTokens);
        if (numSamples < 1) throw new ParameterException(spec.commandLine(), "--num-samples must be >= 1, got " + numSamples);
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(checkpoint);
        Tokenizer tok = m.tokenizer();
        if (tok == null) {
            throw new IllegalArgumentException(m.file() + " has no tokenizer in its metadata; sample needs a model trained by vecgrad");
        }
        int[] ids = tok.encode(prompt.replace("\\n", "\n"));
        PrintWriter out = spec.commandLine().getOut();
        TokenPicker picker = new TokenPicker(temperature, topK, new SplittableRandom(seed));
        for (int s = 0; s < numSamples; s++) {
            if (s > 0) out.println("\n---------------");
            out.print(tok.decode(ids));
            out.flush();
            TextStream stream = new TextStream(tok);
            Generator.generate(m.model(), ids, maxNewTokens, picker, id -> {
                out.print(stream.push(id));
                out.flush();
            });
            out.print(stream.finish());
        }
        out.println();
        out.flush();
        return 0;
    }
}
