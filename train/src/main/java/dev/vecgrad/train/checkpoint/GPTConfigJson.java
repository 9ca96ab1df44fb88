package dev.vecgrad.train.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.vecgrad.nn.GPTConfig;
import java.util.Iterator;
import java.util.Set;

/**
 * A {@link GPTConfig} as the flat JSON object stored in a checkpoint's {@code config} metadata,
 * in nanoGPT's key names:
 * {@code {"n_layer":4,"n_head":4,"n_embd":128,"block_size":64,"vocab_size":65,"bias":true}}.
 *
 * <p>{@code dropout} is a training setting, not part of the architecture: {@link #write} leaves
 * it out and {@link #read} takes it when present (nanoGPT's {@code model_args} have it), else 0.
 * This lives in train, beside the JSON library, so that nn keeps no third-party dependency and no
 * parser of its own.
 */
public final class GPTConfigJson {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> KEYS = Set.of("n_layer", "n_head", "n_embd", "block_size", "vocab_size", "bias", "dropout");

    private GPTConfigJson() {}

    /**
     * The architecture as compact JSON (no dropout, see the class comment).
     *
     * @param c the architecture
     * @return one line of JSON with nanoGPT's key names
     */
    public static String write(GPTConfig c) {
        return JSON.createObjectNode().put("n_layer", c.nLayer()).put("n_head", c.nHead()).put("n_embd", c.nEmbd())
                .put("block_size", c.blockSize()).put("vocab_size", c.vocabSize()).put("bias", c.bias()).toString();
    }

    /**
     * Parses what {@link #write} writes (any key order and whitespace; {@code dropout} optional).
     * Strict: any other key, a missing or duplicate key, a value of the wrong type, or text after
     * the object is an error.
     *
     * @param json the {@code config} metadata of a checkpoint
     * @return the architecture (dropout 0 when absent)
     * @throws IllegalArgumentException naming the key and the problem, or where the JSON breaks;
     *     also GPTConfig's own range errors
     */
    public static GPTConfig read(String json) {
        if (json == null) throw new IllegalArgumentException("model config: the JSON text is null");
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at position " + e.getLocation().getCharOffset();
            throw new IllegalArgumentException("model config: invalid JSON" + where + ": " + CheckpointFormatException.jsonReason(e));
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException("model config: expected a JSON object, got " + json);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) throw new IllegalArgumentException("model config: unknown key \"" + k + "\" in " + json);
        }
        return new GPTConfig(integer(n, "n_layer"), integer(n, "n_head"), integer(n, "n_embd"), integer(n, "block_size"),
                integer(n, "vocab_size"), bool(n, "bias"), n.has("dropout") ? (float) number(n, "dropout") : 0f);
    }

    private static JsonNode required(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null) throw new IllegalArgumentException("model config: missing key \"" + key + "\"");
        return v;
    }

    private static double number(JsonNode n, String key) {
        JsonNode v = required(n, key);
        if (!v.isNumber()) throw new IllegalArgumentException("model config: \"" + key + "\" must be a number, got " + v);
        return v.asDouble();
    }

    /** An integer; a float with an integral value (4.0, as some writers emit) counts. */
    private static int integer(JsonNode n, String key) {
        double d = number(n, key);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("model config: \"" + key + "\" must be an integer, got " + n.get(key));
        }
        return (int) d;
    }

    private static boolean bool(JsonNode n, String key) {
        JsonNode v = required(n, key);
        if (!v.isBoolean()) throw new IllegalArgumentException("model config: \"" + key + "\" must be true or false, got " + v);
        return v.asBoolean();
    }
}
