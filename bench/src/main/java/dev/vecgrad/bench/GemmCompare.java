package dev.vecgrad.bench;

import dev.vecgrad.autograd.kernel.Gemm;
import dev.vecgrad.autograd.kernel.GemmScalar;
import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.Simd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Times {@link Gemm#sgemm} on fixed shapes and prints one JSON object per (shape, variant, threads)
 * with the GFLOP/s of each repetition; bench/compare/gemm_compare.py runs it beside numpy/torch.
 *
 * <p>Usage: {@code GemmCompare [--reps N] [--threads 1,2] [--min-ms MS] [--shapes MxNxK,...]
 * [--variants NN,NT,TN] [--scalar] [--cpu]}. {@code --cpu} divides by the process's CPU time
 * instead of wall time: per-core speed, for tuning on a machine other jobs share. Each repetition runs the product repeatedly for at least
 * {@code --min-ms} and reports 2mnk * calls / elapsed; a warm-up of the same length comes first so
 * C2 has compiled the kernels (code not yet compiled runs 100x slower).
 */
@Command(name = "GemmCompare", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Times vecgrad's sgemm on fixed shapes; one JSON line per (shape, variant, threads).")
public final class GemmCompare implements Callable<Integer> {
    @Option(names = "--reps", paramLabel = "N", description = "Repetitions per shape (default: ${DEFAULT-VALUE}).")
    int reps = 5;
    @Option(names = "--min-ms", paramLabel = "MS", description = "Least time per repetition, in ms (default: ${DEFAULT-VALUE}).")
    long minMs = 300;
    @Option(names = "--threads", paramLabel = "T", split = ",", description = "Thread counts (default: 1,2).")
    int[] threads = {1, 2};
    @Option(names = "--shapes", paramLabel = "MxNxK", split = ",", description = "Shapes (default: the square and GPT shapes).")
    String[] shapes = {"512x512x512", "1024x1024x1024", "768x384x128", "768x512x128", "768x128x128", "768x128x512"};
    @Option(names = "--variants", paramLabel = "V", split = ",", description = "Transposes: NN, NT, TN, TT (default: NN,NT,TN).")
    String[] variants = {"NN", "NT", "TN"};
    @Option(names = "--scalar", description = "Time the scalar twin instead.")
    boolean scalar;
    /** Divide by process CPU time instead of wall time (per-core speed on a busy machine). */
    @Option(names = "--cpu", description = "Divide by the process's CPU time instead of wall time.")
    boolean cpuTime;
    @Spec CommandSpec spec;

    /** Entry point; see the class comment for the options. Bad options get one line and exit status 2. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new GemmCompare()).execute(args));
    }

    @Override
    public Integer call() {
        int[][] dims = new int[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            if (!shapes[i].matches("[1-9][0-9]*x[1-9][0-9]*x[1-9][0-9]*")) {
                throw new ParameterException(spec.commandLine(), "--shapes: " + shapes[i] + " is not MxNxK (positive sizes)");
            }
            dims[i] = Arrays.stream(shapes[i].split("x")).mapToInt(Integer::parseInt).toArray();
        }
        for (String v : variants) {
            if (!v.matches("[NT][NT]")) throw new ParameterException(spec.commandLine(), "--variants: " + v + " is not NN, NT, TN or TT");
        }
        for (int t : threads) {
            if (t < 1) throw new ParameterException(spec.commandLine(), "--threads: " + t + " is not a thread count");
        }
        if (reps < 1 || minMs < 1) throw new ParameterException(spec.commandLine(), "--reps and --min-ms must be at least 1");
        System.err.println("species " + Simd.describe() + ", java " + System.getProperty("java.version"));
        // Compile every path (each transpose, serial and parallel) before the first timing: under
        // load C2 can take seconds, and the first shape would otherwise pay for it.
        for (String v : variants) {
            for (int t : threads) {
                Parallel.setThreads(t);
                measure(300, 300, 300, v.charAt(0) == 'T', v.charAt(1) == 'T', 1, 300, scalar, cpuTime);
            }
        }
        for (int[] s : dims) {
            for (String v : variants) {
                for (int t : threads) {
                    Parallel.setThreads(t);
                    List<Double> g = measure(s[0], s[1], s[2], v.charAt(0) == 'T', v.charAt(1) == 'T', reps, minMs, scalar, cpuTime);
                    System.out.printf(Locale.ROOT,
                            "{\"impl\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"variant\":\"%s\",\"threads\":%d,\"gflops\":%s}%n",
                            scalar ? "vecgrad-scalar" : "vecgrad", s[0], s[1], s[2], v, t, g);
                }
            }
        }
        return 0;
    }

    /** GFLOP/s of each repetition for C (m, n) = op(A) op(B). */
    static List<Double> measure(int m, int n, int k, boolean ta, boolean tb, int reps, long minMs, boolean scalar,
                                boolean cpuTime) {
        Random rnd = new Random(1);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rnd.nextGaussian();
        }
        int lda = ta ? m : k;
        int ldb = tb ? k : n;
        Runnable call = scalar
                ? () -> GemmScalar.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n)
                : () -> Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        timeOnce(call, Math.max(minMs, 500), cpuTime);
        List<Double> out = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            double secPerCall = timeOnce(call, minMs, cpuTime);
            out.add(Math.round(2.0 * m * n * k / secPerCall / 1e7) / 100.0);
        }
        return out;
    }

    /** Runs {@code call} for at least {@code minMs}; returns seconds per call. */
    private static double timeOnce(Runnable call, long minMs, boolean cpuTime) {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long calls = 0;
        long start = System.nanoTime();
        long end = start + minMs * 1_000_000L;
        long now;
        do {
            call.run();
            calls++;
            now = System.nanoTime();
        } while (now < end);
        long elapsed = cpuTime ? os.getProcessCpuTime() - cpu0 : now - start;
        return elapsed / 1e9 / calls;
    }
}
