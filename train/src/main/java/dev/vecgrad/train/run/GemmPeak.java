package dev.vecgrad.train.run;

import dev.vecgrad.autograd.kernel.Gemm;

import java.util.SplittableRandom;

/**
 * A quick measurement of what {@link Gemm} reaches on this machine at the pool's current thread
 * count: the reference against which a training run's model FLOP/s are reported as a share
 * (model FLOPs utilization). One 512x512x512 NN product, repeated: large enough to run near the
 * kernel's best, small enough that warm-up and measurement take well under a second on a quiet
 * machine (up to about 2.5 s on a busy one).
 */
public final class GemmPeak {
    private GemmPeak() {}

    /** Edge of the square product measured. */
    public static final int SIZE = 512;

    /**
     * GFLOP/s of a {@value #SIZE}-cube NN product: the best of {@code rounds} timed rounds of
     * {@code roundMillis} each (the best, as a peak is what the machine can do, and a shared
     * machine only ever takes speed away), after a warm-up on smaller products that lasts until
     * the kernel runs compiled ({@link JitWarmUp#until}) or {@code maxWarmupMillis} passed. On a
     * machine busy with other work the figure is low, and shares computed from it high: say so
     * when quoting them.
     *
     * @param maxWarmupMillis the longest the warm-up may take
     * @param rounds how many timed rounds ({@code >= 1})
     * @param roundMillis how long each round runs
     * @return the best round's GFLOP/s
     * @throws IllegalArgumentException if rounds is under 1 or a duration is negative
     */
    public static double measure(int maxWarmupMillis, int rounds, int roundMillis) {
        if (rounds < 1 || maxWarmupMillis < 0 || roundMillis < 0) {
            throw new IllegalArgumentException("GemmPeak.measure: expected rounds >= 1 and durations >= 0, got rounds="
                    + rounds + ", warmup=" + maxWarmupMillis + " ms, round=" + roundMillis + " ms");
        }
        int n = SIZE;
        SplittableRandom r = new SplittableRandom(1);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble();
            b[i] = (float) r.nextDouble();
        }
        int w = n / 2;
        JitWarmUp.until(() -> Gemm.sgemm(false, false, w, w, w, 1f, a, 0, w, b, 0, w, 0f, c, 0, w), 0, maxWarmupMillis * 1_000_000L);
        Runnable product = () -> Gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        double best = 0;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            int calls = 0;
            do {
                product.run();
                calls++;
            } while (System.nanoTime() - t0 < roundMillis * 1_000_000L);
            best = Math.max(best, calls * 2.0 * n * n * n / (System.nanoTime() - t0));   // flop per ns = GFLOP/s
        }
        return best;
    }

    /** {@return {@link #measure(int, int, int)} with up to 2 s of warm-up and 4 rounds of 60 ms} */
    public static double measure() {
        return measure(2000, 4, 60);
    }
}
