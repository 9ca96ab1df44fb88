package dev.vecgrad.train.inspect;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import dev.vecgrad.autograd.Grad;
import dev.vecgrad.autograd.Tensor;
import dev.vecgrad.nn.GPT;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Attention weights {@code [layer][head][query][key]} of a prompt: read from the model
 * ({@link #capture}), rendered as a PNG grid of heatmaps with the tokens on both axes, as a
 * shaded terminal view with the most-attended keys per query, or written as CSV.
 */
public final class AttentionMaps {
    private static final String SHADES = " ░▒▓█";
    private static final int CELL = 18, GAP = 24;

    private AttentionMaps() {}

    /**
     * The attention weights the model itself computes for {@code ids} (one sequence, no graph,
     * eval mode so no dropout), for the given layers and heads: {@code w[li][hi][q][k]} is
     * layer {@code layers[li]}, head {@code heads[hi]}, query q, key k (0 above the diagonal).
     * Leaves attention capture off afterwards.
     *
     * @throws IllegalArgumentException when ids is empty or longer than the block size, or a
     *     layer or head is out of range
     */
    public static float[][][][] capture(GPT model, int[] ids, int[] layers, int[] heads) {
        int t = ids.length, nl = model.config().nLayer(), nh = model.config().nHead();
        if (t == 0 || t > model.config().blockSize()) {
            throw new IllegalArgumentException("prompt must have 1.." + model.config().blockSize() + " tokens, got " + t);
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

    /**
     * Every weight as CSV text, one line per (layer, head, query, key) after the header
     * {@code layer,head,query,query_token,key,key_token,weight}; tokens quoted, quotes doubled.
     */
    public static String csv(float[][][][] w, int[] layers, int[] heads, List<String> tokens) {
        int t = tokens.size();
        StringBuilder sb = new StringBuilder("layer,head,query,query_token,key,key_token,weight\n");
        for (int li = 0; li < layers.length; li++) {
            for (int hi = 0; hi < heads.length; hi++) {
                for (int q = 0; q < t; q++) {
                    for (int k = 0; k < t; k++) {
                        sb.append(String.format(Locale.ROOT, "%d,%d,%d,%s,%d,%s,%.6f%n", layers[li], heads[hi], q,
                                csvField(tokens.get(q)), k, csvField(tokens.get(k)), w[li][hi][q][k]));
                    }
                }
            }
        }
        return sb.toString();
    }

    private static String csvField(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    /** A token as a readable label: spaces and line breaks made visible. */
    public static String label(String piece) {
        return piece.replace(" ", "␣").replace("\n", "⏎").replace("\t", "⇥");
    }

    /**
     * One heatmap per (layer, head) in a grid, layers down, heads across, weights from 0 (white)
     * to 1 (dark blue); {@code w} as {@link #capture} returns it. The caller picks the file format.
     */
    public static BufferedImage image(float[][][][] w, int[] layers, int[] heads, List<String> tokens) {
        int t = tokens.size();
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        FontMetrics fm = pg.getFontMetrics(font);
        int labelW = 0;
        for (String s : tokens) labelW = Math.max(labelW, fm.stringWidth(label(s)));
        pg.dispose();
        int margin = labelW + 10, title = 22;
        int mapW = margin + t * CELL, mapH = title + margin + t * CELL;
        int width = heads.length * mapW + (heads.length + 1) * GAP, height = layers.length * mapH + (layers.length + 1) * GAP;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(font);
        for (int li = 0; li < layers.length; li++) {
            for (int hi = 0; hi < heads.length; hi++) {
                int x0 = GAP + hi * (mapW + GAP), y0 = GAP + li * (mapH + GAP);
                g.setColor(Color.BLACK);
                g.drawString("layer " + layers[li] + ", head " + heads[hi], x0 + margin, y0 + 14);
                int gx = x0 + margin, gy = y0 + title + margin;
                float[][] m = w[li][hi];
                for (int q = 0; q < t; q++) {
                    for (int k = 0; k < t; k++) {
                        float v = Math.max(0f, Math.min(1f, m[q][k]));
                        g.setColor(new Color(1f - 0.85f * v, 1f - 0.75f * v, 1f - 0.35f * v));
                        g.fillRect(gx + k * CELL, gy + q * CELL, CELL, CELL);
                    }
                }
                g.setColor(new Color(200, 200, 200));
                g.drawRect(gx, gy, t * CELL, t * CELL);
                g.setColor(Color.DARK_GRAY);
                for (int i = 0; i < t; i++) {
                    String s = label(tokens.get(i));
                    // query labels to the left of each row
                    g.drawString(s, gx - 5 - fm.stringWidth(s), gy + i * CELL + CELL - 5);
                    // key labels above each column, rotated
                    AffineTransform saved = g.getTransform();
                    g.translate(gx + i * CELL + CELL - 5, gy - 5);
                    g.rotate(-Math.PI / 2);
                    g.drawString(s, 0, 0);
                    g.setTransform(saved);
                }
            }
        }
        g.dispose();
        return img;
    }

    /**
     * Prints one head's weights {@code m[query][key]} as shaded cells, one character per weight
     * ({@code ·} where the causal mask hides a key), and each query's three most-attended keys.
     */
    public static void terminal(PrintWriter out, float[][] m, int layer, int head, List<String> tokens) {
        int t = tokens.size();
        int w = 0;
        for (String s : tokens) w = Math.max(w, label(s).length());
        out.printf("layer %d, head %d (rows: query, columns: key; %s = 0..1)%n", layer, head, SHADES.substring(1));
        for (int q = 0; q < t; q++) {
            StringBuilder row = new StringBuilder(String.format("%" + w + "s |", label(tokens.get(q))));
            for (int k = 0; k < t; k++) {
                float v = m[q][k];
                char c = k > q ? '·' : SHADES.charAt(Math.min(SHADES.length() - 1, Math.round(v * (SHADES.length() - 1))));
                row.append(c).append(c);
            }
            row.append("|  ");
            int[] top = topK(m[q], q + 1, 3);
            for (int i = 0; i < top.length; i++) {
                if (i > 0) row.append(", ");
                row.append(String.format(Locale.ROOT, "%s@%d %.2f", label(tokens.get(top[i])), top[i], m[q][top[i]]));
            }
            out.println(row);
        }
        out.println();
    }

    /** Indices of the k largest of the first n values, largest first. */
    public static int[] topK(float[] v, int n, int k) {
        int m = Math.min(k, n);
        int[] idx = new int[m];
        boolean[] used = new boolean[n];
        for (int i = 0; i < m; i++) {
            int best = -1;
            for (int j = 0; j < n; j++) if (!used[j] && (best < 0 || v[j] > v[best])) best = j;
            used[best] = true;
            idx[i] = best;
        }
        return idx;
    }
}
