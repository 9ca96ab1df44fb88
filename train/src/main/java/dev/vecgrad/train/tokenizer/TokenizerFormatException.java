package dev.vecgrad.train.tokenizer;

import java.io.IOException;

/** A tokenizer file (or stored tokenizer JSON) that cannot be read; the message names it and the problem. */
public class TokenizerFormatException extends IOException {
    /**
     * A problem with one tokenizer source; the message reads {@code "source: problem"}.
     *
     * @param source a file name or a description such as "checkpoint metadata"
     * @param problem what is wrong, naming the entry
     */
    public TokenizerFormatException(String source, String problem) {
        super(source + ": " + problem);
    }
}
