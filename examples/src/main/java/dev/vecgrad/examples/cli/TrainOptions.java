package dev.vecgrad.examples.cli;

import dev.vecgrad.train.run.TrainConfig;
import picocli.CommandLine.Option;

/**
 * The hyperparameter flags of {@code vecgrad train}. Each is optional: an unset flag keeps the
 * preset's value (or, on {@code --resume}, the saved run's).
 */
final class TrainOptions {
    @Option(names = "--n-layer", paramLabel = "N", description = "Transformer blocks.") Integer nLayer;
    @Option(names = "--n-head", paramLabel = "N", description = "Attention heads per block.") Integer nHead;
    @Option(names = "--n-embd", paramLabel = "N", description = "Embedding width (divisible by --n-head).") Integer nEmbd;
    @Option(names = "--block-size", paramLabel = "T", description = "Context length in tokens.") Integer blockSize;
    @Option(names = "--bias", paramLabel = "BOOL", arity = "1", description = "Biases in Linear and LayerNorm layers.") Boolean bias;
    @Option(names = "--dropout", paramLabel = "P", description = "Dropout probability in training.") Float dropout;
    @Option(names = "--batch-size", paramLabel = "B", description = "Sequences per micro-batch.") Integer batchSize;
    @Option(names = "--grad-accum", paramLabel = "N", description = "Micro-batches per optimizer step.") Integer gradAccum;
    @Option(names = "--max-iters", paramLabel = "N", description = "Optimizer steps.") Integer maxIters;
    @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate.") Float lr;
    @Option(names = "--min-lr", paramLabel = "LR", description = "Learning rate at the end of the cosine decay.") Float minLr;
    @Option(names = "--warmup-iters", paramLabel = "N", description = "Linear warmup steps.") Integer warmupIters;
    @Option(names = "--lr-decay-iters", paramLabel = "N", description = "Step where the cosine decay ends (default: --max-iters).") Integer lrDecayIters;
    @Option(names = "--weight-decay", paramLabel = "WD", description = "AdamW weight decay on 2-D weights.") Float weightDecay;
    @Option(names = "--beta1", paramLabel = "B1", description = "AdamW beta1.") Float beta1;
    @Option(names = "--beta2", paramLabel = "B2", description = "AdamW beta2.") Float beta2;
    @Option(names = "--grad-clip", paramLabel = "NORM", description = "Clip the global gradient norm (0: off).") Float gradClip;
    @Option(names = "--eval-interval", paramLabel = "N", description = "Steps between evaluations and checkpoints.") Integer evalInterval;
    @Option(names = "--eval-iters", paramLabel = "N", description = "Batches per split in an evaluation.") Integer evalIters;
    @Option(names = "--seed", paramLabel = "S", description = "Seed for initialisation, batches and dropout.") Long seed;

    /** Whether any hyperparameter flag was given. */
    boolean anySet() {
        return nLayer != null || nHead != null || nEmbd != null || blockSize != null || bias != null || dropout != null
                || batchSize != null || gradAccum != null || maxIters != null || lr != null || minLr != null
                || warmupIters != null || lrDecayIters != null || weightDecay != null || beta1 != null || beta2 != null
                || gradClip != null || evalInterval != null || evalIters != null || seed != null;
    }

    /** The base configuration with every given flag applied. */
    TrainConfig applyTo(TrainConfig b) {
        int iters = or(maxIters, b.maxIters());
        // The decay follows --max-iters unless set on its own, as in nanoGPT's configs.
        int decay = lrDecayIters != null ? lrDecayIters : (maxIters != null ? maxIters : b.lrDecayIters());
        int warm = or(warmupIters, b.warmupIters());
        if (warmupIters == null && warm > decay) warm = decay;
        return new TrainConfig(or(nLayer, b.nLayer()), or(nHead, b.nHead()), or(nEmbd, b.nEmbd()),
                or(blockSize, b.blockSize()), bias != null ? bias : b.bias(), or(dropout, b.dropout()),
                or(batchSize, b.batchSize()), or(gradAccum, b.gradAccum()), iters, or(lr, b.lr()),
                minLr != null ? minLr : Math.min(b.minLr(), or(lr, b.lr())), warm, decay,
                or(weightDecay, b.weightDecay()), or(beta1, b.beta1()), or(beta2, b.beta2()),
                or(gradClip, b.gradClip()), or(evalInterval, b.evalInterval()), or(evalIters, b.evalIters()),
                seed != null ? seed : b.seed());
    }

    /**
     * The saved configuration of a run being resumed with the given flags applied; unlike
     * {@link #applyTo}, a new {@code --max-iters} extends the run without moving the decay's end.
     */
    TrainConfig applyToSaved(TrainConfig saved) {
        Integer decay = lrDecayIters;
        lrDecayIters = decay != null ? decay : saved.lrDecayIters();
        try {
            return applyTo(saved);
        } finally {
            lrDecayIters = decay;
        }
    }

    private static int or(Integer v, int d) {
        return v != null ? v : d;
    }

    private static float or(Float v, float d) {
        return v != null ? v : d;
    }
}
