package dev.vecgrad.train.run;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Runs a kernel until the JIT has compiled it, so that a timing taken afterwards measures compiled
 * code. A fixed warm-up time is not enough: on a busy machine the first softmax shape of
 * {@code vecgrad bench} was timed before C2 had compiled it (22 instead of 113 Melem/s), and a cold
 * 512³ GEMM measured 1 GFLOP/s. Used by {@link GemmPeak} and by the command line's benchmarks.
 */
public final class JitWarmUp {
    private JitWarmUp() {}

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    /** Length of one burst of calls, in nanoseconds. */
    private static final long BURST_NANOS = 50_000_000L;

    /**
     * Calls {@code kernel} in bursts of about 50 ms until one burst shows it running compiled: the
     * calling thread allocated at most 4 KB a call (what handing work to the thread pool may cost;
     * a Vector API kernel allocates its vectors, megabytes a call, until C2 has compiled it), the
     * JIT compiled nothing during the burst, and the call rate is within 5 % of the burst before.
     * Where the JVM offers no allocation or compilation counter, that condition is skipped.
     *
     * @param kernel   the work to warm up; called many times
     * @param minNanos the least time to spend, even if the kernel settles at once
     * @param maxNanos the time after which to give up waiting
     * @return whether the kernel settled before {@code maxNanos} passed
     */
    public static boolean until(Runnable kernel, long minNanos, long maxNanos) {
        return until(kernel, minNanos, maxNanos, BURST_NANOS, 4096);
    }

    /**
     * {@link #until(Runnable, long, long)} for work larger than a kernel call, such as a training
     * step: bursts of {@code burstNanos} (enough calls that one slow call does not look like a
     * change of rate), and up to {@code bytesPerCall} allocated by the calling thread a call (a
     * step allocates its graph's small objects even once compiled).
     *
     * @param kernel       the work to warm up; called many times
     * @param minNanos     the least time to spend, even if the work settles at once
     * @param maxNanos     the time after which to give up waiting
     * @param burstNanos   the length of one burst of calls ({@code > 0})
     * @param bytesPerCall the most the calling thread may allocate a call in a settled burst
     * @return whether the work settled before {@code maxNanos} passed
     * @throws IllegalArgumentException if {@code burstNanos} is not positive or {@code bytesPerCall} is negative
     */
    public static boolean until(Runnable kernel, long minNanos, long maxNanos, long burstNanos, long bytesPerCall) {
        if (burstNanos <= 0 || bytesPerCall < 0) {
            throw new IllegalArgumentException("JitWarmUp.until: expected burstNanos > 0 and bytesPerCall >= 0, got "
                    + burstNanos + " and " + bytesPerCall);
        }
        boolean allocCounter = THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
        boolean jitCounter = JIT != null && JIT.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        double lastRate = Double.NaN;
        while (true) {
            long alloc0 = allocCounter ? THREADS.getCurrentThreadAllocatedBytes() : 0;
            long jit0 = jitCounter ? JIT.getTotalCompilationTime() : 0;
            long t0 = System.nanoTime();
            int calls = 0;
            do {
                kernel.run();
                calls++;
            } while (System.nanoTime() - t0 < burstNanos);
            long now = System.nanoTime();
            double rate = calls / ((now - t0) / 1e9);
            boolean quiet = (!allocCounter || THREADS.getCurrentThreadAllocatedBytes() - alloc0 <= bytesPerCall * calls)
                    && (!jitCounter || JIT.getTotalCompilationTime() == jit0);
            boolean steady = Math.abs(rate - lastRate) <= 0.05 * lastRate;
            if (now - start >= minNanos && quiet && steady) return true;
            if (now - start >= maxNanos) return false;
            lastRate = rate;
        }
    }
}
