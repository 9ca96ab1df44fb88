package dev.vecgrad.train.inspect;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.ActivationCache;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.HookPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The logit lens (nostalgebraist, 2020): what the model would predict if it stopped after each
 * layer. Each residual stream ({@code blocks.l.hook_resid_pre} for every block, then the last
 * block's {@code hook_resid_post}) goes through the final LayerNorm and {@code lm_head}
 * ({@link GPT#unembed}); a softmax gives next-token probabilities. The last stream's are the
 * model's own.
 */
public final class LogitLens {
    private LogitLens() {}

    /**
     * A candidate next token.
     *
     * @param id its token id
     * @param piece its text
     * @param probability the probability the stream gives it
     */
    public record Candidate(int id, String piece, double probability) {}

    /**
     * One position of one stream.
     *
     * @param position the position in the prompt
     * @param top the most likely next tokens, most likely first
     * @param actualProbability the probability given to the token that really comes next; NaN at
     *                          the last position, where the prompt does not say
     */
    public record Cell(int position, List<Candidate> top, double actualProbability) {}

    /**
     * One residual stream across the prompt.
     *
     * @param name its capture point, e.g. {@code blocks.0.hook_resid_pre}
     * @param cells one per position
     */
    public record Stream(String name, List<Cell> cells) {}

    /**
     * The lens over a prompt.
     *
     * @param ids the prompt's token ids
     * @param pieces their texts
     * @param streams one per layer boundary, the embeddings first and the last block's output last
     */
    public record Result(int[] ids, List<String> pieces, List<Stream> streams) {
        /**
         * {@return {@code [stream][position]}: the probability of the actual next token (NaN at the last position)}
         */
        public double[][] actualProbabilities() {
            double[][] p = new double[streams.size()][];
            for (int s = 0; s < p.length; s++) {
                List<Cell> cells = streams.get(s).cells();
                p[s] = new double[cells.size()];
                for (int i = 0; i < p[s].length; i++) p[s][i] = cells.get(i).actualProbability();
            }
            return p;
        }

        /**
         * {@return the result as plain maps and lists, the documented JSON schema of {@code vecgrad lens --json}}
         */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            List<Map<String, Object>> toks = new ArrayList<>();
            for (int i = 0; i < ids.length; i++) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("position", i);
                t.put("id", ids[i]);
                t.put("piece", pieces.get(i));
                toks.add(t);
            }
            m.put("tokens", toks);
            List<Map<String, Object>> ss = new ArrayList<>();
            for (Stream s : streams) {
                Map<String, Object> sm = new LinkedHashMap<>();
                sm.put("stream", s.name());
                List<Map<String, Object>> cells = new ArrayList<>();
                for (Cell c : s.cells()) {
                    Map<String, Object> cm = new LinkedHashMap<>();
                    cm.put("position", c.position());
                    cm.put("actual_next_probability", Double.isNaN(c.actualProbability()) ? null : c.actualProbability());
                    List<Map<String, Object>> top = new ArrayList<>();
                    for (Candidate k : c.top()) {
                        Map<String, Object> km = new LinkedHashMap<>();
                        km.put("id", k.id());
                        km.put("piece", k.piece());
                        km.put("probability", k.probability());
                        top.add(km);
                    }
                    cm.put("top", top);
                    cells.add(cm);
                }
                sm.put("positions", cells);
                ss.add(sm);
            }
            m.put("streams", ss);
            return m;
        }
    }

    /**
     * The lens over one sequence: every stream through the final LayerNorm and the unembedding,
     * in eval mode, without a graph.
     *
     * @param model the model (its training mode is restored afterwards)
     * @param ids the prompt's token ids, 1 to block size of them
     * @param topK how many likeliest tokens to keep per stream and position ({@code >= 1})
     * @param piece names a token id, e.g. {@code tokenizer::decodeToken}
     * @return the lens
     * @throws IllegalArgumentException when the prompt is empty or too long, or {@code topK < 1}
     */
    public static Result compute(GPT model, int[] ids, int topK, IntFunction<String> piece) {
        int t = ids.length, nl = model.config().nLayer(), v = model.config().vocabSize();
        if (t == 0) throw new IllegalArgumentException("logit lens: the prompt has no tokens");
        if (topK < 1) throw new IllegalArgumentException("logit lens: top-k must be >= 1, got " + topK);
        boolean training = model.isTraining();
        model.eval();
        try (Grad g = Grad.disabled()) {
            ActivationCache cache = new ActivationCache(n -> n.endsWith("hook_resid_pre") || n.equals(HookPoint.RESID_POST.name(nl - 1)));
            model.forward(ids, 1, t, cache);
            List<String> names = new ArrayList<>();
            for (int l = 0; l < nl; l++) names.add(HookPoint.RESID_PRE.name(l));
            names.add(HookPoint.RESID_POST.name(nl - 1));
            List<Stream> streams = new ArrayList<>();
            for (String name : names) {
                float[] probs = model.unembed(cache.get(name)).softmax(-1).toArray();    // (1,T,V)
                List<Cell> cells = new ArrayList<>();
                for (int i = 0; i < t; i++) {
                    int off = i * v;
                    List<Candidate> top = new ArrayList<>();
                    for (int id : topK(probs, off, v, topK)) top.add(new Candidate(id, piece.apply(id), probs[off + id]));
                    cells.add(new Cell(i, top, i + 1 < t ? probs[off + ids[i + 1]] : Double.NaN));
                }
                streams.add(new Stream(name, cells));
            }
            List<String> pieces = new ArrayList<>();
            for (int id : ids) pieces.add(piece.apply(id));
            return new Result(ids.clone(), pieces, streams);
        } finally {
            if (training) model.train();
        }
    }

    /** Indices of the {@code k} largest of {@code n} values from {@code off}, largest first (ties: lower id first). */
    static int[] topK(float[] p, int off, int n, int k) {
        int m = Math.min(k, n);
        int[] best = new int[m];
        int filled = 0;
        for (int i = 0; i < n; i++) {
            float x = p[off + i];
            if (filled == m && x <= p[off + best[m - 1]]) continue;
            int j = filled < m ? filled++ : m - 1;
            while (j > 0 && p[off + best[j - 1]] < x) {
                best[j] = best[j - 1];
                j--;
            }
            best[j] = i;
        }
        return best;
    }
}
