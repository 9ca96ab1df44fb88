package dev.vecgrad.train.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metrics.jsonl}: one JSON object per optimizer step, appended and flushed as the run
 * goes, so a killed run keeps what it measured. An evaluation step's line carries the
 * evaluation's fields too ({@code eval_train_loss}, {@code val_loss}, {@code accuracy}). This
 * class is the one place that writes and parses the format (README, "What a run directory
 * holds", and docs/DESIGN.md describe it).
 */
public final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;
    private final Metrics last;
    private final double bestValLoss;

    private MetricsLog(BufferedWriter out, Metrics last, double bestValLoss) {
        this.out = out;
        this.last = last;
        this.bestValLoss = bestValLoss;
    }

    /**
     * {@return the lowest validation loss among the lines kept when the log was opened (NaN: none)} A
     * resumed run with {@code --keep best} compares new evaluations with it.
     */
    public double bestValLoss() {
        return bestValLoss;
    }

    /**
     * {@return the last line kept when the log was opened, or null for a new log} That is the step a
     * resumed run continues from, whose elapsed time and averages the new lines carry on.
     */
    public Metrics last() {
        return last;
    }

    /**
     * Opens the log for appending; lines past {@code keepUpToStep} (from a run that went further
     * than its last checkpoint) are dropped first, so a resumed run's log has no duplicates.
     *
     * @param file the {@code metrics.jsonl} (created when missing)
     * @param keepUpToStep the checkpoint's step
     * @return the open log
     * @throws IOException when the file cannot be read or rewritten
     */
    public static MetricsLog open(Path file, long keepUpToStep) throws IOException {
        Metrics last = null;
        double best = Double.NaN;
        if (Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (String line : lines(file)) {
                if (line.isBlank()) continue;
                try {
                    JsonNode n = JSON.readTree(line);
                    if (n.path("step").asLong(Long.MAX_VALUE) <= keepUpToStep) kept.add(line);
                } catch (IOException e) {
                    // a line cut short by a crash: drop it
                }
            }
            // Rewritten atomically: a crash while trimming must not lose the lines being kept.
            String text = kept.isEmpty() ? "" : String.join("\n", kept) + "\n";
            dev.vecgrad.train.checkpoint.AtomicFiles.writeString(file, text);
            List<Metrics> read = parse(kept);
            last = read.isEmpty() ? null : read.get(read.size() - 1);
            for (Metrics m : read) {
                if (m.eval() != null && (Double.isNaN(best) || m.eval().valLoss() < best)) best = m.eval().valLoss();
            }
        }
        return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND), last, best);
    }

    /**
     * Appends one line and flushes it, so a killed run keeps it.
     *
     * @param m the step's metrics
     * @throws IOException when writing fails
     */
    public void append(Metrics m) throws IOException {
        out.write(toJson(m));
        out.newLine();
        out.flush();
    }

    /**
     * One line of the file, as the documented JSON object.
     *
     * @param m the metrics
     * @return the JSON without its line break; NaN fields are left out
     */
    public static String toJson(Metrics m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", m.step());
        if (m.train() != null) {
            put(o, "train_loss", m.train().loss());
            put(o, "lr", m.train().lr());
            put(o, "grad_norm", m.train().gradNorm());
        }
        if (m.eval() != null) {
            put(o, "eval_train_loss", m.eval().trainLoss());
            put(o, "val_loss", m.eval().valLoss());
            put(o, "accuracy", m.eval().accuracy());
            put(o, "induction_score", m.eval().inductionScore());
        }
        put(o, "tokens_per_s", m.speed().tokensPerS());
        put(o, "elapsed_s", m.elapsedS());
        put(o, "train_s", m.speed().trainS());
        put(o, "gc_pause_share", m.speed().gcShare());
        put(o, "alloc_mb_per_step", m.speed().allocMbPerStep());
        put(o, "mfu", m.speed().mfu());
        if (m.layers() != null) {
            ObjectNode norms = o.putObject("layer_grad_norm"), ratios = o.putObject("layer_update_ratio");
            m.layers().forEach((layer, v) -> {
                norms.put(layer, v[0]);
                ratios.put(layer, v[1]);
            });
        }
        return o.toString();
    }

    private static void put(ObjectNode o, String key, double v) {
        if (!Double.isNaN(v)) o.put(key, v);
    }

    /**
     * Reads every well-formed line of a metrics file, one {@link Metrics} per step. Files written
     * before evaluations joined their step's line hold a second line for an evaluation step (with
     * {@code val_loss}, and in the oldest files the evaluated train loss in {@code train_loss} as
     * well); it is merged into the step's line. Per-layer statistics are not read back.
     *
     * @param file a {@code metrics.jsonl}
     * @return the lines in file order; malformed lines are skipped
     * @throws IOException when the file cannot be read
     */
    public static List<Metrics> read(Path file) throws IOException {
        if (!Files.exists(file)) return new ArrayList<>();
        return parse(lines(file));
    }

    /**
     * The file's lines, bytes that are not UTF-8 replaced by U+FFFD: such a line (a crash that left
     * garbage, a disk error) is skipped like any malformed line instead of failing the whole file
     * with "Input length = 1", which named neither the file nor the line and stopped a resume.
     */
    private static List<String> lines(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
    }

    private static List<Metrics> parse(List<String> lines) {
        List<Metrics> out = new ArrayList<>();
        for (String line : lines) {
            Metrics m = parse(line);
            if (m == null) continue;
            Metrics prev = out.isEmpty() ? null : out.get(out.size() - 1);
            if (m.eval() != null && m.train() == null && prev != null && prev.step() == m.step() && prev.eval() == null) {
                // the old format: the evaluation on a second line of the same step
                out.set(out.size() - 1, prev.withEval(m.eval(), m.elapsedS()));
                continue;
            }
            out.add(m);
        }
        return out;
    }

    /**
     * One line of a metrics file: the step's results and, on an evaluation step, the
     * evaluation's. A line of the older format that held only an evaluation gives a Metrics without
     * {@code train()} ({@link #read} merges it into its step's line).
     *
     * @param line one line of the file
     * @return the metrics, or null when the line is blank or not a JSON object with a numeric
     *     {@code step} (a line cut short by a crash, or one that is still being written)
     */
    public static Metrics parse(String line) {
        if (line.isBlank()) return null;
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
        if (n == null || !n.isObject() || !n.path("step").isIntegralNumber()) return null;
        long step = n.path("step").asLong();
        Metrics.Speed speed = new Metrics.Speed(num(n, "tokens_per_s"), num(n, "gc_pause_share"), num(n, "alloc_mb_per_step"),
                num(n, "train_s"), num(n, "mfu"));
        Evaluation eval = null;
        boolean oldest = n.has("val_loss") && !n.has("eval_train_loss");   // an evaluation line whose train_loss is the evaluated one
        if (n.has("val_loss")) {
            eval = new Evaluation(oldest ? num(n, "train_loss") : num(n, "eval_train_loss"), num(n, "val_loss"), num(n, "accuracy"),
                    num(n, "induction_score"));
        }
        // Every line is a step's, except an evaluation on a line of its own (the older formats).
        Metrics.Step train = eval != null && (oldest || !n.has("lr")) ? null
                : new Metrics.Step(num(n, "train_loss"), num(n, "lr"), num(n, "grad_norm"));
        java.util.Map<String, double[]> layers = null;
        JsonNode norms = n.get("layer_grad_norm"), ratios = n.get("layer_update_ratio");
        if (norms != null && norms.isObject()) {
            layers = new java.util.LinkedHashMap<>();
            for (var it = norms.fields(); it.hasNext(); ) {
                var e = it.next();
                layers.put(e.getKey(), new double[] {num(norms, e.getKey()), ratios == null ? Double.NaN : num(ratios, e.getKey())});
            }
        }
        return new Metrics(step, num(n, "elapsed_s"), train, eval, speed, layers);
    }

    private static double num(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
