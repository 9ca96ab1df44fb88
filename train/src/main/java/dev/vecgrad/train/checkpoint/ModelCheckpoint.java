package dev.vecgrad.train.checkpoint;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.tokenizer.Tokenizer;
import dev.vecgrad.train.tokenizer.TokenizerFormatException;
import dev.vecgrad.train.tokenizer.Tokenizers;
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


    private ModelCheckpoint() {}

    /** A loaded model, its tokenizer (null when the file has none) and the file's metadata. */
    public record Loaded(GPT model, Tokenizer tokenizer, Map<String, String> metadata, Path file) {}

    /**
     * The tensors of a model file, as stored, with the architecture from its metadata: the first
     * half of loading, before names are mapped and a model is built.
     *
     * @param config the architecture from the {@code config} metadata
     * @param tensors every tensor as F32, by the name in the file
     */
    public record Tensors(Path file, GPTConfig config, Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /**
     * A checkpoint layout: turns the tensors of a file (its names, its orientation) into
     * vecgrad's parameter names and shapes. {@link #NANOGPT} is the identity (vecgrad's own files
     * and nanoGPT's); other layouts (Hugging Face GPT-2's {@code h.0.attn.c_attn.weight}, stored
     * transposed) plug in here.
     */
    @FunctionalInterface
    public interface Layout {
        /** vecgrad's name to tensor. */
        Map<String, Tensor> toVecgrad(Map<String, Tensor> fileTensors);

        /** nanoGPT's names, as vecgrad writes them. */
        Layout NANOGPT = t -> t;
    }

    /** Writes {@code model} (and {@code tokenizer} when non-null) atomically; {@code extra} adds metadata. */
    public static void save(Path file, GPT model, Tokenizer tokenizer, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("config", GPTConfigJson.write(model.config()));
        if (tokenizer != null) meta.put("tokenizer", tokenizer.toJson());
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
     * Loads a model from a {@code .safetensors} file, a run directory ({@link #readTensors}, then
     * {@link #build} with vecgrad's own names, then the tokenizer from the metadata), or a Hugging
     * Face GPT-2 folder ({@link HfGpt2#isFolder}: read through {@link HfGpt2#load}).
     *
     * @throws CheckpointFormatException when the config is missing or invalid, or tensors are
     *     missing, unexpected or of the wrong shape (each named), or the tokenizer is unreadable
     */
    public static Loaded load(Path dirOrFile) throws IOException {
        if (HfGpt2.isFolder(dirOrFile)) {
            HfGpt2.Loaded h = HfGpt2.load(dirOrFile, 0);
            return new Loaded(h.model(), null, Map.of(), dirOrFile.resolve(HfGpt2.WEIGHTS));
        }
        Tensors t = readTensors(dirOrFile);
        GPT model = build(t, Layout.NANOGPT);
        Tokenizer tok = null;
        String tj = t.metadata().get("tokenizer");
        if (tj != null) tok = parseTokenizer(t.file().toString(), tj);
        if (tok != null && tok.vocabSize() != t.config().vocabSize()) {
            throw new CheckpointFormatException(t.file().toString(), "the tokenizer has " + tok.vocabSize()
                    + " tokens but the model's vocab_size is " + t.config().vocabSize());
        }
        return new Loaded(model, tok, t.metadata(), t.file());
    }

    /**
     * Reads a model file's tensors (as F32) and its {@code config} metadata, without building a
     * model.
     *
     * @throws CheckpointFormatException when the config is missing or invalid or a tensor is not
     *     a float type
     */
    public static Tensors readTensors(Path dirOrFile) throws IOException {
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
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (SafeTensor t : f.tensors().values()) {
            if (!t.dtype().isFloat()) {
                throw new CheckpointFormatException(file.toString(), "tensor '" + t.name() + "' is " + t.dtype() + ", expected F32");
            }
            state.put(t.name(), Tensor.of(t.toFloats(), t.shape()));
        }
        return new Tensors(file, cfg, state, f.metadata());
    }

    /**
     * Builds the model of {@code t.config()} straight from the tensors (no random initialisation
     * that is then overwritten), after {@code layout} maps them to vecgrad's names.
     *
     * @throws CheckpointFormatException naming the file and every missing, unexpected or
     *     mis-shaped tensor
     */
    public static GPT build(Tensors t, Layout layout) throws CheckpointFormatException {
        GPT model = GPT.forLoading(t.config());
        try {
            model.loadStateDict(layout.toVecgrad(t.tensors()), true);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(t.file().toString(), e.getMessage());
        }
        return model;
    }

    /** The tokenizer JSON stored in checkpoints ({@link Tokenizer#toJson()}). */
    public static String tokenizerJson(Tokenizer t) {
        return t.toJson();
    }

    /** Parses {@link #tokenizerJson} of any tokenizer type, by its {@code "type"} tag. */
    public static Tokenizer parseTokenizer(String source, String json) throws CheckpointFormatException {
        try {
            return Tokenizers.fromJson(source, json);
        } catch (TokenizerFormatException e) {
            throw new CheckpointFormatException(source, "invalid tokenizer metadata: "
                    + e.getMessage().substring(Math.min(e.getMessage().length(), source.length() + 2)));
        }
    }
}
