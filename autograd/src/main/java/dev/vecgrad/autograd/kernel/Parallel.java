package dev.vecgrad.autograd.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The project's one compute pool: a fixed {@link ForkJoinPool} that every parallel kernel uses.
 *
 * <p>Its size comes from the system property {@code vecgrad.threads} (default: the number of
 * available processors) or from {@link #setThreads(int)}, which the CLI's {@code --threads} calls
 * once at startup. The pool (and its size) is the single documented piece of mutable static state
 * of the kernel package.
 *
 * <p>Determinism: {@link #forRange} splits {@code [0, n)} into chunks of a size the caller fixes,
 * never into one chunk per thread, so each chunk computes the same thing in the same order at any
 * thread count. Kernels that make every output element depend on one chunk only therefore give
 * bitwise-identical results with 1 or N threads.
 *
 * <p>Nesting: a call made from one of this pool's own threads runs inline on that thread (so a
 * parallel kernel called from a parallel loop neither deadlocks nor oversubscribes the cores).
 */
public final class Parallel {

    /** A body run on a half-open index range {@code [start, end)}. */
    @FunctionalInterface
    public interface IntRangeBody {
        /** Processes indices {@code start} (inclusive) to {@code end} (exclusive). */
        void run(int start, int end);
    }

    /** Guards pool replacement; the pool itself is published through the volatile field. */
    private static final Object LOCK = new Object();

    /** The pool, created on first parallel use; null while none is needed. Documented mutable state. */
    private static volatile ForkJoinPool pool;

    /** The configured thread count; 0 until first read (then the property or the core count). */
    private static volatile int threads;

    private Parallel() {}

    /** The number of threads parallel kernels use (at least 1). */
    public static int threads() {
        int t = threads;
        if (t == 0) {
            synchronized (LOCK) {
                if (threads == 0) {
                    threads = parseThreads(System.getProperty("vecgrad.threads"));
                }
                t = threads;
            }
        }
        return t;
    }

    private static int parseThreads(String prop) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (prop == null || prop.isBlank()) {
            return cores;
        }
        try {
            int t = Integer.parseInt(prop.trim());
            if (t < 1) {
                throw new IllegalArgumentException(
                        "vecgrad.threads: expected a positive integer, got '" + prop + "'");
            }
            return t;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "vecgrad.threads: expected a positive integer, got '" + prop + "'", e);
        }
    }

    /**
     * Sets the number of compute threads (the CLI's {@code --threads} calls this once at startup;
     * tests use it to check thread-count independence). Replaces the pool; work already running on
     * the old pool finishes there.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("Parallel.setThreads: expected n >= 1, got " + n);
        }
        synchronized (LOCK) {
            ForkJoinPool old = pool;
            threads = n;
            pool = null;
            if (old != null) {
                old.shutdown();
            }
        }
    }

    /** True when the current thread is one of this pool's workers (nested calls run inline). */
    public static boolean inPool() {
        ForkJoinPool p = pool;
        return p != null && Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == p;
    }

    private static ForkJoinPool pool() {
        ForkJoinPool p = pool;
        if (p == null) {
            synchronized (LOCK) {
                p = pool;
                if (p == null) {
                    p = new ForkJoinPool(threads());
                    pool = p;
                }
            }
        }
        return p;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into chunks {@code [i*chunk, min(n, (i+1)*chunk))},
     * in parallel on the pool. Equivalent to {@link #forRange(int, int, boolean, IntRangeBody)} with
     * {@code parallel = true}.
     */
    public static void forRange(int n, int chunk, IntRangeBody body) {
        forRange(n, chunk, true, body);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into fixed-size chunks
     * {@code [i*chunk, min(n, (i+1)*chunk))}. The chunks are the same whatever the thread count;
     * they run on the pool when {@code parallel} is true, there are at least two chunks and two
     * threads, and the caller is not already a pool thread; otherwise inline, in increasing order.
     * Callers pass {@code parallel = false} when the work is too small to repay waking threads.
     * An exception thrown by the body is rethrown to the caller.
     *
     * @throws IllegalArgumentException if {@code n < 0} or {@code chunk < 1}
     */
    public static void forRange(int n, int chunk, boolean parallel, IntRangeBody body) {
        if (n < 0 || chunk < 1) {
            throw new IllegalArgumentException(
                    "Parallel.forRange: expected n >= 0 and chunk >= 1, got n=" + n + ", chunk=" + chunk);
        }
        int chunks = (int) (((long) n + chunk - 1) / chunk);
        if (!parallel || chunks < 2 || threads() < 2 || inPool()) {
            for (int c = 0; c < chunks; c++) {
                int start = c * chunk;
                body.run(start, Math.min(n, start + chunk));
            }
            return;
        }
        pool().invoke(new Chunks(n, chunk, 0, chunks, body));
    }

    /**
     * Runs {@code body.accept(i)} for every {@code i} in {@code [0, tasks)}, in parallel on the pool
     * (inline when there is one thread or the caller is a pool thread).
     */
    public static void parallelFor(int tasks, IntConsumer body) {
        forRange(tasks, 1, true, (s, e) -> {
            for (int i = s; i < e; i++) {
                body.accept(i);
            }
        });
    }

    /** Splits a run of chunks in halves until one chunk is left, then runs it. */
    private static final class Chunks extends RecursiveAction {
        private final int n;
        private final int chunk;
        private final int lo;
        private final int hi;
        private final IntRangeBody body;

        Chunks(int n, int chunk, int lo, int hi, IntRangeBody body) {
            this.n = n;
            this.chunk = chunk;
            this.lo = lo;
            this.hi = hi;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                int start = lo * chunk;
                body.run(start, Math.min(n, start + chunk));
                return;
            }
            int mid = (lo + hi) >>> 1;
            ForkJoinTask.invokeAll(new Chunks(n, chunk, lo, mid, body), new Chunks(n, chunk, mid, hi, body));
        }
    }
}
