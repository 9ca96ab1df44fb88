package dev.vecgrad.train.inspect;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.ActivationCache;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.nn.HookPoint;
import dev.vecgrad.nn.Interventions;
import dev.vecgrad.train.data.Batch;
import dev.vecgrad.train.data.InductionTask;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each attention head does, as one number per head and score. With {@code A[b, h, t, j]} a
 * head's attention pattern ({@code blocks.l.attn.hook_pattern}):
 *
 * <ul>
 * <li><b>previous-token</b>: {@code mean over b and t in [1, T) of A[b, h, t, t-1]}, on held-out data.
 *     1 for a head that always looks one token back.
 * <li><b>first-token</b> (attention sink): {@code mean over b and t in [1, T) of A[b, h, t, 0]}, on
 *     held-out data (position 0 is left out, where every head must attend to itself).
 * <li><b>induction</b>: on random token sequences in which a segment of {@code n_b} tokens
 *     appears twice, the second copy starting at {@code s_b}: {@code mean over b and t in
 *     [s_b, s_b + n_b) of A[b, h, t, t-n_b+1]}, attention from a token in the second copy to the
 *     token after its earlier occurrence. The probe varies {@code n_b} and {@code s_b} from sequence
 *     to sequence, so a head that attends to a fixed offset or position cannot score high; with one
 *     copy length {@code n} and no prefix ({@code s_b = n}, {@code T = 2n}) it is TransformerLens's
 *     score on repeated random tokens.
 * <li><b>ablation</b>: the increase of the mean loss on held-out data when the head's output
 *     ({@code hook_z}) is replaced by its mean over that data (mean ablation). It measures the
 *     head's whole effect on the loss, through later layers too.
 * </ul>
 */
public final class HeadScores {
    private HeadScores() {}

    /** The score names, as in the JSON output. */
    public static final List<String> NAMES = List.of("previous_token", "first_token", "induction", "ablation");

    /**
     * One head's scores.
     *
     * @param layer the head's block
     * @param head the head's index in the block
     * @param previousToken the mean attention to the previous position
     * @param firstToken the mean attention to position 0 (an attention sink)
     * @param induction the mean attention to the token after the earlier copy of the current one
     * @param ablation how much the held-out loss rises when the head is mean-ablated
     */
    public record Head(int layer, int head, double previousToken, double firstToken, double induction, double ablation) {
        /**
         * The score called {@code name}.
         *
         * @param name one of {@link #NAMES}
         * @return the score
         * @throws IllegalArgumentException for another name
         */
        public double score(String name) {
            return switch (name) {
                case "previous_token" -> previousToken;
                case "first_token" -> firstToken;
                case "induction" -> induction;
                case "ablation" -> ablation;
                default -> throw new IllegalArgumentException("no head score '" + name + "'; expected one of " + NAMES);
            };
        }
    }

    /**
     * Every head's scores.
     *
     * @param nLayer the model's blocks
     * @param nHead the heads per block
     * @param heads       every head, layer by layer
     * @param cleanLoss   the held-out loss without ablation
     * @param probeLength the length of the induction probe's sequences
     */
    public record Report(int nLayer, int nHead, List<Head> heads, double cleanLoss, int probeLength) {
        /**
         * One score of every head, for a heatmap.
         *
         * @param name one of {@link #NAMES}
         * @return {@code [layer][head]}
         */
        public double[][] grid(String name) {
            double[][] g = new double[nLayer][nHead];
            for (Head h : heads) g[h.layer()][h.head()] = h.score(name);
            return g;
        }

        /**
         * The heads sorted by one score.
         *
         * @param name one of {@link #NAMES}
         * @return a new list, highest first
         */
        public List<Head> sortedBy(String name) {
            List<Head> s = new ArrayList<>(heads);
            s.sort(Comparator.comparingDouble((Head h) -> h.score(name)).reversed());
            return s;
        }

        /**
         * The head with the highest score.
         *
         * @param name one of {@link #NAMES}
         * @return that head
         */
        public Head best(String name) {
            return sortedBy(name).get(0);
        }

