package dev.vecgrad.train.checkpoint;

import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.tokenizer.BpeTokenizer;
import dev.vecgrad.train.tokenizer.Gpt2Files;
import dev.vecgrad.train.tokenizer.SplitPattern;
import dev.vecgrad.train.tokenizer.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face GPT-2 folders ({@code config.json} + {@code model.safetensors}, as
 * {@code openai-community/gpt2} ships them) to and from vecgrad's {@link GPT}.
 *
 * <p>The whole correspondence is {@link #TABLE}: one row per tensor of a block or of the model,
 * with the folder's name (which may also carry a {@code transformer.} prefix, as files saved from
 * {@code GPT2LMHeadModel} do), vecgrad's name (nanoGPT's), and the layout. The four projection
 * weights of each block are transformers' {@code Conv1D}, stored {@code [in, out]}, the transpose
 * of a {@code torch.nn.Linear} weight, which is what vecgrad (and nanoGPT) keep. Besides the
 * table, a folder may hold {@code lm_head.weight}, which must then equal {@code wte.weight}
 * (vecgrad's head is tied to the token embedding, as GPT-2's is), and the attention mask buffers
 * {@code h.{i}.attn.bias} and {@code h.{i}.attn.masked_bias}, which are ignored (vecgrad computes
 * the causal mask). Any other tensor is an error, as is any table row missing.
 *
 * <p>F32, F16, BF16 and F64 weights load (widened or rounded to float32); export writes F32.
 * {@code pytorch_model.bin} is never opened: it is a pickle, and unpickling runs code.
 */
public final class HfGpt2 {
    /** Weights file inside the folder. */
    public static final String WEIGHTS = "model.safetensors";
    /** The pickle file transformers also writes; refused. */
    public static final String PICKLE = "pytorch_model.bin";
    /** The optional prefix of the folder's names (files saved from {@code GPT2LMHeadModel}). */
    public static final String PREFIX = "transformer.";
    /** GPT-2's end-of-text token, whose id becomes config.json's {@code bos_token_id} and {@code eos_token_id}. */
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** The tied head: absent, or equal to {@code wte.weight}. */
    public static final String LM_HEAD = "lm_head.weight";

    /** How a tensor is stored in the folder relative to vecgrad. */
    public enum Layout {
        /** The same array. */
        SAME,
        /** transformers' Conv1D: {@code [in, out]}, the transpose of vecgrad's Linear {@code [out, in]}. */
        CONV1D
    }

    /**
     * One tensor's correspondence.
     *
     * @param hf the folder's name, without the optional {@link #PREFIX}; {@code {i}} stands for a block index
     * @param vecgrad vecgrad's parameter name, with the same {@code {i}}
     * @param layout how the folder stores it relative to vecgrad
     * @param shape the folder's shape in terms of the config: {@code V} vocab_size, {@code P} n_positions, {@code C} n_embd
     */
    public record Row(String hf, String vecgrad, Layout layout, String shape) {}

    /** The mapping, in vecgrad's parameter order. */
    public static final List<Row> TABLE = List.of(
            new Row("wte.weight", "transformer.wte.weight", Layout.SAME, "V,C"),
            new Row("wpe.weight", "transformer.wpe.weight", Layout.SAME, "P,C"),
            new Row("h.{i}.ln_1.weight", "transformer.h.{i}.ln_1.weight", Layout.SAME, "C"),
            new Row("h.{i}.ln_1.bias", "transformer.h.{i}.ln_1.bias", Layout.SAME, "C"),
            new Row("h.{i}.attn.c_attn.weight", "transformer.h.{i}.attn.c_attn.weight", Layout.CONV1D, "C,3C"),
            new Row("h.{i}.attn.c_attn.bias", "transformer.h.{i}.attn.c_attn.bias", Layout.SAME, "3C"),
            new Row("h.{i}.attn.c_proj.weight", "transformer.h.{i}.attn.c_proj.weight", Layout.CONV1D, "C,C"),
            new Row("h.{i}.attn.c_proj.bias", "transformer.h.{i}.attn.c_proj.bias", Layout.SAME, "C"),
            new Row("h.{i}.ln_2.weight", "transformer.h.{i}.ln_2.weight", Layout.SAME, "C"),
            new Row("h.{i}.ln_2.bias", "transformer.h.{i}.ln_2.bias", Layout.SAME, "C"),
            new Row("h.{i}.mlp.c_fc.weight", "transformer.h.{i}.mlp.c_fc.weight", Layout.CONV1D, "C,4C"),
            new Row("h.{i}.mlp.c_fc.bias", "transformer.h.{i}.mlp.c_fc.bias", Layout.SAME, "4C"),
            new Row("h.{i}.mlp.c_proj.weight", "transformer.h.{i}.mlp.c_proj.weight", Layout.CONV1D, "4C,C"),
            new Row("h.{i}.mlp.c_proj.bias", "transformer.h.{i}.mlp.c_proj.bias", Layout.SAME, "C"),
            new Row("ln_f.weight", "transformer.ln_f.weight", Layout.SAME, "C"),
            new Row("ln_f.bias", "transformer.ln_f.bias", Layout.SAME, "C"));

