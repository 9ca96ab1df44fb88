package dev.vecgrad.autograd.kernel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A quick measurement of what {@link Gemm} reaches on this machine at the pool's current thread
 * count: the reference against which a training run's model FLOP/s are reported as a share
 * (model FLOPs utilization). One 512x512x512 NN product, repeated: large enough to run near the
 * kernel's best, small enough that warm-up and measurement take about half a second.
 */
public final class GemmPeak {
    private GemmPeak() {}

    /** Edge of the square product measured. */
    public static final int SIZE = 512;

    /**
     * GFLOP/s of a {@value #SIZE}-cube NN product: the median of {@code rounds} timed rounds of
     * {@code roundMillis} each, after {@code warmupMillis} of warm-up (so C2 has compiled the
     * kernel). On a machine busy with other work the figure is low, and shares computed from it
     * high: say so when quoting them.
     *
     * @throws IllegalArgumentException if rounds is under 1 or a duration is negative
     */
    public static double measure(int warmupMillis, int rounds, int roundMillis) {
        if (rounds < 1 || warmupMillis < 0 || roundMillis < 0) {
            throw new IllegalArgumentException("GemmPeak.measure: expected rounds >= 1 and durations >= 0, got rounds="
                    + rounds + ", warmup=" + warmupMillis + " ms, round=" + roundMillis + " ms");
        }
        int n = SIZE;
        SplittableRandom r = new SplittableRandom(1);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble();
            b[i] = (float) r.nextDouble();
        }
        Runnable product = () -> Gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        long end = System.nanoTime() + warmupMillis * 1_000_000L;
        do {
            product.run();
        } while (System.nanoTime() < end);
        double[] rates = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            int calls = 0;
            do {
                product.run();
                calls++;
            } while (System.nanoTime() - t0 < roundMillis * 1_000_000L);
            rates[i] = calls * 2.0 * n * n * n / (System.nanoTime() - t0);   // flop per ns = GFLOP/s
        }
        Arrays.sort(rates);
        return rates[rounds / 2];
    }

    /** {@link #measure(int, int, int)} with 300 ms of warm-up and 3 rounds of 100 ms. */
    public static double measure() {
        return measure(300, 3, 100);
    }
}
