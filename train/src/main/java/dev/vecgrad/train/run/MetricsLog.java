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
 * {@code metrics.jsonl}: one JSON object per logged step, appended and flushed as the run goes,
 * so a killed run keeps what it measured.
 */
public final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;

    private MetricsLog(BufferedWriter out) {
        this.out = out;
    }

    /**
     * Opens the log for appending; lines past {@code keepUpToStep} (from a run that went further
     * than its last checkpoint) are dropped first, so a resumed run's log has no duplicates.
     */
    public static MetricsLog open(Path file, long keepUpToStep) throws IOException {
        if (Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
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
        }
        return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND));
    }

    /** Appends one line and flushes it. */
    public void append(Metrics m) throws IOException {
        out.write(toJson(m));
        out.newLine();
        out.flush();
    }

    /** One line of the file (without its line break); NaN fields are left out. */
    public static String toJson(Metrics m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", m.step());
        if (m.train() != null) {
            put(o, "train_loss", m.train().loss());
            put(o, "lr", m.train().lr());
            put(o, "grad_norm", m.train().gradNorm());
        } else {
            put(o, "eval_train_loss", m.eval().trainLoss());
            put(o, "val_loss", m.eval().valLoss());
            put(o, "accuracy", m.eval().accuracy());
        }
        put(o, "tokens_per_s", m.speed().tokensPerS());
        put(o, "elapsed_s", m.elapsedS());
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
     * Reads every well-formed line of a metrics file: a line with {@code val_loss} is an
     * evaluation (files written before evaluation lines lost {@code train_loss} carry the
     * evaluated train loss in both {@code train_loss} and {@code eval_train_loss}); per-layer
     * statistics are not read back.
     */
    public static List<Metrics> read(Path file) throws IOException {
        List<Metrics> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Metrics m = parse(line);
            if (m != null) out.add(m);
        }
        return out;
    }

    /**
     * One line of a metrics file, or null when it is blank or not a JSON object with a numeric
     * {@code step} (a line cut short by a crash, or one that is still being written).
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
                num(n, "mfu"));
        if (n.has("val_loss")) {
            // Files from before eval_train_loss existed repeat the evaluated train loss as train_loss.
            double evalTrain = n.has("eval_train_loss") ? num(n, "eval_train_loss") : num(n, "train_loss");
            return Metrics.ofEval(step, num(n, "elapsed_s"), new Evaluation(evalTrain, num(n, "val_loss"), num(n, "accuracy")), speed);
        }
        java.util.Map<String, double[]> layers = null;
        JsonNode norms = n.get("layer_grad_norm"), ratios = n.get("layer_update_ratio");
        if (norms != null && norms.isObject()) {
            layers = new java.util.LinkedHashMap<>();
            for (var it = norms.fields(); it.hasNext(); ) {
                var e = it.next();
                layers.put(e.getKey(), new double[] {num(norms, e.getKey()), ratios == null ? Double.NaN : num(ratios, e.getKey())});
            }
        }
        return Metrics.ofStep(step, num(n, "elapsed_s"), new Metrics.Step(num(n, "train_loss"), num(n, "lr"), num(n, "grad_norm")),
                speed, layers);
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
