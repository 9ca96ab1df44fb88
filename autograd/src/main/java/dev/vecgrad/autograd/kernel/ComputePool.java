package dev.vecgrad.autograd.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link Parallel}'s pool: the workers and the loop they are helping with. Package-private;
 * {@link Parallel} says how loops are split and when they run inline.
 */
final class ComputePool {
    /** How long an idle worker polls for the next loop before it parks. */
    static final long SPIN_NANOS = 5_000_000;

    private final Worker[] workers;
    /** Held by the thread whose loop is running; another caller meanwhile runs inline. */
    private final ReentrantLock running = new ReentrantLock();
    private volatile Job job;
    /** Loops run so far; written only by the thread holding {@link #running}. */
    private long jobs;
    private volatile boolean shutdown;

    ComputePool(int size) {
        workers = new Worker[size];
        for (int i = 0; i < size; i++) {
            workers[i] = new Worker(this, i);
            workers[i].start();
        }
    }

    boolean tryRun(int n, int chunk, int chunks, Parallel.IntRangeBody body) {
        if (running.isHeldByCurrentThread() || !running.tryLock()) {
            return false;
        }
        try {
            long[] prof = PoolCounters.current();
            long t0 = System.nanoTime();
            Job j = new Job(++jobs, n, chunk, chunks, body);
            job = j;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            if (prof != null) PoolCounters.count(prof, 0, PoolCounters.HANDOUT, System.nanoTime() - t0);
            j.work(0);
            long t1 = prof == null ? 0 : System.nanoTime();
            while (j.finished.get() < chunks) {
                Thread.onSpinWait();
            }
            if (prof != null) PoolCounters.count(prof, 0, PoolCounters.WAIT, System.nanoTime() - t1);
            job = null;
            Throwable t = j.error.get();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
            return true;
        } finally {
            // Also when the caller itself failed between chunks: the body must not stay reachable.
            job = null;
            running.unlock();
        }
    }

    void shutdown() {
        shutdown = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    /** Whether the calling thread's loop holds this pool (a loop it starts now would run inline). */
    boolean heldByCurrentThread() {
        return running.isHeldByCurrentThread();
    }

    /** One parallel loop: its chunks are claimed by the caller and the workers through {@code next}. */
    static final class Job {
        final int n, chunk, chunks;
        final Parallel.IntRangeBody body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        /** This loop's number in its pool (from 1), by which a worker knows it has run it. */
        final long id;

        Job(long id, int n, int chunk, int chunks, Parallel.IntRangeBody body) {
            this.id = id;
            this.n = n;
            this.chunk = chunk;
            this.chunks = chunks;
            this.body = body;
        }

        /**
         * Claims and runs chunks until none is left. Kept apart from the profiled loop below on
         * purpose: one loop with the profiling branches inside grew large enough to change C2's
         * inlining of the bodies, and a shakespeare-char step then allocated ~50 MB instead of ~1.5 MB.
         */
        void work() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    if (error.get() == null) {
                        int start = c * chunk;
                        body.run(start, Math.min(n, start + chunk));
                    }
                } catch (Throwable t) {
                    error.compareAndSet(null, t);
                } finally {
                    finished.incrementAndGet();
                }
            }
        }

        /** {@link #work()}, timing each chunk for the profile under {@code slot}'s name. */
        void work(int slot) {
            long[] prof = PoolCounters.current();
            if (prof == null) {
                work();
                return;
            }
            int[] depth = PoolCounters.depth();
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                long t0 = System.nanoTime();
                if (depth != null) depth[0]++;
                try {
                    if (error.get() == null) {
                        int start = c * chunk;
                        body.run(start, Math.min(n, start + chunk));
                    }
                } catch (Throwable t) {
                    error.compareAndSet(null, t);
                } finally {
                    if (depth != null) {
                        depth[0]--;
                        // Before the chunk counts as finished: the caller reads the counters after the loop.
                        PoolCounters.count(prof, slot, PoolCounters.BUSY, System.nanoTime() - t0);
                    }
                    finished.incrementAndGet();
                }
            }
        }
    }

    /** A pool thread: spins for a while after each loop, then parks until the next. */
    static final class Worker extends Thread {
        final ComputePool pool;
        final int slot;
        volatile boolean parked;
        /** The number of the last loop this worker took part in (0: none yet). */
        private long done;

        Worker(ComputePool pool, int index) {
            super("vecgrad-compute-" + (index + 1));
            this.pool = pool;
            this.slot = index + 1;
            setDaemon(true);
        }

        @Override
        public void run() {
            // A worker outlives any error: an OutOfMemoryError can surface anywhere (the JIT
            // re-creating an object it had optimised away), also between chunks, where no loop
            // would report it; the loop's caller reports its own, and the pool stays whole.
            while (!pool.shutdown) {
                try {
                    serve();
                } catch (Throwable t) {
                    Thread.onSpinWait();
                }
            }
        }

        private void serve() {
            // The last loop this worker ran is remembered by its number, never by reference: a
            // finished loop's body holds whatever its caller captured (a trainer, its
            // activations), which would otherwise stay reachable from here until the next loop,
            // and after an OutOfMemoryError keep the heap full while the error is reported.
            while (!pool.shutdown) {
                Job j = pool.job;
                if (j != null && j.id != done) {
                    done = j.id;
                    j.work(slot);
                    continue;
                }
                j = null;
                long idleSince = System.nanoTime();
                while (!fresh(pool.job, done)) {
                    if (pool.shutdown) {
                        return;
                    }
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        // Re-read after announcing the park: a caller that published its job before
                        // seeing parked == true is caught here, one that publishes after unparks us.
                        if (!fresh(pool.job, done)) {
                            LockSupport.park(this);
                        }
                        parked = false;
                        idleSince = System.nanoTime();
                    }
                }
            }
        }

        /** Whether {@code j} is a loop this worker has not run yet. */
        private static boolean fresh(Job j, long done) {
            return j != null && j.id != done;
        }
    }
}
