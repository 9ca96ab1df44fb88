package dev.vecgrad.train.checkpoint;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.nn.LayerNorm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code config.json} of a Hugging Face GPT-2 folder (transformers' {@code GPT2Config}),
 * read into a vecgrad {@link GPTConfig} and written from one.
 *
 * <p>Reading is strict where a silent default would load a different model than the file
 * describes: {@code model_type} must be {@code gpt2}; {@code n_layer}, {@code n_head},
 * {@code n_embd}, {@code vocab_size} and {@code n_positions} (or its old name {@code n_ctx}) must
 * be present; the aliases transformers also accepts ({@code num_hidden_layers},
 * {@code num_attention_heads}, {@code hidden_size}, {@code max_position_embeddings}) must agree
 * with them. Options vecgrad's GPT does not implement are refused by name: another LayerNorm
 * epsilon than 1e-5, an activation other than the tanh GELU ({@code gelu_new}), an MLP width other
 * than 4·n_embd, attention scaled by layer index or not scaled, cross-attention. The options
 * transformers defaults ({@code layer_norm_epsilon}, {@code activation_function}) take its
 * defaults when absent.
 */
public final class HfGpt2Config {
    /** File name inside the folder. */
    public static final String FILE = "config.json";
    /** Largest config.json read; real ones are about 1 KB. */
    static final long MAX_BYTES = 1L << 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** Each canonical GPT-2 key and the alias transformers maps onto it ({@code GPT2Config.attribute_map}). */
    private static final List<String[]> KEYS = List.of(
            new String[] {"n_layer", "num_hidden_layers"},
            new String[] {"n_head", "num_attention_heads"},
            new String[] {"n_embd", "hidden_size"},
            new String[] {"n_positions", "max_position_embeddings"},
            new String[] {"vocab_size", null});

    private HfGpt2Config() {}

    /**
     * Reads {@code file} (a {@code config.json}).
     *
     * @param file the folder's {@code config.json}
     * @return the architecture: block size {@code n_positions}, biases on, dropout 0 (a training
     *     setting that the command line chooses, not the folder)
     * @throws CheckpointFormatException naming the file and the field for every problem above
     * @throws IOException when the file is missing or cannot be read
     */
    public static GPTConfig read(Path file) throws IOException {
        String src = file.toString();
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(src, null, "no config.json (a Hugging Face GPT-2 folder has one)");
        if (Files.size(file) > MAX_BYTES) throw new CheckpointFormatException(src, Files.size(file) + " bytes is too large for a config.json");
        String text;
        try {
            text = dev.vecgrad.train.tokenizer.Utf8.readText(file);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new CheckpointFormatException(src, "not valid UTF-8 text");
        }
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (IOException e) {
            throw CheckpointFormatException.notJson(src, null, e);
        }
        return parse(src, n);
    }

    /** {@link #read} on JSON already parsed; {@code src} names it in errors. */
    static GPTConfig parse(String src, JsonNode n) throws CheckpointFormatException {
        if (n == null || !n.isObject()) throw new CheckpointFormatException(src, "expected a JSON object");
        JsonNode type = n.get("model_type");
        if (type == null) throw new CheckpointFormatException(src, "no \"model_type\"; a GPT-2 folder says \"model_type\": \"gpt2\"");
        if (!type.isTextual() || !type.asText().equals("gpt2")) {
            throw new CheckpointFormatException(src, "\"model_type\" is " + show(type) + ", not \"gpt2\": vecgrad reads GPT-2 folders only");
        }
        int[] v = new int[KEYS.size()];
        for (int i = 0; i < v.length; i++) {
            String key = KEYS.get(i)[0], alias = KEYS.get(i)[1];
            Integer main = intOrNull(src, n, key);
            if (key.equals("n_positions")) main = agree(src, n, key, main, "n_ctx");
            Integer other = alias == null ? null : intOrNull(src, n, alias);
            if (main != null && other != null && !main.equals(other)) {
                throw new CheckpointFormatException(src, "contradictory fields: \"" + key + "\" is " + main + " but \"" + alias + "\" is " + other);
            }
            Integer val = main != null ? main : other;
            if (val == null) {
                throw new CheckpointFormatException(src, "no \"" + key + "\"" + (key.equals("n_positions") ? " (or \"n_ctx\")" : ""));
            }
            if (val <= 0) throw new CheckpointFormatException(src, "\"" + key + "\" must be positive, got " + val);
            v[i] = val;
        }
        int nLayer = v[0], nHead = v[1], nEmbd = v[2], nPositions = v[3], vocab = v[4];
        if (nEmbd % nHead != 0) {
            throw new CheckpointFormatException(src, "contradictory fields: \"n_embd\" " + nEmbd + " is not divisible by \"n_head\" " + nHead);
        }
        JsonNode eps = n.get("layer_norm_epsilon");
        if (eps != null && (!eps.isNumber() || Math.abs(eps.asDouble() - LayerNorm.EPS) > 1e-12)) {
            throw new CheckpointFormatException(src, "\"layer_norm_epsilon\" is " + show(eps) + "; vecgrad's LayerNorm uses 1e-05");
        }
        JsonNode act = n.get("activation_function");
        if (act != null && !(act.isTextual() && (act.asText().equals("gelu_new") || act.asText().equals("gelu_pytorch_tanh")))) {
            throw new CheckpointFormatException(src, "\"activation_function\" is " + show(act)
                    + "; vecgrad's MLP is the tanh GELU (\"gelu_new\")");
        }
        JsonNode inner = n.get("n_inner");
        if (inner != null && !inner.isNull() && !(inner.isIntegralNumber() && inner.asLong() == 4L * nEmbd)) {
            throw new CheckpointFormatException(src, "\"n_inner\" is " + show(inner) + "; vecgrad's MLP is 4 * n_embd = " + 4L * nEmbd + " wide");
        }
        refuse(src, n, "scale_attn_by_inverse_layer_idx", true, "attention scaled by 1/layer index");
        refuse(src, n, "scale_attn_weights", false, "unscaled attention scores");
        refuse(src, n, "add_cross_attention", true, "cross-attention layers");
        try {
            return new GPTConfig(nLayer, nHead, nEmbd, nPositions, vocab, true, 0f);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(src, e.getMessage());
        }
    }

    /**
     * Writes a {@code config.json} that transformers' {@code GPT2LMHeadModel} loads as this architecture, atomically.
     *
     * @param file the file to create or replace
     * @param c the architecture (with biases: GPT-2 always has them)
     * @param endOfTextId the id of {@code <|endoftext|>} for {@code bos_token_id} and {@code eos_token_id}, or null when the tokenizer has none
     * @throws IllegalArgumentException when the model has no biases
     * @throws IOException when writing fails
     */
    public static void write(Path file, GPTConfig c, Integer endOfTextId) throws IOException {
        if (!c.bias()) {
            throw new IllegalArgumentException("a GPT-2 folder cannot hold a model without biases (transformers' GPT-2 always has them); "
                    + "this model was trained with bias=false");
        }
        AtomicFiles.writeString(file, toJson(c, endOfTextId));
    }

    /** The text {@link #write} writes. */
    static String toJson(GPTConfig c, Integer endOfTextId) {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add("GPT2LMHeadModel");
        o.put("model_type", "gpt2");
        o.put("n_layer", c.nLayer());
        o.put("n_head", c.nHead());
        o.put("n_embd", c.nEmbd());
        o.put("n_positions", c.blockSize());
        o.put("n_ctx", c.blockSize());
        o.put("vocab_size", c.vocabSize());
        o.put("layer_norm_epsilon", 1e-5);
        o.put("activation_function", "gelu_new");
        o.putNull("n_inner");
        // GPT-2's dropout defaults: what a user continuing training in PyTorch would expect.
        o.put("resid_pdrop", 0.1);
        o.put("embd_pdrop", 0.1);
        o.put("attn_pdrop", 0.1);
        o.put("initializer_range", 0.02);
        o.put("scale_attn_weights", true);
        o.put("tie_word_embeddings", true);
        o.put("use_cache", true);
        if (endOfTextId != null) {
            o.put("bos_token_id", endOfTextId);
            o.put("eos_token_id", endOfTextId);
        }
        o.put("torch_dtype", "float32");
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Integer agree(String src, JsonNode n, String key, Integer main, String oldKey) throws CheckpointFormatException {
        Integer old = intOrNull(src, n, oldKey);
        if (main != null && old != null && !main.equals(old)) {
            throw new CheckpointFormatException(src, "contradictory fields: \"" + key + "\" is " + main + " but \"" + oldKey + "\" is " + old);
        }
        return main != null ? main : old;
    }

    private static Integer intOrNull(String src, JsonNode n, String key) throws CheckpointFormatException {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new CheckpointFormatException(src, "\"" + key + "\" must be an integer, got " + show(v));
        }
        return v.asInt();
    }

    private static void refuse(String src, JsonNode n, String key, boolean bad, String what) throws CheckpointFormatException {
        JsonNode v = n.get(key);
        if (v != null && v.isBoolean() && v.asBoolean() == bad) {
            throw new CheckpointFormatException(src, "\"" + key + "\" is " + bad + ": vecgrad's GPT does not implement " + what);
        }
    }

    private static String show(JsonNode v) {
        String s = v.toString();
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

}