    /** Per-block names that are buffers, not weights: ignored on load, not written. */
    public static final List<String> IGNORED = List.of("h.{i}.attn.bias", "h.{i}.attn.masked_bias");

    private static final Pattern LAYER = Pattern.compile("h\\.(0|[1-9][0-9]{0,8})\\.(.+)");

    private HfGpt2() {}

    /**
     * A model read from a folder.
     *
     * @param model the model, its positions cropped if asked
     * @param folderConfig the architecture {@code config.json} describes (before cropping)
     * @param tokenizer {@code tokenizer.json}'s, else {@code vocab.json} + {@code merges.txt}'s; null when the folder has neither
     * @param folder the folder it came from
     */
    public record Loaded(GPT model, GPTConfig folderConfig, BpeTokenizer tokenizer, Path folder) {}

    /**
     * The folder's tokenizer, or null when it has no tokenizer files (one of GPT-2's two files
     * without the other is an error).
     *
     * @param folder the GPT-2 folder
     * @param cfg its architecture, whose vocabulary the tokenizer must fit in
     * @return the tokenizer, or null
     * @throws CheckpointFormatException when it has more tokens than the model's {@code vocab_size}
     * @throws IOException when a file cannot be read or is malformed
     */
    public static BpeTokenizer readTokenizer(Path folder, GPTConfig cfg) throws IOException {
        // Half of GPT-2's pair is a damaged folder, not one without a tokenizer: TokenizerFiles names the missing file.
        boolean has = Files.isRegularFile(folder.resolve(TokenizerFiles.TOKENIZER_JSON))
                || Files.isRegularFile(folder.resolve(Gpt2Files.VOCAB)) || Files.isRegularFile(folder.resolve(Gpt2Files.MERGES));
        if (!has) return null;
        BpeTokenizer t = TokenizerFiles.load(folder);
        // Padded vocabularies (a model with more rows than tokens) are common; the reverse cannot work.
        if (t.vocabSize() > cfg.vocabSize()) {
            throw new CheckpointFormatException(folder.toString(), "the tokenizer has " + t.vocabSize()
                    + " tokens but config.json's vocab_size is " + cfg.vocabSize());
        }
        return t;
    }

    /**
     * Whether a file's tensor names are this layout's without its prefix ({@code wte.weight},
     * {@code h.0.attn.c_attn.weight}, ...), which vecgrad's own files never use: a weights file
     * whose folder lost its {@code config.json} is then named as such.
     *
     * @param names the tensor names of a safetensors file
     * @return true when one of them is an unprefixed table row of block 0 or of the model
     */
    public static boolean hasFolderNames(java.util.Collection<String> names) {
        for (Row r : TABLE) if (names.contains(name(r.hf(), 0))) return true;
        return false;
    }

    /**
     * Whether {@code path} is a folder in this layout rather than a vecgrad run directory: a
     * directory with a {@code config.json} or a {@code pytorch_model.bin} and no {@code state.json}.
     *
     * @param path any path
     * @return true for a GPT-2 folder
     */
    public static boolean isFolder(Path path) {
        return Files.isDirectory(path) && !Files.exists(path.resolve("state.json"))
                && (Files.exists(path.resolve(HfGpt2Config.FILE)) || Files.exists(path.resolve(PICKLE)));
    }

