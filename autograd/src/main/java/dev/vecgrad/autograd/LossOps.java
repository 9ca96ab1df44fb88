package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.Parallel;
import dev.vecgrad.autograd.kernel.Softmax;
import java.util.Arrays;

/**
 * Cross-entropy fused with its log-softmax: the forward keeps one log-sum-exp per row, and the
 * backward rebuilds the probabilities from the logits, so no (rows, classes) buffer is saved.
 * Both passes run on the SIMD softmax kernels ({@link Softmax#logSumExpRows},
 * {@link Softmax#softmaxFromLogSumExpRows}); they were scalar loops in double precision.
 */
final class LossOps {
    private LossOps() {}

    /** Rows per parallel chunk (fixed: the split never depends on the thread count). */
    static final int ROW_CHUNK = 64;

    // logits (N, C) [any leading dims], targets (N) -> mean over rows whose target != ignoreIndex
    static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) {
        if (logits.dim() == 0) throw new IllegalArgumentException("crossEntropy: logits must have a class dimension, got a 0-d tensor");
        int classes = logits.shape[logits.dim() - 1];
        int rows = classes == 0 ? 0 : logits.numel() / classes;
        if (targets.length != rows) {
            throw new IllegalArgumentException("crossEntropy: logits " + Shapes.str(logits.shape) + " hold " + rows
                    + " rows of " + classes + " classes but " + targets.length + " targets were given");
        }
        int count = 0;
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t == ignoreIndex) continue;
            if (t < 0 || t >= classes) {
                throw new IllegalArgumentException("crossEntropy: target " + t + " at position " + r
                        + " is out of range for " + classes + " classes (the ignore index is " + ignoreIndex + ")");
            }
            count++;
        }
        Tensor c = logits.isContiguous() ? logits : logits.detach().contiguous();
        float[] x = c.data;
        int off = c.offset;
        float[] lse = Workspace.scratch(rows);
        // Rows are independent: fixed chunks of ROW_CHUNK rows in parallel (the same bits at any
        // thread count); the loss is then summed on this thread, in row order.
        boolean parallel = (long) rows * classes >= 2 * Kernels.CHUNK;
        Parallel.forRange(rows, ROW_CHUNK, parallel, (r0, r1) ->
                Softmax.logSumExpRows(lse, r0, x, off + r0 * classes, r1 - r0, classes));
        double total = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] != ignoreIndex) total += lse[r] - x[off + r * classes + targets[r]];
        }
        // As in PyTorch, a batch whose targets are all ignored has a NaN mean (0 / 0).
        Tensor out = Tensor.scalar((float) (total / count));
        int[] tg = targets.clone();
        final int n = count;
        return Engine.record(out, "crossEntropy", g -> {
            float scale = g.item() / n;
            float[] dx = Workspace.scratch(rows * classes);
            // d loss / d logits = (softmax - one-hot) * scale on counted rows, 0 on ignored ones.
            Parallel.forRange(rows, ROW_CHUNK, parallel, (r0, r1) -> {
                Softmax.softmaxFromLogSumExpRows(dx, r0 * classes, x, off + r0 * classes, lse, r0, scale, r1 - r0, classes);
                for (int r = r0; r < r1; r++) {
                    int o = r * classes;
                    if (tg[r] == ignoreIndex) {
                        Arrays.fill(dx, o, o + classes, 0f);
                    } else {
                        dx[o + tg[r]] -= scale;
                    }
                }
            });
            return new Tensor[] {Tensor.wrap(dx, logits.shape.clone())};
        }, logits);
    }
}
