package dev.vecgrad.examples.cli;

import dev.vecgrad.train.tokenizer.BpeTokenizer;
import dev.vecgrad.train.tokenizer.ModelNotTokenizerException;
import dev.vecgrad.train.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@code --tokenizer} path read through {@link TokenizerFiles}. Given a model instead, the
 * library's advice names the Java call that reads a model with its tokenizer; on the command line
 * the same mistake is mended with a flag, which depends on the command.
 */
final class TokenizerOption {
    private TokenizerOption() {}

    /**
     * @param path the {@code --tokenizer} argument
     * @param modelFlag how this command takes a model with its tokenizer, e.g. {@code "--checkpoint DIR"}
     * @throws IllegalArgumentException when {@code path} is a model: the problem and {@code modelFlag}
     */
    static BpeTokenizer load(Path path, String modelFlag) throws IOException {
        try {
            return TokenizerFiles.load(path);
        } catch (ModelNotTokenizerException e) {
            throw new IllegalArgumentException(e.source() + ": " + e.problem() + "; pass the model as " + modelFlag, e);
        }
    }
}
