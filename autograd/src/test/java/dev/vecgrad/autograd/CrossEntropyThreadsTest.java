package dev.vecgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.Softmax;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Cross-entropy over a batch big enough to run in row chunks on the pool: the loss and the
 * logits' gradient are the same bits at 1, 2 and 3 threads, and the bits of the whole-batch
 * computation it had before the rows were split (one log-sum-exp and one softmax sweep over all
 * rows, the loss summed in row order).
 */
@ResourceLock("vecgrad.threads")   // changes the global thread count (restored below)
class CrossEntropyThreadsTest {
    @Test
    void chunkedRowsGiveTheWholeBatchBitsAtAnyThreadCount() {
        int rows = 777, classes = 65, ignore = -1;
        assertTrue((long) rows * classes >= 2 * Kernels.CHUNK, "big enough to run in parallel");
        SplittableRandom r = new SplittableRandom(5);
        float[] logits = new float[rows * classes];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (r.nextGaussian() * 3);
        int[] targets = new int[rows];
        for (int i = 0; i < rows; i++) targets[i] = r.nextInt(10) == 0 ? ignore : r.nextInt(classes);

        // The whole-batch reference.
        float[] lse = new float[rows];
        Softmax.logSumExpRows(lse, 0, logits, 0, rows, classes);
        double total = 0;
        int count = 0;
        for (int i = 0; i < rows; i++) {
            if (targets[i] == ignore) continue;
            total += lse[i] - logits[i * classes + targets[i]];
            count++;
        }
        float loss = (float) (total / count), scale = 1f / count;
        float[] grad = new float[rows * classes];
        Softmax.softmaxFromLogSumExpRows(grad, 0, logits, 0, lse, 0, scale, rows, classes);
        for (int i = 0; i < rows; i++) {
            if (targets[i] == ignore) Arrays.fill(grad, i * classes, (i + 1) * classes, 0f);
            else grad[i * classes + targets[i]] -= scale;
        }

        int before = Parallel.threads();
        try {
            for (int threads = 1; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                Tensor x = Tensor.of(logits.clone(), 3, 259, classes).requiresGrad(true);
                Tensor l = x.crossEntropy(targets, ignore);
                assertEquals(Float.floatToIntBits(loss), Float.floatToIntBits(l.item()), "loss at " + threads + " threads");
                l.backward();
                assertArrayEquals(grad, x.grad().toArray(), "gradient at " + threads + " threads");
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
