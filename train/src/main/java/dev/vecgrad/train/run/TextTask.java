package dev.vecgrad.train.run;

import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import dev.vecgrad.train.data.TextDataset;
import dev.vecgrad.train.data.TextFiles;
import dev.vecgrad.train.data.TokenArray;
import dev.vecgrad.train.tokenizer.BpeTokenizer;
import dev.vecgrad.train.tokenizer.TokenCache;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Language modelling on a UTF-8 text file, split 90/10 into train and validation: character
 * level (the vocabulary from the file, streamed) or with any other {@link Tokenizer} (the text
 * is read whole and encoded, and the ids can be cached beside the run).
 */
public final class TextTask implements TrainingTask {
    private final Path file;
    private final Tokenizer tokenizer;
    private final TokenArray tokens;
    private final long bytes;
    private final String sha256;
    private final TextDataset dataset;
    private final String note;

    private TextTask(Path file, Tokenizer tokenizer, TokenArray tokens, long bytes, String sha256, String note) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.tokens = tokens;
        this.bytes = bytes;
        this.sha256 = sha256;
        this.note = note;
        this.dataset = new TextDataset(tokens, 0.9);
    }

    /**
     * Reads and tokenizes a text file without a token cache.
     *
     * @param file a UTF-8 text file
     * @param tokenizer null to build a character vocabulary from the file; otherwise (on resume) the
     *     given one is used and unknown characters are an error
     * @return the task
     * @throws IOException naming the file when it cannot be read, is not valid text, or holds characters the tokenizer does not know
     */
    public static TextTask load(Path file, Tokenizer tokenizer) throws IOException {
        return load(file, tokenizer, null);
    }

    /**
     * Reads and tokenizes a text file. A char tokenizer (or null: the file's characters) streams
     * the file; another tokenizer encodes the whole text on all cores, reading and writing the
     * ids in {@code cacheDir} ({@link TokenCache}) when it is non-null.
     *
     * @param file a UTF-8 text file
     * @param tokenizer null for a character vocabulary from the file, or the tokenizer to use
     * @param cacheDir where encoded ids are cached, or null
     * @return the task
     * @throws IOException naming the file when it cannot be read or is not valid text
     */
    public static TextTask load(Path file, Tokenizer tokenizer, Path cacheDir) throws IOException {
        if (tokenizer == null || tokenizer instanceof CharTokenizer) {
            TextFiles.Loaded l = TextFiles.load(file, (CharTokenizer) tokenizer);
            return new TextTask(file, l.tokenizer(), l.tokens(), l.bytes(), l.sha256(),
                    String.format("%,d characters, %d distinct", l.tokenCount(), l.tokenizer().vocabSize()));
        }
        if (tokenizer.vocabSize() > TokenArray.MAX_VOCAB) {
            throw new IllegalArgumentException("tokenizer: " + tokenizer.vocabSize() + " tokens is more than the "
                    + TokenArray.MAX_VOCAB + " a dataset can number");
        }
        TextFiles.Text text = TextFiles.readText(file);
        int[] ids = cacheDir == null ? null : TokenCache.read(cacheDir, text.sha256(), tokenizer);
        boolean cached = ids != null;
        if (ids == null) {
            int threads = Runtime.getRuntime().availableProcessors();
            ids = tokenizer instanceof BpeTokenizer b ? b.encodeParallel(text.text(), threads) : tokenizer.encode(text.text());
            if (cacheDir != null) TokenCache.write(cacheDir, text.sha256(), tokenizer, ids);
        }
        TokenArray tokens = TokenArray.of(ids);
        return new TextTask(file, tokenizer, tokens, text.bytes(), text.sha256(),
                String.format("%,d bytes, %,d tokens (%.2f bytes a token%s)", text.bytes(), ids.length,
                        (double) text.bytes() / Math.max(1, ids.length), cached ? ", ids from the cache" : ""));
    }

    /** {@return the text file the task was read from} */
    public Path file() {
        return file;
    }

    @Override
    public String describe() {
        return file.getFileName() + ": " + note;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** {@return the UTF-8 bytes of the file per token: converts a per-token loss to bits per byte} */
    public double bytesPerToken() {
        return (double) bytes / Math.max(1, tokens.length());
    }

    /**
     * A per-token loss in bits per byte of text, which compares across tokenizers (a character
     * model's loss per character and a BPE model's loss per word piece do not).
     *
     * @param loss mean cross-entropy per token, in nats
     * @param bytesPerToken UTF-8 bytes per token ({@link #bytesPerToken()})
     * @return bits per byte
     */
    public static double bitsPerByte(double loss, double bytesPerToken) {
        return loss / Math.log(2) / bytesPerToken;
    }

    @Override
    public Batch trainBatch(int batchSize, int blockSize, RandomGenerator rng) {
        return dataset.sample(TextDataset.Split.TRAIN, batchSize, blockSize, rng);
    }

    @Override
    public Batch valBatch(int batchSize, int blockSize, RandomGenerator rng) {
        return dataset.sample(TextDataset.Split.VAL, batchSize, blockSize, rng);
    }

    @Override
    public void validate(int blockSize) {
        dataset.requireWindows(blockSize, file.toString());
    }

    @Override
    public Map<String, Object> identity() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "text");
        m.put("path", file.toAbsolutePath().normalize().toString());
        m.put("bytes", bytes);
        m.put("sha256", sha256);
        return m;
    }
}
