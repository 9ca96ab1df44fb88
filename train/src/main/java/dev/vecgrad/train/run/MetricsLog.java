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

    static String toJson(Metrics m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", m.step());
        put(o, "train_loss", m.trainLoss());
        put(o, "val_loss", m.valLoss());
        put(o, "eval_train_loss", m.evalTrainLoss());
        put(o, "accuracy", m.accuracy());
        put(o, "lr", m.lr());
        put(o, "grad_norm", m.gradNorm());
        put(o, "tokens_per_s", m.tokensPerS());
        put(o, "elapsed_s", m.elapsedS());
        put(o, "gc_pause_share", m.gcShare());
        put(o, "alloc_mb_per_step", m.allocMbPerStep());
        put(o, "mfu", m.mfu());
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

    /** Reads every well-formed line of a metrics file. */
    public static List<Metrics> read(Path file) throws IOException {
        List<Metrics> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                continue;
            }
            out.add(new Metrics(n.path("step").asLong(), num(n, "train_loss"), num(n, "val_loss"),
                    num(n, "eval_train_loss"), num(n, "accuracy"), num(n, "lr"), num(n, "grad_norm"),
                    num(n, "tokens_per_s"), num(n, "elapsed_s"), null, num(n, "gc_pause_share"),
                    num(n, "alloc_mb_per_step"), num(n, "mfu")));
        }
        return out;
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
