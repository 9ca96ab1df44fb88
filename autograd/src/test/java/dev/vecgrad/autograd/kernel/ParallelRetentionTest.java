package dev.vecgrad.autograd.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A finished parallel loop leaves nothing its body captured reachable from the pool's workers:
 * after an OutOfMemoryError in a trainer's micro-batches, the worker that ran one must not keep
 * the trainer (and its activations) alive while the error is reported.
 */
class ParallelRetentionTest {
    @Test
    @ResourceLock("vecgrad.threads")   // changes the global thread count (restored below)
    void aFinishedLoopsBodyIsNotKeptByTheWorkers() throws InterruptedException {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(2);
            WeakReference<float[]> captured = runLoopCapturing(new float[1 << 20]);
            for (int i = 0; i < 20 && captured.get() != null; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertTrue(captured.get() == null, "the last loop's captured array is still reachable from the pool");
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** Runs a loop whose body captures {@code big} on both threads, and returns a weak reference to it. */
    private static WeakReference<float[]> runLoopCapturing(float[] big) {
        AtomicIntegerArray ran = new AtomicIntegerArray(64);
        // Enough chunks, each long enough, that the worker takes some of them.
        Parallel.forRange(64, 1, true, (s, e) -> {
            for (int i = s; i < e; i++) {
                double x = 0;
                for (int k = 0; k < 20_000; k++) x += big[(k * 31 + i) & (big.length - 1)];
                ran.set(i, x >= 0 ? 1 : 2);
            }
        });
        return new WeakReference<>(big);
    }
}
