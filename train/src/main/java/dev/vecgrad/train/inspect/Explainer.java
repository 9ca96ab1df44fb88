package dev.vecgrad.train.inspect;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.Block;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.data.CharTokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One forward pass of a GPT with its real numbers, in the steps a learner reads about: tokens,
 * embeddings, one head's attention for one token (scores, scaling, mask, softmax, weighted
 * values), the rest of the block, and the next-token probabilities.
 *
 * <p>Where the numbers come from: embeddings, the residual stream, the MLP, the final LayerNorm
 * and the probabilities are outputs of the model's own modules. The attention step is not: the
 * query/key/value vectors come from the layer's own {@code c_attn}, but the scores, the softmax
 * and the weighted sum of values for the one head shown are recomputed here, in double
 * precision, so that each intermediate (raw score, scaled score, weight) can be shown; they
 * agree with the model's fused attention kernel to float rounding ({@code ExplainerTest} checks
 * that against the weights the model captures).
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
     * @param token the query position whose attention is shown, 0 .. prompt tokens - 1
     * @param layer the layer, 0 .. nLayer - 1
     * @param head  the head, 0 .. nHead - 1
     * @throws IllegalArgumentException when the prompt is empty or longer than the block size,
     *     or token, layer or head is out of range (each named)
     */
    public static Map<String, Object> explain(GPT model, CharTokenizer tok, String prompt, int token, int layer, int head) {
        int[] ids = tok.encode(prompt);
        int t = ids.length, c = model.config().nEmbd(), nh = model.config().nHead(), hs = c / nh;
        if (t == 0 || t > model.config().blockSize()) {
            throw new IllegalArgumentException("prompt must have 1.." + model.config().blockSize() + " tokens, got " + t);
        }
        check("token", token, t);
        check("layer", layer, model.config().nLayer());
        check("head", head, nh);
        Map<String, Object> out = new LinkedHashMap<>();
        try (Grad g = Grad.disabled()) {
            List<Map<String, Object>> tokens = new ArrayList<>();
            Tensor tokEmb = model.wte().forward(ids, 1, t), posEmb = model.wpe().weight().tensor().narrow(0, 0, t);
            Tensor x = tokEmb.add(posEmb);                                                     // (1,T,C)
            for (int i = 0; i < t; i++) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("position", i);
                row.put("piece", tok.piece(ids[i]));
                row.put("id", ids[i]);
                row.put("token_embedding", first(tokEmb, i, 6));
                row.put("position_embedding", first(posEmb.unsqueeze(0), i, 6));
                row.put("sum", first(x, i, 6));
                tokens.add(row);
            }
            out.put("tokens", tokens);
            out.put("embedding_size", c);
            for (int l = 0; l < layer; l++) x = model.blocks().get(l).forward(x);
            Block b = model.blocks().get(layer);
            Tensor h = b.ln1().forward(x);
            float[] qkv = b.attn().cAttn().forward(h).toArray();                               // (T, 3C)
            float scale = (float) (1.0 / Math.sqrt(hs));
            List<Map<String, Object>> keys = new ArrayList<>();
            double[] scaled = new double[t];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= token; j++) {
                double dot = 0;
                for (int d = 0; d < hs; d++) dot += (double) qkv[token * 3 * c + head * hs + d] * qkv[j * 3 * c + c + head * hs + d];
                scaled[j] = dot * scale;
                max = Math.max(max, scaled[j]);
                Map<String, Object> k = new LinkedHashMap<>();
                k.put("key_position", j);
                k.put("key_piece", tok.piece(ids[j]));
                k.put("score", dot);
                k.put("scaled", scaled[j]);
                keys.add(k);
            }
            double sum = 0;
            for (int j = 0; j <= token; j++) sum += Math.exp(scaled[j] - max);
            double[] value = new double[hs];
            for (int j = 0; j <= token; j++) {
                double w = Math.exp(scaled[j] - max) / sum;
                keys.get(j).put("weight", w);
                for (int d = 0; d < hs; d++) value[d] += w * qkv[j * 3 * c + 2 * c + head * hs + d];
            }
            Map<String, Object> att = new LinkedHashMap<>();
            att.put("layer", layer);
            att.put("head", head);
            att.put("query_position", token);
            att.put("query_piece", tok.piece(ids[token]));
            att.put("head_size", hs);
            att.put("scale", "1/sqrt(" + hs + ") = " + scale);
            att.put("masked_positions", t - token - 1);
            att.put("keys", keys);
            att.put("head_output", java.util.Arrays.copyOf(value, Math.min(6, hs)));
            att.put("heads_combined", nh + " heads of " + hs + " values are concatenated to " + c + " and mixed by c_proj [" + c + ", " + c + "]");
            out.put("attention", att);
            Tensor attnOut = b.attn().forward(h);
            Tensor afterAttn = x.add(attnOut);
            Tensor mlpOut = b.mlp().forward(b.ln2().forward(afterAttn));
            Tensor afterBlock = afterAttn.add(mlpOut);
            out.put("residual_after_attention", first(afterAttn, token, 6));
            out.put("mlp", "ln_2, then c_fc " + c + " -> " + 4 * c + ", GELU, c_proj " + 4 * c + " -> " + c + ", added to the residual");
            out.put("residual_after_block", first(afterBlock, token, 6));
            for (int l = layer + 1; l < model.config().nLayer(); l++) afterBlock = model.blocks().get(l).forward(afterBlock);
            Tensor normed = model.lnF().forward(afterBlock);
            out.put("final_layernorm", first(normed, token, 6));
            Tensor logits = model.lmHead().forward(normed);                                     // (1,T,V)
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
