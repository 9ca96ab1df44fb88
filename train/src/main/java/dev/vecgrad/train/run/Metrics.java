package dev.vecgrad.train.run;

import java.util.Map;
import java.util.Objects;

/**
 * One line of {@code metrics.jsonl}: either what an optimizer step measured ({@link #train()}
 * set) or what the evaluation after it measured ({@link #eval()} set), never both.
 *
 * @param step     optimizer steps completed
 * @param elapsedS seconds since the run (or the resumed part of it) started
 * @param train    the step's batch loss, learning rate and gradient norm; null on an evaluation line
 * @param eval     the evaluation; null on a step line
 * @param speed    throughput and memory over the timed steps so far
 * @param layers   per layer (parameter-name prefix such as {@code transformer.h.0}): its gradient
 *                 norm before clipping and its update/weight ratio {@code |dw| / |w|}; null
 *                 unless the run logs them ({@code Trainer.setLogGradNorms}), always null on
 *                 evaluation lines
 */
public record Metrics(long step, double elapsedS, Step train, Evaluation eval, Speed speed, Map<String, double[]> layers) {

    /** Checks that exactly one of {@code train} and {@code eval} is set. */
    public Metrics {
        if ((train == null) == (eval == null)) {
            throw new IllegalArgumentException("a metrics line has either step or evaluation results, got "
                    + (train == null ? "neither" : "both"));
        }
        Objects.requireNonNull(speed, "speed");
    }

    /** A step line. */
    public static Metrics ofStep(long step, double elapsedS, Step train, Speed speed, Map<String, double[]> layers) {
        return new Metrics(step, elapsedS, train, null, speed, layers);
    }

    /** An evaluation line. */
    public static Metrics ofEval(long step, double elapsedS, Evaluation eval, Speed speed) {
        return new Metrics(step, elapsedS, null, eval, speed, null);
    }

    /** Whether this line was written at an evaluation. */
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
     * Throughput and memory, measured over the steps after the first few (which warm up the JIT)
     * and excluding evaluation time; NaN until a step has been timed.
     *
     * @param tokensPerS     training tokens per second
     * @param gcShare        fraction of the timed wall time the garbage collector had the JVM paused
     * @param allocMbPerStep megabytes allocated per timed step, by all threads
     * @param mfu            model FLOPs utilization: the training FLOP/s that {@code tokensPerS}
     *                       stands for ({@link TrainingFlops#perToken}) as a share of the GEMM peak
     *                       measured on the same machine during the run; NaN when none was measured
     */
    public record Speed(double tokensPerS, double gcShare, double allocMbPerStep, double mfu) {
        /** Nothing measured yet. */
        public static final Speed UNKNOWN = new Speed(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        /** Without a utilization figure. */
        public Speed(double tokensPerS, double gcShare, double allocMbPerStep) {
            this(tokensPerS, gcShare, allocMbPerStep, Double.NaN);
        }
    }
}
