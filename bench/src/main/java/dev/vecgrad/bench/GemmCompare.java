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
public final class GemmCompare {
    private GemmCompare() {}

    /** Divide by process CPU time instead of wall time (per-core speed on a busy machine). */

    /** Entry point; see the class comment for the options. */
    public static void main(String[] args) {
        int reps = 5;
        long minMs = 300;
        int[] threads = {1, 2};
        String shapes = "512x512x512,1024x1024x1024,768x384x128,768x512x128,768x128x128,768x128x512";
        String variants = "NN,NT,TN";
        boolean scalar = false, cpuTime = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--min-ms" -> minMs = Long.parseLong(args[++i]);
                case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--shapes" -> shapes = args[++i];
                case "--variants" -> variants = args[++i];
                case "--scalar" -> scalar = true;
                case "--cpu" -> cpuTime = true;
                default -> throw new IllegalArgumentException("GemmCompare: unknown option " + args[i]);
            }
        }
        System.err.println("species " + Simd.describe() + ", java " + System.getProperty("java.version"));
        // Compile every path (each transpose, serial and parallel) before the first timing: under
        // load C2 can take seconds, and the first shape would otherwise pay for it.
        for (String v : variants.split(",")) {
            for (int t : threads) {
                Parallel.setThreads(t);
                measure(300, 300, 300, v.charAt(0) == 'T', v.charAt(1) == 'T', 1, 300, scalar, cpuTime);
            }
        }
        for (String shape : shapes.split(",")) {
            int[] s = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
            for (String v : variants.split(",")) {
                for (int t : threads) {
                    Parallel.setThreads(t);
                    List<Double> g = measure(s[0], s[1], s[2], v.charAt(0) == 'T', v.charAt(1) == 'T', reps, minMs, scalar, cpuTime);
                    System.out.printf(Locale.ROOT,
                            "{\"impl\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"variant\":\"%s\",\"threads\":%d,\"gflops\":%s}%n",
                            scalar ? "vecgrad-scalar" : "vecgrad", s[0], s[1], s[2], v, t, g);
                }
            }
        }
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
