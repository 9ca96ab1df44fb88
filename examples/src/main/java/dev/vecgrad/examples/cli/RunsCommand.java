package dev.vecgrad.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgrad.train.inspect.LossChart;
import dev.vecgrad.train.inspect.TerminalWidth;
import dev.vecgrad.train.run.Metrics;
import dev.vecgrad.train.run.MetricsLog;
import dev.vecgrad.train.run.RunDirectory;
import dev.vecgrad.train.run.RunInUseException;
import dev.vecgrad.train.run.TrainConfig;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad runs}: the training runs in a directory, one line each; or two runs' curves side by side. */
@Command(name = "runs", mixinStandardHelpOptions = true, sortOptions = false,
        header = "List the training runs in a directory, or compare two.",
        description = {"One line per run directory (one holding state.json) under DIR: its data, model, steps, best and"
                + " last validation loss, tokens/s and state (finished, stopped, running).",
            "--compare A B prints the two runs' evaluations side by side, step by step, with a note when their tokenizers"
                + " differ (their losses are then not comparable; bits per byte are); --png draws their curves."
                + " A name that is not a path is looked up under DIR (default: runs)."})
final class RunsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Where the runs are (default: runs).")
    Path dir;

    // Any count is accepted and checked in call(): picocli's own message for a wrong count
    // ("at index 0 (RUN) requires at least 2 values") and a third run taken for DIR both confused.
    @Option(names = "--compare", arity = "1..*", paramLabel = "RUN",
            description = "Two runs to compare: run directories, or names of runs under DIR.")
    List<Path> compare;

    @Option(names = "--png", paramLabel = "FILE", description = "With --compare: draw both runs' loss curves into an image.")
    Path png;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Path root = dir != null ? dir : Path.of("runs");
        if (compare != null) {
            if (compare.size() != 2) {
                throw new ParameterException(spec.commandLine(), "--compare takes exactly two runs (A B), got " + compare.size() + ": "
                        + String.join(" ", compare.stream().map(Path::toString).toList()));
            }
            if (png != null) OutputFiles.checkImage(spec, "--png", png);
            compare(out, run(root, compare.get(0)), run(root, compare.get(1)));
        } else {
            if (png != null) throw new ParameterException(spec.commandLine(), "--png needs --compare A B");
            list(out, root);
        }
        out.flush();
        return 0;
    }

    /**
     * The run directory {@code --compare} means by {@code name}: the path itself when it exists,
     * else the run of that name under {@code root}, so {@code --compare char bpe} works from the
     * directory that holds {@code runs/}.
     */
    private Path run(Path root, Path name) {
        Path under = root.resolve(name);
        Path p = Files.exists(name) || !Files.exists(under) ? name : under;
        if (!Files.exists(p)) {
            // A bare name is looked for under DIR; a path with folders, in its own folder.
            Path parent = name.getParent();
            List<String> close = Spelling.closeNames(String.valueOf(name.getFileName()), runNames(parent != null ? parent : root)).stream()
                    .map(n -> parent != null ? parent.resolve(n).toString() : n).toList();
            throw new ParameterException(spec.commandLine(), "--compare " + name + ": no such run (looked for " + name
                    + (under.equals(name) ? "" : " and " + under) + ")"
                    + (close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?"));
        }
        if (!RunDirectory.isRun(p)) throw new ParameterException(spec.commandLine(), "--compare " + p + ": not a run directory (no state.json)");
        return p;
    }

    /** The names of the run directories directly under {@code root} (none when it is not a directory). */
    static List<String> runNames(Path root) {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> Files.isDirectory(p) && RunDirectory.isRun(p)).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** What the listing shows of one run. */
    record Summary(String name, String data, String model, long step, int maxIters, double bestVal, long bestStep,
                   double lastVal, double tokensPerS, String state) {}

    static Summary summarize(Path run) throws IOException {
        RunDirectory rd = new RunDirectory(run);
        RunDirectory.State s = rd.readState();
        TrainConfig c = s.config();
        String data = data(s.data(), s.tokenizer());
        long params = parameters(c, s.tokenizer() == null ? 0 : s.tokenizer().vocabSize());
        String model = c.model().nLayer() + "x" + c.model().nEmbd() + " " + humanCount(params);
        List<Metrics> m = MetricsLog.read(rd.metricsFile());
        double best = Double.NaN, last = Double.NaN, tps = Double.NaN;
        long bestStep = -1;
        for (Metrics x : m) {
            if (x.step() > s.step()) break;   // past the checkpoint: work a resume will redo
            if (x.isEval()) {
                last = x.eval().valLoss();
                if (Double.isNaN(best) || x.eval().valLoss() < best) {
                    best = x.eval().valLoss();
                    bestStep = x.step();
                }
            }
            if (!Double.isNaN(x.speed().tokensPerS())) tps = x.speed().tokensPerS();
        }
        String state;
        if (inUse(rd)) state = "running";
        else if (s.step() >= c.maxIters()) state = "finished";
        else state = "stopped";
        return new Summary(run.getFileName().toString(), data, model, s.step(), c.maxIters(), best, bestStep, last, tps, state);
    }

    /**
     * The data column: the task and its size for the built-in tasks; for text, the file and its
     * tokenizer, since character-level and BPE losses on the same file are not comparable.
     */
    static String data(JsonNode data, Tokenizer tok) {
        return switch (data.path("kind").asText()) {
            case "addition" -> "addition " + data.path("digits").asInt() + " digits";
            case "induction" -> "induction " + data.path("vocab").asInt() + " tokens";
            case "text" -> Path.of(data.path("path").asText("?")).getFileName() + (tok == null ? ""
                    : tok.type().equals(CharTokenizer.TYPE) ? " (char)" : " (" + tok.type() + " " + tok.vocabSize() + ")");
            default -> data.path("kind").asText("?");
        };
    }

    /** Whether a trainer holds the run's lock (a run without a lock file has none to hold). */
    static boolean inUse(RunDirectory rd) throws IOException {
        if (!Files.exists(rd.path().resolve(".lock"))) return false;
        try (RunDirectory.Lock l = rd.lock()) {
            return false;
        } catch (RunInUseException e) {
            return true;
        }
    }

    /** Parameters of the GPT a configuration describes (the embedding shared with the head counted once). */
    static long parameters(TrainConfig c, int vocab) {
        long e = c.model().nEmbd(), b = c.model().bias() ? 1 : 0;
        long perLayer = 2 * (e + b * e)                 // ln_1, ln_2
                + e * 3 * e + b * 3 * e                 // attn.c_attn
                + e * e + b * e                         // attn.c_proj
                + e * 4 * e + b * 4 * e                 // mlp.c_fc
                + 4 * e * e + b * e;                    // mlp.c_proj
        return (long) vocab * e + (long) c.model().blockSize() * e + c.model().nLayer() * perLayer + (e + b * e);
    }

    static String humanCount(long n) {
        if (n >= 1_000_000) return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        if (n >= 1_000) return String.format(Locale.ROOT, "%.0fk", n / 1e3);
        return Long.toString(n);
    }

    private void list(PrintWriter out, Path root) throws IOException {
        // Named as DIR, as the dashboard names --runs: a message starting "runs: " (the default)
        // lost those words to the prefix that repeats the command's name (Errors.strip).
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new ParameterException(spec.commandLine(), "DIR " + root + ": is a file, not a directory (name the directory"
                    + " that holds the runs, e.g. runs)");
        }
        if (!Files.isDirectory(root)) {
            throw new ParameterException(spec.commandLine(), "DIR " + root + ": no such directory (train a run first: "
                    + ShellWords.command("train") + ", which saves under runs/)");
        }
        List<Path> runs = new ArrayList<>();
        if (RunDirectory.isRun(root)) runs.add(root);
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> Files.isDirectory(p) && RunDirectory.isRun(p)).sorted().forEach(runs::add);
        }
        if (runs.isEmpty()) {
            out.println("no runs in " + root + " (a run directory holds state.json; '" + ShellWords.command("train") + "' makes one)");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"run", "data", "model", "steps", "best val (step)", "last val", "tokens/s", "state"});
        for (Path p : runs) {
            Summary s;
            try {
                s = summarize(p);
            } catch (IOException | RuntimeException e) {
                rows.add(new String[] {p.getFileName().toString(), "?", "?", "?", "?", "?", "?",
                    "unreadable: " + Errors.describe(e)});
                continue;
            }
            rows.add(new String[] {s.name(), shorten(s.data(), 36), s.model(), s.step() + "/" + s.maxIters(),
                Double.isNaN(s.bestVal()) ? "-" : String.format(Locale.ROOT, "%.4f (%d)", s.bestVal(), s.bestStep()),
                Double.isNaN(s.lastVal()) ? "-" : String.format(Locale.ROOT, "%.4f", s.lastVal()),
                Double.isNaN(s.tokensPerS()) ? "-" : String.format(Locale.ROOT, "%,.0f", s.tokensPerS()), s.state()});
        }
        printTable(out, rows);
    }

    /**
     * Prints the list's rows: the first three columns left-aligned text, the next four
     * right-aligned numbers, the last (state) as it is.
     */
    static void printTable(PrintWriter out, List<String[]> rows) {
        // Each column as wide as its widest cell, so a long file name or tokenizer cannot shift the
        // rest; in terminal columns, as a run or file may be named in CJK.
        int[] width = new int[7];
        for (String[] r : rows) for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], TerminalWidth.of(r[i]));
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < 7; i++) {
                // text left, numbers right
                line.append(i < 3 ? TerminalWidth.padRight(r[i], width[i]) : TerminalWidth.padLeft(r[i], width[i])).append(i == 6 ? "  " : " ");
            }
            out.println(line.append(r[7]));
        }
    }

    /** The text cut to at most n terminal columns, ending in … when cut (never inside a surrogate pair). */
    static String shorten(String s, int n) {
        if (TerminalWidth.of(s) <= n) return s;
        StringBuilder sb = new StringBuilder();
        int w = 0;
        for (int cp : s.codePoints().toArray()) {
            int cw = TerminalWidth.of(cp);
            if (w + cw > n - 1) break;
            sb.appendCodePoint(cp);
            w += cw;
        }
        return sb.append('…').toString();
    }

    private void compare(PrintWriter out, Path a, Path b) throws IOException {
        Summary sa = summarize(a), sb = summarize(b);
        List<Metrics> ma = evals(a), mb = evals(b);
        TreeMap<Long, Metrics[]> byStep = new TreeMap<>();
        for (Metrics m : ma) byStep.computeIfAbsent(m.step(), k -> new Metrics[2])[0] = m;
        for (Metrics m : mb) byStep.computeIfAbsent(m.step(), k -> new Metrics[2])[1] = m;
        out.printf("A: %s: %s, %s, %d/%d steps%nB: %s: %s, %s, %d/%d steps%n", a, sa.data(), sa.model(), sa.step(), sa.maxIters(),
                b, sb.data(), sb.model(), sb.step(), sb.maxIters());
        String note = tokenizerNote(a, new RunDirectory(a).readState(), b, new RunDirectory(b).readState());
        if (note != null) out.println(note);
        out.println();
        String row = "%8s  %10s %10s  %10s %10s%n";
        out.printf(row, "step", "A train", "A val", "B train", "B val");
        byStep.forEach((step, pair) -> out.printf(Locale.ROOT, row, step, f(pair[0], true), f(pair[0], false), f(pair[1], true),
                f(pair[1], false)));
        out.printf(Locale.ROOT, "%nbest val: A %s, B %s%n", best(sa), best(sb));
        if (png != null) {
            List<LossChart.Curve> curves = new ArrayList<>();
            addCurves(curves, "A", ma, new Color(30, 80, 200));
            addCurves(curves, "B", mb, new Color(220, 90, 30));
            var img = LossChart.render("A: " + a.getFileName() + "   B: " + b.getFileName(), curves, 900, 500);
            if (img == null) {
                out.println("no evaluations in either run yet: " + png + " not written");
            } else {
                OutputFiles.writeImage(png, img);
                out.println("wrote " + png);
            }
        }
    }

    /**
     * One line saying that two runs' losses do not compare, when their tokenizers differ: a loss
     * is per token, and a character-level run's 3.1 and a BPE run's 5.4 are per different tokens.
     * Bits per byte do compare, and {@code vecgrad eval} prints them for text runs. Null when the
     * tokenizers are the same (by their hash, so two BPE vocabularies of one size differ too).
     */
    static String tokenizerNote(Path a, RunDirectory.State sa, Path b, RunDirectory.State sb) {
        Tokenizer ta = sa.tokenizer(), tb = sb.tokenizer();
        if (ta.hash().equals(tb.hash())) return null;
        String la = tokenizerLabel(ta), lb = tokenizerLabel(tb);
        String which = la.equals(lb) ? "both " + la + ", with different vocabularies" : "A: " + la + ", B: " + lb;
        String line = "note: A and B use different tokenizers (" + which + "), so these losses (per token) are not comparable";
        // Bits per byte exist only for text: the built-in tasks' tokens are not bytes of a text.
        return isText(sa) && isText(sb) ? line + "; bits per byte are: run "
                + ShellWords.command("eval --checkpoint " + ShellWords.quote(a.toString())) + " and "
                + ShellWords.command("eval --checkpoint " + ShellWords.quote(b.toString())) + "." : line + ".";
    }

    private static boolean isText(RunDirectory.State s) {
        return s.data().path("kind").asText().equals("text");
    }

    /** A tokenizer by its type and vocabulary size: {@code char 65}, {@code bpe 1024}. */
    static String tokenizerLabel(Tokenizer t) {
        return t.type() + " " + t.vocabSize();
    }

    private static String best(Summary s) {
        return Double.isNaN(s.bestVal()) ? "-" : String.format(Locale.ROOT, "%.4f at step %d", s.bestVal(), s.bestStep());
    }

    private static void addCurves(List<LossChart.Curve> curves, String who, List<Metrics> evals, Color c) {
        double[] x = evals.stream().mapToDouble(Metrics::step).toArray();
        curves.add(new LossChart.Curve(who + " val", c, true, 2f, x, evals.stream().mapToDouble(m -> m.eval().valLoss()).toArray()));
        Color light = new Color(c.getRed(), c.getGreen(), c.getBlue(), 110);
        curves.add(new LossChart.Curve(who + " train", light, false, 1.5f, x,
                evals.stream().mapToDouble(m -> m.eval().trainLoss()).toArray()));
    }

    private static List<Metrics> evals(Path run) throws IOException {
        long step = new RunDirectory(run).readState().step();
        return MetricsLog.read(run.resolve(RunDirectory.METRICS)).stream().filter(m -> m.isEval() && m.step() <= step).toList();
    }

    private static String f(Metrics m, boolean train) {
        if (m == null) return "";
        double v = train ? m.eval().trainLoss() : m.eval().valLoss();
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
