package dev.vecgrad.train.run;

/** Thrown when the loss or the gradient norm stops being a finite number. */
public final class TrainingDivergedException extends RuntimeException {
    private final long step;

    TrainingDivergedException(long step, float loss, float gradNorm) {
        super("training diverged at step " + step + ": loss " + loss + ", gradient norm " + gradNorm
                + "; try a lower --lr or --grad-clip 1.0 (the last good checkpoint, if any, is kept)");
        this.step = step;
    }

    /** The step whose loss or gradient was not finite. */
    public long step() {
        return step;
    }
}
