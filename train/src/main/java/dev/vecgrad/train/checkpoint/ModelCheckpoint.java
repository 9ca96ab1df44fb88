package dev.vecgrad.train.checkpoint;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.tokenizer.Gpt2Files;
import dev.vecgrad.train.tokenizer.Tokenizer;
import dev.vecgrad.train.tokenizer.TokenizerFiles;
import dev.vecgrad.train.tokenizer.TokenizerFormatException;
import dev.vecgrad.train.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A GPT in {@code model.safetensors}: nanoGPT's parameter names, F32, the architecture in the
 * {@code config} metadata and (for models vecgrad trained) the tokenizer in {@code tokenizer}.
 * PyTorch can load the file, and vecgrad loads files PyTorch wrote. The parameters are written
 * as {@link ModuleCheckpoint} writes any module's, so {@code ModuleCheckpoint.load(gpt, file)}
 * fills a GPT of the same config from a model file.
 */
public final class ModelCheckpoint {
    /** Name of the model file inside a run directory. */
    public static final String FILE = "model.safetensors";


    private ModelCheckpoint() {}

    /**
     * A loaded model and what came with it.
     *
     * @param model the model, in training mode (as a new {@code GPT} is; call {@code eval()} to run it
     *     without dropout, as the sampler and the inspectors do for the length of a call)
     * @param tokenizer the tokenizer stored with it, or null when the file has none
     * @param metadata the file's metadata entries
     * @param file the model file it was read from
     */
    public record Loaded(GPT model, Tokenizer tokenizer, Map<String, String> metadata, Path file) {
        /**
         * Why {@link #tokenizer()} is null, for a command that needs one: a GPT-2 folder lacks the
         * tokenizer files (its weights are fine), a model file lacks the metadata vecgrad writes.
         *
         * @return e.g. {@code "gpt2: no tokenizer in the GPT-2 folder (tokenizer.json, or vocab.json + merges.txt)"}
         */
        public String missingTokenizer() {
            // Absolute for the check: a GPT-2 folder's weights file may be given as a bare name, in the folder.
            Path dir = file.toAbsolutePath().getParent();
            // A file with vecgrad's "config" was read as a model file, whatever lies beside it.
            if (!metadata.containsKey("config") && dir != null && HfGpt2.isFolder(dir)) {
                return folderAsGiven(file) + ": no tokenizer in the GPT-2 folder (" + TokenizerFiles.TOKENIZER_JSON + ", or " + Gpt2Files.VOCAB
                        + " + " + Gpt2Files.MERGES + ")";
            }
            return file + " has no tokenizer in its metadata (a model converted from elsewhere holds only token ids)";
        }
    }

    /**
     * The tensors of a model file, as stored, with the architecture from its metadata: the first
     * half of loading, before names are mapped and a model is built.
     *
     * @param file the model file
     * @param config the architecture from the {@code config} metadata
     * @param tensors every tensor as F32, by the name in the file
     * @param metadata the file's metadata entries
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
        /**
         * Maps a file's tensors to vecgrad's parameters.
         *
         * @param fileTensors the tensors by the file's names
         * @return the tensors by vecgrad's names, in vecgrad's orientation
         */
        Map<String, Tensor> toVecgrad(Map<String, Tensor> fileTensors);

