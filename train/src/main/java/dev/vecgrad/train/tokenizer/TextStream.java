package dev.vecgrad.train.tokenizer;

import java.util.Arrays;

/**
 * Decodes ids one at a time for streaming output. A byte-level token can end inside a
 * multi-byte character (an emoji is often two or three tokens), so decoding each token alone
 * would print U+FFFD where the character belongs: text whose decoding ends in U+FFFD is held
 * back until the next tokens complete it (at most four tokens, the longest UTF-8 sequence).
 */
public final class TextStream {
    private final Tokenizer tokenizer;
    private int[] pending = new int[8];
    private int n;

    /**
     * A stream that has seen no ids yet.
     *
     * @param tokenizer decodes the ids
     */
    public TextStream(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * Adds one id.
     *
     * @param id the next token
     * @return the text that is now complete (maybe empty, when the id ends inside a character)
     */
    public String push(int id) {
        if (n == pending.length) pending = Arrays.copyOf(pending, n * 2);
        pending[n++] = id;
        String text = tokenizer.decode(Arrays.copyOf(pending, n));
        if (text.endsWith("\uFFFD") && n < 4) return "";
        n = 0;
        return text;
    }

    /** {@return the text still held back (call at the end; an unfinished character decodes as U+FFFD)} */
    public String finish() {
        String text = n == 0 ? "" : tokenizer.decode(Arrays.copyOf(pending, n));
        n = 0;
        return text;
    }
}