        /**
         * {@return the report as plain maps and lists, the documented JSON schema of {@code vecgrad heads --json}}
         */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("n_layer", nLayer);
            m.put("n_head", nHead);
            m.put("clean_loss", cleanLoss);
            m.put("probe_length", probeLength);
            Map<String, Object> grids = new LinkedHashMap<>();
            for (String n : NAMES) grids.put(n, grid(n));
            m.put("scores", grids);
            List<Map<String, Object>> list = new ArrayList<>();
            for (Head h : heads) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("layer", h.layer());
                e.put("head", h.head());
                for (String n : NAMES) e.put(n, h.score(n));
                list.add(e);
            }
            m.put("heads", list);
            return m;
        }
    }

    /**
     * The previous-token score of each head of one layer.
     *
     * @param pattern the layer's attention pattern {@code [B, H, T, T]}
     * @return one score per head, in [0, 1]
     */
    public static double[] previousToken(Tensor pattern) {
        return diagonalMean(pattern, 1, -1, false);
    }

    /**
     * The first-token (sink) score of each head of one layer.
     *
     * @param pattern the layer's attention pattern {@code [B, H, T, T]}
     * @return one score per head, in [0, 1]
     */
    public static double[] firstToken(Tensor pattern) {
        return diagonalMean(pattern, 1, 0, true);
    }

    /**
     * Induction score of each head of one layer on sequences whose second half repeats the first ({@code n = T/2}).
     *
     * @param pattern the layer's attention pattern {@code [B, H, 2n, 2n]}
     * @return one score per head, in [0, 1]
     */
    public static double[] induction(Tensor pattern) {
        int t = check(pattern);
        if (t % 2 != 0 || t < 4) {
            throw new IllegalArgumentException("induction score: needs a pattern over 2n positions (n >= 2), got " + t);
        }
        return diagonalMean(pattern, t / 2, 1 - t / 2, false);
    }

    /**
     * Induction score of each head of one layer on sequences with a repeated segment at a known place.
     *
     * @param pattern the layer's attention pattern {@code [B, H, T, T]}
     * @param secondCopy per sequence, the position where the second copy starts
     * @param copyLength per sequence, the length of each copy (queries past the last position are left out)
     * @return one score per head, in [0, 1]
     */
    public static double[] induction(Tensor pattern, int[] secondCopy, int[] copyLength) {
        int t = check(pattern), b = pattern.size(0), nh = pattern.size(1);
        if (secondCopy.length != b || copyLength.length != b) {
            throw new IllegalArgumentException("induction score: " + b + " sequences but " + secondCopy.length + " copy starts and "
                    + copyLength.length + " copy lengths");
        }
        float[] a = pattern.toArray();
        double[] out = new double[nh];
        long count = 0;
        for (int bi = 0; bi < b; bi++) {
            int s = secondCopy[bi], n = copyLength[bi];
            if (n < 2 || s < n || s >= t) {
                throw new IllegalArgumentException("induction score: sequence " + bi + " has a second copy of " + n
                        + " tokens at " + s + ", which does not fit " + t + " positions after a first copy");
            }
            for (int q = s; q < Math.min(t, s + n); q++) {
                count++;
                for (int h = 0; h < nh; h++) out[h] += a[((bi * nh + h) * t + q) * t + q - n + 1];
            }
        }
        for (int h = 0; h < nh; h++) out[h] /= count;
        return out;
    }

    // mean over b and queries q in [from, T) of A[b, h, q, column]; column = q + offset, or = offset when fixed
    private static double[] diagonalMean(Tensor pattern, int from, int offset, boolean fixed) {
        int t = check(pattern), b = pattern.size(0), nh = pattern.size(1);
        float[] a = pattern.toArray();
        double[] out = new double[nh];
        if (from >= t) return out;
        for (int h = 0; h < nh; h++) {
            double s = 0;
            for (int bi = 0; bi < b; bi++) {
                int base = (bi * nh + h) * t * t;
                for (int q = from; q < t; q++) s += a[base + q * t + (fixed ? offset : q + offset)];
            }
            out[h] = s / ((double) b * (t - from));
        }
        return out;
    }

    private static int check(Tensor pattern) {
        if (pattern.dim() != 4 || pattern.size(2) != pattern.size(3)) {
            throw new IllegalArgumentException("head score: expected an attention pattern [B, H, T, T], got "
                    + java.util.Arrays.toString(pattern.shape()));
        }
        return pattern.size(2);
    }

    /**
     * Scores every head of {@code model}: previous-token, first-token and ablation on
     * {@code heldOut} (its loss counts the targets that are not -1), induction on {@code repeated}
     * (from {@link #probe}). Runs in eval mode without a graph; costs two forwards plus one per head.
     *
     * @param model the model (its training mode is restored afterwards)
     * @param heldOut the sequences to measure on
     * @param repeated the induction probe
     * @return every head's scores
     */
    public static Report compute(GPT model, Batch heldOut, InductionTask.Layout repeated) {
        return compute(model, heldOut, repeated, null);
    }

    /**
     * {@link #compute(GPT, Batch, InductionTask.Layout)}, telling {@code headsDone} how many heads
     * are scored after each one: the ablations are one forward pass per head, which for GPT-2
     * small (144 heads) is minutes of work a command line should show.
     *
     * @param model the model (its training mode is restored afterwards)
     * @param heldOut the sequences to measure on
     * @param repeated the induction probe
     * @param headsDone called with 1, 2, ... layers x heads on the calling thread, or null
     * @return every head's scores
     */
    public static Report compute(GPT model, Batch heldOut, InductionTask.Layout repeated, java.util.function.IntConsumer headsDone) {
        int nl = model.config().nLayer(), nh = model.config().nHead();
        boolean training = model.isTraining();
        model.eval();
        try (Grad g = Grad.disabled()) {
            ActivationCache clean = new ActivationCache(n -> n.endsWith("hook_pattern") || n.endsWith("hook_z"));
            double cleanLoss = loss(model, heldOut, clean);
            ActivationCache rep = new ActivationCache(n -> n.endsWith("hook_pattern"));
            Batch rb = repeated.batch();
            model.forward(rb.idx(), rb.batchSize(), rb.blockSize(), rep);
            List<Head> heads = new ArrayList<>();
            for (int l = 0; l < nl; l++) {
                Tensor p = clean.get(HookPoint.ATTN_PATTERN, l);
                double[] prev = previousToken(p), first = firstToken(p), ind = induction(rep.get(HookPoint.ATTN_PATTERN, l), repeated.secondCopy(), repeated.copyLength());
                float[][] means = Interventions.headMeans(clean, l);
                for (int h = 0; h < nh; h++) {
                    double ablated = loss(model, heldOut, Interventions.meanAblateHead(l, h, means[h]));
                    heads.add(new Head(l, h, prev[h], first[h], ind[h], ablated - cleanLoss));
                    if (headsDone != null) headsDone.accept(heads.size());
                }
            }
            return new Report(nl, nh, heads, cleanLoss, rb.blockSize());
        } finally {
            if (training) model.train();
        }
    }

    /**
     * The induction probe: random token sequences, each with a segment of random length repeated
     * at a random place ({@link InductionTask#sampleWithLayout}).
     *
     * @param vocabSize the number of token ids to draw from (the model's vocabulary)
     * @param sequences how many sequences
     * @param length the tokens per sequence
     * @param seed fixes the draw, so scores of two models are comparable
     * @return the sequences and where their copies are
     */
    public static InductionTask.Layout probe(int vocabSize, int sequences, int length, long seed) {
        return InductionTask.generate(sequences, length, vocabSize, new java.util.SplittableRandom(seed));
    }

    /**
     * What {@link #probe} draws, in words, for the consoles that print an induction score (the
     * training's evaluation lines and {@code heads} score on probes of different seeds, and each
     * says which).
     *
     * @param sequences how many sequences
     * @param length the tokens per sequence
     * @return e.g. {@code "16 sequences of 32 random tokens, each with a segment of random length
     *     repeated at a random place"}
     */
    public static String describeProbe(int sequences, int length) {
        return sequences + " sequences of " + length + " random tokens, each with a segment of random length repeated"
                + " at a random place";
    }

    /**
     * The induction score of each head, in eval mode, without a graph.
     *
     * @param model the model (its training mode is restored afterwards)
     * @param repeated the induction probe
     * @return {@code [layer][head]}
     */
    public static double[][] inductionScores(GPT model, InductionTask.Layout repeated) {
        boolean training = model.isTraining();
        model.eval();
        try (Grad g = Grad.disabled()) {
            ActivationCache rep = new ActivationCache(n -> n.endsWith("hook_pattern"));
            Batch rb = repeated.batch();
            model.forward(rb.idx(), rb.batchSize(), rb.blockSize(), rep);
            double[][] out = new double[model.config().nLayer()][];
            for (int l = 0; l < out.length; l++) {
                out[l] = induction(rep.get(HookPoint.ATTN_PATTERN, l), repeated.secondCopy(), repeated.copyLength());
            }
            return out;
        } finally {
            if (training) model.train();
        }
    }

    /**
     * Why a model has no head {@code layer.head}, in the words {@code vecgrad heads --ablate} and
     * {@link #ablatedLoss} use, so both say the same.
     *
     * @param config the model's architecture
     * @param layer the layer, from 0
     * @param head the head within the layer, from 0
     * @return null when the head exists, else e.g. {@code "no such head; the model has layers 0..1
     *     and heads 0..3 in each"}
     */
    public static String missingHead(GPTConfig config, int layer, int head) {
        if (layer >= 0 && layer < config.nLayer() && head >= 0 && head < config.nHead()) return null;
        return "no such head; the model has layers 0.." + (config.nLayer() - 1) + " and heads 0.." + (config.nHead() - 1) + " in each";
    }

    /**
     * The mean loss on {@code data} with some heads ablated together. Eval mode, no graph.
     *
     * @param model the model (its training mode is restored afterwards)
     * @param data the sequences; targets of -1 are left out
     * @param heads pairs {@code {layer, head}}
     * @param mean true to replace each head's output by its mean over {@code data}, false for zero
     * @return the loss
     * @throws IllegalArgumentException naming the first head the model lacks ({@link #missingHead})
     */
    public static double ablatedLoss(GPT model, Batch data, List<int[]> heads, boolean mean) {
        // Every head is checked before the clean pass, which on a large model takes a while.
        for (int[] lh : heads) {
            if (lh.length != 2) {
                throw new IllegalArgumentException("ablation: a head is {layer, head}, got " + java.util.Arrays.toString(lh));
            }
            String missing = missingHead(model.config(), lh[0], lh[1]);
            if (missing != null) throw new IllegalArgumentException("ablation: head " + lh[0] + "." + lh[1] + ": " + missing);
        }
        boolean training = model.isTraining();
        model.eval();
        try (Grad g = Grad.disabled()) {
            ActivationCache clean = new ActivationCache(n -> n.endsWith("hook_z"));
            if (mean) loss(model, data, clean);
            dev.vecgrad.nn.ActivationHook hook = null;
            for (int[] lh : heads) {
                dev.vecgrad.nn.ActivationHook one = mean
                        ? Interventions.meanAblateHead(lh[0], lh[1], Interventions.headMeans(clean, lh[0])[lh[1]])
                        : Interventions.zeroAblateHeads(lh[0], lh[1]);
                hook = hook == null ? one : hook.andThen(one);
            }
            return loss(model, data, hook);
        } finally {
            if (training) model.train();
        }
    }

    private static double loss(GPT model, Batch b, dev.vecgrad.nn.ActivationHook hook) {
        return model.loss(model.forward(b.idx(), b.batchSize(), b.blockSize(), hook), b.targets()).item();
    }
}
