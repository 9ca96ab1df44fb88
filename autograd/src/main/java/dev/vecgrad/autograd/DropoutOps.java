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
        float keep = p == 1f ? 0f : 1f / (1f - p);
        float[] xs = x.dense();
        float[] mask = new float[xs.length];
        float[] out = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            mask[i] = rng.nextFloat() < p ? 0f : keep;
            out[i] = xs[i] * mask[i];
        }
        return Engine.record(Tensor.wrap(out, x.shape.clone()), "dropout", g -> {
            float[] gs = g.toArray();   // a copy: written below
            for (int i = 0; i < gs.length; i++) gs[i] *= mask[i];
            return new Tensor[] {Tensor.wrap(gs, x.shape.clone())};
        }, x);
    }
}
