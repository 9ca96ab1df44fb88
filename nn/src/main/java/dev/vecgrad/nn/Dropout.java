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

    /**
     * Dropout drawing from a generator that may be shared with other layers.
     *
     * @param p the probability of zeroing an element, in {@code [0, 1)}
     * @param rng the generator (shared, not copied)
     * @throws IllegalArgumentException if {@code p} is out of range or {@code rng} is null
     */
    public Dropout(float p, RandomGenerator rng) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        if (rng == null) throw new IllegalArgumentException("Dropout: rng must not be null");
        this.p = p;
        this.rng = rng;
    }

    /**
     * Dropout with its own generator.
     *
     * @param p the probability of zeroing an element, in {@code [0, 1)}
     * @param seed the seed of its {@link java.util.SplittableRandom}
     */
    public Dropout(float p, long seed) {
        this(p, new SplittableRandom(seed));
    }

    /** {@return the probability of zeroing an element} */
    public float p() {
        return p;
    }

    /** The generator it draws from, for ops that fuse this dropout into their own work. */
    RandomGenerator rng() {
        return rng;
    }

    /**
     * In training, zeroes elements with probability p and scales the rest by 1/(1-p); in evaluation, the identity.
     *
     * @param x any shape
     * @return the same shape ({@code x} itself in evaluation)
     */
    public Tensor forward(Tensor x) {
        return x.dropout(p, isTraining(), rng);
    }
}
