package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The one compute pool used by several application threads at once (dashboard requests, a
 * training run in the same JVM, a user's two models): loops submitted concurrently and nested
 * loops must run every chunk exactly once, each caller must get its own exception, and nothing
 * may deadlock, at any thread count and while another thread replaces the pool.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)   // a deadlock fails instead of hanging the build
@ResourceLock("vecgrad.threads")   // changes the global thread count (restored in each test)
class ParallelConcurrencyTest {
    static final int CALLERS = 3, LOOPS = 200, N = 48, CHUNK = 4, INNER = 6;

    /**
     * One caller's work: {@code LOOPS} loops over {@code N} indices, each index running a nested
     * loop of {@code INNER}; every (loop, index, inner) cell must be counted exactly once.
     */
    static AtomicIntegerArray work(int caller) {
        AtomicIntegerArray hits = new AtomicIntegerArray(LOOPS * N * INNER);
        for (int loop = 0; loop < LOOPS; loop++) {
            int l = loop;
            if (caller == 0 && loop % 50 == 49) {
                // An exception in one caller's loop reaches that caller only, after every chunk ran.
                RuntimeException e = assertThrows(RuntimeException.class, () -> Parallel.forRange(N, CHUNK, (s, end) -> {
                    throw new IllegalStateException("caller 0's own failure");
                }));
                assertEquals("caller 0's own failure", e.getMessage());
            }
            Parallel.forRange(N, CHUNK, (s, e) -> {
                for (int i = s; i < e; i++) {
                    int cell = (l * N + i) * INNER;
                    Parallel.parallelFor(INNER, j -> hits.incrementAndGet(cell + j));
                }
            });
        }
        return hits;
    }

    @Test
    void concurrentAndNestedLoopsRunEveryChunkOnceForEachCaller() throws Exception {
        int before = Parallel.threads();
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                CyclicBarrier start = new CyclicBarrier(CALLERS);
                List<Future<AtomicIntegerArray>> fs = new ArrayList<>();
                for (int c = 0; c < CALLERS; c++) {
                    int caller = c;
                    fs.add(callers.submit(() -> {
                        start.await();
                        return work(caller);
                    }));
                }
                for (int c = 0; c < CALLERS; c++) {
                    AtomicIntegerArray hits = fs.get(c).get();
                    for (int i = 0; i < hits.length(); i++) {
                        assertEquals(1, hits.get(i), "caller " + c + ", cell " + i + " at " + threads + " threads");
                    }
                }
            }
        } finally {
            callers.shutdownNow();
            Parallel.setThreads(before);
        }
    }

    /**
     * A worker of a pool that {@link Parallel#setThreads} replaced while the worker was inside a
     * chunk still counts as a worker: a loop nested in that chunk runs inline on it. Before, the
     * old worker handed it to the new pool (it became that pool's calling thread, with the new
     * workers helping), so for a moment there were more compute threads than configured.
     */
    @Test
    void aWorkerOfAReplacedPoolStillRunsNestedLoopsInline() throws Exception {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(2);
            CountDownLatch bothRunning = new CountDownLatch(2), replaced = new CountDownLatch(1);
            AtomicReference<Thread> onWorker = new AtomicReference<>();
            AtomicReference<Boolean> inPool = new AtomicReference<>();
            List<Thread> nestedRanOn = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread caller = Thread.currentThread();
            // Two chunks that wait for each other: the calling thread cannot take both, so the
            // worker runs one of them.
            Parallel.forRange(2, 1, (s, e) -> {
                try {
                    bothRunning.countDown();
                    assertTrue(bothRunning.await(60, TimeUnit.SECONDS), "the worker never took the second chunk");
                    if (Thread.currentThread() == caller) {
                        Parallel.setThreads(2);   // a new pool while the worker is inside its chunk
                        replaced.countDown();
                    } else {
                        assertTrue(replaced.await(60, TimeUnit.SECONDS));
                        onWorker.set(Thread.currentThread());
                        inPool.set(Parallel.inPool());
                        Parallel.forRange(64, 1, (a, b) -> nestedRanOn.add(Thread.currentThread()));
                    }
                } catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            assertTrue(onWorker.get().getName().startsWith("vecgrad-compute-"), onWorker.get().getName());
            assertTrue(inPool.get(), "a worker of the replaced pool is still a worker");
            assertEquals(64, nestedRanOn.size());
            // (the new pool's workers have the same names: compared by identity)
            assertFalse(nestedRanOn.stream().anyMatch(t -> t != onWorker.get()),
                    "the nested loop ran inline on the old worker");
        } finally {
            Parallel.setThreads(before);
        }
    }
}
