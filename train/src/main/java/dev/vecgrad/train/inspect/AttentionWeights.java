package dev.vecgrad.train.inspect;

import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * The attention weights of a GPT for one prompt, {@code [layer][head][query][key]}, and their CSV
 * form. The command line ({@code vecgrad attention}) and the dashboard both get their numbers
 * here, so a weight shown in the browser is the one {@code --csv} writes.
 */
public final class AttentionWeights {
    /** The CSV header line (without its line break). */
    public static final String CSV_HEADER = "layer,head,query,query_token,key,key_token,weight";

    private AttentionWeights() {}

    /**
     * Runs {@code ids} through {@code model} once (no gradients, eval mode) and returns the weights
     * of the given layers and heads, in that order. The model's attention capture is switched on
     * for the pass and off afterwards, so a caller that shares the model must serialise calls.
     *
     * @throws IllegalArgumentException when the prompt is empty, longer than the block size, or a
     *     layer or head is out of range
     */
    public static float[][][][] of(GPT model, int[] ids, int[] layers, int[] heads) {
        int nl = model.config().nLayer(), nh = model.config().nHead(), t = ids.length;
        if (t == 0) throw new IllegalArgumentException("the prompt must hold at least one token");
        if (t > model.config().blockSize()) {
            throw new IllegalArgumentException("the prompt has " + t + " tokens but the model's block size is " + model.config().blockSize());
        }
        for (int l : layers) if (l < 0 || l >= nl) throw new IllegalArgumentException("layer must be 0.." + (nl - 1) + ", got " + l);
        for (int h : heads) if (h < 0 || h >= nh) throw new IllegalArgumentException("head must be 0.." + (nh - 1) + ", got " + h);
        float[][][][] w = new float[layers.length][heads.length][t][t];
        model.eval();
        model.setCaptureAttention(true);
        try (Grad g = Grad.disabled()) {
            model.forward(ids, 1, t);
            for (int li = 0; li < layers.length; li++) {
                Tensor a = model.blocks().get(layers[li]).attn().lastAttention();     // [1, nh, T, T]
                for (int hi = 0; hi < heads.length; hi++) {
                    for (int q = 0; q < t; q++) for (int k = 0; k < t; k++) w[li][hi][q][k] = a.get(0, heads[hi], q, k);
                }
            }
        } finally {
            model.setCaptureAttention(false);
        }
        return w;
    }

    /** Every layer and head. */
    public static float[][][][] of(GPT model, int[] ids) {
        return of(model, ids, range(model.config().nLayer()), range(model.config().nHead()));
    }

    /** {@code 0 .. n-1}. */
    public static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /** A weight as the CSV writes it: six decimals, a dot as the separator. */
    public static String format(float weight) {
        return String.format(Locale.ROOT, "%.6f", weight);
    }

    /**
     * Writes the header and one line per (layer, head, query, key):
     * {@code layer,head,query,query_token,key,key_token,weight}, tokens quoted CSV-style.
     */
    public static void writeCsv(Appendable out, float[][][][] w, int[] layers, int[] heads, List<String> tokens) throws IOException {
        int t = tokens.size();
        out.append(CSV_HEADER).append('\n');
        for (int li = 0; li < layers.length; li++) {
            for (int hi = 0; hi < heads.length; hi++) {
                for (int q = 0; q < t; q++) {
                    for (int k = 0; k < t; k++) {
                        out.append(Integer.toString(layers[li])).append(',').append(Integer.toString(heads[hi])).append(',')
                                .append(Integer.toString(q)).append(',').append(csvField(tokens.get(q))).append(',')
                                .append(Integer.toString(k)).append(',').append(csvField(tokens.get(k))).append(',')
                                .append(format(w[li][hi][q][k])).append('\n');
                    }
                }
            }
        }
    }

    private static String csvField(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