    /**
     * The folder's {@code config.json}, checked; see {@link HfGpt2Config#read}.
     *
     * @param folder the GPT-2 folder
     * @return the architecture
     * @throws IOException when the file is missing, unreadable or invalid (a {@link CheckpointFormatException} naming the field)
     */
    public static GPTConfig readConfig(Path folder) throws IOException {
        return HfGpt2Config.read(folder.resolve(HfGpt2Config.FILE));
    }

    /**
     * Loads the model of {@code folder}, with positions cropped to {@code blockSize} when that is
     * positive and smaller than {@code n_positions} (nanoGPT's {@code crop_block_size}: the first
     * rows of {@code wpe}).
     *
     * @param folder the GPT-2 folder
     * @param blockSize the context to keep; 0 keeps all {@code n_positions}
     * @return the model, the folder's config and its tokenizer
     * @throws CheckpointFormatException naming the file and the field or tensor for every problem:
     *     a pickle-only folder, config.json problems, unknown, missing, duplicated or non-float
     *     tensors, shapes that disagree with the config, an untied {@code lm_head}
     * @throws IOException when a file cannot be read
     * @throws IllegalArgumentException when {@code blockSize} is more than {@code n_positions}
     */
    public static Loaded load(Path folder, int blockSize) throws IOException {
        if (!Files.isDirectory(folder)) throw new NoSuchFileException(folder.toString(), null, "not a directory");
        Path weights = folder.resolve(WEIGHTS);
        if (!Files.exists(weights)) {
            if (Files.exists(folder.resolve(PICKLE))) {
                throw new CheckpointFormatException(folder.toString(), "has " + PICKLE + " but no " + WEIGHTS + "; vecgrad does not open "
                        + PICKLE + ": it is a Python pickle, and loading one runs code it contains. Download model.safetensors "
                        + "from the same model page instead");
            }
            if (Files.exists(folder.resolve(WEIGHTS + ".index.json"))) {
                throw new CheckpointFormatException(folder.toString(), "holds a sharded checkpoint (" + WEIGHTS
                        + ".index.json); vecgrad reads one model.safetensors");
            }
            throw new NoSuchFileException(weights.toString(), null, "no " + WEIGHTS + " in the GPT-2 folder");
        }
        GPTConfig fileCfg = readConfig(folder);
        if (blockSize > fileCfg.blockSize()) {
            throw new IllegalArgumentException("block size " + blockSize + " is larger than the model's n_positions "
                    + fileCfg.blockSize() + " (" + folder.resolve(HfGpt2Config.FILE) + ")");
        }
        GPTConfig cfg = blockSize > 0 ? fileCfg.withBlockSize(blockSize) : fileCfg;
        BpeTokenizer tok = readTokenizer(folder, fileCfg);
        SafeTensorsFile f = SafeTensors.read(weights);
        return new Loaded(build(f, fileCfg, cfg), fileCfg, tok, folder);
    }

    /** The folder name of one table row at block {@code layer} (-1 for rows outside the blocks). */
    static String name(String pattern, int layer) {
        return layer < 0 ? pattern : pattern.replace("{i}", Integer.toString(layer));
    }

