package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.run.EvalSettings;
import dev.vecgrad.train.run.ModelSettings;
import dev.vecgrad.train.run.OptimizerSettings;
import dev.vecgrad.train.run.TextTask;
import dev.vecgrad.train.run.TrainConfig;
import dev.vecgrad.train.run.Trainer;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code vecgrad train --init-from MODEL --data FILE}: fine-tuning a model on new text, starting
 * from a Hugging Face GPT-2 folder or a vecgrad run (its directory, {@code best/} or model file).
 * The architecture and the tokenizer come from the model; the recipe defaults to nanoGPT's
 * {@code finetune_shakespeare} scaled to a CPU (a small constant learning rate, few steps), and
 * every hyperparameter flag still applies. The run directory is an ordinary one: it resumes,
 * samples and exports like any run.
 */
final class FineTune {
    private FineTune() {}

    /**
     * The recipe for fine-tuning a model of {@code source}'s shape: block 256 (or the model's
     * block size if smaller), batch 4, 20 steps, learning rate 3e-5 held constant, AdamW betas
     * 0.9/0.95 and weight decay 0.1, clipping at 1.0, no dropout, an evaluation every 10 steps.
     */
    static TrainConfig recipe(GPTConfig source) {
        return new TrainConfig(new ModelSettings(source.nLayer(), source.nHead(), source.nEmbd(), Math.min(256, source.blockSize()),
                source.bias(), 0f), new OptimizerSettings(3e-5f, 3e-5f, 0, 20, 0.1f, 0.9f, 0.95f, 1f), new EvalSettings(10, 10), 4, 1, 20,
                1337);
    }

    /**
     * A trainer whose model starts from {@code source}'s weights (positions cropped to the run's
     * block size, as nanoGPT's {@code crop_block_size}: the first rows of {@code wpe}), on
     * {@code data} encoded with the source's tokenizer (its ids cached in {@code tokenCache}, as
     * for any BPE run).
     *
     * @param source a Hugging Face GPT-2 folder, a run directory or a model file
     * @throws IllegalArgumentException when a flag contradicts the source's architecture, the
     *     block size exceeds the source's, or the source has no tokenizer of the model's size
     */
    static Trainer trainer(Path source, Path data, TrainOptions hyper, Path tokenCache) throws IOException {
        ModelCheckpoint.Loaded from = ModelCheckpoint.load(source);
        GPTConfig fc = from.model().config();
        check("--n-layer", hyper.nLayer, fc.nLayer());
        check("--n-head", hyper.nHead, fc.nHead());
        check("--n-embd", hyper.nEmbd, fc.nEmbd());
        if (hyper.bias != null && hyper.bias != fc.bias()) {
            throw new IllegalArgumentException("--bias " + hyper.bias + " contradicts " + source + ", which "
                    + (fc.bias() ? "has" : "has no") + " biases (the architecture comes from --init-from)");
        }
        TrainConfig cfg = hyper.applyTo(recipe(fc));
        int block = cfg.model().blockSize();
        if (block > fc.blockSize()) {
            throw new IllegalArgumentException("--block-size " + block + " is larger than " + source + "'s context of "
                    + fc.blockSize() + " positions");
        }
        Tokenizer tok = from.tokenizer();
        if (tok == null) {
            throw new IllegalArgumentException(source + " has no tokenizer (tokenizer.json, or vocab.json + merges.txt, or a"
                    + " vecgrad run's own) to encode --data with");
        }
        if (tok.vocabSize() != fc.vocabSize()) {
            throw new IllegalArgumentException(source + ": the tokenizer has " + tok.vocabSize() + " tokens but the model "
                    + fc.vocabSize() + "; fine-tuning needs them equal");
        }
        TextTask task = TextTask.load(data, tok, tokenCache);
        Trainer t = new Trainer(cfg, task);
        Map<String, Tensor> weights = new LinkedHashMap<>(from.model().stateDict());
        Tensor wpe = weights.get(POSITIONS);
        if (wpe != null && wpe.size(0) > block) weights.put(POSITIONS, wpe.narrow(0, 0, block));
        try (Grad g = Grad.disabled()) {
            t.model().loadStateDict(weights, true);
        }
        return t;
    }

    /** The position table, whose first rows a shorter block keeps. */
    private static final String POSITIONS = "transformer.wpe.weight";

    private static void check(String flag, Integer given, int sourceValue) {
        if (given != null && given != sourceValue) {
            throw new IllegalArgumentException(flag + " " + given + " contradicts the model's " + sourceValue
                    + " (the architecture comes from --init-from)");
        }
    }
}
