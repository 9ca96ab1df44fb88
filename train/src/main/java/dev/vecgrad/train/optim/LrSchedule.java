package dev.vecgrad.train.optim;

/** A learning rate as a function of the step (0-based). */
@FunctionalInterface
public interface LrSchedule {
    /**
     * The learning rate for one step.
     *
     * @param step the 0-based step
     * @return the rate
     */
    float lr(long step);

    /**
     * The same rate at every step.
     *
     * @param lr the rate
     * @return the schedule
     */
    static LrSchedule constant(float lr) {
        return step -> lr;
    }

    /**
     * nanoGPT's schedule: linear warmup from 0 to {@code maxLr} over {@code warmup} steps, then
     * cosine decay to {@code minLr} at {@code decaySteps}, then {@code minLr}.
     *
     * @param maxLr the peak rate, reached at the end of the warmup
     * @param minLr the final rate
     * @param warmup the number of warmup steps
     * @param decaySteps the step at which the decay ends ({@code >= warmup})
     * @return the schedule
     * @throws IllegalArgumentException if {@code warmup} is negative or after {@code decaySteps}
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