        /** nanoGPT's names, as vecgrad writes them. */
        Layout NANOGPT = t -> t;
    }

    /**
     * Writes a model file atomically: the parameters, the architecture and the tokenizer. The
     * weights are streamed from the parameters' own arrays, so nothing may change them until this
     * returns (the trainer saves between steps, on its own thread).
     *
     * @param file the {@code .safetensors} file to create or replace
     * @param model the model
     * @param tokenizer stored in the {@code tokenizer} metadata when non-null
     * @param extra more metadata entries, or null; not {@code format}, {@code config} or
     *     {@code tokenizer}, which this method writes and {@link #load} reads
     * @throws IllegalArgumentException when {@code extra} holds one of those keys (the file would
     *     load as another model, or not at all)
     * @throws IOException when writing fails
     */
    public static void save(Path file, GPT model, Tokenizer tokenizer, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("config", GPTConfigJson.write(model.config()));
        if (extra != null) {
            for (String key : List.of("format", "config", "tokenizer")) {
                if (extra.containsKey(key)) {
                    throw new IllegalArgumentException("ModelCheckpoint.save: the extra metadata may not hold '" + key
                            + "': save writes it itself, and load reads it back; name the entry differently");
                }
            }
        }
        if (tokenizer != null) meta.put("tokenizer", tokenizer.toJson());
        if (extra != null) meta.putAll(extra);
        ModuleCheckpoint.save(model, file, meta);
    }

    /**
     * The parameters as F32 safetensors over their own storage (a copy only for a parameter that
     * is a view into a larger array): write them before the parameters change. A checkpoint
     * then needs no second copy of the model's weights on the heap.
     *
     * @param params by name, e.g. {@code model.namedParameters()} (the tied weight once, as {@code transformer.wte.weight})
     * @return one tensor per parameter, in the map's order
     */
    public static List<SafeTensor> tensorsOf(Map<String, Parameter> params) {
        List<SafeTensor> out = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Tensor t = e.getValue().tensor();
            boolean whole = t.isContiguous() && t.offset() == 0 && t.storage().length == t.numel();
            out.add(SafeTensor.f32View(e.getKey(), whole ? t.storage() : t.toArray(), t.shape()));
        }
        return out;
    }

    /**
     * The path of the model file for a run directory or a file path.
     *
     * @param dirOrFile a run directory or a model file
     * @return {@code dirOrFile/model.safetensors} for a directory, else {@code dirOrFile}
     */
    public static Path resolve(Path dirOrFile) {
        return Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE) : dirOrFile;
    }

    /**
     * Loads a model from a {@code .safetensors} file, a run directory ({@link #readTensors}, then
     * {@link #build} with vecgrad's own names, then the tokenizer from the metadata), or a Hugging
     * Face GPT-2 folder ({@link HfGpt2#isFolder}: read through {@link HfGpt2#load}), also when
     * given as the folder's own {@code model.safetensors}.
     *
     * @param dirOrFile a model file, a run directory, a GPT-2 folder or its weights file
     * @return the model with its tokenizer and metadata
     * @throws CheckpointFormatException when the config is missing or invalid, or tensors are
     *     missing, unexpected or of the wrong shape (each named), or the tokenizer is unreadable
     * @throws IOException when a file cannot be read
     */
    public static Loaded load(Path dirOrFile) throws IOException {
        if (HfGpt2.isFolder(dirOrFile)) {
            HfGpt2.Loaded h = HfGpt2.load(dirOrFile, 0);
            return new Loaded(h.model(), h.tokenizer(), Map.of(), dirOrFile.resolve(HfGpt2.WEIGHTS));
        }
        Path folder = gpt2FolderOfWeights(dirOrFile);
        if (folder != null) {
            HfGpt2.Loaded h = HfGpt2.load(folder, 0);
            return new Loaded(h.model(), h.tokenizer(), Map.of(), dirOrFile);
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
     * @param dirOrFile a model file or a run directory
     * @return the tensors, the architecture and the metadata
     * @throws CheckpointFormatException when the config is missing or invalid (saying so when the
     *     file is a run's optimizer state) or a tensor is not a float type
     * @throws IOException when the file cannot be read; for a directory that holds runs rather
     *     than being one, a {@link NoSuchFileException} naming a few of them
     */
    public static Tensors readTensors(Path dirOrFile) throws IOException {
        Path file = resolve(dirOrFile);
        Path holder = dirOrFile.toAbsolutePath().getParent();
        // config.json or state.json beside the weights: the folder was meant (as a checkpoint, it is read whole).
        if (Files.isRegularFile(dirOrFile) && !dirOrFile.getFileName().toString().endsWith(".safetensors") && holder != null
                && (HfGpt2.isFolder(holder) || Files.exists(holder.resolve("state.json")))) {
            throw new CheckpointFormatException(dirOrFile.toString(), "not a model file; pass the folder that holds it, "
                    + folderAsGiven(dirOrFile));
        }
        String parent = Files.isDirectory(dirOrFile) && !Files.exists(file) ? parentOfRuns(dirOrFile) : null;
        if (parent != null) throw new NoSuchFileException(dirOrFile.toString(), null, parent);
        SafeTensorsFile f = SafeTensors.read(file);
        String cfgJson = f.metadata().get("config");
        if (cfgJson == null) {
            if (isOptimizerState(f)) {
                throw new CheckpointFormatException(file.toString(), "this is the optimizer state, not a model; "
                        + "pass the run directory or its " + FILE);
            }
            if (HfGpt2.hasFolderNames(f.tensors().keySet())) {
                if (Files.isRegularFile(dirOrFile) && holder != null && Files.isRegularFile(holder.resolve(HfGpt2Config.FILE))) {
                    throw new CheckpointFormatException(file.toString(), "GPT-2's tensor names, whose architecture is in "
                            + HfGpt2Config.FILE + " beside them; pass the folder that holds them, " + folderAsGiven(dirOrFile));
                }
                throw new CheckpointFormatException(file.toString(), "GPT-2's tensor names but no architecture: a Hugging Face "
                        + "GPT-2 folder keeps it in " + HfGpt2Config.FILE + " beside " + HfGpt2.WEIGHTS + ", and there is none");
            }
            throw new CheckpointFormatException(file.toString(), "no \"config\" in __metadata__; expected the model's "
                    + "architecture as {\"n_layer\":..,\"n_head\":..,\"n_embd\":..,\"block_size\":..,\"vocab_size\":..,\"bias\":..}");
        }
        GPTConfig cfg;
        try {
            cfg = GPTConfigJson.read(cfgJson);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(file.toString(), "invalid config: " + e.getMessage());
        }
        return new Tensors(file, cfg, ModuleCheckpoint.floatTensors(file.toString(), f), f.metadata());
    }

    /**
     * The GPT-2 folder a weights file stands for: {@code gpt2/model.safetensors} names the folder's
     * model as surely as {@code gpt2} does (its architecture is in the config.json beside it), and
     * it is what a user copies from a Hugging Face page. Only the folder's own weights file, with
     * GPT-2's names and no vecgrad config, qualifies (the folder is read whole, from that file), so a vecgrad model file that happens to lie in such a folder is
     * still read as itself. The header is read, the data only mapped, so this costs little.
     *
     * @return the folder, or null when {@code file} is not such a weights file
     */
    private static Path gpt2FolderOfWeights(Path file) throws IOException {
        Path holder = file.toAbsolutePath().getParent();
        if (!Files.isRegularFile(file) || !file.getFileName().toString().equals(HfGpt2.WEIGHTS)
                || holder == null || !HfGpt2.isFolder(holder)) {
            return null;
        }
        SafeTensorsFile f = SafeTensors.read(file);
        if (f.metadata().containsKey("config") || !HfGpt2.hasFolderNames(f.tensors().keySet())) return null;
        return folderAsGiven(file);
    }

    /** The folder of a file, written as the user gave the file ({@code .} for a bare name). */
    private static Path folderAsGiven(Path file) {
        return file.getParent() != null ? file.getParent() : Path.of(".");
    }

    /** How many runs the error for a directory of runs names (the newest first). */
    private static final int RUNS_NAMED = 3;

    /**
     * Says so, naming a few of them, when {@code dir} holds run directories rather than being one:
     * {@code --checkpoint runs} is an easy slip, and "runs/model.safetensors: no such file" does
     * not say what to pass instead.
     *
     * @param dir a directory given where a run (or model file) was expected
     * @return e.g. {@code "a directory of 4 runs, not a run; pass one of them: runs/b (newest),
     *     runs/a, runs/d and 1 more"}, or null when no subdirectory holds a {@value #FILE}
     * @throws IOException when the directory cannot be listed
     */
    public static String parentOfRuns(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return null;
        List<Path> runs;
        try (Stream<Path> s = Files.list(dir)) {
            runs = s.filter(p -> Files.isRegularFile(p.resolve(FILE))).toList();
        }
        if (runs.isEmpty()) return null;
        Map<Path, FileTime> modified = new HashMap<>();
        for (Path r : runs) modified.put(r, Files.getLastModifiedTime(r.resolve(FILE)));
        List<Path> newest = runs.stream()
                .sorted(Comparator.comparing((Path r) -> modified.get(r)).reversed().thenComparing(Comparator.naturalOrder()))
                .limit(RUNS_NAMED).toList();
        List<String> names = new ArrayList<>(newest.stream().map(Path::toString).toList());
        names.set(0, names.get(0) + " (newest)");
        String more = runs.size() > RUNS_NAMED ? " and " + (runs.size() - RUNS_NAMED) + " more" : "";
        return "a directory of " + runs.size() + " runs, not a run; pass one of them: " + String.join(", ", names) + more;
    }

    /**
     * Whether a file without a model config is a run's optimizer state: PyTorch's names for
     * AdamW's moments ({@code exp_avg.*}, {@code exp_avg_sq.*}) or SGD's momentum, as vecgrad
     * writes them next to the model.
     */
    private static boolean isOptimizerState(SafeTensorsFile f) {
        return f.tensors().keySet().stream().anyMatch(n -> n.startsWith("exp_avg.") || n.startsWith("exp_avg_sq.")
                || n.startsWith("momentum_buffer."));
    }

    /**
     * Builds the model of {@code t.config()} straight from the tensors (no random initialisation
     * that is then overwritten), after {@code layout} maps them to vecgrad's names.
     *
     * @param t the tensors read from a file
     * @param layout how the file names and orients its tensors
     * @return the model
     * @throws CheckpointFormatException naming the file and every missing, unexpected or
     *     mis-shaped tensor, and a config that describes more weights than the file holds
     */
    public static GPT build(Tensors t, Layout layout) throws CheckpointFormatException {
        long values = 0;
        for (Tensor x : t.tensors().values()) values += x.numel();
        requireWeightsFor(t.file().toString(), t.config(), values, "the \"config\" metadata " + GPTConfigJson.write(t.config()));
        GPT model = GPT.forLoading(t.config());
        try {
            model.loadStateDict(layout.toVecgrad(t.tensors()), true);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(t.file().toString(), e.getMessage());
        }
        return model;
    }

    /**
     * Refuses a config that describes more weights than the file holds, before a model of that
     * size is allocated: the config is a few numbers anyone can edit, and a wrong one (a block
     * size of a billion) would otherwise end in OutOfMemoryError or an array-size error that names
     * neither the file nor the field. The file's values are already bounded by its size, so a
     * config that passes allocates no more than the file brought in.
     *
     */
    private static void requireWeightsFor(String src, GPTConfig c, long fileValues, String config) throws CheckpointFormatException {
        // A lower bound (the embeddings and each block's 12 C^2 matrix weights; no biases or
        // LayerNorms), in double: the fields' products can pass even a long.
        double e = c.nEmbd(), need = ((double) c.vocabSize() + c.blockSize()) * e + c.nLayer() * 12.0 * e * e;
        if (need > fileValues) {
            throw new CheckpointFormatException(src, config + " describes a model of at least "
                    + String.format(java.util.Locale.ROOT, "%,.0f", need) + " weights, but the file holds "
                    + String.format(java.util.Locale.ROOT, "%,d", fileValues) + " values: the config does not belong to these weights");
        }
    }

    /**
     * The tokenizer JSON stored in checkpoints ({@link Tokenizer#toJson()}).
     *
     * @param t the tokenizer
     * @return its JSON, tagged with its {@code "type"}
     */
    public static String tokenizerJson(Tokenizer t) {
        return t.toJson();
    }

    /**
     * Parses {@link #tokenizerJson} of any tokenizer type, by its {@code "type"} tag.
     *
     * @param source the file the JSON came from, for error messages
     * @param json the tokenizer JSON
     * @return the tokenizer
     * @throws CheckpointFormatException naming the file when the JSON is invalid or its type unknown
     */
    public static Tokenizer parseTokenizer(String source, String json) throws CheckpointFormatException {
        try {
            return Tokenizers.fromJson(source, json);
        } catch (TokenizerFormatException e) {
            throw new CheckpointFormatException(source, "invalid tokenizer metadata: "
                    + e.getMessage().substring(Math.min(e.getMessage().length(), source.length() + 2)));
        }
    }
}
