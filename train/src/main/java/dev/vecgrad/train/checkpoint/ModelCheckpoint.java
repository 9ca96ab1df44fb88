package dev.vecgrad.train.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.data.CharTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GPT in {@code model.safetensors}: nanoGPT's parameter names, F32, the architecture in the
 * {@code config} metadata and (for models vecgrad trained) the tokenizer in {@code tokenizer}.
 * PyTorch can load the file, and vecgrad loads files PyTorch wrote.
 */
public final class ModelCheckpoint {
    /** Name of the model file inside a run directory. */
    public static final String FILE = "model.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelCheckpoint() {}

    /** A loaded model, its tokenizer (null when the file has none) and the file's metadata. */
    public record Loaded(GPT model, CharTokenizer tokenizer, Map<String, String> metadata, Path file) {}

    /** Writes {@code model} (and {@code tokenizer} when non-null) atomically; {@code extra} adds metadata. */
    public static void save(Path file, GPT model, CharTokenizer tokenizer, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("config", GPTConfigJson.write(model.config()));
        if (tokenizer != null) meta.put("tokenizer", tokenizerJson(tokenizer));
        if (extra != null) meta.putAll(extra);
        SafeTensors.write(file, tensorsOf(model.namedParameters()), meta);
    }

    /** The parameters as F32 safetensors (the tied weight once, as {@code transformer.wte.weight}). */
    public static List<SafeTensor> tensorsOf(Map<String, Parameter> params) {
        List<SafeTensor> out = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Tensor t = e.getValue().tensor();
            out.add(SafeTensor.f32(e.getKey(), t.toArray(), t.shape()));
        }
        return out;
    }

    /** The path of the model file for a run directory or a file path. */
    public static Path resolve(Path dirOrFile) {
        return Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE) : dirOrFile;
    }

    /**
     * Loads a model from a {@code .safetensors} file, a run directory, or a Hugging Face GPT-2
     * folder ({@link HfGpt2#isFolder}: read through {@link HfGpt2#load}).
     *
     * @throws CheckpointFormatException when the config is missing or invalid, or tensors are
     *     missing, unexpected or of the wrong shape (each named)
     */
    public static Loaded load(Path dirOrFile) throws IOException {
        if (HfGpt2.isFolder(dirOrFile)) {
            HfGpt2.Loaded h = HfGpt2.load(dirOrFile, 0);
            return new Loaded(h.model(), null, Map.of(), dirOrFile.resolve(HfGpt2.WEIGHTS));
        }
        Path file = resolve(dirOrFile);
        SafeTensorsFile f = SafeTensors.read(file);
        String cfgJson = f.metadata().get("config");
        if (cfgJson == null) {
            throw new CheckpointFormatException(file.toString(), "no \"config\" in __metadata__; expected the model's "
                    + "architecture as {\"n_layer\":..,\"n_head\":..,\"n_embd\":..,\"block_size\":..,\"vocab_size\":..,\"bias\":..}");
        }
        GPTConfig cfg;
        try {
            cfg = GPTConfigJson.read(cfgJson);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(file.toString(), "invalid config: " + e.getMessage());
        }
        GPT model = new GPT(cfg, 0L);
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (SafeTensor t : f.tensors().values()) {
            if (!t.dtype().isFloat()) {
                throw new CheckpointFormatException(file.toString(), "tensor '" + t.name() + "' is " + t.dtype() + ", expected F32");
            }
            state.put(t.name(), Tensor.of(t.toFloats(), t.shape()));
        }
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(file.toString(), e.getMessage());
        }
        CharTokenizer tok = null;
        String tj = f.metadata().get("tokenizer");
        if (tj != null) tok = parseTokenizer(file.toString(), tj);
        if (tok != null && tok.vocabSize() != cfg.vocabSize()) {
            throw new CheckpointFormatException(file.toString(), "the tokenizer has " + tok.vocabSize()
                    + " tokens but the model's vocab_size is " + cfg.vocabSize());
        }
        return new Loaded(model, tok, f.metadata(), file);
    }

    /** {@code {"type":"char","vocab":"<characters in id order>"}}. */
    public static String tokenizerJson(CharTokenizer t) {
        return JSON.createObjectNode().put("type", "char").put("vocab", t.vocabString()).toString();
    }

    /** Parses {@link #tokenizerJson}. */
    public static CharTokenizer parseTokenizer(String source, String json) throws CheckpointFormatException {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !"char".equals(n.path("type").asText()) || !n.path("vocab").isTextual()) {
                throw new CheckpointFormatException(source, "tokenizer metadata must be {\"type\":\"char\",\"vocab\":\"...\"}");
            }
            return CharTokenizer.fromCodePoints(n.get("vocab").asText().codePoints().toArray());
        } catch (IOException | IllegalArgumentException e) {
            if (e instanceof CheckpointFormatException c) throw c;
            throw new CheckpointFormatException(source, "invalid tokenizer metadata: " + e.getMessage());
        }
    }
}
