package dev.vecgrad.train.tokenizer;

import dev.vecgrad.train.checkpoint.HfGpt2;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.checkpoint.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds and reads a tokenizer given as a file or a directory: a Hugging Face
 * {@code tokenizer.json}, a tiktoken {@code .tiktoken} file, GPT-2's {@code vocab.json} (with
 * {@code merges.txt} beside it), or a directory holding {@code tokenizer.json} or
 * {@code vocab.json} + {@code merges.txt} (a Hugging Face model folder).
 */
public final class TokenizerFiles {
    /** The Hugging Face file name. */
    public static final String TOKENIZER_JSON = "tokenizer.json";

    private TokenizerFiles() {}

    /**
     * Reads the tokenizer at {@code path}, choosing the reader by the file's name or the directory's contents.
     *
     * @param path a {@code tokenizer.json}, a {@code .tiktoken} file, a {@code vocab.json}, or a directory holding one of the first or both GPT-2 files
     * @return the tokenizer
     * @throws TokenizerFormatException naming the file and the problem, or what was looked for
     * @throws IOException when a file cannot be read
     */
    public static BpeTokenizer load(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path tj = path.resolve(TOKENIZER_JSON);
            if (Files.isRegularFile(tj)) return TokenizerJson.read(tj);
            Path v = path.resolve(Gpt2Files.VOCAB), m = path.resolve(Gpt2Files.MERGES);
            if (Files.isRegularFile(v) && Files.isRegularFile(m)) return Gpt2Files.read(v, m);
            if (Files.isRegularFile(v) || Files.isRegularFile(m)) {
                String has = Files.isRegularFile(v) ? Gpt2Files.VOCAB : Gpt2Files.MERGES;
                String lacks = Files.isRegularFile(v) ? Gpt2Files.MERGES : Gpt2Files.VOCAB;
                throw new TokenizerFormatException(path.toString(), "directory has " + has + " but no " + lacks + " (GPT-2's "
                        + "tokenizer is the two files together) and no " + TOKENIZER_JSON);
            }
            refuseModel(path);
            throw new TokenizerFormatException(path.toString(), "directory has no " + TOKENIZER_JSON
                    + " and no " + Gpt2Files.VOCAB + " + " + Gpt2Files.MERGES);
        }
        if (!Files.isRegularFile(path)) throw new TokenizerFormatException(path.toString(), "no such file or directory");
        String name = path.getFileName().toString();
        if (name.endsWith(".tiktoken")) return TiktokenFile.read(path);
        // An easy slip beside tokenizer.json in a model folder; its bytes would read as "not UTF-8".
        if (name.endsWith(".safetensors")) {
            String problem = "a model's weights, not a tokenizer file (a tokenizer file is " + TOKENIZER_JSON + ", "
                    + Gpt2Files.VOCAB + " + " + Gpt2Files.MERGES + " or a .tiktoken file)";
            // "Load it with the model" only when there is a tokenizer to load with it, as refuseModel says for a directory.
            if (lacksTokenizer(path)) throw new TokenizerFormatException(path.toString(), problem + "; the model holds no tokenizer either");
            throw new ModelNotTokenizerException(path.toString(), problem);
        }
        Path dir = path.toAbsolutePath().getParent();
        if (name.equals(Gpt2Files.MERGES)) return Gpt2Files.read(dir.resolve(Gpt2Files.VOCAB), path);
        if (name.equals(Gpt2Files.VOCAB)) {
            Path m = dir.resolve(Gpt2Files.MERGES);
            if (!Files.isRegularFile(m)) {
                throw new TokenizerFormatException(path.toString(), "GPT-2's vocab.json needs merges.txt beside it");
            }
            return Gpt2Files.read(path, m);
        }
        return TokenizerJson.read(path);
    }

    /**
     * Whether a model file surely comes without a tokenizer: its header reads and has no
     * {@code tokenizer} metadata, and no tokenizer files lie beside it (a GPT-2 folder's weights
     * load with the folder's). A file that does not read is given the benefit of the doubt.
     */
    private static boolean lacksTokenizer(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && (Files.isRegularFile(dir.resolve(TOKENIZER_JSON))
                || Files.isRegularFile(dir.resolve(Gpt2Files.VOCAB)) && Files.isRegularFile(dir.resolve(Gpt2Files.MERGES)))) {
            return false;
        }
        try {
            return !SafeTensors.read(file).metadata().containsKey("tokenizer");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Says what a directory without tokenizer files holds when it holds a model: a character-level
     * run keeps its tokenizer only in its model's metadata, and "no tokenizer.json" alone sends the
     * user looking for a file that was never written. Returns when it holds no readable model file.
     *
     * @throws ModelNotTokenizerException when the model has a tokenizer (it comes with the model)
     * @throws TokenizerFormatException when the model has none
     */
    private static void refuseModel(Path dir) throws TokenizerFormatException {
        Path file = dir.resolve(ModelCheckpoint.FILE);
        if (!Files.isRegularFile(file)) return;
        String json;
        try {
            json = SafeTensors.read(file).metadata().get("tokenizer");
        } catch (IOException e) {
            return;   // a broken model file gets its own error where it is loaded as a model
        }
        String noFiles = " (no " + TOKENIZER_JSON + " or " + Gpt2Files.VOCAB + " + " + Gpt2Files.MERGES + ")";
        if (json == null) {
            // A GPT-2 folder keeps its tokenizer in files, never in the weights' metadata.
            throw new TokenizerFormatException(dir.toString(), HfGpt2.isFolder(dir)
                    ? "a GPT-2 folder without its tokenizer files" + noFiles
                    : "holds a model (" + ModelCheckpoint.FILE + ") but no tokenizer: none in the model's metadata" + noFiles);
        }
        String kind;
        try {
            kind = Tokenizers.fromJson(file.toString(), json).describe();
        } catch (TokenizerFormatException e) {
            kind = "unreadable: " + e.getMessage();
        }
        throw new ModelNotTokenizerException(dir.toString(), "holds a vecgrad model, as a run directory does: its tokenizer ("
                + kind + ") is stored in " + ModelCheckpoint.FILE + "'s metadata, not in a tokenizer file" + noFiles);
    }
}
