package dev.vecgrad.train.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vecgrad.train.checkpoint.AtomicFiles;
import dev.vecgrad.train.checkpoint.CheckpointFormatException;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.checkpoint.SafeTensor;
import dev.vecgrad.train.checkpoint.SafeTensors;
import dev.vecgrad.train.checkpoint.SafeTensorsFile;
import dev.vecgrad.train.data.CharTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A run directory: {@code model.safetensors}, {@code optimizer.safetensors}, {@code state.json}
 * and {@code metrics.jsonl} (plus {@code loss.png} from the CLI). Every file is written
 * atomically, and {@code state.json} last, so its step names a complete checkpoint.
 */
public final class RunDirectory {
    /** File names inside a run directory. */
    public static final String OPTIMIZER = "optimizer.safetensors", STATE = "state.json", METRICS = "metrics.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path dir;

    /** A run directory at {@code dir} (created on first save). */
    public RunDirectory(Path dir) {
        this.dir = dir;
    }

    /** The directory. */
    public Path path() {
        return dir;
    }

    /** {@code metrics.jsonl}. */
    public Path metricsFile() {
        return dir.resolve(METRICS);
    }

    /** Held while a process trains into the directory; released on close (or when the process dies). */
    public static final class Lock implements AutoCloseable {
        private final java.nio.channels.FileChannel channel;
        private final java.nio.channels.FileLock lock;

        private Lock(java.nio.channels.FileChannel channel, java.nio.channels.FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            lock.release();
            channel.close();
        }
    }

