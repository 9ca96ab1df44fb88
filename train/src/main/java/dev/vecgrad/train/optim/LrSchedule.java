package dev.vecgrad.train.optim;

/** A learning rate as a function of the step (0-based). */
@FunctionalInterface
public interface LrSchedule {
    /** The learning rate for step {@code step}. */
    float lr(long step);

    /** The same rate at every step. */
    static LrSchedule constant(float lr) {
        return step -> lr;
    }

    /**
     * nanoGPT's schedule: linear warmup from 0 to {@code maxLr} over {@code warmup} steps, then
     * cosine decay to {@code minLr} at {@code decaySteps}, then {@code minLr}.
     */
    static LrSchedule warmupCosine(float maxLr, float minLr, long warmup, long decaySteps) {
        if (warmup < 0 || decaySteps < warmup) {
            throw new IllegalArgumentException("warmupCosine: need 0 <= warmup (" + warmup + ") <= decay steps (" + decaySteps + ")");
        }
        return step -> {
            if (step < warmup) return maxLr * (step + 1) / (float) (warmup + 1);
            if (step >= decaySteps) return minLr;
            double ratio = (double) (step - warmup) / Math.max(1, decaySteps - warmup);
            double coeff = 0.5 * (1.0 + Math.cos(Math.PI * ratio));
            return (float) (minLr + coeff * (maxLr - minLr));
        };
    }
}
