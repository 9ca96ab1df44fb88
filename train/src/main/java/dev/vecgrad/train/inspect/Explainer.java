package dev.vecgrad.train.inspect;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.ActivationCache;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.HookPoint;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One forward pass of a GPT with its real numbers, in the steps a learner reads about: tokens,
 * embeddings, one head's attention for one token (scores, scaling, mask, softmax, weighted
 * values), the rest of the block, and the next-token probabilities.
 *
 * <p>Where the numbers come from: one forward of the model with an {@link ActivationCache}, so
 * the embeddings, queries, keys, the attention weights, the head's output, the residual stream,
 * the final LayerNorm and the probabilities are the model's own (its fused attention included).
 * Only the raw dot products {@code q.k} and their scaled values, which the fused attention never
 * stores, are computed here from the captured q and k, in double precision.
 */
public final class Explainer {
    private Explainer() {}

    /**
     * Runs {@code prompt} through {@code model} (without recording a graph) and returns the
     * walk-through as nested maps and lists in display order, ready for tables or JSON. Keys:
     * {@code tokens} (per position: piece, id, the first 6 numbers of the token and position
     * embeddings and their sum), {@code embedding_size}, {@code attention} (layer, head, the
     * query, per key its raw score, scaled score and softmax weight, the head's output),
     * {@code residual_after_attention}, {@code mlp}, {@code residual_after_block},
     * {@code final_layernorm} and {@code next_token} (the five likeliest, with probabilities).
     *
     * @param model the model
     * @param tok its tokenizer, which encodes the prompt and names the pieces
     * @param prompt the text
     * @param token the query position whose attention is shown, 0 .. prompt tokens - 1
     * @param layer the layer, 0 .. nLayer - 1
     * @param head  the head, 0 .. nHead - 1
     * @return the walk-through
     * @throws IllegalArgumentException when the prompt is empty or longer than the block size,
     *     or token, layer or head is out of range (each named)
     */
    public static Map<String, Object> explain(GPT model, Tokenizer tok, String prompt, int token, int layer, int head) {
        int[] ids = tok.encode(prompt);
        int t = ids.length, c = model.config().nEmbd(), nh = model.config().nHead(), hs = c / nh;
        if (t == 0 || t > model.config().blockSize()) {
            throw new IllegalArgumentException("prompt must have 1.." + model.config().blockSize() + " tokens, got " + t);
        }
        check("token", token, t);
        check("layer", layer, model.config().nLayer());
        check("head", head, nh);
        Map<String, Object> out = new LinkedHashMap<>();
        boolean training = model.isTraining();
        model.eval();
        try (Grad g = Grad.disabled()) {
            ActivationCache cache = new ActivationCache();
            Tensor logits = model.forward(ids, 1, t, cache);                                   // (1,T,V)
            List<Map<String, Object>> tokens = new ArrayList<>();
            Tensor tokEmb = cache.get(HookPoint.EMBED, -1), posEmb = cache.get(HookPoint.POS_EMBED, -1).unsqueeze(0);
            Tensor x = cache.get(HookPoint.RESID_PRE, 0);
            for (int i = 0; i < t; i++) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("position", i);
                row.put("piece", tok.piece(ids[i]));
                row.put("id", ids[i]);
                row.put("token_embedding", first(tokEmb, i, 6));
                row.put("position_embedding", first(posEmb, i, 6));
                row.put("sum", first(x, i, 6));
                tokens.add(row);
            }
            out.put("tokens", tokens);
            out.put("embedding_size", c);
            float scale = (float) (1.0 / Math.sqrt(hs));
            Tensor q = cache.get(HookPoint.ATTN_Q, layer), k = cache.get(HookPoint.ATTN_K, layer);      // (1,T,H,hs)
            Tensor pattern = cache.get(HookPoint.ATTN_PATTERN, layer), z = cache.get(HookPoint.ATTN_Z, layer);
            List<Map<String, Object>> keys = new ArrayList<>();
            for (int j = 0; j <= token; j++) {
                double dot = 0;
                for (int d = 0; d < hs; d++) dot += (double) q.get(0, token, head, d) * k.get(0, j, head, d);
                Map<String, Object> kr = new LinkedHashMap<>();
                kr.put("key_position", j);
                kr.put("key_piece", tok.piece(ids[j]));
                kr.put("score", dot);
                kr.put("scaled", dot * scale);
                kr.put("weight", (double) pattern.get(0, head, token, j));
                keys.add(kr);
            }
            double[] value = new double[Math.min(6, hs)];
            for (int d = 0; d < value.length; d++) value[d] = z.get(0, token, head, d);
            Map<String, Object> att = new LinkedHashMap<>();
            att.put("layer", layer);
            att.put("head", head);
            att.put("query_position", token);
            att.put("query_piece", tok.piece(ids[token]));
            att.put("head_size", hs);
            att.put("scale", "1/sqrt(" + hs + ") = " + scale);
            att.put("masked_positions", t - token - 1);
            att.put("keys", keys);
            att.put("head_output", value);
            att.put("heads_combined", nh + " heads of " + hs + " values are concatenated to " + c + " and mixed by c_proj [" + c + ", " + c + "]");
            out.put("attention", att);
            out.put("residual_after_attention", first(cache.get(HookPoint.RESID_MID, layer), token, 6));
            out.put("mlp", "ln_2, then c_fc " + c + " -> " + 4 * c + ", GELU, c_proj " + 4 * c + " -> " + c + ", added to the residual");
            out.put("residual_after_block", first(cache.get(HookPoint.RESID_POST, layer), token, 6));
            out.put("final_layernorm", first(cache.get(HookPoint.LN_FINAL, -1), token, 6));
            float[] row = logits.narrow(1, token, 1).reshape(-1).softmax(0).toArray();
            int[] order = AttentionMaps.topK(row, row.length, 5);
            List<Map<String, Object>> next = new ArrayList<>();
            for (int id : order) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("piece", tok.piece(id));
                p.put("id", id);
                p.put("probability", (double) row[id]);
                next.add(p);
            }
            out.put("next_token", next);
        } finally {
            if (training) model.train();
        }
        return out;
    }

    private static void check(String what, int v, int n) {
        if (v < 0 || v >= n) throw new IllegalArgumentException(what + " must be 0.." + (n - 1) + ", got " + v);
    }

    private static double[] first(Tensor x, int pos, int n) {
        int c = x.size(2);
        double[] v = new double[Math.min(n, c)];
        for (int i = 0; i < v.length; i++) v[i] = x.get(0, pos, i);
        return v;
    }
}
