package dev.vecgrad.train.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import dev.vecgrad.nn.GPTConfig;
import dev.vecgrad.train.data.CharTokenizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The numbers explain shows are the ones the model computes. */
class ExplainerTest {
    @Test
    @SuppressWarnings("unchecked")
    void explainedAttentionAndProbabilitiesEqualTheModels() {
        CharTokenizer tok = CharTokenizer.fromText("abcdefgh ");
        GPT model = new GPT(new GPTConfig(2, 2, 16, 12, tok.vocabSize(), true, 0f), 21);
        String prompt = "bad cafe";
        int[] ids = tok.encode(prompt);
        int t = ids.length;
        model.eval();
        model.setCaptureAttention(true);
        Tensor logits;
        try (Grad g = Grad.disabled()) {
            logits = model.forward(ids, 1, t);
        }
        for (int layer = 0; layer < 2; layer++) {
            for (int head = 0; head < 2; head++) {
                Tensor att = model.blocks().get(layer).attn().lastAttention();
                for (int n : new int[] {0, 3, t - 1}) {
                    Map<String, Object> e = Explainer.explain(model, tok, prompt, n, layer, head);
                    List<Map<String, Object>> keys = (List<Map<String, Object>>) ((Map<String, Object>) e.get("attention")).get("keys");
                    assertEquals(n + 1, keys.size());
                    double sum = 0;
                    for (int j = 0; j <= n; j++) {
                        double w = (double) keys.get(j).get("weight");
                        assertEquals(att.get(0, head, n, j), w, 1e-5, "layer " + layer + " head " + head + " query " + n + " key " + j);
                        sum += w;
                    }
                    assertEquals(1.0, sum, 1e-6);
                    float[] p = logits.narrow(1, n, 1).reshape(-1).softmax(0).toArray();
                    for (Map<String, Object> next : (List<Map<String, Object>>) e.get("next_token")) {
                        assertEquals(p[(int) next.get("id")], (double) next.get("probability"), 1e-6);
                    }
                }
            }
        }
        Map<String, Object> e = Explainer.explain(model, tok, prompt, t - 1, 0, 0);
        List<Map<String, Object>> tokens = (List<Map<String, Object>>) e.get("tokens");
        assertEquals(t, tokens.size());
        double[] sum = (double[]) tokens.get(2).get("sum"), te = (double[]) tokens.get(2).get("token_embedding"),
                pe = (double[]) tokens.get(2).get("position_embedding");
        for (int i = 0; i < sum.length; i++) assertEquals(te[i] + pe[i], sum[i], 1e-6);
        assertTrue(((String) ((Map<String, Object>) e.get("attention")).get("heads_combined")).contains("2 heads"));
    }
}
