package dev.vecgrad.train.run;

/**
 * AdamW and its learning-rate schedule (linear warmup, then cosine decay to {@code minLr}), and
 * gradient clipping.
 *
 * @param lr           peak learning rate
 * @param minLr        learning rate at the end of the cosine decay, in [0, lr]
 * @param warmupIters  linear warmup steps
 * @param lrDecayIters step at which the cosine decay reaches minLr (at least warmupIters)
 * @param weightDecay  AdamW decoupled weight decay, applied to 2-D weights only
 * @param beta1        AdamW beta1, in [0, 1)
 * @param beta2        AdamW beta2, in [0, 1)
 * @param gradClip     global gradient-norm clip; 0 disables it
 */
public record OptimizerSettings(float lr, float minLr, int warmupIters, int lrDecayIters, float weightDecay,
                                float beta1, float beta2, float gradClip) {

    /**
     * Checks every setting.
     *
     * @throws InvalidConfigException naming the first field out of range
     */
    public OptimizerSettings {
        if (!(lr > 0) || Float.isInfinite(lr)) throw new InvalidConfigException("lr", "must be positive, got " + lr);
        if (!(minLr >= 0) || minLr > lr) throw new InvalidConfigException("minLr", "must be in [0, lr], got " + minLr);
        InvalidConfigException.nonNegative("warmupIters", warmupIters);
        if (lrDecayIters < warmupIters) {
            throw new InvalidConfigException("lrDecayIters", "(" + lrDecayIters + ") must be >= warmupIters (" + warmupIters + ")");
        }
        if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
            throw new InvalidConfigException("weightDecay", "must be >= 0, got " + weightDecay);
        }
        InvalidConfigException.fraction("beta1", beta1);
        InvalidConfigException.fraction("beta2", beta2);
        if (!(gradClip >= 0)) throw new InvalidConfigException("gradClip", "must be >= 0, got " + gradClip);
    }
}
