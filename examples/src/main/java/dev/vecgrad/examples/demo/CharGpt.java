package dev.vecgrad.examples.demo;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import dev.vecgrad.train.data.TextDataset;
import dev.vecgrad.train.optim.AdamW;
import dev.vecgrad.train.optim.ParamGroup;
import dev.vecgrad.train.sample.Generator;
import dev.vecgrad.train.sample.TokenPicker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/** A character-level GPT trained and sampled from Java code, without the CLI. */
public final class CharGpt {
    private CharGpt() {}

    /** Trains on {@code text} for {@code steps} steps and returns a 200-character sample. */
    public static String run(String text, int steps, PrintStream log) {
        CharTokenizer tok = CharTokenizer.fromText(text);                          // vocabulary: the text's characters
        TextDataset data = new TextDataset(tok.encode(text), 0.9);                 // 90% train, 10% validation
        GPT model = new GPT(new GPTConfig(2, 4, 64, 32, tok.vocabSize(), true, 0f), 1337);
        AdamW opt = new AdamW(List.of(ParamGroup.decayTwoDimensional(model, 0.1f)), 3e-3f, 0.9f, 0.99f, 1e-8f);
        SplittableRandom rng = new SplittableRandom(1);
        for (int step = 1; step <= steps; step++) {
            Batch b = data.sample(TextDataset.Split.TRAIN, 16, 32, rng);          // 16 random windows of 32 chars
            Tensor loss = model.loss(model.forward(b.idx(), 16, 32), b.targets());
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (step % Math.max(1, steps / 5) == 0) log.printf("step %d  loss %.3f%n", step, loss.item());
        }
        int[] out = Generator.generate(model, tok.encode(text.substring(0, 1)), 200,
                new TokenPicker(0.8f, 0, new SplittableRandom(2)), null);
        String sample = tok.decode(out);
        log.println(sample);
        return sample;
    }

    public static void main(String[] args) throws IOException {
        String text = args.length > 0 ? Files.readString(Path.of(args[0])) : "hello world, hello vecgrad. ".repeat(200);
        run(text, args.length > 1 ? Integer.parseInt(args[1]) : 300, System.out);
    }
}
