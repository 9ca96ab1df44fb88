package dev.vecgrad.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.tokenizer.Tokenizer;
import dev.vecgrad.train.inspect.Heatmap;
import dev.vecgrad.train.inspect.AttentionMaps;
import dev.vecgrad.train.inspect.LogitLens;
import dev.vecgrad.train.inspect.TerminalWidth;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad lens}: the logit lens, what the model would predict after each layer. */
@Command(name = "lens", mixinStandardHelpOptions = true, sortOptions = false,
        header = "The logit lens: what the model predicts after each layer.",
        description = {"The logit lens: each layer's residual stream pushed through the final LayerNorm and lm_head.",
            "For every position: the most likely next tokens and the probability of the token that actually comes next."})
final class LensCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CheckpointOption ckpt;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The text to run through the model.")
    String prompt;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "3", description = "Candidates per cell in the JSON (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--out", paramLabel = "FILE.png",
            description = "The PNG (layers x positions, coloured by the probability of the actual next token; default: lens.png"
                    + " in the run directory, none for a model vecgrad did not train; with --json only when given).")
    Path png;

    @Mixin ThreadsOption threads;

    @Option(names = "--json", description = "Print the lens as JSON (schema in the README) instead of the table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        if (png != null) OutputFiles.check(spec, "--out", png, "png");
        if (topK < 1) throw new ParameterException(spec.commandLine(), "--top-k must be >= 1, got " + topK);
        ModelCheckpoint.Loaded m = ckpt.load();
        Path checkpoint = ckpt.path;
        Tokenizer tok = ckpt.tokenizer();
        GPT model = m.model();
        int[] ids = tok.encode(prompt);
        if (ids.length == 0) throw new ParameterException(spec.commandLine(), "--prompt must not be empty");
        if (ids.length > model.config().blockSize()) {
            throw new ParameterException(spec.commandLine(), "--prompt has " + ids.length + " tokens but the model's block size is "
                    + model.config().blockSize());
        }
        LogitLens.Result r = LogitLens.compute(model, ids, topK, tok::piece);
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            pw.println(new ObjectMapper().writeValueAsString(r.toMap()));
            if (png != null) png(r, png);
            pw.flush();
            return 0;
        }
        int t = ids.length;
        pw.println("top next token and, in brackets, the probability of the actual next token, after each layer:");
        // The table as cells first, so that each column is as wide as its widest cell (a BPE
        // model's pieces are longer than one character), in terminal columns (日本 takes four).
        List<List<String>> table = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("stream \\ token"));
        for (String p : r.pieces()) head.add(AttentionMaps.label(p));
        table.add(head);
        for (LogitLens.Stream s : r.streams()) {
            List<String> row = new ArrayList<>(List.of(s.name()));
            for (LogitLens.Cell c : s.cells()) {
                String top = AttentionMaps.label(c.top().get(0).piece());
                row.add(Double.isNaN(c.actualProbability()) ? top : String.format(Locale.ROOT, "%s(%.2f)", top, c.actualProbability()));
            }
            table.add(row);
        }
        List<String> next = new ArrayList<>(List.of("actual next token"));
        for (int i = 0; i < t; i++) next.add(i + 1 < t ? AttentionMaps.label(r.pieces().get(i + 1)) : "?");
        table.add(next);
        int[] width = new int[t + 1];
        for (List<String> row : table) {
            for (int c = 0; c <= t; c++) width[c] = Math.max(width[c], TerminalWidth.of(row.get(c)));
        }
        // Cells are left-aligned, so a column's token, its top prediction and the actual next token
        // start at the same place; right-aligned, the header's piece sat over the previous cell's
        // probability, and the last column (no probability) read as part of the one before it.
        for (List<String> row : table) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c <= t; c++) {
                line.append(TerminalWidth.padRight(row.get(c), width[c] + 2));
            }
            pw.println(line.toString().stripTrailing());
        }
        Path dir = png != null ? null : OutputFiles.defaultImageDir(checkpoint, m.file());
        if (png != null || dir != null) {
            Path f = png != null ? png : dir.resolve("lens.png");
            png(r, f);
            pw.println("wrote " + f);
        } else {
            pw.println("no lens.png written: the checkpoint is not a vecgrad run directory (--out FILE.png writes it)");
        }
        pw.flush();
        return 0;
    }

    private static void png(LogitLens.Result r, Path f) throws java.io.IOException {
        List<String> rows = new ArrayList<>(), cols = new ArrayList<>();
        for (LogitLens.Stream s : r.streams()) rows.add(s.name());
        for (int i = 0; i < r.pieces().size(); i++) cols.add(i + " " + AttentionMaps.label(r.pieces().get(i)));
        double[][] p = r.actualProbabilities();
        String[][] text = new String[p.length][];
        for (int s = 0; s < p.length; s++) {
            text[s] = new String[p[s].length];
            for (int i = 0; i < p[s].length; i++) {
                String top = AttentionMaps.label(r.streams().get(s).cells().get(i).top().get(0).piece());
                text[s][i] = Double.isNaN(p[s][i]) ? top : String.format(Locale.ROOT, "%s %.2f", top, p[s][i]);
            }
        }
        Heatmap.png(f, "logit lens: top next token, and colour = probability of the actual next token", p, rows, cols, text, 0, 1);
    }
}
