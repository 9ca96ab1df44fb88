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
    /** {@return the implementation's tag in stored JSON: {@code "char"} or {@code "bpe"}} */
    String type();

    /** {@return the number of ids (the model's {@code vocab_size}); ids are {@code 0..vocabSize()-1}} */
    int vocabSize();

    /**
     * Token ids of {@code text}; special-token strings (e.g. {@code <|endoftext|>}) are encoded
     * as ordinary text, so text from users cannot inject a control token.
     *
     * @param text the text
     * @return the ids, in order
     * @throws IllegalArgumentException when the text cannot be encoded (a character outside a
     *     char tokenizer's vocabulary), naming the character and its position
     */
    int[] encode(CharSequence text);

    /**
     * Token ids of {@code text}, where the special tokens in {@code allowedSpecial} become their
     * own ids and every other special-token string is ordinary text.
     *
     * @param text the text
     * @param allowedSpecial the special tokens to recognise (e.g. {@code <|endoftext|>} between documents)
     * @return the ids, in order
     * @throws IllegalArgumentException when the text cannot be encoded
     */
    default int[] encode(CharSequence text, Set<String> allowedSpecial) {
        return encode(text);
    }

    /**
     * The text of {@code ids}. Byte-level tokenizers replace invalid UTF-8 the way Python's
     * {@code bytes.decode("utf-8", errors="replace")} does.
     *
     * @param ids token ids
     * @return the text
     * @throws IllegalArgumentException naming the first id that is not a token
     */
    String decode(int[] ids);

    /**
     * How one token reads on its own, for display.
     *
     * @param id a token id
     * @return a word piece such as {@code " the"}; a byte-level token that holds only part of a
     *     character shows those bytes as {@code <0xNN>} each (GPT-2's three tokens of an emoji read
     *     {@code <0xF0><0x9F>}, {@code <0x99>}, ...), so such tokens can be told apart. For text,
     *     decode the ids together ({@link #decode}, or {@link TextStream} when streaming).
     */
    String piece(int id);

    /**
     * The exact bytes one token contributes to decoded text: what {@link #piece} shows, without
     * the {@code <0xNN>} escapes that a piece shares with text that really reads {@code <0xNN>}.
     *
     * @param id a token id
     * @return its UTF-8 bytes (a byte-level token may hold part of a character; a special token
     *     gives its string's bytes)
     * @throws IllegalArgumentException when {@code id} is not a token
     */
    default byte[] bytes(int id) {
        return decode(new int[] {id}).getBytes(StandardCharsets.UTF_8);
    }

    /** {@return the special tokens by string, with their ids (empty when there are none)} */
    Map<String, Integer> specialTokens();

    /** {@return the tokenizer as a JSON object with a {@code "type"} field (checkpoint metadata)} */
    String toJson();

    /** {@return a short description for the console, e.g. {@code "bpe, 4,096 tokens, gpt2 pattern"}} */
    String describe();

    /**
     * {@return the SHA-256 (hex) of {@link #toJson()}: identifies the tokenizer (token caches, resume checks)}
     */
    default String hash() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(toJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
