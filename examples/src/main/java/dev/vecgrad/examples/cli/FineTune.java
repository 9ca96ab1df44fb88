package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.train.checkpoint.HfGpt2;
import dev.vecgrad.train.run.EvalSettings;
import dev.vecgrad.train.run.ModelSettings;
import dev.vecgrad.train.run.OptimizerSettings;
import dev.vecgrad.train.run.TextTask;
import dev.vecgrad.train.run.TrainConfig;
import dev.vecgrad.train.run.Trainer;
import dev.vecgrad.train.tokenizer.BpeTokenizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code vecgrad train --init-from DIR --data FILE}: fine-tuning a Hugging Face GPT-2 folder.
 * The architecture and the tokenizer come from the folder; the recipe defaults to nanoGPT's
 * {@code finetune_shakespeare} scaled to a CPU (a small constant learning rate, few steps), and
 * every hyperparameter flag still applies. The run directory is an ordinary one: it resumes,
 * samples and exports like any run.
 */
final class FineTune {
    private FineTune() {}

    /**
     * The recipe for fine-tuning a model of {@code folder}'s shape: block 256 (or n_positions if
     * smaller), batch 4, 20 steps, learning rate 3e-5 held constant, AdamW betas 0.9/0.95 and
     * weight decay 0.1, clipping at 1.0, no dropout, an evaluation every 10 steps.
     */
    static TrainConfig recipe(GPTConfig folder) {
        return new TrainConfig(new ModelSettings(folder.nLayer(), folder.nHead(), folder.nEmbd(), Math.min(256, folder.blockSize()),
                true, 0f), new OptimizerSettings(3e-5f, 3e-5f, 0, 20, 0.1f, 0.9f, 0.95f, 1f), new EvalSettings(10, 10), 4, 1, 20, 1337);
    }

    /**
     * A trainer whose model starts from the folder's weights (positions cropped to the run's
     * block size, as nanoGPT's {@code crop_block_size}), on {@code data} encoded with the
     * folder's tokenizer (its ids cached in {@code tokenCache}, as for any BPE run).
     *
     * @throws IllegalArgumentException when a flag contradicts the folder's architecture, the
     *     block size exceeds n_positions, or the folder has no tokenizer of the model's size
     */
    static Trainer trainer(Path folder, Path data, TrainOptions hyper, Path tokenCache) throws IOException {
        GPTConfig fc = HfGpt2.readConfig(folder);
        check("--n-layer", hyper.nLayer, fc.nLayer());
        check("--n-head", hyper.nHead, fc.nHead());
        check("--n-embd", hyper.nEmbd, fc.nEmbd());
        if (hyper.bias != null && !hyper.bias) {
            throw new IllegalArgumentException("--bias false: " + folder + " has biases (every GPT-2 folder does)");
        }
        TrainConfig cfg = hyper.applyTo(recipe(fc));
        if (cfg.model().blockSize() > fc.blockSize()) {
            throw new IllegalArgumentException("--block-size " + cfg.model().blockSize() + " is larger than the model's n_positions " + fc.blockSize());
        }
        BpeTokenizer tok = HfGpt2.readTokenizer(folder, fc);
        if (tok == null) {
            throw new IllegalArgumentException(folder + " has no tokenizer (tokenizer.json, or vocab.json + merges.txt) to encode --data with");
        }
        if (tok.vocabSize() != fc.vocabSize()) {
            throw new IllegalArgumentException(folder + ": the tokenizer has " + tok.vocabSize() + " tokens but the model "
                    + fc.vocabSize() + "; fine-tuning needs them equal");
        }
        TextTask task = TextTask.load(data, tok, tokenCache);
        Trainer t = new Trainer(cfg, task);
        HfGpt2.Loaded init = HfGpt2.load(folder, cfg.model().blockSize());
        try (Grad g = Grad.disabled()) {
            t.model().loadStateDict(init.model().stateDict(), true);
        }
        return t;
    }

    private static void check(String flag, Integer given, int folderValue) {
        if (given != null && given != folderValue) {
            throw new IllegalArgumentException(flag + " " + given + " contradicts the folder's " + folderValue
                    + " (the architecture comes from --init-from)");
        }
    }
}
