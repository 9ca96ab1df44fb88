package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Example-based GEMM tests: blocking edges, thread-count independence, batching, bad arguments.
 * Several change the global thread count (restored after each test), hence the resource lock:
 * with parallel test execution no other thread-count test runs at the same time.
 */
@ResourceLock("vecgrad.threads")
class GemmTest {
    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    private static GemmProperties.Case of(int m, int n, int k, boolean ta, boolean tb, float alpha, float beta) {
        return new GemmProperties.Case(m, n, k, ta, tb, 3, 1, 5, 7, 3, 11, alpha, beta, 42L + m + n + k);
    }

    @Test
    void crossesEveryBlockBoundary() {
        // n > NC (1024) and k > KC (1024) exercise the jc and pc loops; m > MC_MAX several row blocks.
        GemmProperties.check(of(13, 1100, 600, false, false, 1f, 0f));
        GemmProperties.check(of(19, 70, 1100, false, true, 1f, 0f));
        GemmProperties.check(of(35, 33, 2100, true, false, 0.5f, 1f));
        GemmProperties.check(of(9, 1030, 1500, true, true, 1f, -0.5f));
        GemmProperties.check(of(200, 1030, 300, true, true, -1.5f, 0.5f));
        GemmProperties.check(of(101, 40, 777, false, true, 1f, 1f));
        GemmProperties.check(of(97, 33, 513, true, false, 2f, -1f));
        // Deep with few row blocks: at two threads, one row part per thread over all of k.
        GemmProperties.check(of(250, 40, 2100, true, false, 1f, 0.5f));
        GemmProperties.check(of(197, 70, 1030, false, true, -1f, 0f));
    }

