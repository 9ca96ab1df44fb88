package dev.vecgrad.examples.cli;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --checkpoint DIR|FILE}, shared by every command that reads a trained model (as a
 * picocli {@code @Mixin}): the option itself, loading the model once, and the check that the
 * checkpoint carries the tokenizer a command needs to turn text into tokens.
 */
final class CheckpointOption {
    /** The command this option is mixed into, for its name in error messages. */
    @Spec(Spec.Target.MIXEE) CommandSpec command;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR|FILE", description = "Run directory or model.safetensors.")
    Path path;

    private ModelCheckpoint.Loaded loaded;

    /** The checkpoint, read on first use. */
    ModelCheckpoint.Loaded load() throws IOException {
        if (loaded == null) loaded = ModelCheckpoint.load(path);
        return loaded;
    }

    /** The checkpoint's model. */
    GPT model() throws IOException {
        return load().model();
    }

    /**
     * The checkpoint's tokenizer.
     *
     * @throws IllegalArgumentException naming the file when it has none (a model converted from
     *     elsewhere, which only has token ids, or a GPT-2 folder without its tokenizer files)
     */
    Tokenizer tokenizer() throws IOException {
        Tokenizer tok = load().tokenizer();
        if (tok == null) {
            throw new IllegalArgumentException(load().missingTokenizer() + "; " + command.name() + " needs one to read and show text");
        }
        return tok;
    }
}
