package dev.vecgrad.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.inspect.HeadScores;
import dev.vecgrad.train.inspect.Heatmap;
import dev.vecgrad.train.inspect.ProbeData;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad heads}: what each attention head does, as scores per head. */
@Command(name = "heads", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Score each attention head: induction, previous token, ablation.",
        description = {"Scores every attention head: previous-token, first-token (sink), induction, and the loss increase"
                + " when the head is mean-ablated (formulas in the README). Prints a table sorted by one score and writes a"
                + " heatmap PNG (layers x heads) per score."})
final class HeadsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin CheckpointOption ckpt;

    @Option(names = "--data", paramLabel = "FILE", description = "Held-out text (its last 10%%) for the previous-token, first-token"
            + " and ablation scores (default: the run's own validation data, or repeated random tokens for a bare model file).")
    Path data;

    @Option(names = "--sequences", paramLabel = "N", defaultValue = "16", description = "Sequences per probe (default: ${DEFAULT-VALUE}).")
    int sequences;

    @Option(names = "--length", paramLabel = "T", description = "Tokens per probe sequence (default: the block size, at most 128;"
            + " a run's own validation data keeps the run's block size).")
    Integer length;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1234", description = "Seed for the probes (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--sort", paramLabel = "SCORE", defaultValue = "induction",
            description = "Sort the table by previous_token, first_token, induction or ablation (default: ${DEFAULT-VALUE}).")
    String sort;

    @Option(names = "--ablate", paramLabel = "L.H", split = ",",
            description = "Also print the held-out loss with these heads mean-ablated together, e.g. 1.0,1.1.")
    List<String> ablate;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the PNGs go (default: the run directory; none for a model vecgrad did not train, e.g. a Hugging Face folder).")
    Path out;

    @Option(names = "--no-progress", description = "No progress bar while the heads are scored.")
    boolean noProgress;

    @Mixin ThreadsOption threads;

    @Option(names = "--json", description = "Print the scores as JSON (schema in the README) instead of the table; PNGs only with --out.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + ": is a file; name a directory for the PNGs");
        }
        if (!HeadScores.NAMES.contains(sort)) {
            List<String> close = Spelling.closeNames(sort.replace('-', '_'), HeadScores.NAMES);
            throw new ParameterException(spec.commandLine(), "--sort " + sort + ": must be one of " + String.join(", ", HeadScores.NAMES)
                    + (close.isEmpty() ? "" : "; did you mean " + close.getFirst() + "?"));
        }
        if (sequences < 1) throw new ParameterException(spec.commandLine(), "--sequences must be >= 1, got " + sequences);
        ModelCheckpoint.Loaded m = ckpt.load();
        Path checkpoint = ckpt.path;
        GPT model = m.model();
        int block = length != null ? length : Math.min(model.config().blockSize(), 128);
        if (block < 4 || block > model.config().blockSize()) {
            throw new ParameterException(spec.commandLine(), "--length must be 4.." + model.config().blockSize() + ", got " + block);
        }
        List<int[]> heads = ablatedHeads(model.config());
        ProbeData held;
        Path run = EvalCommand.runOf(checkpoint);
        if (data != null) {
            if (m.tokenizer() == null) throw new IllegalArgumentException(m.missingTokenizer() + "; --data needs one to read text");
            held = ProbeData.fromText(data, m.tokenizer(), sequences, block, seed);
        } else if (run != null) {
            // Also for the run's model file or best/, and with --length: that sets the induction probe only.
            held = ProbeData.fromRun(run, sequences, seed);
        } else {
            held = ProbeData.repeated(model.config().vocabSize(), sequences, block / 2, seed);
        }
        var probe = HeadScores.probe(model.config().vocabSize(), sequences, block, seed + 1);
        // Named by its seed: train's evaluation lines score a fixed probe of another seed, so their
        // "best induction score" differs from this one's by sampling.
        String probeText = HeadScores.describeProbe(sequences, block) + " (from --seed " + seed + "; not the fixed probe of train's"
                + " evaluation lines)";
        // A bar on a terminal: the ablations are a forward pass per head (GPT-2 small: minutes).
        int nHeads = model.config().nLayer() * model.config().nHead();
        HeadScores.Report r;
        try (ProgressBar bar = !noProgress && System.console() != null ? new ProgressBarBuilder().setTaskName("heads")
                .setInitialMax(nHeads).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setConsumer(
                        new ConsoleProgressBarConsumer(System.err)).build() : null) {
            r = HeadScores.compute(model, held.batch(), probe, bar == null ? null : bar::stepTo);
        }
        double together = ablate == null ? Double.NaN : HeadScores.ablatedLoss(model, held.batch(), heads, true);
        PrintWriter pw = spec.commandLine().getOut();
        Path dir = out != null ? out : OutputFiles.defaultImageDir(checkpoint, m.file());
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("checkpoint", m.file().toString());
            doc.put("held_out", held.description());
            doc.put("induction_probe", probeText);
            doc.putAll(r.toMap());
            if (ablate != null) {
                Map<String, Object> ab = new LinkedHashMap<>();
                ab.put("heads", ablate);
                ab.put("loss", together);
                doc.put("ablated_together", ab);
            }
            pw.println(new ObjectMapper().writeValueAsString(doc));
            if (out != null) pngs(r, out);
            pw.flush();
            return 0;
        }
        pw.printf("held-out data: %s (loss %.4f)%ninduction probe: %s%n%n", held.description(), r.cleanLoss(), probeText);
        pw.printf("%5s %4s  %14s %11s %9s %9s%n", "layer", "head", "previous_token", "first_token", "induction", "ablation");
        for (HeadScores.Head h : r.sortedBy(sort)) {
            pw.printf(Locale.ROOT, "%5d %4d  %14.3f %11.3f %9.3f %+9.4f%n", h.layer(), h.head(), h.previousToken(), h.firstToken(),
                    h.induction(), h.ablation());
        }
        pw.println();
        for (String n : HeadScores.NAMES) {
            HeadScores.Head b = r.best(n);
            pw.printf(Locale.ROOT, "best %-14s layer %d head %d (%.3f)%n", n, b.layer(), b.head(), b.score(n));
        }
        if (ablate != null) {
            pw.printf(Locale.ROOT, "held-out loss with %s mean-ablated together: %.4f (clean %.4f)%n", String.join(", ", ablate),
                    together, r.cleanLoss());
        }
        if (dir != null) {
            for (Path p : pngs(r, dir)) pw.println("wrote " + p);
        } else {
            pw.println("no heatmaps written: the checkpoint is not a vecgrad run directory (--out DIR writes them)");
        }
        pw.flush();
        return 0;
    }

    /**
     * {@code --ablate}'s heads, checked against the model before any scoring (GPT-2 small's
     * ablations take minutes) and named as they were typed.
     */
    private List<int[]> ablatedHeads(GPTConfig config) {
        List<int[]> heads = new ArrayList<>();
        if (ablate == null) return heads;
        for (String a : ablate) {
            String[] p = a.trim().split("\\.");
            int[] lh;
            try {
                if (p.length != 2) throw new NumberFormatException();
                lh = new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--ablate expects LAYER.HEAD[,LAYER.HEAD...], got '" + a + "'");
            }
            String missing = HeadScores.missingHead(config, lh[0], lh[1]);
            if (missing != null) throw new ParameterException(spec.commandLine(), "--ablate " + a.trim() + ": " + missing);
            for (int[] seen : heads) {
                if (seen[0] == lh[0] && seen[1] == lh[1]) {
                    throw new ParameterException(spec.commandLine(), "--ablate names head " + a.trim() + " twice");
                }
            }
            heads.add(lh);
        }
        return heads;
    }

    private static List<Path> pngs(HeadScores.Report r, Path dir) throws java.io.IOException {
        List<String> rows = new ArrayList<>(), cols = new ArrayList<>();
        for (int l = 0; l < r.nLayer(); l++) rows.add("layer " + l);
        for (int h = 0; h < r.nHead(); h++) cols.add("head " + h);
        List<Path> written = new ArrayList<>();
        for (String n : HeadScores.NAMES) {
            double[][] g = r.grid(n);
            double lo = 0, hi = 1;
            if (n.equals("ablation")) {
                hi = 0;
                for (double[] row : g) for (double v : row) hi = Math.max(hi, v);
                if (hi == 0) hi = 1;
            }
            Path f = dir.resolve("heads-" + n.replace('_', '-') + ".png");
            String title = switch (n) {
                case "previous_token" -> "previous-token score: mean attention to t-1";
                case "first_token" -> "first-token score: mean attention to position 0";
                case "induction" -> "induction score: attention to the token after the earlier occurrence";
                default -> String.format(Locale.ROOT, "loss increase when mean-ablated (clean loss %.3f)", r.cleanLoss());
            };
            Heatmap.png(f, title, g, rows, cols, null, lo, hi);
            written.add(f);
        }
        return written;
    }
}
