package dev.vecgrad.train.run;

import java.util.random.RandomGenerator;

/**
 * The dropout generator a {@link Trainer} gives its model: one {@link StepRandom} per thread,
 * positioned by {@link #reseed} on the thread that then runs the micro-batch. Micro-batches of one
 * step may run at once on different threads over the same model, whose dropout layers all hold
 * this one generator; each thread still draws its own micro-batch's stream, so the masks depend on
 * (seed, step, micro-batch) alone, whichever thread runs it and whatever runs beside it.
 *
 * <p>The per-thread state is an instance field (a {@link ThreadLocal} of this object, not a
 * static one): each thread that ran a micro-batch keeps one small generator for it, until the
 * trainer is collected and the thread's map drops the stale entry.
 */
final class MicroBatchRandom implements RandomGenerator {
    private final ThreadLocal<StepRandom> current;

    /** A generator at (seed, 0, 1) on every thread until {@link #reseed} moves it. */
    MicroBatchRandom(long seed) {
        current = ThreadLocal.withInitial(() -> new StepRandom(seed, 0, 1));
    }

    /** Moves the calling thread's generator to the stream of (seed, step, stream). */
    void reseed(long seed, long step, int stream) {
        current.get().reseed(seed, step, stream);
    }

    @Override
    public long nextLong() {
        return current.get().nextLong();
    }
}