    /**
     * Takes the directory's lock file, so two runs never write the same checkpoint.
     *
     * @throws RunInUseException when another process holds it
     */
    public Lock lock() throws IOException {
        Files.createDirectories(dir);
        var ch = java.nio.channels.FileChannel.open(dir.resolve(".lock"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock l;
        try {
            l = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            ch.close();
            throw new RunInUseException(dir.toString());
        }
        return new Lock(ch, l);
    }

    /** Whether the directory holds a checkpoint ({@code state.json}). */
    public static boolean isRun(Path dir) {
        // A first checkpoint whose commit a crash interrupted counts: recover() completes it.
        return Files.isRegularFile(dir.resolve(STATE)) || Files.isRegularFile(dir.resolve(STATE + ".next"));
    }

    /**
     * Writes the trainer's model, optimizer state and run state as one transaction, so that a
     * crash at any moment leaves either the previous checkpoint or the new one, never a mix.
     * Each file is first written (atomically, fsynced) beside its target with a {@code .next}
     * suffix; {@code state.json.next} is written last and is the commit record: once it exists
     * the new checkpoint is complete and the renames that follow can always be finished by
     * {@link #recover()}.
     */
    public void save(Trainer t) throws IOException {
        Files.createDirectories(dir);
        recover();
        String step = Long.toString(t.step());
        ModelCheckpoint.save(next(ModelCheckpoint.FILE), t.model(), t.task().tokenizer(), Map.of("step", step));
        List<SafeTensor> opt = new ArrayList<>();
        for (Map.Entry<String, float[]> e : t.optimizer().state().entrySet()) {
            opt.add(SafeTensor.f32(e.getKey(), e.getValue(), e.getValue().length));
        }
        opt.add(SafeTensor.i64("step", new long[] {t.optimizer().stepCount()}));
        SafeTensors.write(next(OPTIMIZER), opt, Map.of("step", step));
        ObjectNode state = JSON.createObjectNode();
        state.put("format", 1);
        state.put("step", t.step());
        state.set("config", JSON.valueToTree(t.config().fields()));
        state.set("data", JSON.valueToTree(t.task().identity()));
        state.put("tokenizer", ModelCheckpoint.tokenizerJson(t.task().tokenizer()));
        AtomicFiles.writeString(next(STATE), JSON.writeValueAsString(state) + "\n");
        recover();
    }

    private Path next(String file) {
        return dir.resolve(file + ".next");
    }

    /**
     * Finishes or discards a checkpoint that a crash interrupted: with the commit record
     * ({@code state.json.next}) present the pending files replace the current ones (the state
     * last); without it the pending files are incomplete and are deleted, as are temporary files
     * of interrupted writes. Call it only while holding the directory's {@link #lock()} or when no
     * run uses the directory.
     */
    public void recover() throws IOException {
        if (!Files.isDirectory(dir)) return;
        if (Files.exists(next(STATE))) {
            for (String f : List.of(ModelCheckpoint.FILE, OPTIMIZER, STATE)) {
                // A pending file that is gone was already moved before the crash.
                if (Files.exists(next(f))) AtomicFiles.move(next(f), dir.resolve(f));
            }
        } else {
            Files.deleteIfExists(next(ModelCheckpoint.FILE));
            Files.deleteIfExists(next(OPTIMIZER));
        }
        try (var stale = Files.newDirectoryStream(dir, ".*.tmp")) {
            for (Path p : stale) Files.deleteIfExists(p);
        }
    }

    /** What {@code state.json} says. */
    public record State(long step, TrainConfig config, JsonNode data, CharTokenizer tokenizer) {
        /**
         * The task the run trained on, rebuilt from its saved identity; a text run reads
         * {@code dataFile} when given, else the file it was trained on.
         *
         * @throws NoSuchFileException when the run's text file is gone and none was given
         */
        public TrainingTask task(Path dataFile) throws IOException {
            if (data.path("kind").asText().equals("addition") && dataFile == null) {
                return new AdditionTrainingTask(data.path("digits").asInt(), data.path("held_out").asInt(),
                        data.path("held_out_seed").asLong());
            }
            Path file = dataFile != null ? dataFile : Path.of(data.path("path").asText());
            if (!Files.exists(file)) {
                throw new NoSuchFileException(file.toString(), null, "the run's data file is gone; pass --data with the same file");
            }
            return TextTask.load(file, tokenizer);
        }
    }

    /**
     * Reads {@code state.json}, checking every field.
     *
     * @throws NoSuchFileException when the directory has no {@code state.json}
     * @throws CheckpointFormatException naming the file and the problem when it is malformed in
     *     any way: not JSON, another format, a field missing, of the wrong type or out of range, a
     *     configuration {@link TrainConfig} rejects, unknown data, an unreadable tokenizer
     */
    public State readState() throws IOException {
        Path f = dir.resolve(STATE);
        if (!Files.isRegularFile(f)) {
            throw new NoSuchFileException(f.toString(), null, "not a run directory (no " + STATE + ")");
        }
        return StateFile.read(f);
    }

    /**
     * A trainer that continues this run: same configuration ({@code config} must equal the saved
     * one, apart from a longer {@code maxIters}), same data, model and optimizer state.
     *
     * @param config the saved configuration with a new {@code maxIters}, or null to keep it
     * @throws InvalidConfigException naming the first other setting that differs
     */
    public Trainer resume(TrainConfig config, TrainingTask task) throws IOException {
        try (Lock l = lock()) {
            recover();
        }
        State s = readState();
        if (config != null && !sameRecipe(config, s.config())) throw configDiffers(config, s.config());
        TrainConfig cfg = config != null ? config : s.config();
        JsonNode want = s.data(), have = JSON.valueToTree(task.identity());
        if (!Objects.equals(want.path("kind").asText(), have.path("kind").asText())
                || !Objects.equals(want.path("sha256").asText(null), have.path("sha256").asText(null))
                || !Objects.equals(want.path("digits").asText(null), have.path("digits").asText(null))) {
            throw new IllegalArgumentException(dir + ": the data differ from the saved run's (saved: " + want
                    + ", given: " + have + ")");
        }
        Trainer t = new Trainer(cfg, task);
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(dir.resolve(ModelCheckpoint.FILE));
        SafeTensorsFile opt = SafeTensors.read(dir.resolve(OPTIMIZER));
        String ms = m.metadata().get("step"), os = opt.metadata().get("step");
        if (!Long.toString(s.step()).equals(ms) || !Long.toString(s.step()).equals(os)) {
            throw new CheckpointFormatException(dir.toString(), "the checkpoint files disagree on the step (state.json "
                    + s.step() + ", model " + ms + ", optimizer " + os + ")");
        }
        try (var g = dev.vecgrad.autograd.Grad.disabled()) {
            t.model().loadStateDict(m.model().stateDict(), true);
        }
        Map<String, float[]> state = new java.util.LinkedHashMap<>();
        for (SafeTensor st : opt.tensors().values()) if (!st.name().equals("step")) state.put(st.name(), st.toFloats());
        long optStep = opt.get("step").toLongs()[0];
        try {
            t.optimizer().loadState(state, optStep);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(dir.resolve(OPTIMIZER).toString(), e.getMessage());
        }
        t.restoreStep(s.step());
        return t;
    }

    private static boolean sameRecipe(TrainConfig a, TrainConfig b) {
        return a.withMaxIters(b.maxIters()).equals(b);
    }

    /** Names the first setting that differs (and lists any others), for a front end to map to its own terms. */
    private InvalidConfigException configDiffers(TrainConfig given, TrainConfig saved) {
        Map<String, Object> x = given.fields(), y = saved.fields();
        List<String> diffs = new ArrayList<>();
        x.forEach((k, v) -> {
            if (!v.equals(y.get(k)) && !k.equals("maxIters")) diffs.add(k);
        });
        String first = diffs.get(0);
        StringBuilder problem = new StringBuilder().append(x.get(first)).append(" differs from the saved run's ")
                .append(y.get(first));
        for (String k : diffs.subList(1, diffs.size())) problem.append(", and ").append(k).append(" ").append(x.get(k))
                .append(" from ").append(y.get(k));
        problem.append(" (").append(dir).append("): the configuration of a resumed run cannot change except maxIters");
        return new InvalidConfigException(first, problem.toString());
    }
}
