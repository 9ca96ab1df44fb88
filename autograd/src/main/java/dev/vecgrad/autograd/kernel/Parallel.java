package dev.vecgrad.autograd.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;

/**
 * The project's one compute pool: a fixed {@link ForkJoinPool} sized by {@code -Dvecgrad.threads}
 * (default: available processors). Work is split into fixed-size chunks that do not depend on
 * the thread count, so results are identical at any number of threads.
 *
 * <p>This pool is the one documented piece of mutable static state (with the no-grad flag):
 * the CLI's {@code --threads} calls {@link #setThreads} once at startup.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = create(Integer.getInteger("vecgrad.threads",
            Runtime.getRuntime().availableProcessors()));

    private Parallel() {}

    private static ForkJoinPool create(int threads) {
        if (threads < 1) throw new IllegalArgumentException("vecgrad.threads must be >= 1, got " + threads);
        return threads == 1 ? null : new ForkJoinPool(threads);
    }

    /** Number of compute threads. */
    public static int threads() {
        ForkJoinPool p = pool;
        return p == null ? 1 : p.getParallelism();
    }

    /** Replaces the pool with one of {@code threads} threads (call at startup, not during compute). */
    public static synchronized void setThreads(int threads) {
        if (threads == threads()) return;
        ForkJoinPool old = pool;
        pool = create(threads);
        if (old != null) old.shutdown();
    }

    /**
     * Runs {@code body.accept(i)} for every task index in {@code [0, tasks)}, spread over the pool.
     * Each task must write disjoint outputs. Runs inline with one thread, one task, or when
     * already on a pool thread (nested parallelism would only add overhead here).
     */
    public static void parallelFor(int tasks, IntConsumer body) {
        ForkJoinPool p = pool;
        if (p == null || tasks <= 1 || ForkJoinTask.inForkJoinPool()) {
            for (int i = 0; i < tasks; i++) body.accept(i);
            return;
        }
        ForkJoinTask<?>[] jobs = new ForkJoinTask<?>[tasks];
        for (int i = 0; i < tasks; i++) {
            int task = i;
            jobs[i] = p.submit(() -> body.accept(task));
        }
        for (ForkJoinTask<?> j : jobs) j.join();
    }
}
