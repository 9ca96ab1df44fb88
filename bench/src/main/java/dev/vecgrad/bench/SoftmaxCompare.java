package dev.vecgrad.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Side-by-side softmax timing for {@code bench/compare/softmax_compare.sh}: the SIMD kernel on
 * 1 and 2 threads and its scalar twin on 1 thread, on the shapes of {@code softmax_compare.py};
 * with the Python script's output file as argument it also prints the ratios to torch.softmax.
 *
 * <p>Each figure is the median (with min and max) of 15 samples of about 20 ms each, after
 * about a second of warm-up. Ratios are given of the medians and of the minima: on a busy
 * machine the minimum (the sample least disturbed by other processes) is the steadier one. Two threads split the rows (whole blocks for causal shapes) in
 * halves on a fixed pool, so the wake-up cost of the second thread is included.
 */
public final class SoftmaxCompare {
    static final String[] SHAPES = {"3072x64", "768x65", "768x384", "causal64x192"};
    private static final int SAMPLES = 15;

    private SoftmaxCompare() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 1 || args.length == 1 && !Files.isRegularFile(Path.of(args[0]))) {
            System.err.println(args.length > 1 ? "usage: SoftmaxCompare [TORCH_RESULTS_FILE]"
                    : "SoftmaxCompare: " + args[0] + ": no such file (expected softmax_compare.py's output)");
            System.exit(2);
        }
        Map<String, double[]> torch = args.length > 0 ? readTorch(Path.of(args[0])) : Map.of();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            System.out.printf(Locale.ROOT, "# java %s, %s%n", Runtime.version(), dev.vecgrad.autograd.kernel.Simd.describe());
            System.out.println("# shape variant threads median_us min_us max_us Melem_per_s");
            List<String> ratios = new ArrayList<>();
            warmUpEverything(pool);
            for (String name : SHAPES) {
                SoftmaxShape s = new SoftmaxShape(name);
                double[] simd1 = measure(s, true, 1, pool);
                double[] simd2 = measure(s, true, 2, pool);
                double[] scalar = measure(s, false, 1, pool);
                print(s, "simd", 1, simd1);
                print(s, "simd", 2, simd2);
                print(s, "scalar", 1, scalar);
                ratios.add(String.format(Locale.ROOT, "ratio %s simd/scalar 1 %.2f %.2f", name, scalar[0] / simd1[0],
                        scalar[1] / simd1[1]));
                for (int t = 1; t <= 2; t++) {
                    double[] ref = torch.get(name + " " + t);
                    if (ref != null) {
                        double[] mine = t == 1 ? simd1 : simd2;
                        ratios.add(String.format(Locale.ROOT, "ratio %s simd/torch %d %.2f %.2f", name, t, ref[0] / mine[0],
                                ref[1] / mine[1]));
                    }
                }
            }
            System.out.println("# ratio shape what threads speedup_of_medians speedup_of_minima (>1 = vecgrad faster)");
            ratios.forEach(System.out::println);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Runs every shape and variant for about 4 s before any timing: the first C2 compilation of
     * Vector API code takes seconds on a busy machine, and until it lands calls run 100x slower.
     */
    private static void warmUpEverything(ExecutorService pool) throws Exception {
        SoftmaxShape[] all = new SoftmaxShape[SHAPES.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = new SoftmaxShape(SHAPES[i]);
        }
        long end = System.nanoTime() + 4_000_000_000L;
        while (System.nanoTime() < end) {
            for (SoftmaxShape s : all) {
                call(s, true, 1, pool);
                call(s, true, 2, pool);
                call(s, false, 1, pool);
            }
        }
    }

    private static void print(SoftmaxShape s, String variant, int threads, double[] us) {
        System.out.printf(Locale.ROOT, "%s %s %d %.2f %.2f %.2f %.1f%n", s.name, variant, threads, us[0], us[1], us[2],
                s.elements() / us[0]);
    }

    /** Returns {median, min, max} microseconds per call. */
    static double[] measure(SoftmaxShape s, boolean simd, int threads, ExecutorService pool) throws Exception {
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        int calls = 0;
        while (System.nanoTime() < warmEnd) {
            call(s, simd, threads, pool);
            calls++;
        }
        int perSample = Math.max(1, calls / 50); // ~20 ms per sample
        double[] us = new double[SAMPLES];
        for (int k = 0; k < SAMPLES; k++) {
            long t0 = System.nanoTime();
            for (int c = 0; c < perSample; c++) {
                call(s, simd, threads, pool);
            }
            us[k] = (System.nanoTime() - t0) / 1e3 / perSample;
        }
        Arrays.sort(us);
        return new double[] {us[SAMPLES / 2], us[0], us[SAMPLES - 1]};
    }

    private static void call(SoftmaxShape s, boolean simd, int threads, ExecutorService pool) throws Exception {
        if (threads == 1) {
            s.run(simd, 0, s.units());
            return;
        }
        int half = s.units() / 2;
        Future<?> f = pool.submit(() -> s.run(simd, half, s.units()));
        s.run(simd, 0, half);
        f.get();
    }

    /** Reads lines {@code shape threads median_us min_us max_us}; '#' lines are comments. */
    static Map<String, double[]> readTorch(Path file) throws IOException {
        Map<String, double[]> m = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] p = line.trim().split("\\s+");
            m.put(p[0] + " " + p[1], new double[] {Double.parseDouble(p[2]), Double.parseDouble(p[3]),
                    Double.parseDouble(p[4])});
        }
        return m;
    }
}
