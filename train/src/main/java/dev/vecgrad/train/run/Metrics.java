package dev.vecgrad.train.run;

/**
 * One line of {@code metrics.jsonl}: what a logged step measured. Fields that a step did not
 * measure are NaN (written as absent).
 *
 * @param step        optimizer steps completed
 * @param trainLoss   loss of this step's batch, or the evaluated train loss at an evaluation
 * @param valLoss     validation loss (evaluations only)
 * @param evalTrainLoss train-split loss over the evaluation batches (evaluations only)
 * @param accuracy    held-out exact match (built-in task evaluations only)
 * @param lr          learning rate used by the step
 * @param gradNorm    global gradient norm before clipping
 * @param tokensPerS  training throughput (excludes evaluation time and the first steps)
 * @param elapsedS    seconds since the run (or the resumed part) started
 * @param layers      per layer (parameter-name prefix such as {@code transformer.h.0}): its gradient
 *                    norm before clipping and its update/weight ratio {@code |dw| / |w|}; null unless
 *                    the run logs them ({@code --log-grad-norms})
 * @param gcShare     fraction of the timed steps' wall time the garbage collector had the JVM
 *                    paused (same steps as tokensPerS)
 * @param allocMbPerStep megabytes allocated per timed step, by all threads
 * @param mfu         model FLOPs utilization: the training FLOP/s that {@code tokensPerS} stands for
 *                    ({@link TrainingFlops#perToken}) as a share of the GEMM peak measured on the
 *                    same machine at the start of the run; NaN when no peak was measured
 */
public record Metrics(long step, double trainLoss, double valLoss, double evalTrainLoss, double accuracy, double lr,
                      double gradNorm, double tokensPerS, double elapsedS, java.util.Map<String, double[]> layers,
                      double gcShare, double allocMbPerStep, double mfu) {
    /** A line without a utilization figure. */
    public Metrics(long step, double trainLoss, double valLoss, double evalTrainLoss, double accuracy, double lr,
                   double gradNorm, double tokensPerS, double elapsedS, java.util.Map<String, double[]> layers,
                   double gcShare, double allocMbPerStep) {
        this(step, trainLoss, valLoss, evalTrainLoss, accuracy, lr, gradNorm, tokensPerS, elapsedS, layers, gcShare,
                allocMbPerStep, Double.NaN);
    }

    /** A line without memory statistics. */
    public Metrics(long step, double trainLoss, double valLoss, double evalTrainLoss, double accuracy, double lr,
                   double gradNorm, double tokensPerS, double elapsedS, java.util.Map<String, double[]> layers) {
        this(step, trainLoss, valLoss, evalTrainLoss, accuracy, lr, gradNorm, tokensPerS, elapsedS, layers,
                Double.NaN, Double.NaN);
    }

    /** A line without per-layer statistics. */
    public Metrics(long step, double trainLoss, double valLoss, double evalTrainLoss, double accuracy, double lr,
                   double gradNorm, double tokensPerS, double elapsedS) {
        this(step, trainLoss, valLoss, evalTrainLoss, accuracy, lr, gradNorm, tokensPerS, elapsedS, null);
    }

    /** Whether this line was written at an evaluation. */
    public boolean isEval() {
        return !Double.isNaN(valLoss);
    }
}