    /** A row's shape in the folder for {@code c} (whose block size is n_positions). */
    static int[] folderShape(Row r, GPTConfig c) {
        String[] dims = r.shape().split(",");
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            String d = dims[i];
            int mult = d.length() > 1 ? Integer.parseInt(d.substring(0, d.length() - 1)) : 1;
            out[i] = mult * switch (d.charAt(d.length() - 1)) {
                case 'V' -> c.vocabSize();
                case 'P' -> c.blockSize();
                case 'C' -> c.nEmbd();
                default -> throw new IllegalStateException("TABLE: unknown dimension " + d);
            };
        }
        return out;
    }

    /**
     * The model of {@code cfg} (whose block size may be smaller than {@code fileCfg}'s) with every
     * tensor of {@code f}. Every name and shape is checked against {@code fileCfg} before the model
     * is allocated, so a config.json that disagrees with the weights (an edited n_positions of a
     * billion) is named instead of ending in OutOfMemoryError: once the shapes match, the model is
     * no larger than the file.
     */
    private static GPT build(SafeTensorsFile f, GPTConfig fileCfg, GPTConfig cfg) throws CheckpointFormatException {
        String src = f.source();
        Map<String, SafeTensor> byName = new LinkedHashMap<>();
        SafeTensor lmHead = null;
        for (SafeTensor t : f.tensors().values()) {
            if (t.name().equals(LM_HEAD)) {
                lmHead = t;
                continue;
            }
            String n = t.name().startsWith(PREFIX) ? t.name().substring(PREFIX.length()) : t.name();
            if (byName.put(n, t) != null) {
                throw new CheckpointFormatException(src, "tensor '" + n + "' appears twice (with and without the '" + PREFIX + "' prefix)");
            }
        }
        Map<String, Row> rows = new LinkedHashMap<>();
        int blocks = 0;
        for (String n : byName.keySet()) {
            Matcher m = LAYER.matcher(n);
            String pattern = n;
            if (m.matches()) {
                int layer = Integer.parseInt(m.group(1));
                blocks = Math.max(blocks, layer + 1);
                pattern = "h.{i}." + m.group(2);
                if (layer >= fileCfg.nLayer() && (rowFor(pattern) != null || IGNORED.contains(pattern))) {
                    throw new CheckpointFormatException(src, "tensor '" + n + "' belongs to block " + layer + " but config.json has n_layer "
                            + fileCfg.nLayer());
                }
            }
            if (IGNORED.contains(pattern)) continue;
            Row r = rowFor(pattern);
            if (r == null) {
                throw new CheckpointFormatException(src, "unexpected tensor '" + n + "': not part of GPT-2 (HfGpt2.TABLE lists the names)");
            }
            rows.put(n, r);
        }
        // One block short lists its tensors below; more is said at once, without naming (or
        // looping over) the tensors of blocks an edited n_layer of a billion would have.
        if (fileCfg.nLayer() > blocks + 1) {
            throw new CheckpointFormatException(src, "config.json has n_layer " + fileCfg.nLayer() + " but the file holds the tensors of "
                    + blocks + " block" + (blocks == 1 ? "" : "s"));
        }
        List<String> missing = new ArrayList<>();
        for (int layer = -1; layer < fileCfg.nLayer(); layer++) {
            for (Row r : TABLE) {
                if (r.hf().contains("{i}") != (layer >= 0)) continue;
                String n = name(r.hf(), layer);
                SafeTensor t = byName.get(n);
                if (t == null) missing.add(n);
                else check(src, n, t, folderShape(r, fileCfg));
            }
        }
        if (!missing.isEmpty()) {
            throw new CheckpointFormatException(src, "missing tensor" + (missing.size() > 1 ? "s " : " ") + summarize(missing)
                    + " (config.json has n_layer " + fileCfg.nLayer() + ")");
        }
        if (lmHead != null) check(src, LM_HEAD, lmHead, folderShape(TABLE.get(0), fileCfg));

        GPT model = GPT.forLoading(cfg); // every weight is copied in below: no random init to overwrite
        Map<String, Parameter> params = model.namedParameters();
        for (int layer = -1; layer < fileCfg.nLayer(); layer++) {
            for (Row r : TABLE) {
                if (r.hf().contains("{i}") != (layer >= 0)) continue;
                SafeTensor t = byName.get(name(r.hf(), layer));
                float[] values = t.toFloats();
                Parameter p = params.get(name(r.vecgrad(), layer));
                float[] dst = p.tensor().storage();
                if (r.layout() == Layout.CONV1D) {
                    int[] s = t.shape();
                    transpose(values, s[0], s[1], dst);
                } else {
                    // wpe may be cropped: its first rows are the positions the model keeps.
                    System.arraycopy(values, 0, dst, 0, (int) p.numel());
                }
            }
        }
        if (lmHead != null) {
            float[] head = lmHead.toFloats();
            float[] wte = model.wte().weight().tensor().storage();
            for (int i = 0; i < head.length; i++) {
                if (Float.floatToIntBits(head[i]) != Float.floatToIntBits(wte[i])) {
                    throw new CheckpointFormatException(src, "'" + LM_HEAD + "' differs from 'wte.weight' (first at element " + i
                            + "): vecgrad's GPT ties the output head to the token embedding, as GPT-2 does");
                }
            }
        }
        return model;
    }

    private static Row rowFor(String pattern) {
        for (Row r : TABLE) if (r.hf().equals(pattern)) return r;
        return null;
    }

    /** Checks a tensor's type and shape. */
    private static void check(String src, String n, SafeTensor t, int[] want) throws CheckpointFormatException {
        if (!t.dtype().isFloat()) {
            throw new CheckpointFormatException(src, "tensor '" + n + "' is " + t.dtype() + "; weights must be F32, F16, BF16 or F64");
        }
        int[] got = t.shape();
        if (!Arrays.equals(got, want)) {
            String hint = got.length == 2 && want.length == 2 && got[0] == want[1] && got[1] == want[0] && want[0] != want[1]
                    ? " (the transpose: GPT-2's Conv1D weights are stored [in, out], not nn.Linear's [out, in])" : "";
            throw new CheckpointFormatException(src, "tensor '" + n + "' has shape " + Arrays.toString(got) + " but config.json implies "
                    + Arrays.toString(want) + hint);
        }
    }

    private static String summarize(List<String> names) {
        return names.size() <= 6 ? String.join(", ", names) : String.join(", ", names.subList(0, 6)) + " and " + (names.size() - 6) + " more";
    }

    /** {@code dst[c][r] = src[r][c]} for {@code src [rows, cols]}; tiled so both sides stay in cache. */
    static void transpose(float[] src, int rows, int cols, float[] dst) {
        final int tile = 32;
        for (int r0 = 0; r0 < rows; r0 += tile) {
            int r1 = Math.min(rows, r0 + tile);
            for (int c0 = 0; c0 < cols; c0 += tile) {
                int c1 = Math.min(cols, c0 + tile);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) dst[c * rows + r] = src[r * cols + c];
                }
            }
        }
    }

    /**
     * {@code model}'s weights under the folder's names (no prefix, no {@code lm_head.weight}, no
     * mask buffers: the form of {@code openai-community/gpt2}'s file), Conv1D weights transposed,
     * F32, in table order.
     *
     * @param model the model to export
     * @return the tensors, ready for {@link SafeTensors#write}
     */
    public static List<SafeTensor> tensors(GPT model) {
        GPTConfig c = model.config();
        Map<String, Parameter> params = model.namedParameters();
        List<SafeTensor> out = new ArrayList<>();
        for (int layer = -1; layer < c.nLayer(); layer++) {
            for (Row r : TABLE) {
                if (r.hf().contains("{i}") != (layer >= 0)) continue;
                Parameter p = params.get(name(r.vecgrad(), layer));
                float[] v = p.tensor().contiguous().toArray();
                int[] shape = folderShape(r, c);
                if (r.layout() == Layout.CONV1D) {
                    float[] t = new float[v.length];
                    transpose(v, shape[1], shape[0], t);
                    v = t;
                }
                out.add(SafeTensor.f32View(name(r.hf(), layer), v, shape));   // v is a copy or a new transpose
            }
        }
        return out;
    }

    /**
     * Writes {@code config.json} and {@code model.safetensors} for {@code model} into {@code dir}
     * (created if needed), each atomically, and with {@code tokenizer} non-null its
     * {@code tokenizer.json} and, when it splits text with GPT-2's pattern, {@code vocab.json} and
     * {@code merges.txt}.
     *
     * @param dir the folder to write
     * @param model the model
     * @param tokenizer its tokenizer, or null to write the weights only
     * @throws IllegalArgumentException when the model has no biases (GPT-2 folders always do) or
     *     the tokenizer has more tokens than the model
     * @throws IOException when writing fails
     */
    public static void write(Path dir, GPT model, BpeTokenizer tokenizer) throws IOException {
        if (tokenizer != null && tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " tokens but the model only "
                    + model.config().vocabSize());
        }
        Integer eot = tokenizer == null ? null : tokenizer.specialTokens().get(END_OF_TEXT);
        Files.createDirectories(dir);
        HfGpt2Config.write(dir.resolve(HfGpt2Config.FILE), model.config(), eot);
        SafeTensors.write(dir.resolve(WEIGHTS), tensors(model), Map.of("format", "pt"));
        if (tokenizer != null) {
            // vocab.json + merges.txt imply GPT-2's split pattern; tokenizer.json can say any.
            if (tokenizer.pattern() == SplitPattern.GPT2) Gpt2Files.write(dir, tokenizer);
            dev.vecgrad.train.tokenizer.TokenizerJson.write(dir.resolve(TokenizerFiles.TOKENIZER_JSON), tokenizer);
        }
    }
}
