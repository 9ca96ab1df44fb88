package dev.vecgrad.train.run;

import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.data.CharTokenizer;
import dev.vecgrad.train.data.TextDataset;
import dev.vecgrad.train.data.TextFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/** Character-level language modelling on a UTF-8 text file, split 90/10 into train and validation. */
public final class TextTask implements TrainingTask {
    private final Path file;
    private final TextFiles.Loaded loaded;
    private final TextDataset dataset;

    private TextTask(Path file, TextFiles.Loaded loaded) {
        this.file = file;
        this.loaded = loaded;
        this.dataset = new TextDataset(loaded.tokens(), 0.9);
    }

    /**
     * Reads and tokenizes a text file; with {@code tokenizer} null the vocabulary comes from the
     * file, otherwise (on resume) the given one is used and unknown characters are an error.
     */
    public static TextTask load(Path file, CharTokenizer tokenizer) throws IOException {
        return new TextTask(file, TextFiles.load(file, tokenizer));
    }

    @Override
    public String describe() {
        return String.format("%s: %,d characters, %d distinct", file.getFileName(), loaded.tokenCount(),
                loaded.tokenizer().vocabSize());
    }

    @Override
    public CharTokenizer tokenizer() {
        return loaded.tokenizer();
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
        m.put("bytes", loaded.bytes());
        m.put("sha256", loaded.sha256());
        return m;
    }
}
