package dev.vecgrad.train.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Stores and restores any {@link Tokenizer} by its {@code "type"} tag. */
public final class Tokenizers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Tokenizers() {}

    /**
     * The stored form of a char tokenizer.
     *
     * @param vocab its characters in id order
     * @return {@code {"type":"char","vocab":...}}
     */
    public static String charJson(String vocab) {
        return JSON.createObjectNode().put("type", CharTokenizer.TYPE).put("vocab", vocab).toString();
    }

    /**
     * The tokenizer stored as {@code json} ({@link Tokenizer#toJson()}).
     *
     * @param source names the JSON's origin in errors (e.g. a checkpoint file)
     * @param json the stored form
     * @return the tokenizer of the type its {@code "type"} tag names
     * @throws TokenizerFormatException naming the source and the problem
     */
    public static Tokenizer fromJson(String source, String json) throws TokenizerFormatException {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new TokenizerFormatException(source, "tokenizer is not valid JSON: " + dev.vecgrad.train.checkpoint.CheckpointFormatException.jsonReason(e));
        }
        return fromJson(source, n);
    }

    /**
     * The tokenizer stored as a parsed JSON object.
     *
     * @param source names the JSON's origin in errors
     * @param n the stored form
     * @return the tokenizer of the type its {@code "type"} tag names
     * @throws TokenizerFormatException naming the source and the problem (an unknown type included)
     */
    public static Tokenizer fromJson(String source, JsonNode n) throws TokenizerFormatException {
        if (n == null || !n.isObject()) throw new TokenizerFormatException(source, "tokenizer must be a JSON object");
        String type = n.path("type").asText("");
        switch (type) {
            case CharTokenizer.TYPE -> {
                if (!n.path("vocab").isTextual()) {
                    throw new TokenizerFormatException(source, "tokenizer must be {\"type\":\"char\",\"vocab\":\"...\"}");
                }
                try {
                    return CharTokenizer.fromCodePoints(n.get("vocab").asText().codePoints().toArray());
                } catch (IllegalArgumentException e) {
                    throw new TokenizerFormatException(source, e.getMessage());
                }
            }
            case BpeTokenizer.TYPE -> {
                JsonNode hf = n.get("tokenizer_json");
                if (hf == null || !hf.isObject()) {
                    throw new TokenizerFormatException(source, "a bpe tokenizer needs a \"tokenizer_json\" object "
                            + "(a Hugging Face tokenizer.json)");
                }
                return TokenizerJson.fromHf(source, hf);
            }
            default -> throw new TokenizerFormatException(source, "tokenizer type '" + type
                    + "' is unknown; expected char or bpe");
        }
    }
}
