package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.OpProfile;
import dev.vecgrad.train.run.GemmPeak;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.dashboard.DashboardServer;
import dev.vecgrad.train.data.TextFiles;
import dev.vecgrad.train.data.TokenArray;
import dev.vecgrad.train.inspect.LossChart;
import dev.vecgrad.train.optim.LrSchedule;
import dev.vecgrad.train.run.AdditionTrainingTask;
import dev.vecgrad.train.run.DataMismatchException;
import dev.vecgrad.train.run.InductionTrainingTask;
import dev.vecgrad.train.run.InvalidConfigException;
import dev.vecgrad.train.run.Metrics;
import dev.vecgrad.train.run.MetricsLog;
import dev.vecgrad.train.run.ModelSettings;
import dev.vecgrad.train.checkpoint.ModelCheckpoint;
import dev.vecgrad.train.run.RunDirectory;
import dev.vecgrad.train.run.RunStatus;
import dev.vecgrad.train.run.TextTask;
import dev.vecgrad.train.run.TrainConfig;
import dev.vecgrad.train.run.TrainingFlops;
import dev.vecgrad.train.run.Trainer;
import dev.vecgrad.train.run.TrainingTask;
import dev.vecgrad.train.tokenizer.BpeTokenizer;
import dev.vecgrad.train.tokenizer.BpeTrainer;
import dev.vecgrad.train.tokenizer.SplitPattern;
import dev.vecgrad.train.tokenizer.Tokenizer;
import dev.vecgrad.train.tokenizer.TokenizerFiles;
import dev.vecgrad.train.tokenizer.TokenizerJson;
import java.io.IOException;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vecgrad train}: the built-in addition task, or a character-level model of a text file. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        header = "Train a GPT: a built-in task, or your own text (--data).",
        description = {"Without --data a GPT learns to add two 2-digit numbers and reports held-out exact-match accuracy.",
            "With --task induction it learns to continue a repeated segment of random tokens, which grows induction heads.",
            "With --data FILE it learns a language model of a UTF-8 text file (90%% train, 10%% validation), character by"
                + " character or, with --tokenizer, on byte-level BPE tokens.",
            "Every flag overrides the preset's value (the presets are listed below)."})
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A JSON object of these flags, e.g. {\"max-iters\": 500, \"lr\": 0.001}; flags given on the command line"
                    + " override it.")
    Path config;

    @Option(names = "--data", paramLabel = "FILE", description = "UTF-8 text to model (character by character unless --tokenizer).")
    Path data;

    @Option(names = "--tokenizer", paramLabel = "FILE|DIR|bpe:N",
            description = "Tokens for --data: char (the default); bpe:N trains an N-token byte-level BPE tokenizer on the"
                    + " training split first; or a tokenizer file (tokenizer.json, .tiktoken, or vocab.json with merges.txt"
                    + " beside it) or a directory of them.")
    String tokenizer;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "tiny, shakespeare-char (default with --data) or baby-gpt for text; addition and induction"
                    + " (the built-in tasks' defaults); flags override its values. The table below lists them.")
    String preset;

    @Option(names = "--task", paramLabel = "NAME",
            description = "Built-in task without --data: addition (default) or induction (random tokens with a repeated"
                    + " segment, loss on the second copy: grows induction heads).")
    String taskName;

    @Option(names = "--vocab", paramLabel = "N", defaultValue = "" + InductionTrainingTask.DEFAULT_VOCAB,
            description = "Distinct tokens for --task induction, 2..62 (default: ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--digits", paramLabel = "N", defaultValue = "2",
            description = "Digits per operand for the built-in addition task (default: ${DEFAULT-VALUE}).")
    int digits;

    @Mixin TrainOptions hyper;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: a new directory under runs/).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run saved in DIR (same configuration and data).")
    Path resume;

    @Option(names = "--init-from", paramLabel = "MODEL", description = "Fine-tune a model on --data: a Hugging Face GPT-2 folder,"
            + " or a vecgrad run (its directory, best/ or model file); its weights, architecture and tokenizer; --block-size may crop"
            + " its positions (default recipe: block 256, batch 4, 20 steps at lr 3e-5).")
    Path initFrom;

    @Mixin ThreadsOption threads;

    @Option(names = "--keep", paramLabel = "WHICH",
            description = "last (default): the checkpoint follows every evaluation; best: it is replaced only when the"
                    + " validation loss improves; both: the last, plus the best weights in DIR/best.")
    String keep;

    @Option(names = "--no-progress", description = "Print only a line per evaluation: no progress bar on a terminal,"
            + " no step line every " + (int) Progress.LINE_SECONDS + " s when the output goes to a file or pipe.")
    boolean noProgress;

    @Option(names = "--log-grad-norms", description = "Log each layer's gradient norm and update/weight ratio in metrics.jsonl.")
    boolean logGradNorms;

    @Option(names = "--profile", description = "Time and allocation per op (forward and backward), optimizer and"
            + " clipping over the training steps after the first 3; printed at the end and written to profile.txt.")
    boolean profile;

    @Option(names = "--detect-anomaly", description = "Check every op's output and gradients for NaN/Inf and name the first"
            + " op that produces one, with its shapes (slower; for debugging a diverging run).")
    boolean detectAnomaly;

    /** What {@code --config} set, saved into {@code state.json}; null without a config file. */
    private Map<String, Object> configValues;

    @Option(names = "--dashboard", description = "Serve the dashboard (as the dashboard command does) over the run's parent directory"
            + " while training.")
    boolean dashboard;

    @Option(names = "--dashboard-port", paramLabel = "N", defaultValue = "6006",
            description = "Port of --dashboard; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int dashboardPort;

    @Override
    public Integer call() throws Exception {
        try {
            return train();
        } catch (InvalidConfigException e) {
            // The library names TrainConfig's fields; say it with this command's flags.
            throw new ParameterException(spec.commandLine(), TrainOptions.inFlags(e));
        }
    }

    private Integer train() throws Exception {
        if (config != null) configValues = ConfigFile.apply(spec, config, Set.of("--config"));
        threads.apply();
        if (data == null && (digits < 1 || digits > 6)) throw new ParameterException(spec.commandLine(), "--digits must be 1..6, got " + digits);
        if (dashboardPort < 0 || dashboardPort > 65535) {
            throw new ParameterException(spec.commandLine(), "--dashboard-port must be 0..65535, got " + dashboardPort);
        }
        if (data != null && !Files.exists(data)) throw new ParameterException(spec.commandLine(), "--data " + data + ": no such file");
        Trainer.Keep keepMode = keep == null ? null : switch (keep.toLowerCase(java.util.Locale.ROOT)) {
            case "last" -> Trainer.Keep.LAST;
            case "best" -> Trainer.Keep.BEST;
            case "both" -> Trainer.Keep.BOTH;
            default -> throw new ParameterException(spec.commandLine(), "--keep " + keep + ": expected last, best or both");
        };
        Trainer trainer;
        Path dir;
        boolean fresh = false;   // this command makes the run directory (so it removes it if the run fails at start)
        Map<String, Object> info = new LinkedHashMap<>();
        if (resume != null) {
            if (!RunDirectory.isRun(resume)) {
                throw new ParameterException(spec.commandLine(), "--resume " + resume + ": " + noCheckpoint(resume));
            }
            if (initFrom != null) {
                throw new ParameterException(spec.commandLine(), "--init-from starts a new run and --resume continues one; give one of them");
            }
            if (out != null && !out.toAbsolutePath().normalize().equals(resume.toAbsolutePath().normalize())) {
                throw new ParameterException(spec.commandLine(), "--out cannot differ from --resume (the run continues in place)");
            }
            RunDirectory run = new RunDirectory(resume);
            try (RunDirectory.Lock l = run.lock()) {
                run.recover();   // finishes a checkpoint that a crash interrupted
            }
            RunDirectory.State saved = run.readState();
            if (tokenizer != null) {
                if (tokenizer.startsWith("bpe:")) {
                    throw new ParameterException(spec.commandLine(), "--tokenizer " + tokenizer + " trains a new tokenizer; "
                            + "a resumed run keeps its own (leave --tokenizer out)");
                }
                Tokenizer given = loadTokenizer(null, null);
                if (saved.tokenizer() == null || !given.hash().equals(saved.tokenizer().hash())) {
                    throw new ParameterException(spec.commandLine(), "--tokenizer " + tokenizer + " differs from the run's "
                            + "tokenizer (" + (saved.tokenizer() == null ? "none" : saved.tokenizer().describe())
                            + "); a run resumes with the tokenizer it was trained with");
                }
            }
            TrainConfig cfg = hyper.anySet() ? hyper.applyToSaved(saved.config()) : null;
            if (hyper.maxIters != null && hyper.maxIters < saved.step()) {
                throw new ParameterException(spec.commandLine(), "--max-iters " + hyper.maxIters + " is below the " + saved.step()
                        + " steps " + resume + " has already trained (--max-iters must be at least " + saved.step() + ")");
            }
            TrainingTask task;
            try {
                // The run's own file too, when not given: it may have been edited since.
                saved.requireSameText(data != null ? data : Path.of(saved.data().path("path").asText("")));
                task = saved.task(data, cacheDir(resume));
                trainer = run.resume(cfg, task);
            } catch (DataMismatchException e) {
                // Without --data the run's own file was read: it changed, and the message names it.
                if (data == null) throw e;
                throw new ParameterException(spec.commandLine(), "--data " + e.getMessage());
            }
            dir = resume;
            // What the run recorded about itself (its config file, --keep) stays, unless given anew.
            run.readRunInfo().forEach(info::put);
            if (keepMode == null && info.get("keep") instanceof com.fasterxml.jackson.databind.JsonNode k) {
                keepMode = switch (k.asText()) {
                    case "best" -> Trainer.Keep.BEST;
                    case "both" -> Trainer.Keep.BOTH;
                    default -> Trainer.Keep.LAST;
                };
            }
            if (trainer.step() >= trainer.config().maxIters() && saved.config().maxIters() > trainer.step()) {
                // --max-iters equal to the steps done: nothing to train, and the run keeps its plan.
                spec.commandLine().getOut().printf("vecgrad train: %s has trained %d steps, which --max-iters %d asks for; nothing to do"
                        + " (its plan of %d steps stays for a later --resume)%n", resume, trainer.step(), trainer.step(),
                        saved.config().maxIters());
                spec.commandLine().getOut().flush();
                return 0;
            }
            if (trainer.step() >= trainer.config().maxIters()) {
                spec.commandLine().getOut().printf("vecgrad train: %s already finished its %d steps; nothing to do"
                        + " (--max-iters N with N above %d trains it further)%n", resume, trainer.step(), trainer.step());
                spec.commandLine().getOut().flush();
                return 0;
            }
        } else if (initFrom != null) {
            if (data == null) throw new ParameterException(spec.commandLine(), "--init-from needs --data FILE (the text to fine-tune on)");
            if (preset != null) throw new ParameterException(spec.commandLine(), "--init-from and --preset exclude each other");
            if (tokenizer != null) {
                throw new ParameterException(spec.commandLine(), "--init-from uses the folder's own tokenizer; leave out --tokenizer");
            }
            CheckpointOption.requireExists(spec, "--init-from", initFrom);
            dir = out != null ? out : defaultOut();
            OutputFiles.checkDirectory(spec, "--out", dir);
            fresh = !Files.exists(dir);
            trainer = FineTune.trainer(initFrom, data, hyper, cacheDir(dir));
            if (RunDirectory.isRun(dir) || Files.exists(dir.resolve("model.safetensors"))) {
                throw new ParameterException(spec.commandLine(), "--out " + dir + " already holds a run; use --resume "
                        + dir + " to continue it, or choose another --out");
            }
        } else {
            if (data == null && tokenizer != null) {
                throw new ParameterException(spec.commandLine(), "--tokenizer needs --data (the built-in tasks have their own)");
            }
            if (data != null && taskName != null) {
                throw new ParameterException(spec.commandLine(), "--task and --data exclude each other (--data trains on a text file)");
            }
            String tn = taskName == null ? "addition" : taskName;
            if (!tn.equals("addition") && !tn.equals("induction")) {
                throw new ParameterException(spec.commandLine(), "--task " + tn + ": unknown task (expected addition or induction)");
            }
            dir = out != null ? out : defaultOut();
            OutputFiles.checkDirectory(spec, "--out", dir);
            fresh = !Files.exists(dir);
            if (RunDirectory.isRun(dir) || Files.exists(dir.resolve("model.safetensors"))) {
                throw new ParameterException(spec.commandLine(), "--out " + dir + " already holds a run; use --resume "
                        + dir + " to continue it, or choose another --out");
            }
            TrainingTask task = data == null
                    ? (tn.equals("induction") ? new InductionTrainingTask(vocab) : AdditionTrainingTask.standard(digits))
                    : tokenizer == null || tokenizer.equals("char") ? TextTask.load(data, null)
                    : TextTask.load(data, loadTokenizer(data, dir), cacheDir(dir));
            TrainConfig cfg = hyper.applyTo(base());
            if (task instanceof AdditionTrainingTask a && cfg.model().blockSize() != a.requiredBlockSize() && hyper.blockSize == null) {
                cfg = hyper.applyTo(cfg.withModel(cfg.model().withBlockSize(a.requiredBlockSize())));
            }
            trainer = new Trainer(cfg, task);
        }
        if (keepMode == null) keepMode = Trainer.Keep.LAST;
        if (configValues != null) info.put("config_file", Map.of("path", config.toString(), "values", configValues));
        info.put("keep", keepMode.name().toLowerCase(java.util.Locale.ROOT));
        trainer.runInfo().putAll(info);
        trainer.setKeep(keepMode);
        trainer.setGemmPeakProbe(GemmPeak::measure);
        trainer.setLogGradNorms(logGradNorms);
        trainer.setDetectAnomaly(detectAnomaly);
        try {
            if (!dashboard) return run(trainer, dir);
            Path parent = dir.toAbsolutePath().normalize().getParent();
            Files.createDirectories(parent);
            try (DashboardServer server = DashboardCommand.start(spec, new DashboardServer.Options(parent, "127.0.0.1", dashboardPort, 1024),
                    "--dashboard-port")) {
                spec.commandLine().getOut().printf("dashboard: %s#/run/%s (while the run trains; afterwards: %s)%n",
                        server.url(), dir.getFileName(), ShellWords.command("dashboard --runs " + ShellWords.quote(parent.toString())));
                return run(trainer, dir);
            }
        } catch (Exception | Error e) {
            // A run that failed before its first checkpoint leaves no half-made directory behind.
            if (fresh) removeUnfinished(dir);
            throw e;
        }
    }

    /**
     * Why {@code --resume dir} finds nothing to continue in a directory without a checkpoint: it is
     * missing, a file, a directory of runs, a run still training towards its first checkpoint, one
     * that stopped (or was killed) before it, or something else. These used to share one message,
     * "not a run directory", which says nothing about what to do.
     */
    static String noCheckpoint(Path dir) throws IOException {
        if (!Files.exists(dir)) return "no such directory";
        if (!Files.isDirectory(dir)) return "is a file; --resume takes a run's directory";
        String parent = ModelCheckpoint.parentOfRuns(dir);
        if (parent != null) return parent;
        // What a trainer writes into its directory before the first checkpoint (state.json).
        boolean started = Files.exists(dir.resolve(".lock")) || Files.exists(dir.resolve(RunDirectory.METRICS))
                || Files.exists(dir.resolve(RunStatus.FILE));
        if (!started) return "not a run directory (no state.json)";
        RunStatus status;
        try {
            status = RunStatus.read(dir);
        } catch (IOException e) {
            status = null;   // a malformed status says nothing; the lock still does
        }
        String at = status == null ? "" : " (at step " + status.step() + " of " + status.maxIters() + ")";
        if (RunsCommand.inUse(new RunDirectory(dir)) || status != null && status.effectiveState() == RunStatus.State.RUNNING) {
            return "the run is still training" + at + " and has not saved its first checkpoint yet (it saves one at each"
                    + " evaluation, and on Ctrl-C); resume it once it has stopped";
        }
        boolean killed = status != null && status.state() == RunStatus.State.RUNNING;
        return "the run " + (killed ? "was killed" : "stopped") + at + " before its first checkpoint, so there is nothing to"
                + " resume; start it again with its flags and --out " + dir + " (--out reuses a directory without a checkpoint)";
    }

    /** Deletes a run directory this command created when it holds no checkpoint (only the lock, log, chart and status). */
    private static void removeUnfinished(Path dir) {
        if (RunDirectory.isRun(dir)) return;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f) && (n.equals(".lock") || n.equals(RunDirectory.METRICS) || n.equals("loss.png")
                        || n.equals("profile.txt") || n.equals("status.json") || n.endsWith(".tmp") || n.endsWith(".next"))) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);   // only when nothing else is left in it
        } catch (IOException e) {
            // best effort: the error that stopped the run matters more
        }
    }

    /**
     * The tokenizer of {@code --tokenizer}: files are read; {@code bpe:N} trains one on the first
     * 90% of {@code data} (the training split, so validation text stays unseen) and writes it to
     * {@code dir/tokenizer.json} as well.
     */
    private Tokenizer loadTokenizer(Path data, Path dir) throws IOException {
        var w = spec.commandLine().getOut();
        if (tokenizer.startsWith("bpe:")) {
            int n;
            try {
                n = Integer.parseInt(tokenizer.substring(4));
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--tokenizer " + tokenizer + ": expected bpe:N with N a number");
            }
            if (n < 257 || n > TokenArray.MAX_VOCAB) {
                throw new ParameterException(spec.commandLine(), "--tokenizer bpe:N needs 257 <= N <= " + TokenArray.MAX_VOCAB
                        + ", got " + n);
            }
            String text = TextFiles.readText(data).text();
            int cut = (int) (text.length() * 0.9);
            if (cut > 0 && Character.isHighSurrogate(text.charAt(cut - 1))) cut--;
            w.printf("training a %,d-token BPE tokenizer (gpt2 pattern) on the first 90%% of %s ...%n", n, data.getFileName());
            w.flush();
            long t0 = System.nanoTime();
            BpeTokenizer t = BpeTrainer.train(text.substring(0, cut), n, SplitPattern.GPT2, List.of(), Parallel.threads(), null);
            Files.createDirectories(dir);
            TokenizerJson.write(dir.resolve(TokenizerFiles.TOKENIZER_JSON), t);
            w.printf("tokenizer: %s, trained in %.1f s, written to %s%n", t.describe(), (System.nanoTime() - t0) / 1e9,
                    dir.resolve(TokenizerFiles.TOKENIZER_JSON));
            w.flush();
            return t;
        }
        Path p = Path.of(tokenizer);
        if (!Files.exists(p)) {
            throw new ParameterException(spec.commandLine(), "--tokenizer " + tokenizer + ": no such file or directory "
                    + "(expected a tokenizer file or directory, bpe:N or char)");
        }
        return TokenizerOption.load(p, "--init-from " + p + " to go on from it, tokenizer and all");
    }

    /**
     * Where token ids are cached: {@code token-cache/} beside the run directory, so every run
     * under the same parent (e.g. {@code runs/}) with the same data and tokenizer reuses them.
     */
    static Path cacheDir(Path runDir) {
        Path parent = runDir.toAbsolutePath().normalize().getParent();
        return (parent != null ? parent : runDir.toAbsolutePath()).resolve("token-cache");
    }

    /** The preset a new run starts from: --preset, else the default for --data or the task. */
    private String baseName() {
        return preset != null ? preset : data != null ? "shakespeare-char" : "induction".equals(taskName) ? "induction" : "addition";
    }

    /** A warmup that leaves most of an {@code n}-step run to the decay: a tenth of it, at least 1 (0 for a single step). */
    static int suggestedWarmup(int n) {
        return n >= 2 ? Math.max(1, n / 10) : 0;
    }

    private TrainConfig base() {
        String name = baseName();
        if (!TrainConfig.PRESETS.contains(name)) {
            throw new ParameterException(spec.commandLine(), "--preset " + name + ": " + unknownPreset(name, data != null));
        }
        return TrainConfig.preset(name, digits);
    }

    /**
     * An unknown preset, with the likely one and the presets there are. Every preset runs with every
     * task (they only set sizes and the schedule), but with --data the three made for text come
     * first: addition and induction are sized for the built-in tasks (block 8 and 32).
     */
    static String unknownPreset(String name, boolean text) {
        List<String> near = Spelling.closeNames(name, TrainConfig.PRESETS);
        String guess = near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near.stream().map(n -> "'" + n + "'").toList()) + "?";
        String expected = text ? "tiny, shakespeare-char or baby-gpt; addition and induction, sized for the built-in tasks, also run"
                : String.join(", ", TrainConfig.PRESETS.subList(0, TrainConfig.PRESETS.size() - 1)) + " or "
                        + TrainConfig.PRESETS.get(TrainConfig.PRESETS.size() - 1);
        return "unknown preset '" + name + "'" + guess + " (expected " + expected + ")";
    }

    /**
     * The help page's footer: each preset's values, so that what a flag overrides is visible, and
     * how often the run evaluates.
     */
    static String[] presetFooter() {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("Presets (default: addition; --task induction; --data: shakespeare-char):");
        String row = "  %-16s %6s %5s %5s %5s %5s %5s %5s %6s %7s";
        lines.add(String.format(Locale.ROOT, row, "preset", "layers", "heads", "width", "block", "batch", "steps", "lr",
                "warmup", "eval"));
        for (String name : TrainConfig.PRESETS) {
            TrainConfig c = TrainConfig.preset(name, 2);
            lines.add(String.format(Locale.ROOT, row, name, c.model().nLayer(), c.model().nHead(),
                    c.model().nEmbd(), c.model().blockSize(),
                    c.gradAccum() > 1 ? c.batchSize() + "x" + c.gradAccum() : String.valueOf(c.batchSize()), c.maxIters(),
                    String.format(Locale.ROOT, "%.0e", c.optimizer().lr()).replace("e-0", "e-"), c.optimizer().warmupIters(),
                    c.eval().interval() + "/" + c.eval().iters()));
        }
        lines.add("eval N/B: every N steps (and at the end) the run evaluates the mean loss of B");
        lines.add("batches per split (--eval-interval, --eval-iters) and saves a checkpoint.");
        lines.add("batch BxN: N accumulated micro-batches of B sequences (--grad-accum); on two");
        lines.add("or more threads they run at once, one per thread, with the same results.");
        lines.add("All presets: AdamW with betas 0.9 and 0.99, weight decay 0.1, cosine decay");
        lines.add("to --min-lr at --max-iters, gradient clip 1; baby-gpt has dropout 0.2.");
        return lines.stream().map(l -> l.replace("%", "%%")).toArray(String[]::new);
    }

    private Path defaultOut() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String what = data != null ? data.getFileName().toString().replaceAll("\\.[^.]*$", "")
                : taskName != null ? taskName : "addition";
        return Path.of("runs", stamp + "-" + what);
    }

    private int run(Trainer trainer, Path dir) throws IOException {
        var out = spec.commandLine().getOut();
        TrainConfig c = trainer.config();
        ModelSettings ms = c.model();
        // With no --data and no --task the built-in task runs; say so, since a preset from the
        // "your own text" table (--preset tiny) is a natural first try and trains on addition then.
        boolean builtIn = data == null && taskName == null && initFrom == null && resume == null;
        out.printf("vecgrad train: %s%s%n", trainer.task().describe(), builtIn ? " (the built-in task; --data FILE trains on your text)" : "");
        String batch = c.gradAccum() > 1 ? c.batchSize() + " x " + c.gradAccum() + " accumulated" : String.valueOf(c.batchSize());
        out.printf("model: %s, %s, %d wide, block %d, %,d parameters; batch %s (%,d tokens a step), %s, %d thread%s%n",
                SummaryCommand.count(ms.nLayer(), "layer"), SummaryCommand.count(ms.nHead(), "head"), ms.nEmbd(), ms.blockSize(), trainer.model().numParameters(), batch,
                (long) c.batchSize() * c.gradAccum() * ms.blockSize(), steps(c.maxIters()), Parallel.threads(), Parallel.threads() == 1 ? "" : "s");
        out.printf("evaluation: %s, %d batches per split%s; checkpoints: %s%n", evaluationSchedule(c.eval().interval(), c.maxIters()),
                c.eval().iters(), hyper.evalScaled ? " (fewer for a run shorter than the preset's; --eval-iters sets it)" : "",
                switch (trainer.keep()) {
                    case LAST -> "the last";
                    case BEST -> "the best (lowest val loss)";
                    case BOTH -> "the last, and the best in best/";
                });
        int warmup = c.optimizer().warmupIters();
        if (warmup >= c.maxIters() && warmup > 0 && hyper.warmupIters == null && resume == null) {
            // A preset's warmup outlasts a short run (shakespeare-char's 100 steps, --max-iters 30): a new
            // run shortens it to end with the run (see TrainOptions), so the rate climbs the whole time and
            // never decays. A resumed run's warmup cannot change, so it gets no advice.
            String source = initFrom != null ? "the fine-tuning recipe's" : "preset " + baseName() + "'s";
            String what = hyper.warmupShortenedFrom != null
                    ? String.format(Locale.ROOT, "%s warmup of %d steps was shortened to this run's %d (and stays %d if the run"
                            + " is resumed or extended)", source, hyper.warmupShortenedFrom, warmup, warmup)
                    : String.format(Locale.ROOT, "%s warmup of %d steps outlasts this %s run", source, warmup,
                            c.maxIters() == 1 ? "1-step" : c.maxIters() + "-step");
            float last = LrSchedule.warmupCosine(c.optimizer().lr(), c.optimizer().minLr(), warmup,
                    c.optimizer().lrDecayIters()).lr(c.maxIters() - 1);
            out.printf(Locale.ROOT, "note: %s, so the learning rate climbs to %.2e at the last step, short of --lr %s, and never"
                    + " decays; a shorter --warmup-iters (e.g. %d) leaves the remaining steps to the cosine decay%n", what, last,
                    c.optimizer().lr(), suggestedWarmup(c.maxIters()));
        }
        if (trainer.task() instanceof InductionTrainingTask ind) {
            // heads scores its own probe (--sequences, --seed), so its numbers differ from these by sampling.
            out.printf("induction score (each evaluation): the best head's, on a fixed training probe of %s; heads draws"
                    + " its own probe (--seed), so its scores differ%n", ind.describeProbe(ms.blockSize()));
        }
        out.printf("run directory: %s%s%n", dir, trainer.step() > 0 ? " (resuming at step " + trainer.step() + ")" : "");
        out.println(MemoryReport.plan(trainer.model().numParameters()));
        out.printf(java.util.Locale.ROOT, "training FLOPs: %.2f MFLOP per token (6N + 12LTC); MFU = their FLOP/s as a share"
                + " of a %d^3 GEMM's, measured after the warm-up steps%n",
                TrainingFlops.perToken(trainer.model().config(), trainer.model().config().blockSize()) / 1e6, GemmPeak.SIZE);
        out.flush();
        Progress progress = new Progress(c.maxIters(), trainer.step(), noProgress ? Progress.Mode.QUIET
                : System.console() != null ? Progress.Mode.BAR : Progress.Mode.LINES, out,
                trainer.task() instanceof AdditionTrainingTask, dir,
                trainer.task() instanceof TextTask t ? t.bytesPerToken() : Double.NaN);
        CountDownLatch finished = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        Thread hook = new Thread(() -> {
            interrupted.set(true);
            progress.stopping();
            trainer.requestStop();
            try {
                finished.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        HostLoad load = HostLoad.start();
        OpProfile prof = profile ? new OpProfile() : null;
        long profileFrom = trainer.step() + 3;   // leave JIT warm-up out, as tokens/s does
        Trainer.Listener listener = !profile ? progress : new Trainer.Listener() {
            @Override
            public void onStep(Metrics m) {
                if (m.step() == profileFrom) trainer.setProfile(prof);
                progress.onStep(m);
            }

            @Override
            public void onEval(Metrics m) {
                progress.onEval(m);
            }

            @Override
            public void onCheckpoint(Path d, long step) {
                progress.onCheckpoint(d, step);
            }
        };
        try {
            trainer.run(dir, listener);
        } finally {
            progress.close();
            if (interrupted.get()) {
                // Printed before releasing the hook: once it returns the JVM halts (with status 130 for SIGINT).
                out.printf("interrupted: checkpoint saved at step %d in %s%ncontinue it with: %s%n",
                        trainer.step(), dir, ShellWords.command("train --resume " + ShellWords.quote(dir.toString())));
                out.flush();
            }
            finished.countDown();
        }
        if (interrupted.get()) return 130;
        Runtime.getRuntime().removeShutdownHook(hook);
        if (prof != null && trainer.step() > profileFrom) {
            int steps = (int) (trainer.step() - profileFrom);
            int atOnce = trainer.microBatchesAtOnce();
            String table = String.format("profile of %d steps (%d threads), per op; forward times include the module code"
                    + " around each op%s%n", steps, Parallel.threads(), atOnce < 2 ? ""
                    : "; " + atOnce + " micro-batches ran at once, one per thread, so their ops' times add up"
                    + " those threads' time") + prof.table(steps);
            out.print(table);
            OutputFiles.writeString(dir.resolve("profile.txt"), table);
        } else if (prof != null) {
            out.printf("profile: no step to show: --profile leaves out a run's first 3 steps (the JIT's warm-up),"
                    + " and this one trained %s; train 4 or more%n", steps(trainer.step() - (profileFrom - 3)));
        }
        LossChart.write(dir.resolve("loss.png"), MetricsLog.read(dir.resolve(RunDirectory.METRICS)), "vecgrad: " + dir.getFileName());
        if (!Double.isNaN(trainer.gemmPeakGflops())) {
            out.printf(java.util.Locale.ROOT, "GEMM peak here: %.1f GFLOP/s (%d^3 NN, %d threads; the MFU reference)%n",
                    trainer.gemmPeakGflops(), GemmPeak.SIZE, Parallel.threads());
        }
        String busy = HostLoad.note(load.othersShare(), Runtime.getRuntime().availableProcessors(), "the tokens/s and MFU above");
        if (busy != null) out.println(busy);
        if (trainer.keep() == Trainer.Keep.LAST) {
            out.printf("done: %s; checkpoint in %s%n", steps(trainer.step()), dir);
        } else {
            out.printf(java.util.Locale.ROOT, "done: %s; the best weights (val loss %.4f) in %s%n", steps(trainer.step()),
                    trainer.bestValLoss(), dir.resolve(RunDirectory.BEST));
        }
        out.println(MemoryReport.peak());
        String checkpoint = ShellWords.quote(dir.toString());
        if (trainer.task() instanceof AdditionTrainingTask add) {
            // A problem in the trained format: operands zero-padded to the model's digit count.
            int digits = add.problems().digits();
            String problem = digits == 1 ? add.problems().prompt(3, 4) : add.problems().prompt(12, 34);
            out.printf("try it: %s%n", ShellWords.command("sample --checkpoint " + checkpoint + " --prompt '" + problem + "' --temperature 0"));
        } else if (trainer.task() instanceof InductionTrainingTask) {
            out.printf("find its induction heads: %s%n", ShellWords.command("heads --checkpoint " + checkpoint));
        } else {
            // A prompt from the text itself: its characters are in a char model's vocabulary,
            // where a fixed one (this used to say 'ROMEO:') fails on any text without them.
            String prompt = trainer.task() instanceof TextTask t ? openingWords(t.file()) : "";
            out.printf("sample from it: %s%n", ShellWords.command("sample --checkpoint " + checkpoint
                    + (prompt.isEmpty() ? "" : " --prompt " + ShellWords.quote(prompt))));
        }
        return 0;
    }

    /** Longest prompt {@link #openingWords} suggests, in characters. */
    static final int PROMPT_CHARS = 24;

    /**
     * The first words of a text's first non-blank line, at most {@link #PROMPT_CHARS} characters
     * cut at a space where there is one ("" when the file cannot be read or starts with no such
     * line in its first 4 KB).
     */
    static String openingWords(Path file) {
        byte[] head;
        try (var in = Files.newInputStream(file)) {
            head = in.readNBytes(4096);
        } catch (IOException e) {
            return "";
        }
        // Cut the bytes at a line end so that a character split at 4096 is never decoded.
        int end = head.length;
        while (end > 0 && head[end - 1] != '\n') end--;
        String text = new String(head, 0, end == 0 ? head.length : end, java.nio.charset.StandardCharsets.UTF_8);
        String line = text.replace("\uFEFF", "").replace('\uFFFD', ' ').lines().map(String::strip)
                .filter(l -> !l.isEmpty()).findFirst().orElse("");
        if (line.codePointCount(0, line.length()) <= PROMPT_CHARS) return line;
        String cut = line.substring(0, line.offsetByCodePoints(0, PROMPT_CHARS));
        int space = cut.lastIndexOf(' ');
        return (space > 0 ? cut.substring(0, space) : cut).strip();
    }

    /**
     * When a run evaluates, as its header says: every {@code interval} steps and at the last
     * (the trainer's rule), which for an interval as long as the run or longer is the last alone.
     */
    static String evaluationSchedule(int interval, int maxIters) {
        return interval >= maxIters ? "at the end" : "every " + steps(interval) + " and at the end";
    }

    /** "1 step", "20 steps". */
    private static String steps(long n) {
        return n == 1 ? "1 step" : n + " steps";
    }
}
