package dev.vecgrad.train.checkpoint;

import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Any {@link Module}'s parameters in a {@code .safetensors} file, as
 * {@code safetensors.torch.save_model(model, path)} and {@code load_model(model, path)} do for a
 * PyTorch module: one tensor per parameter under its dotted name (a tied parameter once, under
 * its first name), F32, with string metadata. Loading needs a module of the same structure; the
 * file holds no architecture. A GPT with its config and tokenizer is {@link ModelCheckpoint}'s
 * job; it writes through this class, so {@code load} also fills a GPT of the same config from a
 * model file (the reverse needs the config, which only {@code ModelCheckpoint.save} writes).
 * The module comes first, as in {@code save_model(model, path)}; vecgrad's file writers
 * ({@code ModelCheckpoint.save}, {@code SafeTensors.write}) take the file first.
 *
 * <pre>{@code
 * ModuleCheckpoint.save(mlp, Path.of("xor.safetensors"), Map.of("epochs", "1000"));
 * Mlp fresh = new Mlp();                                      // the same layers, other weights
 * ModuleCheckpoint.load(fresh, Path.of("xor.safetensors"));   // same weights, bit for bit
 * }</pre>
 */
public final class ModuleCheckpoint {
    private ModuleCheckpoint() {}

    /**
     * Writes {@code module}'s parameters to {@code file} atomically (a temporary file in the same
     * directory, then a move), streamed from the parameters' own arrays: nothing may change them
     * until this returns.
     *
     * @param module the module; its {@link Module#namedParameters()} give the names and the order
     * @param file the {@code .safetensors} file to create or replace
     * @param metadata string entries for the file's {@code __metadata__}, or null; {@code format}
     *     is set to {@code pt} unless given, as PyTorch's {@code save_model} does
     * @throws IOException when writing fails
     */
    public static void save(Module module, Path file, Map<String, String> metadata) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        if (metadata != null) meta.putAll(metadata);
        SafeTensors.write(file, ModelCheckpoint.tensorsOf(module.namedParameters()), meta);
    }

    /**
     * Writes {@code module}'s parameters to {@code file} with no metadata but {@code format}.
     *
     * @param module the module
     * @param file the {@code .safetensors} file to create or replace
     * @throws IOException when writing fails
     * @see #save(Module, Path, Map)
     */
    public static void save(Module module, Path file) throws IOException {
        save(module, file, null);
    }

    /**
     * Copies the tensors of {@code file} into {@code module}'s parameters, strictly: every
     * parameter must be in the file (a tied one under any of its names), in its shape, and the
     * file may hold nothing else. F16, BF16 and F64 tensors are converted to float32. Nothing is
     * copied unless the whole file fits.
     *
     * @param module the module to fill, of the structure that was saved
     * @param file a {@code .safetensors} file
     * @return the file's metadata
     * @throws CheckpointFormatException naming the file when it is malformed or truncated, holds a
     *     tensor that is not floating point, or does not fit the module (naming every missing,
     *     unexpected and mis-shaped tensor, with both shapes)
     * @throws IOException when the file cannot be read
     */
    public static Map<String, String> load(Module module, Path file) throws IOException {
        SafeTensorsFile f = SafeTensors.read(file);
        Map<String, Tensor> state = floatTensors(file.toString(), f);
        try {
            module.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            // A GPT's file names dozens of tensors another module lacks: say what the file is first.
            String kind = f.metadata().containsKey("config")
                    ? "a GPT model file (it has a \"config\"; ModelCheckpoint.load builds its model), which " : "";
            throw new CheckpointFormatException(file.toString(), kind + "does not fit: " + e.getMessage());
        }
        return f.metadata();
    }

    /**
     * Every tensor of a file as a float32 tensor, in header order.
     *
     * @throws CheckpointFormatException naming the first tensor that is not floating point
     */
    static Map<String, Tensor> floatTensors(String source, SafeTensorsFile f) throws CheckpointFormatException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (SafeTensor t : f.tensors().values()) {
            if (!t.dtype().isFloat()) {
                throw new CheckpointFormatException(source, "tensor '" + t.name() + "' is " + t.dtype() + ", expected floats (F32, F16, BF16 or F64)");
            }
            state.put(t.name(), Tensor.of(t.toFloats(), t.shape()));
        }
        return state;
    }
}
