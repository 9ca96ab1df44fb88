package dev.vecgrad.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vecgrad.autograd.kernel.Gemm;
import dev.vecgrad.autograd.kernel.GemmScalar;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.Simd;
import dev.vecgrad.autograd.kernel.Softmax;
import dev.vecgrad.autograd.kernel.SoftmaxScalar;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.tokenizer.CharTokenizer;
import dev.vecgrad.train.run.JitWarmUp;
import dev.vecgrad.train.run.TrainConfig;
import dev.vecgrad.train.run.Trainer;
import dev.vecgrad.train.run.TrainingFlops;
import dev.vecgrad.train.run.TrainingTask;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vecgrad bench}: a quick look at the kernels' speed on this machine (well under a
 * minute). Each figure is the median of several timed rounds after a warm-up; JMH in bench/
 * gives the careful numbers.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Quick benchmark: GEMM GFLOP/s, training step MFU, softmax.",
        description = "GEMM GFLOP/s per shape and thread count, a shakespeare-char training step (tokens/s and model FLOPs"
                + " utilization against the best GEMM figure), softmax SIMD vs scalar, the SIMD species and the scalar"
                + " baseline; each figure is the median of timed rounds after its kernel has warmed up.")
final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object instead of a table.") boolean json;

    @Option(names = "--threads", paramLabel = "N",
            description = "Thread count to measure (default: 1 and every available processor; more than that is capped).")
    Integer threads;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "5", description = "Timed rounds per figure (default: ${DEFAULT-VALUE}).") int rounds;

    private static final long MAX_WARMUP_NANOS = 5_000_000_000L;
    /** A training step's warm-up limit: the JIT compiles a step's code for several seconds on two busy cores. */
    private static final long MAX_STEP_WARMUP_NANOS = 20_000_000_000L;
    private boolean settled;
    private int unsettled;

    private String mark() {
        return settled ? "" : " *";
    }

    static final int[][] SHAPES = {{256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024},
        {768, 384, 128}, {768, 512, 128}, {768, 128, 128}, {768, 128, 512}};

    @Override
    public Integer call() {
        if (rounds < 1) throw new ParameterException(spec.commandLine(), "--rounds must be >= 1");
        if (threads != null) threads = ThreadsOption.capped(spec, threads, Runtime.getRuntime().availableProcessors());
        List<Integer> counts = threads != null ? List.of(threads)
                : Runtime.getRuntime().availableProcessors() > 1 ? List.of(1, Runtime.getRuntime().availableProcessors()) : List.of(1);
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("jdk", Runtime.version().toString());
        root.put("species", Simd.F.toString());
        ArrayNode gemm = root.putArray("gemm"), softmax = root.putArray("softmax");
        PrintWriter out = spec.commandLine().getOut();
        if (!json) {
            out.printf("vecgrad bench: JDK %s, %s; median of %d rounds%n%n", Runtime.version(), Simd.describe(), rounds);
            out.printf("%-18s %-4s %8s %10s%n", "GEMM m x n x k", "op", "threads", "GFLOP/s");
        }
        int before = Parallel.threads();
        HostLoad load = HostLoad.start();
        java.util.Map<Integer, Double> peaks = new java.util.HashMap<>();
        try {
            for (int t : counts) {
                Parallel.setThreads(t);
                for (int[] s : SHAPES) {
                    for (String op : (s[0] == 768 ? List.of("NN", "NT", "TN") : List.of("NN"))) {
                        double g = gemm(s[0], s[1], s[2], op, false);
                        peaks.merge(t, g, Math::max);
                        gemm.addObject().put("m", s[0]).put("n", s[1]).put("k", s[2]).put("op", op).put("threads", t)
                                .put("impl", "simd").put("gflops", round(g)).put("settled", settled);
                        if (!json) out.printf(Locale.ROOT, "%-18s %-4s %8d %10.1f%s%n", s[0] + " x " + s[1] + " x " + s[2], op, t, g, mark());
                    }
                }
            }
            if (!json) out.printf("%n%-18s %8s %10s %10s %8s%n", "training step", "threads", "tokens/s", "GFLOP/s", "MFU");
            ArrayNode training = root.putArray("training");
            for (int t : counts) {
                Parallel.setThreads(t);
                double peak = peaks.getOrDefault(t, Double.NaN);
                double tps = trainingTokensPerSecond();
                TrainConfig cfg = TrainConfig.shakespeareChar();
                GPTConfig model = cfg.model().gpt(BENCH_VOCAB);
                double gflops = tps * TrainingFlops.perToken(model, model.blockSize()) / 1e9;
                double mfu = TrainingFlops.utilization(model, model.blockSize(), tps, peak);
                // Three decimals: the test recomputes the share from these, and a loaded machine's
                // figures are small enough that rounding to 0.1 would move it.
                training.addObject().put("preset", "shakespeare-char").put("threads", t).put("tokens_per_s", Math.round(tps))
                        .put("gflops", Math.round(gflops * 1000) / 1000.0).put("gemm_peak_gflops", Math.round(peak * 1000) / 1000.0)
                        .put("mfu", Math.round(mfu * 10000) / 10000.0).put("settled", settled);
                if (!json) {
                    out.printf(Locale.ROOT, "%-18s %8d %10.0f %10.1f %7.1f%%%s%n", "shakespeare-char", t, tps, gflops, 100 * mfu, mark());
                }
            }
            if (!json) {
                out.printf("(MFU: the step's model FLOP/s, 6N + 12LTC per token, as a share of the best GEMM figure above%n"
                        + " at the same thread count)%n%n");
            }
            double scalar = gemm(256, 256, 256, "NN", true);
            gemm.addObject().put("m", 256).put("n", 256).put("k", 256).put("op", "NN").put("threads", 1)
                    .put("impl", "scalar").put("gflops", round(scalar));
            if (!json) {
                out.printf(Locale.ROOT, "%-18s %-4s %8d %10.1f  (scalar twin)%n%n", "256 x 256 x 256", "NN", 1, scalar);
                out.printf("%-18s %-7s %12s%n", "softmax rows x cols", "impl", "Melem/s");
            }
            Parallel.setThreads(1);
            for (int[] s : new int[][] {{3072, 64}, {768, 65}}) {
                for (boolean simd : new boolean[] {true, false}) {
                    double m = softmax(s[0], s[1], simd);
                    softmax.addObject().put("rows", s[0]).put("cols", s[1]).put("impl", simd ? "simd" : "scalar")
                            .put("melem_per_s", round(m)).put("settled", settled);
                    if (!json) out.printf(Locale.ROOT, "%-18s %-7s %12.1f%s%n", s[0] + " x " + s[1], simd ? "simd" : "scalar", m, mark());
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
        java.util.OptionalDouble others = load.othersShare();
        if (others.isPresent()) root.put("others_cpu_share", Math.round(others.getAsDouble() * 1000) / 1000.0);
        String busy = HostLoad.note(others, Runtime.getRuntime().availableProcessors(), "these figures");
        if (json) {
            out.println(root.toString());
        } else if (busy != null) {
            out.printf("%n%s.%n", busy);
        }
        if (!json && unsettled > 0) {
            out.printf("%n* %d figure%s measured although the speed had not settled within the warm-up (%d s for a kernel,"
                    + " %d s for a training step; a busy machine?); treat %s with care.%n", unsettled, unsettled == 1 ? " was" : "s were",
                    MAX_WARMUP_NANOS / 1_000_000_000L, MAX_STEP_WARMUP_NANOS / 1_000_000_000L, unsettled == 1 ? "it" : "them");
        }
        out.flush();
        return 0;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private double gemm(int m, int n, int k, String op, boolean scalar) {
        SplittableRandom r = new SplittableRandom(1);
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble();
        boolean ta = op.charAt(0) == 'T', tb = op.charAt(1) == 'T';
        int lda = ta ? m : k, ldb = tb ? k : n;
        Runnable run = scalar ? () -> GemmScalar.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n)
                : () -> Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        return median(run, scalar ? 0.15 : 0.08) * 2.0 * m * n * k / 1e9;
    }

    /** Vocabulary of the synthetic training task: Tiny Shakespeare's 65 characters. */
    static final int BENCH_VOCAB = 65;

    /**
     * Training tokens per second of the {@code shakespeare-char} preset on random tokens (the
     * arithmetic does not depend on the text): the median of the timed rounds of five steps each,
     * after the steps have run until the JIT has compiled them ({@link JitWarmUp}, bursts of half a
     * second). A fixed five warm-up steps timed the 2-thread step while C2 was still compiling it
     * (about 200 steps on two busy cores): 1.32x the 1-thread figure where trained runs show 1.7x.
     */
    private double trainingTokensPerSecond() {
        StringBuilder chars = new StringBuilder();
        for (int i = 0; i < BENCH_VOCAB; i++) chars.append((char) ('0' + i));
        CharTokenizer tok = CharTokenizer.of(chars.toString());
        TrainingTask random = new TrainingTask() {
            @Override
            public String describe() {
                return "random tokens";
            }

            @Override
            public CharTokenizer tokenizer() {
                return tok;
            }

            @Override
            public Batch trainBatch(int batchSize, int blockSize, RandomGenerator rng) {
                int[] idx = new int[batchSize * blockSize], targets = new int[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = rng.nextInt(BENCH_VOCAB);
                    targets[i] = rng.nextInt(BENCH_VOCAB);
                }
                return new Batch(idx, targets, batchSize, blockSize);
            }

            @Override
            public Batch valBatch(int batchSize, int blockSize, RandomGenerator rng) {
                return trainBatch(batchSize, blockSize, rng);
            }

            @Override
            public java.util.Map<String, Object> identity() {
                return java.util.Map.of("task", "random");
            }
        };
        TrainConfig cfg = TrainConfig.shakespeareChar();
        Trainer trainer = new Trainer(cfg, random);
        // A step allocates its graph's nodes (well under a megabyte) even once compiled.
        settled = JitWarmUp.until(trainer::trainStep, 2_000_000_000L, MAX_STEP_WARMUP_NANOS, 500_000_000L, 4L << 20);
        if (!settled) unsettled++;
        double[] rates = new double[rounds];
        for (int r = 0; r < rates.length; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 5; i++) trainer.trainStep();
            rates[r] = 5.0 * cfg.tokensPerStep() / ((System.nanoTime() - t0) / 1e9);
        }
        java.util.Arrays.sort(rates);
        return rates[rates.length / 2];
    }

    private double softmax(int rows, int cols, boolean simd) {
        SplittableRandom r = new SplittableRandom(2);
        float[] x = new float[rows * cols], y = new float[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 3);
        Runnable run = simd ? () -> Softmax.softmaxRows(y, 0, x, 0, rows, cols) : () -> SoftmaxScalar.softmaxRows(y, 0, x, 0, rows, cols);
        return median(run, 0.05) * rows * cols / 1e6;
    }

    /** Calls per second: warm up until the kernel runs compiled (see {@link JitWarmUp#until}), then the median of timed rounds. */
    private double median(Runnable f, double secondsPerRound) {
        settled = JitWarmUp.until(f, 300_000_000L, MAX_WARMUP_NANOS);
        if (!settled) unsettled++;
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            int calls = 0;
            do {
                f.run();
                calls++;
            } while (System.nanoTime() - t0 < secondsPerRound * 1e9);
            rates.add(calls / ((System.nanoTime() - t0) / 1e9));
        }
        rates.sort(null);
        return rates.get(rates.size() / 2);
    }
}
