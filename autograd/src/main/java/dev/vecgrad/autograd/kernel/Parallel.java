package dev.vecgrad.autograd.kernel;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * The project's one compute pool: {@code threads() - 1} worker threads that help the calling
 * thread through fixed chunks of work.
 *
 * <p>Its size comes from the system property {@code vecgrad.threads} (default: the number of
 * available processors) or from {@link #setThreads(int)}, which the CLI's {@code --threads} calls
 * once at startup. The pool and its size are the only mutable static fields in vecgrad; the
 * kernel package also keeps two per-thread scratch caches in static {@code ThreadLocal}s (GEMM
 * pack buffers in {@link Gemm}, the softmax group scratch in {@code GroupedSoftmax}), reused so a
 * compiled kernel allocates nothing. docs/DESIGN.md ("Static state") lists all of it, autograd's
 * four thread-local scope states included, and why each exists.
 *
 * <p>Why not a {@link java.util.concurrent.ForkJoinPool}: a training step is thousands of short
 * parallel loops (a 768x128x128 GEMM takes about 150 microseconds), and handing each to parked
 * pool threads while the caller sleeps cost a wake-up per worker per loop and left one of two
 * cores idle. Here the caller takes chunks itself, and idle workers spin for {@link ComputePool#SPIN_NANOS}
 * before they park, so back-to-back loops find them awake.
 *
 * <p>Determinism: {@link #forRange} splits {@code [0, n)} into chunks of a size the caller fixes,
 * never into one chunk per thread, so each chunk computes the same thing in the same order at any
 * thread count (which thread runs a chunk varies, what it computes does not). Kernels that make
 * every output element depend on one chunk only therefore give bitwise-identical results with 1
 * or N threads.
 *
 * <p>Nesting: a call made while a parallel loop is running (from a worker, from the caller inside
 * its own chunk, or from another application thread at the same time) runs inline on its
 * thread, so nothing deadlocks or oversubscribes the cores.
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
    private static volatile ComputePool pool;

    /** The configured thread count; 0 until first read (then the property or the core count). */
    private static volatile int threads;

    private Parallel() {}

    /** The number of threads parallel kernels use (at least 1), the caller included. */
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
     * tests use it to check thread-count independence). Replaces the pool; a loop already running
     * on the old pool finishes there.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("Parallel.setThreads: expected n >= 1, got " + n);
        }
        synchronized (LOCK) {
            ComputePool old = pool;
            threads = n;
            pool = null;
            if (old != null) {
                old.shutdown();
            }
            PoolCounters.resize(n);
        }
    }

    /**
     * True on a compute worker, the current pool's or one that {@link #setThreads} replaced while
     * it ran a chunk: loops nested in a chunk run inline, never on the new pool's workers too.
     */
    public static boolean inPool() {
        return Thread.currentThread() instanceof ComputePool.Worker;
    }

    /**
     * Whether a parallel loop started now on this thread could use more than one thread: there
     * are two or more, this is not a pool worker, and no loop of this thread is running (a loop
     * started inside one runs inline). Kernels with a one-thread form that computes the same bits
     * with less bookkeeping (GEMM's serial blocks) take it when this is false, as inside a
     * trainer's micro-batches that run one per thread.
     */
    public static boolean available() {
        if (threads() < 2 || inPool()) return false;
        ComputePool p = pool;
        return p == null || !p.heldByCurrentThread();
    }

    private static ComputePool pool() {
        ComputePool p = pool;
        if (p == null) {
            synchronized (LOCK) {
                p = pool;
                if (p == null) {
                    p = new ComputePool(threads() - 1);
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
     * they run in parallel (the caller taking its share) when {@code parallel} is true, there are
     * at least two chunks and two threads, and no other loop is running on the pool; otherwise
     * inline, in increasing order. Callers pass {@code parallel = false} when the work is too small
     * to repay waking threads. An exception thrown by the body is rethrown to the caller once every
     * chunk has finished.
     *
     * @throws IllegalArgumentException if {@code n < 0} or {@code chunk < 1}
     */
    public static void forRange(int n, int chunk, boolean parallel, IntRangeBody body) {
        if (n < 0 || chunk < 1) {
            throw new IllegalArgumentException(
                    "Parallel.forRange: expected n >= 0 and chunk >= 1, got n=" + n + ", chunk=" + chunk);
        }
        int chunks = (int) (((long) n + chunk - 1) / chunk);
        if (parallel && chunks >= 2 && threads() >= 2 && !inPool() && pool().tryRun(n, chunk, chunks, body)) {
            return;
        }
        long[] prof = PoolCounters.current();
        if (prof != null) {
            PoolCounters.runInline(n, chunk, chunks, body, prof, inPool());
            return;
        }
        // Kept exactly this small: the kernels' loops run through here at one thread, and a
        // bigger method changed C2's inlining below it enough that vectors were boxed again.
        for (int c = 0; c < chunks; c++) {
            int start = c * chunk;
            body.run(start, Math.min(n, start + chunk));
        }
    }

    /**
     * Runs {@code body.accept(i)} for every {@code i} in {@code [0, tasks)}, in parallel on the pool
     * (inline when there is one thread or a loop is already running).
     */
    public static void parallelFor(int tasks, IntConsumer body) {
        forRange(tasks, 1, true, (s, e) -> {
            for (int i = s; i < e; i++) {
                body.accept(i);
            }
        });
    }

    /**
     * Runs {@code task.accept(i)} for every {@code i} in {@code [0, tasks)} on at most two threads
     * that take tasks from opposite ends of the range (one from 0 up, the other from the back)
     * until they meet. For two pieces of independent work of unequal cost laid end to end (a
     * linear layer's input-gradient tiles, then its weight-gradient tiles and bias sums): each
     * thread works through its own piece, its operands in its own core's cache, and the first to
     * finish carries on into the other's, so neither waits at the end. With one thread (or nested
     * in a running loop) the tasks run on the calling thread in increasing order. Tasks must not
     * depend on each other's results nor on which thread runs them. An exception from a task is
     * rethrown once both ends have stopped.
     *
     * @throws IllegalArgumentException if {@code tasks < 0}
     */
    public static void fromBothEnds(int tasks, IntConsumer task) {
        if (tasks < 0) throw new IllegalArgumentException("Parallel.fromBothEnds: expected tasks >= 0, got " + tasks);
        // front in the high 32 bits, back (exclusive) in the low 32: one CAS claims from either end.
        AtomicLong ends = new AtomicLong(tasks & 0xFFFFFFFFL);
        forRange(2, 1, tasks >= 2, (lo, hi) -> {
            for (int side = lo; side < hi; side++) {
                for (int t; (t = claim(ends, side == 0)) >= 0; ) task.accept(t);
            }
        });
    }

    /** Claims the next task from the front or the back, or returns -1 when the ends have met. */
    private static int claim(AtomicLong ends, boolean front) {
        for (long s; ; ) {
            s = ends.get();
            int f = (int) (s >>> 32), b = (int) s;
            if (f >= b) return -1;
            long next = front ? ((long) (f + 1) << 32) | (b & 0xFFFFFFFFL) : ((long) f << 32) | ((b - 1) & 0xFFFFFFFFL);
            if (ends.compareAndSet(s, next)) return front ? f : b - 1;
        }
    }
}
