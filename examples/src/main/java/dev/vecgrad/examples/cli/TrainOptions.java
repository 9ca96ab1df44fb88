package dev.vecgrad.examples.cli;

import dev.vecgrad.train.run.InvalidConfigException;
import dev.vecgrad.train.run.TrainConfig;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /** TrainConfig's field names and the flags that set them. */
    static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("nLayer", "--n-layer"), Map.entry("nHead", "--n-head"), Map.entry("nEmbd", "--n-embd"),
            Map.entry("blockSize", "--block-size"), Map.entry("bias", "--bias"), Map.entry("dropout", "--dropout"),
            Map.entry("batchSize", "--batch-size"), Map.entry("gradAccum", "--grad-accum"), Map.entry("maxIters", "--max-iters"),
            Map.entry("lr", "--lr"), Map.entry("minLr", "--min-lr"), Map.entry("warmupIters", "--warmup-iters"),
            Map.entry("lrDecayIters", "--lr-decay-iters"), Map.entry("weightDecay", "--weight-decay"),
            Map.entry("beta1", "--beta1"), Map.entry("beta2", "--beta2"), Map.entry("gradClip", "--grad-clip"),
            Map.entry("evalInterval", "--eval-interval"), Map.entry("evalIters", "--eval-iters"), Map.entry("seed", "--seed"));
    private static final Pattern FIELD = Pattern.compile("\\b(" + String.join("|", FLAGS.keySet()) + ")\\b");

    /** A configuration error in the command line's terms: every field name replaced by its flag. */
    static String inFlags(InvalidConfigException e) {
        Matcher m = FIELD.matcher(e.getMessage());
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(FLAGS.get(m.group(1))));
        return m.appendTail(sb).toString();
    }

    /** Whether any hyperparameter flag was given. */
    boolean anySet() {
        return nLayer != null || nHead != null || nEmbd != null || blockSize != null || bias != null || dropout != null
                || batchSize != null || gradAccum != null || maxIters != null || lr != null || minLr != null
                || warmupIters != null || lrDecayIters != null || weightDecay != null || beta1 != null || beta2 != null
                || gradClip != null || evalInterval != null || evalIters != null || seed != null;
    }

    /** The base configuration with every given flag applied. */
    TrainConfig applyTo(TrainConfig b) {
        return applyTo(b, false, false);
    }

    /**
     * The saved configuration of a run being resumed with the given flags applied. A new
     * {@code --max-iters} moves the end of the learning-rate decay with it when the saved run's
     * decay ended at its last step (nanoGPT's configs, and every preset, set both alike), so an
     * extended run decays again over its new length instead of running every new step at the
     * minimum rate; a decay end set apart from the run's length stays. {@code --lr-decay-iters}
     * sets it explicitly. The saved warmup always stays (a shorter {@code --max-iters} does not cut
     * it, unlike in a new run): the steps already taken followed it.
     */
    TrainConfig applyToSaved(TrainConfig saved) {
        // A decay end that followed --max-iters may sit at the warmup's end instead, where a resume
        // shortened the run below its warmup (below): it still follows.
        int followingEnd = Math.max(saved.maxIters(), saved.optimizer().warmupIters());
        boolean followed = saved.optimizer().lrDecayIters() == saved.maxIters()
                || saved.optimizer().lrDecayIters() == followingEnd;
        return applyTo(saved, !followed, true);
    }

    /** Whether {@link #applyTo} shrank --eval-iters for a run shorter than its preset. */
    boolean evalScaled;

    /**
     * The base configuration's warmup when {@link #applyTo} shortened it to end with the decay (a
     * new run shorter than its preset's warmup), else null: what train's note reports.
     */
    Integer warmupShortenedFrom;

    private TrainConfig applyTo(TrainConfig b, boolean keepDecay, boolean resuming) {
        // Only a possible --max-iters shapes the rest: an impossible one is left for TrainConfig to
        // reject under its own name, instead of surfacing as a --warmup-iters or --lr-decay-iters error.
        Integer length = maxIters != null && maxIters > 0 ? maxIters : null;
        TrainConfig.Builder c = b.toBuilder();
        if (nLayer != null) c.nLayer(nLayer);
        if (nHead != null) c.nHead(nHead);
        if (nEmbd != null) c.nEmbd(nEmbd);
        if (blockSize != null) c.blockSize(blockSize);
        if (bias != null) c.bias(bias);
        if (dropout != null) c.dropout(dropout);
        if (batchSize != null) c.batchSize(batchSize);
        if (gradAccum != null) c.gradAccum(gradAccum);
        if (maxIters != null) c.maxIters(maxIters);
        if (lr != null) c.lr(lr);
        if (weightDecay != null) c.weightDecay(weightDecay);
        if (beta1 != null) c.beta1(beta1);
        if (beta2 != null) c.beta2(beta2);
        if (gradClip != null) c.gradClip(gradClip);
        if (evalInterval != null) c.evalInterval(evalInterval);
        if (evalIters != null) {
            c.evalIters(evalIters);
        } else if (!resuming && length != null && length < b.maxIters()) {
            // A run shorter than its preset evaluates on proportionally fewer batches (at least 10,
            // or the preset's own count when smaller): a 200-step shakespeare-char run spent about
            // half its time evaluating 200 batches per split.
            int base = b.eval().iters();
            int scaled = (int) Math.max(Math.min(base, 10), Math.round((double) base * length / b.maxIters()));
            evalScaled = scaled < base;
            c.evalIters(Math.min(base, scaled));
        }
        if (seed != null) c.seed(seed);
        float peak = lr != null ? lr : b.optimizer().lr();
        // Without --min-lr the preset's floor stays, unless a lower --lr would put it above the peak.
        c.minLr(minLr != null ? minLr : Math.min(b.optimizer().minLr(), peak));
        int warm = warmupIters != null ? warmupIters : b.optimizer().warmupIters();
        // The decay follows --max-iters unless set on its own, as in nanoGPT's configs. Where the two
        // would cross, a new run's warmup shortens to end with the decay; a resumed run's steps already
        // ran under its warmup, which therefore stays, so the decay ends no sooner than the warmup does.
        int decay = lrDecayIters != null ? lrDecayIters
                : length == null || keepDecay ? b.optimizer().lrDecayIters()
                : resuming ? Math.max(length, warm) : length;
        c.lrDecayIters(decay);
        boolean shorten = !resuming && warmupIters == null && warm > decay;
        // Not reset otherwise: a second pass over the already shortened configuration (the addition
        // task's block size) finds nothing left to shorten.
        if (shorten) warmupShortenedFrom = warm;
        c.warmupIters(shorten ? decay : warm);
        return c.build();
    }
}