    @Test
    void resultsAreBitwiseIdenticalAtOneAndTwoThreads() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                float[][] one = run(1, 211, 301, 290, ta, tb);
                float[][] two = run(2, 211, 301, 290, ta, tb);
                GemmProperties.assertBitwiseEqual(one[0], two[0], "sgemm ta=" + ta + " tb=" + tb);
                GemmProperties.assertBitwiseEqual(one[1], two[1], "sgemmBatched ta=" + ta + " tb=" + tb);
                // Several k blocks and few row blocks: the row-part schedule at two threads.
                float[][] deepOne = run(1, 203, 45, 2100, ta, tb);
                float[][] deepTwo = run(2, 203, 45, 2100, ta, tb);
                GemmProperties.assertBitwiseEqual(deepOne[0], deepTwo[0], "deep sgemm ta=" + ta + " tb=" + tb);
            }
        }
    }

    /** Returns {plain product, batched products} computed with the given thread count. */
    private static float[][] run(int threads, int m, int n, int k, boolean ta, boolean tb) {
        Parallel.setThreads(threads);
        Random rnd = new Random(5);
        float[] a = GemmProperties.fill(rnd, m * k);
        float[] b = GemmProperties.fill(rnd, k * n);
        float[] c = new float[m * n];
        Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0f, c, 0, n);
        int batch = 9;
        int s = 33;
        float[] ba = GemmProperties.fill(rnd, batch * s * s);
        float[] bb = GemmProperties.fill(rnd, batch * s * s);
        float[] bc = new float[batch * s * s];
        Gemm.sgemmBatched(ta, tb, s, s, s, 0.5f, ba, 0, s, s * s, bb, 0, s, s * s, 0f, bc, 0, s, s * s, batch);
        return new float[][] {c, bc};
    }

    @Test
    void betaZeroOverwritesNaN() {
        int m = 7, n = 19, k = 5;
        float[] a = GemmProperties.fill(new Random(1), m * k);
        float[] b = GemmProperties.fill(new Random(2), k * n);
        float[] c = new float[m * n];
        java.util.Arrays.fill(c, Float.NaN);
        Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        for (float v : c) {
            assertTrue(Float.isFinite(v));
        }
        java.util.Arrays.fill(c, Float.NaN);
        Gemm.sgemm(false, false, m, n, 0, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        for (float v : c) {
            assertEquals(0f, v);
        }
    }

    @Test
    void batchedMatchesOneCallPerProduct() {
        // Attention-like: (T, hs) x (hs, T) for several heads, strided inside one array.
        int batch = 6, m = 64, n = 65, k = 16;
        Random rnd = new Random(3);
        float[] a = GemmProperties.fill(rnd, batch * m * k + 4);
        float[] b = GemmProperties.fill(rnd, batch * n * k + 4);
        float[] c = GemmProperties.fill(rnd, batch * m * n + 4);
        float[] expected = c.clone();
        for (int i = 0; i < batch; i++) {
            Gemm.sgemm(false, true, m, n, k, 0.25f, a, 1 + i * m * k, k, b, 2 + i * n * k, k, 1f, expected, 3 + i * m * n, n);
        }
        Gemm.sgemmBatched(false, true, m, n, k, 0.25f, a, 1, k, m * k, b, 2, k, n * k, 1f, c, 3, n, m * n, batch);
        GemmProperties.assertBitwiseEqual(expected, c, "sgemmBatched");
    }

    @Test
    void badArgumentsNameTheOperationAndSizes() {
        float[] x = new float[100];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, -1, 2, 2, 1f, x, 0, 2, x, 0, 2, 0f, x, 0, 2));
        assertTrue(e.getMessage().contains("sgemm") && e.getMessage().contains("m=-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 3, 4, 5, 1f, x, 0, 4, x, 0, 4, 0f, x, 0, 4));
        assertTrue(e.getMessage().contains("lda=4") && e.getMessage().contains("k=5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GemmScalar.sgemm(true, false, 3, 4, 5, 1f, x, 0, 3, x, 0, 4, 0f, new float[11], 0, 4));
        assertTrue(e.getMessage().contains("sgemm") && e.getMessage().contains("C has 11 elements"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, true, 3, 4, 5, 1f, x, 90, 5, x, 0, 5, 0f, x, 0, 4));
        assertTrue(e.getMessage().contains("A has 100 elements"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemmBatched(false, false, 2, 2, 2, 1f, x, 0, 2, 4, x, 0, 2, 4, 0f, x, 0, 2, 4, 30));
        assertTrue(e.getMessage().contains("sgemmBatched") && e.getMessage().contains("batch 30"), e.getMessage());
    }

    @Test
    void parallelRunsEveryChunkOnceAndNestsInline() {
        Parallel.setThreads(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(1000);
        Parallel.forRange(1000, 7, (s, e) -> {
            assertTrue(e - s == 7 || e == 1000);
            // A nested parallel call from a pool thread must run inline instead of deadlocking.
            Parallel.parallelFor(3, i -> { });
            for (int i = s; i < e; i++) {
                hits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < 1000; i++) {
            assertEquals(1, hits.get(i));
        }
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertThrows(IllegalArgumentException.class, () -> Parallel.forRange(5, 0, (s, e) -> { }));
    }

    /**
     * fromBothEnds runs every task exactly once at 1, 2 and 3 threads, in increasing order on one
     * thread, runs a nested pool call inline, and rethrows a task's exception after both ends stop.
     */
    @Test
    void fromBothEndsRunsEveryTaskOnce() {
        for (int threads = 1; threads <= 3; threads++) {
            Parallel.setThreads(threads);
            for (int tasks : new int[] {0, 1, 2, 3, 17, 1000}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, tasks));
                java.util.List<Integer> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                Parallel.fromBothEnds(tasks, t -> {
                    Parallel.parallelFor(2, i -> { });
                    hits.incrementAndGet(t);
                    order.add(t);
                });
                for (int i = 0; i < tasks; i++) assertEquals(1, hits.get(i), "task " + i + " of " + tasks + " at " + threads + " threads");
                if (threads == 1) {
                    for (int i = 0; i < tasks; i++) assertEquals(i, order.get(i), "one thread runs the tasks in order");
                }
            }
            AtomicIntegerArray ran = new AtomicIntegerArray(50);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.fromBothEnds(50, t -> {
                ran.incrementAndGet(t);
                if (t == 20) throw new IllegalStateException("task 20");
            }));
            assertEquals("task 20", e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Parallel.fromBothEnds(-1, t -> { }));
    }
}
