package dev.vecgrad.examples.cli;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.Block;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.train.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One forward pass of a GPT with its real numbers, in the steps a learner reads about: tokens,
 * embeddings, one head's attention for one token (scores, scaling, mask, softmax, weighted
 * values), the rest of the block, and the next-token probabilities. Every number is computed by
 * the model's own modules; {@link #explain} returns them as a map (the CLI prints it as tables
 * or JSON).
 */
final class Explainer {
    private Explainer() {}

    static Map<String, Object> explain(GPT model, Tokenizer tok, String prompt, int token, int layer, int head) {
        int[] ids = tok.encode(prompt);
        int t = ids.length, c = model.config().nEmbd(), nh = model.config().nHead(), hs = c / nh;
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

    private static double[] first(Tensor x, int pos, int n) {
        int c = x.size(2);
        double[] v = new double[Math.min(n, c)];
        for (int i = 0; i < v.length; i++) v[i] = x.get(0, pos, i);
        return v;
    }
}
