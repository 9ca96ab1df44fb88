package dev.vecgrad.train.run;

/**
 * What one evaluation measured: mean losses over the evaluation batches of each split and, for
 * tasks that have one, held-out accuracy.
 *
 * @param trainLoss mean loss over the train-split evaluation batches
 * @param valLoss   mean loss over the validation-split evaluation batches
 * @param accuracy  held-out exact match in [0, 1]; NaN when the task has no accuracy
 */
public record Evaluation(double trainLoss, double valLoss, double accuracy) {
    /** Whether both losses are finite numbers. */
    public boolean isFinite() {
        return Double.isFinite(trainLoss) && Double.isFinite(valLoss);
    }
}
