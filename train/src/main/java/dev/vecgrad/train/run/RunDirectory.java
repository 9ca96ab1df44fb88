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
import dev.vecgrad.nn.Parameter;
import dev.vecgrad.train.tokenizer.Tokenizer;
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

    /**
     * A run directory at {@code dir}; nothing is read or created until it is used.
     *
     * @param dir the directory (created on first save)
     */
    public RunDirectory(Path dir) {
        this.dir = dir;
    }

    /** {@return the directory} */
    public Path path() {
        return dir;
    }

    /** {@return the path of {@code metrics.jsonl}} */
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
     * Takes the directory's lock file, so two runs never write the same checkpoint. The operating
     * system releases it when the process dies, so a crash leaves no stale lock.
     *
     * @return the lock; close it when training ends
     * @throws RunInUseException when another process holds it
     * @throws IOException when the lock file cannot be created
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

    /**
     * Whether a directory holds a checkpoint.
     *
     * @param dir any path
     * @return true when it has a {@code state.json}
     */
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
     *
     * @param t the trainer whose state is saved
     * @throws IOException when writing fails (the previous checkpoint is then intact)
     */
    public void save(Trainer t) throws IOException {
        Files.createDirectories(dir);
        recover();
        String step = Long.toString(t.step());
        ModelCheckpoint.save(next(ModelCheckpoint.FILE), t.model(), t.task().tokenizer(), Map.of("step", step));
        List<SafeTensor> opt = new ArrayList<>();
        // The optimizer's own arrays, written before the next step can change them (saves run
        // on the training thread between steps): no copy of its state at checkpoint time.
        Map<String, Parameter> params = t.model().namedParameters();
        for (Map.Entry<String, float[]> e : t.optimizer().stateView().entrySet()) {
            opt.add(SafeTensor.f32View(e.getKey(), e.getValue(), stateShape(e.getKey(), e.getValue().length, params)));
        }
        opt.add(SafeTensor.i64("step", new long[] {t.optimizer().stepCount()}));
        SafeTensors.write(next(OPTIMIZER), opt, Map.of("step", step));
        ObjectNode state = JSON.createObjectNode();
        state.put("format", 1);
        state.put("step", t.step());
        state.set("config", JSON.valueToTree(t.config().fields()));
        state.set("data", JSON.valueToTree(t.task().identity()));
        state.put("tokenizer", t.task().tokenizer().toJson());
        t.runInfo().forEach((k, v) -> {
            if (!state.has(k)) state.set(k, JSON.valueToTree(v));
        });
        AtomicFiles.writeString(next(STATE), JSON.writeValueAsString(state) + "\n");
        recover();
    }

    /** The subdirectory that holds the weights of the lowest validation loss ({@code --keep best|both}). */
    public static final String BEST = "best";

    /**
     * Writes the trainer's model to {@code best/model.safetensors} (with the tokenizer, and the
     * step and validation loss in its metadata), replacing the previous best atomically. It loads
     * wherever a model file or directory is accepted ({@code --checkpoint DIR/best}).
     *
     * @param t the trainer
     * @param e the evaluation that made this the best model
     * @throws IOException when writing fails
     */
    public void saveBest(Trainer t, Evaluation e) throws IOException {
        Path best = dir.resolve(BEST);
        Files.createDirectories(best);
        // In a fixed order: the header follows the map's, and Map.of's changes from one JVM to the
        // next, so the same best model would not be the same file.
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put("step", Long.toString(t.step()));
        meta.put("val_loss", Double.toString(e.valLoss()));
        ModelCheckpoint.save(best.resolve(ModelCheckpoint.FILE), t.model(), t.task().tokenizer(), meta);
    }

    /**
     * The fields of {@code state.json} beyond the checkpoint's own ({@code format, step, config,
     * data, tokenizer}): what the front end recorded about the run ({@link Trainer#runInfo()}),
     * such as its config file.
     *
     * @return the fields in file order; empty when there are none
     * @throws IOException when {@code state.json} cannot be read or parsed
     */
    public Map<String, JsonNode> readRunInfo() throws IOException {
        JsonNode n = JSON.readTree(dir.resolve(STATE).toFile());
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        for (var it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!List.of("format", "step", "config", "data", "tokenizer").contains(e.getKey())) out.put(e.getKey(), e.getValue());
        }
        return out;
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
     *
     * @throws IOException when a rename or deletion fails
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

    /**
     * What {@code state.json} says.
     *
     * @param step the optimizer steps the checkpoint has
     * @param config the run's settings
     * @param data the data's identity ({@link TrainingTask#identity()})
     * @param tokenizer the tokenizer the run trained with
     */
    public record State(long step, TrainConfig config, JsonNode data, Tokenizer tokenizer) {
        /**
         * The task the run trained on, rebuilt from its saved identity.
         *
         * @param dataFile for a text run, the file to read instead of the one it was trained on; may be null
         * @return the task
         * @throws NoSuchFileException when the run's text file is gone and none was given
         * @throws IOException when the data cannot be read
         */
        public TrainingTask task(Path dataFile) throws IOException {
            return task(dataFile, null);
        }

        /**
         * As {@link #task(Path)}, reading and writing cached token ids.
         *
         * @param dataFile for a text run, the file to read instead of the one it was trained on; may be null
         * @param cacheDir where token ids are cached, or null for no cache
         * @return the task
         * @throws IOException as {@link #task(Path)}
         */
        public TrainingTask task(Path dataFile, Path cacheDir) throws IOException {
            if (data.path("kind").asText().equals("addition") && dataFile == null) {
                return new AdditionTrainingTask(data.path("digits").asInt(), data.path("held_out").asInt(),
                        data.path("held_out_seed").asLong());
            }
            if (data.path("kind").asText().equals("induction") && dataFile == null) {
                return new InductionTrainingTask(data.path("vocab").asInt());
            }
            Path file = dataFile != null ? dataFile : Path.of(data.path("path").asText());
            if (!Files.exists(file)) {
                throw new NoSuchFileException(file.toString(), null, "the run's data file is gone; give the same file again (--data on the command line)");
            }
            return TextTask.load(file, tokenizer, cacheDir);
        }

        /**
         * Checks, by its hash and before anything is tokenized, that {@code dataFile} holds the
         * bytes this text run trained on: for resuming, where a character the run's vocabulary
         * lacks would otherwise be the error and hide that the file is not the run's.
         * {@link RunDirectory#resume} checks the data again in any case.
         *
         * @param dataFile a text file given for this run
         * @throws DataMismatchException when the run trained on text and the file's bytes differ
         * @throws IOException when the file cannot be read
         */
        public void requireSameText(Path dataFile) throws IOException {
            String saved = data.path("sha256").asText(null);
            if (!data.path("kind").asText().equals("text") || saved == null || !Files.isRegularFile(dataFile)) return;
            String sha = dev.vecgrad.train.data.TextFiles.sha256(dataFile);
            if (!sha.equals(saved)) {
                ObjectNode given = JSON.createObjectNode().put("kind", "text").put("path", dataFile.toString())
                        .put("bytes", Files.size(dataFile)).put("sha256", sha);
                throw new DataMismatchException(given, data);
            }
        }
    }

    /**
     * Reads {@code state.json}, checking every field.
     *
     * @return the checkpoint's state
     * @throws NoSuchFileException when the directory has no {@code state.json}
     * @throws CheckpointFormatException naming the file and the problem when it is malformed in
     *     any way: not JSON, another format, a field missing, of the wrong type or out of range, a
     *     configuration {@link TrainConfig} rejects, unknown data, an unreadable tokenizer
     * @throws IOException when the file cannot be read
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
     * one, apart from {@code maxIters} and {@code lrDecayIters}, which only shape the steps still to
     * come), same data, model and optimizer state.
     *
     * @param config the saved configuration with a new {@code maxIters} (and decay end), or null to keep it
     * @param task the run's task (from {@link State#task(Path)})
     * @return a trainer at the checkpoint's step
     * @throws InvalidConfigException naming the first other setting that differs
     * @throws DataMismatchException when the task's data differ from the saved run's
     * @throws IllegalArgumentException when the task's tokenizer differs from the saved run's
     * @throws IOException when the checkpoint cannot be read
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
                || !Objects.equals(want.path("digits").asText(null), have.path("digits").asText(null))
                || !Objects.equals(want.path("vocab").asText(null), have.path("vocab").asText(null))) {
            throw new DataMismatchException(have, want);
        }
        if (s.tokenizer() != null && task.tokenizer() != null && !s.tokenizer().hash().equals(task.tokenizer().hash())) {
            throw new IllegalArgumentException("run " + dir + ": the tokenizer differs from the saved run's (saved: "
                    + s.tokenizer().describe() + ", given: " + task.tokenizer().describe() + ")");
        }
        Trainer t = new Trainer(cfg, task);
        Path modelFile = dir.resolve(ModelCheckpoint.FILE), optFile = dir.resolve(OPTIMIZER);
        ModelCheckpoint.Loaded m = ModelCheckpoint.load(modelFile);
        SafeTensorsFile opt = SafeTensors.read(optFile);
        String ms = m.metadata().get("step"), os = opt.metadata().get("step");
        if (!Long.toString(s.step()).equals(ms) || !Long.toString(s.step()).equals(os)) {
            throw new CheckpointFormatException(dir.toString(), "the checkpoint files disagree on the step (state.json "
                    + s.step() + ", model " + ms + ", optimizer " + os + ")");
        }
        try (var g = dev.vecgrad.autograd.Grad.disabled()) {
            t.model().loadStateDict(m.model().stateDict(), true);
        } catch (IllegalArgumentException e) {
            // The model file's own config (its metadata) describes another model than state.json's config.
            throw new CheckpointFormatException(modelFile.toString(), "does not fit the run's config in " + STATE + ": "
                    + e.getMessage());
        }
        long optStep = optimizerStep(optFile, opt.get("step"));
        Map<String, float[]> state = new java.util.LinkedHashMap<>();
        for (SafeTensor st : opt.tensors().values()) {
            if (st.name().equals("step")) continue;
            if (!st.dtype().isFloat()) {
                throw new CheckpointFormatException(optFile.toString(), "tensor '" + st.name() + "' is " + st.dtype() + ", expected F32");
            }
            state.put(st.name(), st.toFloats());
        }
        try {
            t.optimizer().loadState(state, optStep);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(optFile.toString(), e.getMessage());
        }
        t.restoreStep(s.step());
        return t;
    }

    /** The optimizer's step count: the one integer >= 0 of the {@code step} tensor. */
    private static long optimizerStep(Path optFile, SafeTensor step) throws CheckpointFormatException {
        long[] v = step.dtype().isFloat() ? null : step.toLongs();
        if (v == null || v.length != 1 || v[0] < 0) {
            throw new CheckpointFormatException(optFile.toString(), "tensor 'step' must hold one integer >= 0 (the optimizer's "
                    + "step count), got " + step.dtype() + " " + java.util.Arrays.toString(step.shape())
                    + (v != null && v.length == 1 ? " = " + v[0] : ""));
        }
        return v[0];
    }

    /**
     * The shape an optimizer state array is saved with: its parameter's (as PyTorch's optimizer
     * state holds it) when the key is {@code <kind>.<parameter name>} and the sizes agree, else flat.
     * Loading reads either, so files written flat by earlier versions still resume.
     */
    static int[] stateShape(String key, int length, Map<String, Parameter> params) {
        int dot = key.indexOf('.');
        Parameter p = dot < 0 ? null : params.get(key.substring(dot + 1));
        return p != null && p.tensor().numel() == length ? p.tensor().shape() : new int[] {length};
    }

    /** Settings a resumed run may change: the run's length and where the learning-rate decay ends. */
    static final java.util.Set<String> RESUMABLE_CHANGES = java.util.Set.of("maxIters", "lrDecayIters");

    private static boolean sameRecipe(TrainConfig a, TrainConfig b) {
        Map<String, Object> x = new java.util.LinkedHashMap<>(a.fields()), y = new java.util.LinkedHashMap<>(b.fields());
        x.keySet().removeAll(RESUMABLE_CHANGES);
        y.keySet().removeAll(RESUMABLE_CHANGES);
        return x.equals(y);
    }

    /** Names the first setting that differs (and lists any others), for a front end to map to its own terms. */
    private InvalidConfigException configDiffers(TrainConfig given, TrainConfig saved) {
        Map<String, Object> x = given.fields(), y = saved.fields();
        List<String> diffs = new ArrayList<>();
        x.forEach((k, v) -> {
            if (!v.equals(y.get(k)) && !RESUMABLE_CHANGES.contains(k)) diffs.add(k);
        });
        String first = diffs.get(0);
        StringBuilder problem = new StringBuilder().append(x.get(first)).append(" differs from the saved run's ")
                .append(y.get(first));
        for (String k : diffs.subList(1, diffs.size())) problem.append(", and ").append(k).append(" ").append(x.get(k))
                .append(" from ").append(y.get(k));
        problem.append(" (").append(dir).append("): the configuration of a resumed run cannot change except maxIters and lrDecayIters");
        return new InvalidConfigException(first, problem.toString());
    }
}
