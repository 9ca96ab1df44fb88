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
            } while (System.nanoTime() - t0 < BURST_NANOS);
            long now = System.nanoTime();
            double rate = calls / ((now - t0) / 1e9);
            boolean quiet = (!allocCounter || THREADS.getCurrentThreadAllocatedBytes() - alloc0 <= 4096L * calls)
                    && (!jitCounter || JIT.getTotalCompilationTime() == jit0);
            boolean steady = Math.abs(rate - lastRate) <= 0.05 * lastRate;
            if (now - start >= minNanos && quiet && steady) return true;
            if (now - start >= maxNanos) return false;
            lastRate = rate;
        }
    }
}
