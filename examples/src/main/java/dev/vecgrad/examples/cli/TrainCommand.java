package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.OpProfile;
import dev.vecgrad.autograd.kernel.GemmPeak;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.train.run.AdditionTrainingTask;
import dev.vecgrad.train.run.Metrics;
import dev.vecgrad.train.run.MetricsLog;
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
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a GPT.",
            "Without --data: a GPT learns to add two 2-digit numbers and reports held-out exact-match accuracy.",
            "With --data FILE: a character-level language model of a UTF-8 text file (90%% train, 10%% validation)."})
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

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all cores).")
    Integer threads;

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

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            if (threads < 1) throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
            Parallel.setThreads(threads);
        }
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
            if (task instanceof AdditionTrainingTask a && cfg.blockSize() != a.requiredBlockSize() && hyper.blockSize == null) {
                cfg = hyper.applyTo(withBlock(cfg, a.requiredBlockSize()));
            }
            trainer = new Trainer(cfg, task);
            dir = out != null ? out : defaultOut();
            if (RunDirectory.isRun(dir) || Files.exists(dir.resolve("model.safetensors"))) {
                throw new ParameterException(spec.commandLine(), "--out " + dir + " already holds a run; use --resume "
                        + dir + " to continue it, or choose another --out");
            }
        }
        trainer.setGemmPeakGflops(GemmPeak.measure());
        trainer.setLogGradNorms(logGradNorms);
        trainer.setDetectAnomaly(detectAnomaly);
        return run(trainer, dir);
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

    private static TrainConfig withBlock(TrainConfig c, int block) {
        return new TrainConfig(c.nLayer(), c.nHead(), c.nEmbd(), block, c.bias(), c.dropout(), c.batchSize(), c.gradAccum(),
                c.maxIters(), c.lr(), c.minLr(), c.warmupIters(), c.lrDecayIters(), c.weightDecay(), c.beta1(), c.beta2(),
                c.gradClip(), c.evalInterval(), c.evalIters(), c.seed());
    }

    private Path defaultOut() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String what = data == null ? "addition" : data.getFileName().toString().replaceAll("\\.[^.]*$", "");
        return Path.of("runs", stamp + "-" + what);
    }

    private int run(Trainer trainer, Path dir) throws IOException {
        var out = spec.commandLine().getOut();
        TrainConfig c = trainer.config();
        out.printf("vecgrad train: %s%n", trainer.task().describe());
        out.printf("model: %d layers, %d heads, %d wide, block %d, %,d parameters; batch %d x %d, %d steps, %d threads%n",
                c.nLayer(), c.nHead(), c.nEmbd(), c.blockSize(), trainer.model().numParameters(), c.batchSize(),
                c.gradAccum(), c.maxIters(), Parallel.threads());
        out.printf("run directory: %s%s%n", dir, trainer.step() > 0 ? " (resuming at step " + trainer.step() + ")" : "");
        out.printf(java.util.Locale.ROOT, "training FLOPs: %.2f MFLOP per token (6N + 12LTC); GEMM peak here %.0f GFLOP/s"
                + " (%d^3, %d threads): MFU = model FLOP/s / peak%n",
                TrainingFlops.perToken(trainer.model().config(), c.blockSize()) / 1e6, trainer.gemmPeakGflops(),
                GemmPeak.SIZE, Parallel.threads());
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
                out.printf("interrupted: checkpoint saved at step %d in %s%n", trainer.step(), dir);
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
            Files.writeString(dir.resolve("profile.txt"), table);
        }
        LossChart.write(dir.resolve("loss.png"), MetricsLog.read(dir.resolve(RunDirectory.METRICS)), "vecgrad: " + dir.getFileName());
        out.printf("done: %d steps; checkpoint in %s%n", trainer.step(), dir);
        if (trainer.task() instanceof AdditionTrainingTask) {
            out.printf("try it: ./vecgrad sample --checkpoint %s --prompt '12+34=' --max-new-tokens 3 --temperature 0%n", dir);
        } else {
            out.printf("sample from it: ./vecgrad sample --checkpoint %s --prompt 'ROMEO:'%n", dir);
        }
        return 0;
    }
}
