package dev.vecgrad.train.tokenizer;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pre-tokenization pattern: text is cut into chunks (words, numbers, punctuation runs,
 * whitespace runs) before byte pairs are merged, so no token spans two chunks.
 *
 * <p>The patterns were written for Python's {@code regex} module and Rust's regex engines, where
 * {@code \s} is Unicode whitespace and {@code (?i)} folds Unicode case. {@code java.util.regex}
 * needs {@link Pattern#UNICODE_CHARACTER_CLASS} for both (without it {@code \s} misses U+00A0,
 * U+3000, U+2028, U+0085, ...), so every pattern is compiled with that flag; tests compare the
 * chunks with jtokkit, a Java tiktoken.
 *
 * @param name {@code gpt2}, {@code gpt4} or {@code custom}
 * @param regex the pattern as written in tokenizer files
 * @param compiled {@code regex} compiled with {@link Pattern#UNICODE_CHARACTER_CLASS}
 */
public record SplitPattern(String name, String regex, Pattern compiled) {
    /** GPT-2's pattern (OpenAI's {@code encoder.py}; tiktoken's {@code r50k_base}). */
    public static final String GPT2_REGEX =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** GPT-4's pattern (tiktoken's {@code cl100k_base}). */
    public static final String GPT4_REGEX = "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+";

    /** GPT-2's pattern. */
    public static final SplitPattern GPT2 = new SplitPattern("gpt2", GPT2_REGEX, compile(GPT2_REGEX));

    /** GPT-4's ({@code cl100k}) pattern. */
    public static final SplitPattern GPT4 = new SplitPattern("gpt4", GPT4_REGEX, compile(GPT4_REGEX));

    /**
     * The built-in pattern of a name.
     *
     * @param name {@code gpt2} (or {@code r50k}), {@code gpt4} (or {@code cl100k}); any case
     * @return the pattern
     * @throws IllegalArgumentException for another name, listing the known ones
     */
    public static SplitPattern named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "gpt2", "r50k" -> GPT2;
            case "gpt4", "cl100k" -> GPT4;
            default -> throw new IllegalArgumentException("unknown pre-tokenization pattern '" + name
                    + "'; expected gpt2 or gpt4");
        };
    }

    /**
     * The pattern of a regex as found in a tokenizer file: the built-in one when the text is GPT-2's
     * or GPT-4's, else compiled as {@code custom}.
     *
     * @param regex the regex, in Python/Rust syntax
     * @return the pattern
     * @throws IllegalArgumentException when Java cannot compile the regex
     */
    public static SplitPattern ofRegex(String regex) {
        if (regex.equals(GPT2_REGEX) || regex.equals(TIKTOKEN_R50K_REGEX)) return GPT2;
        if (regex.equals(GPT4_REGEX)) return GPT4;
        try {
            return new SplitPattern("custom", regex, compile(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("pre-tokenization regex does not compile in Java: "
                    + e.getDescription());
        }
    }

    /** tiktoken's spelling of GPT-2's pattern; the same chunks. */
    static final String TIKTOKEN_R50K_REGEX =
            "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private static Pattern compile(String regex) {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** Receives the chunks of a text in order. */
    @FunctionalInterface
    public interface ChunkSink {
        /**
         * One chunk.
         *
         * @param text the whole text
         * @param start the chunk's first character
         * @param end the index after its last character
         */
        void chunk(CharSequence text, int start, int end);
    }

    /**
     * Cuts {@code text[from, to)} into chunks. Text the regex does not match (impossible for the
     * built-in patterns) becomes a chunk of its own, so no character is ever dropped.
     *
     * @param text the text
     * @param from the first character to split
     * @param to the index after the last one
     * @param sink receives the chunks, in order
     */
    public void split(CharSequence text, int from, int to, ChunkSink sink) {
        Matcher m = compiled.matcher(text);
        m.region(from, to);
        m.useTransparentBounds(true); // the lookahead in \s+(?!\S) sees past a segment's end
        int pos = from;
        while (pos < to && m.find()) {
            if (m.start() > pos) sink.chunk(text, pos, m.start());
            if (m.end() == m.start()) { // a custom regex matched empty: step one char
                pos = m.start();
                continue;
            }
            sink.chunk(text, m.start(), m.end());
            pos = m.end();
        }
        if (pos < to) sink.chunk(text, pos, to);
    }

    /**
     * Positions where the built-in patterns always cut, so segments between them can be split
     * independently (on several threads) with the same chunks as the whole text: after a
     * {@code '\n'} that is followed by a letter. Every alternative that can hold a newline
     * consists of whitespace, line breaks or non-letters, so no chunk crosses such a point.
     *
     * @param text the text
     * @param segments how many segments are wanted (fewer come back when the text has fewer cut points)
     * @return ascending bounds from 0 to {@code text.length()}; {@code {0, text.length()}} for custom patterns
     */
    public int[] segmentBounds(CharSequence text, int segments) {
        int n = text.length();
        if (segments <= 1 || !(this == GPT2 || this == GPT4) || n < 4096) return new int[] {0, n};
        int[] b = new int[segments + 1];
        int count = 1;
        for (int s = 1; s < segments; s++) {
            int p = Math.max((int) ((long) n * s / segments), b[count - 1] + 1);
            while (p < n && !(text.charAt(p - 1) == '\n' && Character.isLetter(Character.codePointAt(text, p)))) p++;
            if (p >= n) break;
            b[count++] = p;
        }
        b[count++] = n;
        return java.util.Arrays.copyOf(b, count);
    }
}
