package dev.vecgrad.autograd;

import java.util.random.RandomGenerator;

/** Inverted dropout: the kept elements are scaled at training time so evaluation is the identity. */
final class DropoutOps {
    private DropoutOps() {}

    static Tensor dropout(Tensor x, float p, boolean training, RandomGenerator rng) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout: probability must be in [0, 1], got " + p);
        }
        if (!training || p == 0f) return x;
        if (rng == null) throw new IllegalArgumentException("dropout: training with p = " + p + " needs a random generator, got null");
        float keep = p == 1f ? 0f : 1f / (1f - p);
        float[] xs = x.dense();
        long[] bits = DropoutBits.draw(xs.length, p, rng);   // the same decisions at any thread count
        return Engine.record(Tensor.wrap(DropoutBits.scaleKept(xs, bits, keep), x.shape.clone()), "dropout",
                g -> new Tensor[] {Tensor.wrap(DropoutBits.scaleKept(g.dense(), bits, keep), x.shape.clone())}, x);
    }
}
