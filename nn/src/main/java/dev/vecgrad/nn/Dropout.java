package dev.vecgrad.nn;

import dev.vecgrad.autograd.Tensor;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Inverted dropout, active only in training mode. The random generator is explicit: passed in
 * (a model shares one among its layers) or owned and seeded, so runs are reproducible.
 */
public final class Dropout extends Module {
    private final float p;
    private final RandomGenerator rng;

    /** Dropout with probability {@code p} drawing from {@code rng} (shared, not copied). */
    public Dropout(float p, RandomGenerator rng) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        if (rng == null) throw new IllegalArgumentException("Dropout: rng must not be null");
        this.p = p;
        this.rng = rng;
    }

    /** Dropout with probability {@code p} and its own generator seeded with {@code seed}. */
    public Dropout(float p, long seed) {
        this(p, new SplittableRandom(seed));
    }

    /** The drop probability. */
    public float p() {
        return p;
    }

    /** The generator it draws from, for ops that fuse this dropout into their own work. */
    RandomGenerator rng() {
        return rng;
    }

    /** In training, zeroes elements with probability p and scales the rest by 1/(1-p); else the identity. */
    public Tensor forward(Tensor x) {
        return x.dropout(p, isTraining(), rng);
    }
}
