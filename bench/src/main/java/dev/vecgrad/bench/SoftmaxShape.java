package dev.vecgrad.bench;

import dev.vecgrad.autograd.kernel.Softmax;
import dev.vecgrad.autograd.kernel.SoftmaxScalar;
import java.util.Random;

/**
 * A softmax workload shared by {@link SoftmaxBench} and {@link SoftmaxCompare}: either plain
 * rows ({@code "3072x64"}) or causal square blocks ({@code "causal64x192"}: 192 blocks of 64x64,
 * the attention scores of 192 (batch, head) pairs).
 */
final class SoftmaxShape {
    final String name;
    final boolean causal;
    final int rows;
    final int cols;
    final int blocks;
    final float[] in;
    final float[] out;

    SoftmaxShape(String name) {
        this.name = name;
        if (name.startsWith("causal")) {
            String[] p = name.substring("causal".length()).split("x");
            causal = true;
            rows = Integer.parseInt(p[0]);
            cols = rows;
            blocks = Integer.parseInt(p[1]);
        } else {
            String[] p = name.split("x");
            causal = false;
            rows = Integer.parseInt(p[0]);
            cols = Integer.parseInt(p[1]);
            blocks = 1;
        }
        in = new float[blocks * rows * cols];
        out = new float[in.length];
        Random rnd = new Random(42);
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) rnd.nextGaussian() * 3f;
        }
    }

    /** Elements written per call (masked zeros included, as torch writes them too). */
    long elements() {
        return (long) blocks * rows * cols;
    }

    /** Runs rows {@code [from, to)} (of all blocks' rows) with the SIMD or the scalar kernel. */
    void run(boolean simd, int from, int to) {
        if (!causal) {
            int n = to - from;
            if (simd) {
                Softmax.softmaxRows(out, from * cols, in, from * cols, n, cols);
            } else {
                SoftmaxScalar.softmaxRows(out, from * cols, in, from * cols, n, cols);
            }
            return;
        }
        // Causal: split over whole blocks (from/to count blocks here).
        int block = rows * cols;
        for (int b = from; b < to; b++) {
            if (simd) {
                Softmax.causalSoftmaxRows(out, b * block, in, b * block, rows, cols, 0);
            } else {
                SoftmaxScalar.causalSoftmaxRows(out, b * block, in, b * block, rows, cols, 0);
            }
        }
    }

    /** The unit {@link #run} splits over: rows, or blocks for causal shapes. */
    int units() {
        return causal ? blocks : rows;
    }
}
