package dev.vecgrad.train.run;

import java.util.random.RandomGenerator;

/**
 * A random generator whose whole state is one long that the trainer sets before every
 * micro-step from (seed, step, micro-step). Dropout masks and batches then depend only on the
 * step number, so a resumed run draws exactly what an uninterrupted one would, with no generator
 * state to save. The mixing is SplitMix64's.
 */
public final class StepRandom implements RandomGenerator {
    private long state;

    /**
     * A generator positioned at (seed, step, stream).
     *
     * @param seed the run's seed
     * @param step the optimizer step
     * @param stream which draw of the step (micro-batch data, dropout, ...), so draws do not overlap
     */
    public StepRandom(long seed, long step, int stream) {
        reseed(seed, step, stream);
    }

    /**
     * Moves the generator to the stream of (seed, step, stream), without allocating.
     *
     * @param seed the run's seed
     * @param step the optimizer step
     * @param stream which draw of the step
     */
    public void reseed(long seed, long step, int stream) {
        state = mix(mix(seed) ^ (step * 0x9E3779B97F4A7C15L) ^ ((long) stream << 48));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }
}
