package dev.vecgrad.train.tokenizer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * Text to token ids and back. Implementations: {@code char} (one token per character, ids in
 * code-point order) and {@code bpe} (byte-level BPE, GPT-2 style). A tokenizer is stored in
 * checkpoints and {@code state.json} as {@link #toJson()}, a JSON object whose {@code "type"}
 * field names the implementation; {@link Tokenizers#fromJson} restores it.
 */
public interface Tokenizer {
    /** The implementation's tag in stored JSON: {@code "char"} or {@code "bpe"}. */
    String type();

    /** Number of ids (the model's {@code vocab_size}); ids are {@code 0..vocabSize()-1}. */
    int vocabSize();

    /**
     * Token ids of {@code text}; special-token strings (e.g. {@code <|endoftext|>}) are encoded
     * as ordinary text.
     *
     * @throws IllegalArgumentException when the text cannot be encoded (a character outside a
     *     char tokenizer's vocabulary), naming the character and its position
     */
    int[] encode(CharSequence text);

    /**
     * Token ids of {@code text}, where the special tokens in {@code allowedSpecial} become their
     * own ids and every other special-token string is ordinary text.
     */
    default int[] encode(CharSequence text, Set<String> allowedSpecial) {
        return encode(text);
    }

    /**
     * The text of {@code ids}. Byte-level tokenizers replace invalid UTF-8 the way Python's
     * {@code bytes.decode("utf-8", errors="replace")} does.
     *
     * @throws IllegalArgumentException naming the first id that is not a token
     */
    String decode(int[] ids);

    /** How one token reads on its own, for display (a word piece such as {@code " the"}). */
    String piece(int id);

    /** Special tokens by string, with their ids (empty when there are none). */
    Map<String, Integer> specialTokens();

    /** The tokenizer as a JSON object with a {@code "type"} field (checkpoint metadata). */
    String toJson();

    /** A short description for the console, e.g. {@code "bpe, 4,096 tokens, gpt2 pattern"}. */
    String describe();

    /** SHA-256 (hex) of {@link #toJson()}: identifies the tokenizer (token caches, resume checks). */
    default String hash() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(toJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
