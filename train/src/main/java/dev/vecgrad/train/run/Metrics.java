package dev.vecgrad.train.run;

import java.util.Map;
import java.util.Objects;

/**
 * One line of {@code metrics.jsonl}, one per optimizer step: what the step measured and, at an
 * evaluation step, what the evaluation after it measured.
 *
 * @param step     optimizer steps completed
 * @param elapsedS wall-clock seconds the run has trained so far, evaluations included, summed
 *                 over every resumed part (the time lost to a crash after the last checkpoint
 *                 is not counted)
 * @param train    the step's batch loss, learning rate and gradient norm; null only for an
 *                 evaluation read from an old-format file with no line of its own step
 * @param eval     the evaluation after this step; null when the step did not evaluate
 * @param speed    throughput and memory over the timed steps so far
 * @param layers   per layer (parameter-name prefix such as {@code transformer.h.0}): its gradient
 *                 norm before clipping and its update/weight ratio {@code |dw| / |w|}; null
 *                 unless the run logs them ({@code Trainer.setLogGradNorms}), always null on
 *                 evaluation lines
 */
public record Metrics(long step, double elapsedS, Step train, Evaluation eval, Speed speed, Map<String, double[]> layers) {

    /**
     * Checks that the line holds step or evaluation results (or both).
     *
     * @throws IllegalArgumentException when both are null
     * @throws NullPointerException when {@code speed} is null
     */
    public Metrics {
        if (train == null && eval == null) throw new IllegalArgumentException("a metrics line needs step or evaluation results");
        Objects.requireNonNull(speed, "speed");
    }

    /**
     * A line of a step that did not evaluate.
     *
     * @param step optimizer steps completed
     * @param elapsedS wall-clock seconds the run has trained so far
     * @param train the step's results
     * @param speed throughput and memory so far
     * @param layers per-layer gradient norms and update ratios, or null
     * @return the line
     */
    public static Metrics ofStep(long step, double elapsedS, Step train, Speed speed, Map<String, double[]> layers) {
        return new Metrics(step, elapsedS, train, null, speed, layers);
    }

    /**
     * This line with an evaluation's results added.
     *
     * @param e what the evaluation measured
     * @param elapsedS the run's elapsed seconds after the evaluation
     * @return a new line
     */
    public Metrics withEval(Evaluation e, double elapsedS) {
        return new Metrics(step, elapsedS, train, e, speed, layers);
    }

    /** {@return whether this step was evaluated} */
    public boolean isEval() {
        return eval != null;
    }

    /**
     * What one optimizer step measured.
     *
     * @param loss     mean loss of the step's micro-batches
     * @param lr       learning rate the step used
     * @param gradNorm global gradient norm before clipping
     */
    public record Step(double loss, double lr, double gradNorm) {}

    /**
     * Throughput and memory, measured over the timed steps of the whole run (every resumed part
     * included): each part's steps after its first few (which warm up the JIT), evaluation time
     * excluded; NaN until a step has been timed.
     *
     * @param tokensPerS     training tokens per second
     * @param gcShare        fraction of the timed wall time the garbage collector had the JVM paused
     * @param allocMbPerStep megabytes allocated per timed step, by all threads
     * @param trainS         seconds of the timed steps (what the other three are averaged over), so a
     *                       resumed run can carry the averages on
     * @param mfu            model FLOPs utilization: the training FLOP/s that {@code tokensPerS}
     *                       stands for ({@link TrainingFlops#perToken}) as a share of the GEMM peak
     *                       measured on the same machine during the run; NaN when none was measured
     */
    public record Speed(double tokensPerS, double gcShare, double allocMbPerStep, double trainS, double mfu) {
        /** Nothing measured yet. */
        public static final Speed UNKNOWN = new Speed(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        /**
         * Averages without the time they cover or a utilization figure.
         *
         * @param tokensPerS training tokens per second
         * @param gcShare fraction of the wall time the garbage collector paused the JVM
         * @param allocMbPerStep megabytes allocated per timed step, by all threads
         */
        public Speed(double tokensPerS, double gcShare, double allocMbPerStep) {
            this(tokensPerS, gcShare, allocMbPerStep, Double.NaN, Double.NaN);
        }
    }
}
