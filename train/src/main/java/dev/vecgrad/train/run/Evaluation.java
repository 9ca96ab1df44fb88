package dev.vecgrad.train.run;

/**
 * What one evaluation measured: mean losses over the evaluation batches of each split and, for
 * tasks that have them, held-out accuracy and the best head's induction score.
 *
 * @param trainLoss      mean loss over the train-split evaluation batches
 * @param valLoss        mean loss over the validation-split evaluation batches
 * @param accuracy       held-out exact match in [0, 1]; NaN when the task has no accuracy
 * @param inductionScore the highest induction score of any head on the task's fixed probe
 *                       ({@link TrainingTask#inductionScore}); NaN for tasks other than induction
 */
public record Evaluation(double trainLoss, double valLoss, double accuracy, double inductionScore) {
    /**
     * An evaluation without an induction score.
     *
     * @param trainLoss mean loss over the train-split evaluation batches
     * @param valLoss mean loss over the validation-split evaluation batches
     * @param accuracy held-out exact match in [0, 1]; NaN when the task has none
     */
    public Evaluation(double trainLoss, double valLoss, double accuracy) {
        this(trainLoss, valLoss, accuracy, Double.NaN);
    }

    /** {@return whether both losses are finite numbers (a run that diverged has not)} */
    public boolean isFinite() {
        return Double.isFinite(trainLoss) && Double.isFinite(valLoss);
    }
}
