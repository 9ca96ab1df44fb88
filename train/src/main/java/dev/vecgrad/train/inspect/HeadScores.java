package dev.vecgrad.train.inspect;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.ActivationCache;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.HookPoint;
import dev.vecgrad.nn.Interventions;
import dev.vecgrad.train.data.Batch;
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
 * <li><b>induction</b>: on sequences of {@code n} random tokens repeated twice,
 *     {@code mean over b and t in [n, 2n) of A[b, h, t, t-n+1]}: attention from a token in the second
 *     copy to the token after its earlier occurrence.
 * <li><b>ablation</b>: the increase of the mean loss on held-out data when the head's output
 *     ({@code hook_z}) is replaced by its mean over that data (mean ablation). It measures the
 *     head's whole effect on the loss, through later layers too.
 * </ul>
 */
public final class HeadScores {
    private HeadScores() {}

    /** The score names, as in the JSON output. */
    public static final List<String> NAMES = List.of("previous_token", "first_token", "induction", "ablation");

    /** One head's scores. */
    public record Head(int layer, int head, double previousToken, double firstToken, double induction, double ablation) {
        /** The score called {@code name} (one of {@link #NAMES}). */
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
     * @param heads       every head, layer by layer
     * @param cleanLoss   the held-out loss without ablation
     * @param repeatLength {@code n}, the length of each copy in the induction probe
     */
    public record Report(int nLayer, int nHead, List<Head> heads, double cleanLoss, int repeatLength) {
        /** The score {@code name} as {@code [layer][head]}. */
        public double[][] grid(String name) {
            double[][] g = new double[nLayer][nHead];
            for (Head h : heads) g[h.layer()][h.head()] = h.score(name);
            return g;
        }

        /** The heads sorted by the score {@code name}, highest first. */
        public List<Head> sortedBy(String name) {
            List<Head> s = new ArrayList<>(heads);
            s.sort(Comparator.comparingDouble((Head h) -> h.score(name)).reversed());
            return s;
        }

        /** The head with the highest score {@code name}. */
        public Head best(String name) {
            return sortedBy(name).get(0);
        }

        /** The report as plain maps and lists, the documented JSON schema of {@code vecgrad heads --json}. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("n_layer", nLayer);
            m.put("n_head", nHead);
            m.put("clean_loss", cleanLoss);
            m.put("repeat_length", repeatLength);
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

    /** Previous-token score of each head of one layer's pattern {@code [B, H, T, T]}. */
    public static double[] previousToken(Tensor pattern) {
        return diagonalMean(pattern, 1, -1, false);
    }

    /** First-token (sink) score of each head of one layer's pattern {@code [B, H, T, T]}. */
    public static double[] firstToken(Tensor pattern) {
        return diagonalMean(pattern, 1, 0, true);
    }

    /**
     * Induction score of each head of one layer's pattern {@code [B, H, 2n, 2n]} on sequences whose
     * second half repeats the first ({@code n = T/2}).
     */
    public static double[] induction(Tensor pattern) {
        int t = check(pattern);
        if (t % 2 != 0 || t < 4) {
            throw new IllegalArgumentException("induction score: needs a pattern over 2n positions (n >= 2), got " + t);
        }
        return diagonalMean(pattern, t / 2, 1 - t / 2, false);
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
     * (from {@link dev.vecgrad.train.data.InductionTask#repeated}). Runs in eval mode without a graph;
     * costs two forwards plus one per head.
     */
    public static Report compute(GPT model, Batch heldOut, Batch repeated) {
        int nl = model.config().nLayer(), nh = model.config().nHead();
        if (repeated.blockSize() % 2 != 0) throw new IllegalArgumentException("head scores: the induction probe must have 2n positions");
        boolean training = model.isTraining();
        model.eval();
        try (Grad g = Grad.disabled()) {
            ActivationCache clean = new ActivationCache(n -> n.endsWith("hook_pattern") || n.endsWith("hook_z"));
            double cleanLoss = loss(model, heldOut, clean);
            ActivationCache rep = new ActivationCache(n -> n.endsWith("hook_pattern"));
            model.forward(repeated.idx(), repeated.batchSize(), repeated.blockSize(), rep);
            List<Head> heads = new ArrayList<>();
            for (int l = 0; l < nl; l++) {
                Tensor p = clean.get(HookPoint.ATTN_PATTERN, l);
                double[] prev = previousToken(p), first = firstToken(p), ind = induction(rep.get(HookPoint.ATTN_PATTERN, l));
                float[][] means = Interventions.headMeans(clean, l);
                for (int h = 0; h < nh; h++) {
                    double ablated = loss(model, heldOut, Interventions.meanAblateHead(l, h, means[h]));
                    heads.add(new Head(l, h, prev[h], first[h], ind[h], ablated - cleanLoss));
                }
            }
            return new Report(nl, nh, heads, cleanLoss, repeated.blockSize() / 2);
        } finally {
            if (training) model.train();
        }
    }

    /** The induction score of each head, {@code [layer][head]}, on {@code repeated}; eval mode, no graph. */
    public static double[][] inductionScores(GPT model, Batch repeated) {
        boolean training = model.isTraining();
        model.eval();
        try (Grad g = Grad.disabled()) {
            ActivationCache rep = new ActivationCache(n -> n.endsWith("hook_pattern"));
            model.forward(repeated.idx(), repeated.batchSize(), repeated.blockSize(), rep);
            double[][] out = new double[model.config().nLayer()][];
            for (int l = 0; l < out.length; l++) out[l] = induction(rep.get(HookPoint.ATTN_PATTERN, l));
            return out;
        } finally {
            if (training) model.train();
        }
    }

    private static double loss(GPT model, Batch b, dev.vecgrad.nn.ActivationHook hook) {
        return model.loss(model.forward(b.idx(), b.batchSize(), b.blockSize(), hook), b.targets()).item();
    }
}
