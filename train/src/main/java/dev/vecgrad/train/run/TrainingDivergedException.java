package dev.vecgrad.train.run;

import dev.vecgrad.autograd.NonFiniteException;

/**
 * Thrown when the loss or the gradient norm stops being a finite number, or, with anomaly
 * detection on, when an op first produces NaN or infinity (then the cause, a {@link
 * NonFiniteException}, names the op). The usual remedies are a lower learning rate or gradient
 * clipping; anomaly detection ({@link Trainer#setDetectAnomaly}) finds the op.
 */
public final class TrainingDivergedException extends RuntimeException {
    /** The step that diverged (serialised with the exception). */
    private final long step;

    TrainingDivergedException(long step, float loss, float gradNorm) {
        super("training diverged at step " + step + ": loss " + loss + ", gradient norm " + gradNorm
                + " (the last good checkpoint, if any, is kept)");
        this.step = step;
    }

    TrainingDivergedException(long step, double evalTrainLoss, double evalValLoss) {
        super("training diverged at step " + step + ": the evaluation loss is " + evalTrainLoss + " (train) and "
                + evalValLoss + " (val) (the last good checkpoint, if any, is kept)");
        this.step = step;
    }

    TrainingDivergedException(long step, NonFiniteException cause) {
        super("training diverged at step " + step + ": " + cause.getMessage() + " (the last good checkpoint, if any, is kept)",
                cause);
        this.step = step;
    }

    /** {@return the step whose loss or gradient was not finite} */
    public long step() {
        return step;
    }
}
