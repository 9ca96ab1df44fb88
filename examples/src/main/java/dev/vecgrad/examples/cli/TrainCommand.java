package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.OpProfile;
import dev.vecgrad.train.run.GemmPeak;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.dashboard.DashboardServer;
import dev.vecgrad.train.inspect.LossChart;
import dev.vecgrad.train.run.AdditionTrainingTask;
import dev.vecgrad.train.run.InvalidConfigException;
import dev.vecgrad.train.run.Metrics;
import dev.vecgrad.train.run.MetricsLog;
import dev.vecgrad.train.run.ModelSettings;
import dev.vecgrad.train.run.RunDirectory;
import dev.vecgrad.train.run.TextTask;
import dev.vecgrad.train.run.TrainConfig;
import dev.vecgrad.train.run.TrainingFlops;
import dev.vecgrad.train.run.Trainer;
import dev.vecgrad.train.run.TrainingTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        header = "Train a GPT: the built-in addition task, or your own text (--data).",
        description = {"Without --data a GPT learns to add two 2-digit numbers and reports held-out exact-match accuracy.",
            "With --data FILE it learns a character-level model of a UTF-8 text file (90%% train, 10%% validation).",
            "Every flag overrides the preset's value (the presets are listed below)."})
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE", description = "UTF-8 text to model, character by character.")
    Path data;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "tiny, shakespeare-char (default with --data) or baby-gpt; flags override its values.")
    String preset;

    @Option(names = "--digits", paramLabel = "N", defaultValue = "2",
            description = "Digits per operand for the built-in addition task (default: ${DEFAULT-VALUE}).")
    int digits;

    @Mixin TrainOptions hyper;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: a new directory under runs/).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run saved in DIR (same configuration and data).")
    Path resume;

    @Mixin ThreadsOption threads;

    @Option(names = "--no-progress", description = "Print a line per evaluation instead of a progress bar.")
    boolean noProgress;

    @Option(names = "--log-grad-norms", description = "Log each layer's gradient norm and update/weight ratio in metrics.jsonl.")
    boolean logGradNorms;

    @Option(names = "--profile", description = "Time and allocation per op (forward and backward), optimizer and"
            + " clipping over the training steps after the first 3; printed at the end and written to profile.txt.")
    boolean profile;

    @Option(names = "--detect-anomaly", description = "Check every op's output and gradients for NaN/Inf and name the first"
            + " op that produces one, with its shapes (slower; for debugging a diverging run).")
    boolean detectAnomaly;

    @Option(names = "--dashboard", description = "Serve the dashboard (see 'vecgrad dashboard') over the run's parent directory"
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
        threads.apply();
        if (data == null && (digits < 1 || digits > 6)) throw new ParameterException(spec.commandLine(), "--digits must be 1..6, got " + digits);
        if (data != null && !Files.exists(data)) throw new ParameterException(spec.commandLine(), "--data " + data + ": no such file");
        Trainer trainer;
        Path dir;
        if (resume != null) {
            if (!RunDirectory.isRun(resume)) {
                throw new ParameterException(spec.commandLine(), "--resume " + resume + ": not a run directory (no state.json)");
            }
            if (out != null && !out.toAbsolutePath().normalize().equals(resume.toAbsolutePath().normalize())) {
                throw new ParameterException(spec.commandLine(), "--out cannot differ from --resume (the run continues in place)");
            }
            RunDirectory run = new RunDirectory(resume);
            try (RunDirectory.Lock l = run.lock()) {
                run.recover();   // finishes a checkpoint that a crash interrupted
            }
            RunDirectory.State saved = run.readState();
            TrainingTask task = saved.task(data);
            TrainConfig cfg = hyper.anySet() ? hyper.applyToSaved(saved.config()) : null;
            trainer = run.resume(cfg, task);
            dir = resume;
        } else {
            TrainingTask task = data == null ? AdditionTrainingTask.standard(digits) : TextTask.load(data, null);
            TrainConfig cfg = hyper.applyTo(base());
            if (task instanceof AdditionTrainingTask a && cfg.model().blockSize() != a.requiredBlockSize() && hyper.blockSize == null) {
                cfg = hyper.applyTo(cfg.withModel(cfg.model().withBlockSize(a.requiredBlockSize())));
            }
            trainer = new Trainer(cfg, task);
            dir = out != null ? out : defaultOut();
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new ParameterException(spec.commandLine(), "--out " + dir + ": is a file, not a directory");
            }
            if (RunDirectory.isRun(dir) || Files.exists(dir.resolve("model.safetensors"))) {
                throw new ParameterException(spec.commandLine(), "--out " + dir + " already holds a run; use --resume "
                        + dir + " to continue it, or choose another --out");
            }
        }
        trainer.setGemmPeakProbe(GemmPeak::measure);
        trainer.setLogGradNorms(logGradNorms);
        trainer.setDetectAnomaly(detectAnomaly);
        if (!dashboard) return run(trainer, dir);
        Path parent = dir.toAbsolutePath().normalize().getParent();
        Files.createDirectories(parent);
        try (DashboardServer server = DashboardCommand.start(spec, new DashboardServer.Options(parent, "127.0.0.1", dashboardPort, 1024))) {
            spec.commandLine().getOut().printf("dashboard: %s#/run/%s (while the run trains; afterwards: ./vecgrad dashboard --runs %s)%n",
                    server.url(), dir.getFileName(), parent);
            return run(trainer, dir);
        }
    }

    private TrainConfig base() {
        String name = preset != null ? preset : (data == null ? "addition" : "shakespeare-char");
        return switch (name) {
            case "addition" -> TrainConfig.addition(digits);
            case "tiny" -> TrainConfig.tiny();
            case "shakespeare-char" -> TrainConfig.shakespeareChar();
            case "baby-gpt" -> TrainConfig.babyGpt();
            default -> throw new ParameterException(spec.commandLine(), "--preset " + name
                    + ": unknown preset (expected tiny, shakespeare-char or baby-gpt)");
        };
    }

    /**
     * The help page's footer: each preset's values, so that what a flag overrides is visible, and
     * how often the run evaluates.
     */
    static String[] presetFooter() {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("Presets (default: addition; with --data: shakespeare-char):");
        String row = "  %-16s %6s %5s %5s %5s %5s %5s %5s %6s %7s";
        lines.add(String.format(Locale.ROOT, row, "preset", "layers", "heads", "width", "block", "batch", "steps", "lr",
                "warmup", "eval"));
        Map<String, TrainConfig> presets = new LinkedHashMap<>();
        presets.put("addition", TrainConfig.addition(2));
        presets.put("tiny", TrainConfig.tiny());
        presets.put("shakespeare-char", TrainConfig.shakespeareChar());
        presets.put("baby-gpt", TrainConfig.babyGpt());
        presets.forEach((name, c) -> lines.add(String.format(Locale.ROOT, row, name, c.model().nLayer(), c.model().nHead(),
                c.model().nEmbd(), c.model().blockSize(), c.batchSize(), c.maxIters(),
                String.format(Locale.ROOT, "%.0e", c.optimizer().lr()).replace("e-0", "e-"), c.optimizer().warmupIters(),
                c.eval().interval() + "/" + c.eval().iters())));
        lines.add("eval N/B: every N steps (and at the end) the run evaluates the mean loss of B");
        lines.add("batches per split (--eval-interval, --eval-iters) and saves a checkpoint.");
        lines.add("All presets: AdamW with betas 0.9 and 0.99, weight decay 0.1, cosine decay");
        lines.add("to --min-lr at --max-iters, gradient clip 1; baby-gpt has dropout 0.2.");
        return lines.stream().map(l -> l.replace("%", "%%")).toArray(String[]::new);
    }

    private Path defaultOut() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String what = data == null ? "addition" : data.getFileName().toString().replaceAll("\\.[^.]*$", "");
        return Path.of("runs", stamp + "-" + what);
    }

    private int run(Trainer trainer, Path dir) throws IOException {
        var out = spec.commandLine().getOut();
        TrainConfig c = trainer.config();
        ModelSettings ms = c.model();
        out.printf("vecgrad train: %s%n", trainer.task().describe());
        out.printf("model: %d layers, %d heads, %d wide, block %d, %,d parameters; batch %d x %d, %d steps, %d thread%s%n",
                ms.nLayer(), ms.nHead(), ms.nEmbd(), ms.blockSize(), trainer.model().numParameters(), c.batchSize(),
                c.gradAccum(), c.maxIters(), Parallel.threads(), Parallel.threads() == 1 ? "" : "s");
        out.printf("run directory: %s%s%n", dir, trainer.step() > 0 ? " (resuming at step " + trainer.step() + ")" : "");
        out.printf(java.util.Locale.ROOT, "training FLOPs: %.2f MFLOP per token (6N + 12LTC); MFU = their FLOP/s as a share"
                + " of a %d^3 GEMM's, measured after the warm-up steps%n",
                TrainingFlops.perToken(trainer.model().config(), trainer.model().config().blockSize()) / 1e6, GemmPeak.SIZE);
        out.flush();
        Progress progress = new Progress(c.maxIters(), trainer.step(), !noProgress && System.console() != null, out,
                trainer.task() instanceof AdditionTrainingTask, dir);
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
                out.printf("interrupted: checkpoint saved at step %d in %s%ncontinue it with: ./vecgrad train --resume %s%n",
                        trainer.step(), dir, dir);
                out.flush();
            }
            finished.countDown();
        }
        if (interrupted.get()) return 130;
        Runtime.getRuntime().removeShutdownHook(hook);
        if (prof != null && trainer.step() > profileFrom) {
            int steps = (int) (trainer.step() - profileFrom);
            String table = String.format("profile of %d steps (%d threads), per op; forward times include the module code"
                    + " around each op%n", steps, Parallel.threads()) + prof.table(steps);
            out.print(table);
            OutputFiles.writeString(dir.resolve("profile.txt"), table);
        }
        LossChart.write(dir.resolve("loss.png"), MetricsLog.read(dir.resolve(RunDirectory.METRICS)), "vecgrad: " + dir.getFileName());
        if (!Double.isNaN(trainer.gemmPeakGflops())) {
            out.printf(java.util.Locale.ROOT, "GEMM peak here: %.1f GFLOP/s (%d^3 NN, %d threads; the MFU reference)%n",
                    trainer.gemmPeakGflops(), GemmPeak.SIZE, Parallel.threads());
        }
        out.printf("done: %d steps; checkpoint in %s%n", trainer.step(), dir);
        if (trainer.task() instanceof AdditionTrainingTask) {
            out.printf("try it: ./vecgrad sample --checkpoint %s --prompt '12+34=' --max-new-tokens 3 --temperature 0%n", dir);
        } else {
            out.printf("sample from it: ./vecgrad sample --checkpoint %s --prompt 'ROMEO:'%n", dir);
        }
        return 0;
    }
}
