package dev.vecgrad.examples.cli;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --checkpoint DIR|FILE}, shared by every command that reads a trained model (as a
 * picocli {@code @Mixin}): the option itself, loading the model once, and the check that the
 * checkpoint carries the tokenizer a command needs to turn text into tokens.
 */
final class CheckpointOption {
    /** The command this option is mixed into, for its name in error messages. */
    @Spec(Spec.Target.MIXEE) CommandSpec command;

    /**
     * What every {@code --checkpoint} takes, for the help pages of the commands that declare the
     * option themselves too: each of them accepts a GPT-2 folder, which only export's help said.
     */
    static final String DESCRIPTION = "A vecgrad run directory or model.safetensors, or a Hugging Face GPT-2 folder.";

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR|FILE", description = DESCRIPTION)
    Path path;

    private ModelCheckpoint.Loaded loaded;

    /** The checkpoint, read on first use. */
    ModelCheckpoint.Loaded load() throws IOException {
        requireExists(command, "--checkpoint", path);
        if (loaded == null) loaded = ModelCheckpoint.load(path);
        return loaded;
    }

    /**
     * Refuses a model path that does not exist, with what it may name instead: a sibling it was
     * probably meant to be ({@code runs/nothre}), else the kinds of model and how to get GPT-2 (as
     * the README does). The library's own error, "no such file", suits neither a directory nor a
     * user who took {@code gpt2} for a model name.
     *
     * @param spec the command, for the error
     * @param flag the option that named it: {@code --checkpoint} or {@code --init-from}
     * @param p the path given
     */
    static void requireExists(CommandSpec spec, String flag, Path p) {
        if (Files.exists(p)) return;
        String near = nearby(p);
        throw new ParameterException(spec.commandLine(), flag + " " + p + ": no such file or directory" + (near != null
                ? "; did you mean " + near + "?"
                : " (name a vecgrad run directory or model file, or a Hugging Face GPT-2 folder; 'huggingface-cli download"
                        + " openai-community/gpt2 config.json model.safetensors vocab.json merges.txt tokenizer.json --local-dir"
                        + " gpt2' fetches GPT-2)"));
    }

    /** The entry beside a missing path whose name is closest to it, as the user would write it, or null. */
    private static String nearby(Path p) {
        Path name = p.getFileName();
        Path parent = p.toAbsolutePath().normalize().getParent();
        if (name == null || parent == null || !Files.isDirectory(parent)) return null;
        List<String> names;
        try (Stream<Path> s = Files.list(parent)) {
            names = s.map(f -> f.getFileName().toString()).toList();
        } catch (IOException e) {
            return null;
        }
        List<String> close = Spelling.closeNames(name.toString(), names);
        if (close.isEmpty()) return null;
        Path given = p.getParent();
        return (given == null ? Path.of(close.get(0)) : given.resolve(close.get(0))).toString();
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
