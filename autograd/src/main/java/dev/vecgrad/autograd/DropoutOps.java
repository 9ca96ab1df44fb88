package dev.vecgrad.autograd;

import dev.vecgrad.autograd.kernel.Parallel;
import java.util.random.RandomGenerator;

/** Inverted dropout: the kept elements are scaled at training time so evaluation is the identity. */
final class DropoutOps {
    private DropoutOps() {}

    private static final int CHUNK = 1 << 14;   // a multiple of 64: chunks never share a word of bits

    static Tensor dropout(Tensor x, float p, boolean training, RandomGenerator rng) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout: probability must be in [0, 1], got " + p);
        }
        if (!training || p == 0f) return x;
        float keep = p == 1f ? 0f : 1f / (1f - p);
        float[] xs = x.dense();
        int n = xs.length;
        long[] bits = DropoutBits.draw(n, p, rng);   // drawn in order on this thread: the same at any thread count
        float[] out = new float[n];
        Parallel.forRange(n, CHUNK, n >= 2 * CHUNK, (lo, hi) -> DropoutBits.apply(out, lo, xs, lo, bits, lo, keep, hi - lo));
        return Engine.record(Tensor.wrap(out, x.shape.clone()), "dropout", g -> {
            float[] gs = g.dense();
            float[] dx = new float[n];
            Parallel.forRange(n, CHUNK, n >= 2 * CHUNK, (lo, hi) -> DropoutBits.apply(dx, lo, gs, lo, bits, lo, keep, hi - lo));
            return new Tensor[] {Tensor.wrap(dx, x.shape.clone())};
        }, x);
    }
}
